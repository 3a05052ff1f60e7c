"""The needs app's pages.

- ``/questionnaires/...``: the practice's survey library (authoring, versions).
- ``/clients/<client>/surveys/...``: rounds, sending, results.
- ``/survey/<token>/``: the department head's answer page (no login: the link is the key).
- ``/clients/<client>/needs/...``: the needs list and board; ``.../coverage/``,
  ``.../satisfaction/``.

Each views module owns its ``urlpatterns``; this file only joins them.
"""

from __future__ import annotations

from vcio.needs.views import answer, coverage, needs, satisfaction, surveys

app_name = "needs"

urlpatterns = [
    *surveys.urlpatterns,
    *answer.urlpatterns,
    *needs.urlpatterns,
    *coverage.urlpatterns,
    *satisfaction.urlpatterns,
]
