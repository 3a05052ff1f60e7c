"""API routes: tickets (joined in helpdesk/api/urls.py)."""

from __future__ import annotations

urlpatterns: list = []
