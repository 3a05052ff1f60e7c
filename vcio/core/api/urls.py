"""The API's routes: one router for the resources, plus me, schema and docs."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from vcio.core.api import imports, views
from vcio.core.api.root import AllCollectionsRootView

app_name = "api"

router = DefaultRouter()
# /api/ lists every app's collections, not only the ones registered on this router.
router.APIRootView = AllCollectionsRootView
router.register("clients", views.ClientViewSet, basename="client")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("audit-events", views.AuditEventViewSet, basename="auditevent")
router.register("tokens", views.TokenViewSet, basename="token")
router.register("imports", imports.ImportRunViewSet, basename="importrun")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
]
