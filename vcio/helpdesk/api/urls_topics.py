"""API routes: topics (joined in helpdesk/api/urls.py)."""

from __future__ import annotations

urlpatterns: list = []
