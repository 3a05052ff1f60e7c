"""Pages: topics (owned by its slice; joined in helpdesk/urls.py)."""

from __future__ import annotations

urlpatterns: list = []
