"""The asset API's routes, mounted under ``/api/``.

- ``/api/assets/``, ``/api/licences/``, ``/api/lifecycle-policies/``: client data, CRUD.
- ``/api/eol-rules/``: the shared end-of-support table (writes: practice owners and admins).
- ``/api/lifecycle/{client slug}/``: the client's lifecycle summary.
- ``/api/lifecycle/{client slug}/forecast/?quarters=12``: replacements by fiscal quarter.
"""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from vcio.assets.api import views

app_name = "assets-api"

router = SimpleRouter()
router.register("assets", views.AssetViewSet, basename="asset")
router.register("licences", views.LicenceViewSet, basename="licence")
router.register("lifecycle-policies", views.LifecyclePolicyViewSet, basename="lifecyclepolicy")
router.register("eol-rules", views.EolRuleViewSet, basename="eolrule")
router.register("lifecycle", views.ClientLifecycleViewSet, basename="lifecycle")

urlpatterns = router.urls
