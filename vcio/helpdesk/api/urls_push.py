"""API routes: push (joined in helpdesk/api/urls.py)."""

from __future__ import annotations

from django.urls import path

from vcio.helpdesk.api.push import TicketPushView

urlpatterns: list = [
    path("helpdesk/push/<slug:client>/", TicketPushView.as_view(), name="helpdesk-push"),
]
