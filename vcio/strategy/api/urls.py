"""The strategy API's routes, mounted under ``/api/``.

- ``/api/goals/``, ``/api/kpis/`` (``…/{id}/values/``): goals and their measures.
- ``/api/initiatives/`` (``…/{id}/transition/``, ``…/{id}/goals/``), ``/api/initiative-goals/``,
  ``/api/milestones/``, ``/api/spend/``: initiatives and what hangs off them.
- ``/api/recommendations/`` (``…/{id}/promote/``, ``…/{id}/dismiss/``): read, then decide.
- ``/api/scoring-weights/{client slug}/``: the client's weights (or vcio's defaults).
- ``/api/scenarios/`` (``…/{id}/apply/``, ``…/{id}/variant/``, ``…/compare/``),
  ``/api/roadmap/{client slug}/`` (``…/move/``), ``/api/budget/{client slug}/``: see
  :mod:`vcio.strategy.api.roadmap`.
"""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from vcio.strategy.api import roadmap, views

app_name = "strategy-api"

router = SimpleRouter()
router.register("goals", views.GoalViewSet, basename="goal")
router.register("kpis", views.KpiViewSet, basename="kpi")
router.register("initiatives", views.InitiativeViewSet, basename="initiative")
router.register("initiative-goals", views.InitiativeGoalViewSet, basename="initiativegoal")
router.register("milestones", views.MilestoneViewSet, basename="milestone")
router.register("spend", views.SpendEntryViewSet, basename="spendentry")
router.register("recommendations", views.RecommendationViewSet, basename="recommendation")
router.register("scoring-weights", views.ScoringWeightsViewSet, basename="scoringweights")
roadmap.register(router)

urlpatterns = router.urls
