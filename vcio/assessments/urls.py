"""The assessments app's pages: the practice's framework library (``/frameworks/...``), the
practice heat-map, and per client ``/clients/<client>/assessments/...`` and ``.../risks/...``.

Each views module owns its ``urlpatterns``; this file only joins them.
"""

from __future__ import annotations

from vcio.assessments.views import assessments, frameworks, portal, practice, risks

app_name = "assessments"

urlpatterns = [
    *frameworks.urlpatterns,
    *assessments.urlpatterns,
    *practice.urlpatterns,
    *risks.urlpatterns,
    *portal.urlpatterns,
]
