"""The capacity API's routes, mounted under ``/api/``.

- ``/api/ingest/<client>/metrics/``: POST metrics with an ingest token (text or JSON).
- ``/api/capacity/targets/`` (POST ``…/{id}/test/``): exporters vcio scrapes.
- ``/api/capacity/connectors/`` (POST ``…/{id}/test/``): Prometheus stores; secrets write-only.
- ``/api/capacity/ingest-tokens/`` (POST ``…/{id}/revoke/``): the key only in the create response.
- ``/api/capacity/series/``: read only, ``?asset=``, ``?metric=``, ``?client=``.
- ``/api/capacity/machines/``: ``?client=``, ``?window=7|30|90``, ``?class=``: p95s, class,
  forecasts.
"""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from vcio.capacity.api import ingest, views

app_name = "capacity-api"

router = SimpleRouter()
router.register("capacity/targets", views.ScrapeTargetViewSet, basename="scrapetarget")
router.register("capacity/connectors", views.ConnectorViewSet, basename="promconnector")
router.register("capacity/ingest-tokens", views.IngestTokenViewSet, basename="ingesttoken")
router.register("capacity/series", views.SeriesViewSet, basename="series")
router.register("capacity/machines", views.MachineViewSet, basename="machine")

urlpatterns = [
    path(
        "ingest/<slug:client>/metrics/", ingest.MetricsIngestView.as_view(), name="ingest-metrics"
    ),
    *router.urls,
]
