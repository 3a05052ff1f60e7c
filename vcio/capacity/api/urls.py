"""The capacity API's routes, mounted under ``/api/``.

- ``/api/ingest/<client>/metrics/``: POST metrics with an ingest token (text or JSON).
"""

from __future__ import annotations

from django.urls import path

from vcio.capacity.api import ingest

app_name = "capacity-api"

urlpatterns = [
    path(
        "ingest/<slug:client>/metrics/", ingest.MetricsIngestView.as_view(), name="ingest-metrics"
    ),
]
