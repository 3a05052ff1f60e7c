"""API endpoints of the capacity app.

Everything goes through core's scoped viewsets (rows only through
``for_user``, writes permission-checked, audited and atomic). Sources and
tokens need EDIT to be read at all (executives read the figures, not the
plumbing); the figures come from :mod:`vcio.capacity.assess`, the "test
now" answers from :mod:`vcio.capacity.scraping` and
:mod:`vcio.capacity.connectors`.
"""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from vcio.capacity import connectors, scraping
from vcio.capacity.api import serializers as s
from vcio.capacity.assess import EFFICIENCY_LABELS, WINDOWS, clients_capacity
from vcio.capacity.filters import (
    ConnectorFilter,
    IngestTokenFilter,
    MachineFilter,
    ScrapeTargetFilter,
    SeriesFilter,
)
from vcio.capacity.models import IngestToken, PromConnector, ScrapeTarget, Series
from vcio.capacity.promql import ConnectorError
from vcio.capacity.views.common import sort_machines, today_utc
from vcio.core import audit
from vcio.core.api.base import ScopedModelViewSet, ScopedQueryMixin, ScopedReadOnlyModelViewSet
from vcio.core.filters import visible_clients
from vcio.core.roles import Perm
from vcio.core.scoping import require


class ScrapeTargetViewSet(ScopedModelViewSet):
    """node_exporter / windows_exporter URLs vcio scrapes; POST ``…/test/`` scrapes one now."""

    model = ScrapeTarget
    read_perm = Perm.EDIT
    select_related = ("client",)
    serializer_class = s.ScrapeTargetSerializer
    filterset_class = ScrapeTargetFilter
    search_fields = ["name", "url"]
    ordering_fields = ["name", "last_run_at", "created_at"]
    lookup_value_regex = r"\d+"

    @extend_schema(request=None, responses=s.TestResultSerializer)
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def test(self, request: Request, *args, **kwargs) -> Response:
        """Scrape the target now (within the network policy); ``ok`` and what happened."""
        target = self.get_object()
        require(request.user, Perm.EDIT, target)
        ok, message = scraping.scrape_now(target)
        return Response(s.TestResultSerializer({"ok": ok, "message": message}).data)


class ConnectorViewSet(ScopedModelViewSet):
    """Prometheus-compatible stores read by PromQL; secrets are write-only; POST ``…/test/``."""

    model = PromConnector
    read_perm = Perm.EDIT
    select_related = ("client",)
    serializer_class = s.ConnectorSerializer
    filterset_class = ConnectorFilter
    search_fields = ["name", "base_url"]
    ordering_fields = ["name", "last_run_at", "created_at"]
    lookup_value_regex = r"\d+"

    @extend_schema(request=None, responses=s.TestResultSerializer)
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def test(self, request: Request, *args, **kwargs) -> Response:
        """Ask the store which targets it sees (``up``); ``ok`` false with the reason if not."""
        connector = self.get_object()
        require(request.user, Perm.EDIT, connector)
        try:
            ok, message = True, connectors.test_connection(connector)
        except (ConnectorError, ValueError) as exc:
            ok, message = False, str(exc)
        return Response(s.TestResultSerializer({"ok": ok, "message": message}).data)


class IngestTokenViewSet(
    ScopedQueryMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Keys agents and scripts write one client's data with. The key is in the create
    response only; POST ``…/revoke/`` revokes one."""

    model = IngestToken
    read_perm = Perm.EDIT
    write_perm = Perm.EDIT
    select_related = ("client",)
    serializer_class = s.IngestTokenSerializer
    filterset_class = IngestTokenFilter
    ordering_fields = ["created_at", "last_used_at", "name"]
    lookup_value_regex = r"\d+"

    @extend_schema(request=s.IngestTokenSerializer, responses={201: s.IssuedTokenSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Issue a token; the response's ``key`` is the only time the key is shown."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        client = serializer.validated_data["client"]
        require(request.user, Perm.EDIT, client)
        with transaction.atomic():
            token, key = IngestToken.issue(client, serializer.validated_data["name"], request.user)
            audit.record_create(request.user, token)
        token.key = key
        return Response(s.IssuedTokenSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.IngestTokenSerializer)
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def revoke(self, request: Request, *args, **kwargs) -> Response:
        """Revoke the token: agents using its key get a 401 from now on."""
        token = self.get_object()
        require(request.user, Perm.EDIT, token)
        before = audit.snapshot(token)
        with transaction.atomic():
            token.revoke()
            audit.record_update(request.user, token, before)
        return Response(s.IngestTokenSerializer(token, context={"request": request}).data)


class SeriesViewSet(ScopedReadOnlyModelViewSet):
    """Metric series of machines: ``?asset=``, ``?metric=``, ``?client=``."""

    model = Series
    select_related = ("client",)
    serializer_class = s.SeriesSerializer
    filterset_class = SeriesFilter
    ordering_fields = ["asset", "metric", "last_at"]
    lookup_value_regex = r"\d+"


@extend_schema(
    parameters=[
        OpenApiParameter("client", OpenApiTypes.STR, description="A client's slug."),
        OpenApiParameter(
            "window",
            OpenApiTypes.INT,
            enum=list(WINDOWS),
            description="Days the p95s are taken over (default 30).",
        ),
        OpenApiParameter(
            "class",
            OpenApiTypes.STR,
            enum=list(EFFICIENCY_LABELS),
            description="Only machines of this efficiency class.",
        ),
        OpenApiParameter(
            "sort",
            OpenApiTypes.STR,
            description="name, cpu, mem, disk, full, class or seen; '-' first for descending.",
        ),
    ],  # fmt: skip
)
class MachineViewSet(ScopedQueryMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Each reporting machine's capacity as of today: p95s, efficiency class, forecasts."""

    model = Series  # machines are computed from the client's series
    serializer_class = s.MachineSerializer
    filter_backends: list = []

    def list(self, request: Request, *args, **kwargs) -> Response:
        query = MachineFilter(request.query_params)
        errors = dict(query.errors) if not query.is_valid() else {}
        clients = visible_clients(request).order_by("name", "pk")
        slug = request.query_params.get("client")
        if slug:
            clients = clients.filter(slug=slug)
            if not clients:
                errors["client"] = [f"no client with slug '{slug[:40]}' that you can access"]
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        slugs = dict(clients.values_list("pk", "slug"))
        found = clients_capacity(list(slugs), today_utc())
        window = query.chosen_window
        rows = [
            s.machine_data(m, slugs[cid], window)
            for cid in slugs
            for m in sort_machines(query.filter(found[cid]), query.chosen_sort, window, {})
        ]
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.MachineSerializer(page, many=True).data)
