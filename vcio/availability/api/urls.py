"""The availability API's routes, mounted under ``/api/``.

- ``/api/services/`` (``…/{id}/sla/?start=&end=`` or ``?period=month|quarter``): business
  services with their state now.
- ``/api/monitors/`` (POST ``…/{id}/check/``): monitors, and a check run now.
- ``/api/outages/``: read only, ``?service=``, ``?client=``, ``?open=true``.
- ``/api/maintenance-windows/``, ``/api/alert-channels/``: a service's windows and alerts.
"""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from vcio.availability.api import views

app_name = "availability-api"

router = SimpleRouter()
router.register("services", views.ServiceViewSet, basename="service")
router.register("monitors", views.MonitorViewSet, basename="monitor")
router.register("outages", views.OutageViewSet, basename="outage")
router.register("maintenance-windows", views.WindowViewSet, basename="maintenancewindow")
router.register("alert-channels", views.ChannelViewSet, basename="alertchannel")

urlpatterns = router.urls
