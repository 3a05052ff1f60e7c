"""The needs API, mounted under ``/api/``: questionnaires, survey rounds, invitations,
answers (read), needs (CRUD) and the coverage matrix. Each module owns its routes."""

from __future__ import annotations

from vcio.needs.api import coverage, needs, surveys

app_name = "needs-api"

urlpatterns = [*surveys.urlpatterns, *needs.urlpatterns, *coverage.urlpatterns]
