"""The assessments API's routes, mounted under ``/api/``.

- ``/api/frameworks/``: the library's frameworks with their versions (read).
- ``/api/framework-versions/``: versions; ``import/`` (POST a file or a JSON
  document), ``{id}/export/``, ``{id}/copy/``.
- ``/api/assessments/``: per client; ``{id}/submit/``, ``sign-off/``,
  ``reopen/``, ``refresh-evidence/``, ``compare/?with={id}``.
- ``/api/assessment-answers/?assessment={id}``: PATCH to answer;
  ``{id}/raise-risk/``.
- ``/api/assessment-evidence/?answer={id}``: links and files.
- ``/api/risks/``: the register, CRUD; ``{id}/treat/``.
"""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from vcio.assessments.api import assessments, frameworks, risks

app_name = "assessments-api"

router = SimpleRouter()
router.register("frameworks", frameworks.FrameworkViewSet, basename="framework")
router.register(
    "framework-versions", frameworks.FrameworkVersionViewSet, basename="frameworkversion"
)
router.register("assessments", assessments.AssessmentViewSet, basename="assessment")
router.register("assessment-answers", risks.AnswerWithRiskViewSet, basename="answer")
router.register("assessment-evidence", assessments.EvidenceViewSet, basename="evidence")
router.register("risks", risks.RiskViewSet, basename="risk")

urlpatterns = router.urls
