"""The reviews API's routes, mounted under ``/api/``."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

app_name = "reviews-api"

router = SimpleRouter()

urlpatterns = router.urls
