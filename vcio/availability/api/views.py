"""API endpoints of the availability app.

Everything goes through core's scoped viewsets (rows only through
``for_user``, writes permission-checked, audited and atomic). The figures
come from the app's plain functions: :mod:`~vcio.availability.sla` for the
SLA, :func:`vcio.availability.engine.check_now` for "check now".
"""

from __future__ import annotations

import django_filters
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from vcio.availability import on_demand, sla
from vcio.availability.api import serializers as s
from vcio.availability.models import (
    AlertChannel,
    BusinessService,
    MaintenanceWindow,
    Monitor,
    Outage,
)
from vcio.core import audit
from vcio.core.api.base import ScopedModelViewSet, ScopedReadOnlyModelViewSet
from vcio.core.filters import FilterSet, IdChoiceFilter, client_filter, visible_clients
from vcio.core.roles import Perm
from vcio.core.scoping import require


def visible_services(request) -> QuerySet:
    if request is None:
        return BusinessService.objects.none()
    return BusinessService.objects.for_user(request.user, Perm.VIEW)


class ServiceFilter(FilterSet):
    client = client_filter()

    class Meta:
        model = BusinessService
        fields = ["client", "criticality"]


class ChildFilter(FilterSet):
    """``?service=<id>`` and ``?client=<slug>`` for rows of a service."""

    service = IdChoiceFilter(queryset=visible_services)
    client = django_filters.ModelChoiceFilter(
        field_name="service__client", to_field_name="slug", queryset=visible_clients
    )


class MonitorFilter(ChildFilter):
    class Meta:
        model = Monitor
        fields = ["service", "client", "kind", "state", "enabled"]


class OutageFilter(ChildFilter):
    open = django_filters.BooleanFilter(
        field_name="ended_at", lookup_expr="isnull", label="Still open"
    )

    class Meta:
        model = Outage
        fields = ["service", "client", "open"]


class WindowFilter(ChildFilter):
    class Meta:
        model = MaintenanceWindow
        fields = ["service", "client"]


class ChannelFilter(ChildFilter):
    class Meta:
        model = AlertChannel
        fields = ["service", "client", "kind"]


class ChildViewSet(ScopedModelViewSet):
    """CRUD on a service's rows: the write permission is checked on the service named."""

    def perform_create(self, serializer: BaseSerializer) -> None:
        require(self.request.user, self.write_perm, serializer.validated_data["service"])
        with transaction.atomic():
            instance = serializer.save()
            audit.record_create(self.request.user, instance)

    def perform_update(self, serializer: BaseSerializer) -> None:
        service = serializer.validated_data.get("service")
        if service is not None:
            require(self.request.user, self.write_perm, service)
        super().perform_update(serializer)


class ServiceViewSet(ScopedModelViewSet):
    """A client's business services with their state now; ``…/sla/`` for their SLA."""

    model = BusinessService
    select_related = ("client", "owner_department")
    serializer_class = s.ServiceSerializer
    filterset_class = ServiceFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "criticality", "sla_target", "created_at"]
    lookup_value_regex = r"\d+"

    def queryset_base(self) -> QuerySet:
        monitors = Monitor.objects.order_by("name", "id")
        return (
            super()
            .queryset_base()
            .prefetch_related(Prefetch("monitors", queryset=monitors), "assets")
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATETIME, description="Start (included)."),
            OpenApiParameter("end", OpenApiTypes.DATETIME, description="End (excluded)."),
            OpenApiParameter(
                "period",
                OpenApiTypes.STR,
                enum=["month", "quarter"],
                description="The current calendar month or fiscal quarter (the default: month).",
            ),
        ],
        responses=s.SlaSerializer,
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def sla(self, request: Request, *args, **kwargs) -> Response:
        """The service's SLA over ``start``–``end``, or this month or fiscal quarter."""
        service = self.get_object()
        query = s.SlaQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        now = timezone.now()
        if "start" in data:
            report = sla.service_sla(service, data["start"], data["end"], now=now)
        elif data.get("period") == "quarter":
            report = sla.this_quarter([service], now=now)[service.pk]
        else:
            tz = service.client.time_zone
            local = now.astimezone(sla.zone(tz))
            start, end, label = sla.month_period(local.year, local.month, tz)
            report = sla.service_sla(service, start, end, now=now, label=label)
        return Response(s.SlaSerializer(report).data)


class MonitorViewSet(ChildViewSet):
    """Monitors of services; POST ``…/check/`` asks the worker to check one now (202)."""

    model = Monitor
    select_related = ("service__client",)
    serializer_class = s.MonitorSerializer
    filterset_class = MonitorFilter
    search_fields = ["name", "target"]
    ordering_fields = ["name", "state", "last_checked_at"]
    lookup_value_regex = r"\d+"

    @extend_schema(request=None, responses={202: s.CheckRequestSerializer})
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def check(self, request: Request, *args, **kwargs) -> Response:
        """Ask the worker to check the monitor now; 202 at once (the check never runs here).

        The result shows on the monitor (``last_checked_at``, ``last_ok`` …) once
        the worker ran it. 429 when the user has VCIO_CHECK_NOW_PER_USER checks
        waiting; 400 for a paused monitor.
        """
        monitor = self.get_object()
        require(request.user, Perm.EDIT, monitor)
        try:
            asked = on_demand.request_check(monitor, request.user)
        except on_demand.CheckRefused as exc:
            code = 429 if exc.too_many else 400
            return Response({"detail": str(exc)}, status=code)
        detail = "check requested" if asked.new else "a requested check is already waiting"
        body = {"monitor_id": asked.monitor_id, "requested_at": asked.requested_at,
                "new": asked.new, "detail": detail}  # fmt: skip
        return Response(s.CheckRequestSerializer(body).data, status=202)


class OutageViewSet(ScopedReadOnlyModelViewSet):
    """Outages, newest first: ``?service=``, ``?client=``, ``?open=true``."""

    model = Outage
    select_related = ("service__client", "monitor")
    serializer_class = s.OutageSerializer
    filterset_class = OutageFilter
    ordering_fields = ["started_at", "ended_at"]
    lookup_value_regex = r"\d+"


class WindowViewSet(ChildViewSet):
    """Maintenance windows of services, excluded from their SLA."""

    model = MaintenanceWindow
    select_related = ("service__client",)
    serializer_class = s.WindowSerializer
    filterset_class = WindowFilter
    ordering_fields = ["starts_at"]
    lookup_value_regex = r"\d+"


class ChannelViewSet(ChildViewSet):
    """Where a service's down and recovery alerts go."""

    model = AlertChannel
    select_related = ("service__client",)
    serializer_class = s.ChannelSerializer
    filterset_class = ChannelFilter
    ordering_fields = ["kind"]
    lookup_value_regex = r"\d+"
