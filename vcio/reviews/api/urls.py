"""The reviews API's routes, mounted under ``/api/``.

- ``/api/reviews/`` (``…/{id}/start/``, ``…/{id}/finalise/``, ``…/{id}/report/``,
  ``…/{id}/pdf/``): reviews, filtered by ``client``, ``kind`` and ``status``.
- ``/api/review-decisions/``: decisions recorded in reviews.
- ``/api/action-items/``: action items, on every agenda until done.
"""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from vcio.reviews.api import views

app_name = "reviews-api"

router = SimpleRouter()
router.register("reviews", views.ReviewViewSet, basename="review")
router.register("review-decisions", views.DecisionViewSet, basename="reviewdecision")
router.register("action-items", views.ActionItemViewSet, basename="actionitem")

urlpatterns = router.urls
