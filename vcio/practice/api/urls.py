"""The practice API, mounted under ``/api/``: fee changes, people's rates, time entries."""

from __future__ import annotations

from vcio.practice.api import views

app_name = "practice-api"

urlpatterns = [*views.urlpatterns]
