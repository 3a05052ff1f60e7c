"""API routes: analytics (joined in helpdesk/api/urls.py)."""

from __future__ import annotations

from django.urls import path

from vcio.helpdesk.api.analytics import HelpdeskAnalyticsView

urlpatterns: list = [
    path("helpdesk/analytics/", HelpdeskAnalyticsView.as_view(), name="analytics"),
]
