"""API endpoints for assets, licences, lifecycle policies, EOL rules and lifecycle figures.

Client data (assets, licences, policies) goes through core's scoped
viewsets: rows only through ``for_user``, writes permission-checked and
audited. EOL rules are practice-wide reference data shared by every client:
everyone logged in reads them, only practice owners and admins change them.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Model, QuerySet, Sum
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from vcio.assets import services
from vcio.assets.api import serializers as s
from vcio.assets.filters import ASSET_ORDERING, LICENCE_ORDERING, AssetFilter, LicenceFilter
from vcio.assets.models import (
    Antivirus,
    Asset,
    EolRule,
    InstalledSoftware,
    Licence,
    LifecyclePolicy,
)
from vcio.core import audit
from vcio.core.access import access_for
from vcio.core.api.base import Pagination, ScopedModelViewSet, ScopedQueryMixin
from vcio.core.api.permissions import ScopedAccess
from vcio.core.models import Client
from vcio.core.roles import Perm


class AssetViewSet(ScopedModelViewSet):
    """A client's inventory, with each asset's computed lifecycle (read only).

    Filters are the asset page's: ``kind``, ``status``, ``department``,
    ``warranty`` (active/ending/expired/unknown), ``os_status``
    (supported/ending/unsupported/unknown), ``client`` (slug), ``q``.
    """

    model = Asset
    select_related = ("client", "department", "contact")
    serializer_class = s.AssetSerializer
    filterset_class = AssetFilter
    search_fields = ["name", "serial", "asset_tag", "model", "manufacturer", "assigned_to"]
    ordering_fields = ASSET_ORDERING
    lookup_value_regex = r"\d+"

    @extend_schema(responses=s.InstalledSoftwareSerializer(many=True))
    @action(detail=True, filter_backends=[])
    def software(self, request: Request, *args, **kwargs) -> Response:
        """The software the asset's last agent inventory listed, by name, a page at a time."""
        asset = self.get_object()
        rows = InstalledSoftware.objects.filter(asset=asset).order_by("name", "version", "id")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.InstalledSoftwareSerializer(page, many=True).data)

    @extend_schema(responses=s.AntivirusSerializer(many=True))
    @action(detail=True, filter_backends=[], pagination_class=None)
    def antivirus(self, request: Request, *args, **kwargs) -> Response:
        """The antivirus products the asset's last agent inventory reported ([]: none)."""
        asset = self.get_object()
        rows = Antivirus.objects.filter(asset=asset).order_by("name", "id")
        return Response(s.AntivirusSerializer(rows, many=True).data)


class LicenceViewSet(ScopedModelViewSet):
    """Software licences and SaaS subscriptions, with yearly cost and seat waste."""

    model = Licence
    select_related = ("client", "department")
    serializer_class = s.LicenceSerializer
    filterset_class = LicenceFilter
    search_fields = ["vendor", "product"]
    ordering_fields = LICENCE_ORDERING
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Licence]:
        # The cost annotations make ``ordering=annual_cost`` and ``waste_cost`` work.
        return services.with_licence_costs(super().get_queryset())


class LifecyclePolicyViewSet(ScopedModelViewSet):
    """A client's replacement policy per asset kind; kinds without one use vcio's defaults.

    Reading needs access to the client; changing needs MANAGE (consultants,
    owners and admins), as on the lifecycle page.
    """

    model = LifecyclePolicy
    select_related = ("client",)
    serializer_class = s.LifecyclePolicySerializer
    filterset_fields = ["kind"]
    ordering_fields = ["kind", "replace_after_years", "replacement_cost"]
    lookup_value_regex = r"\d+"
    write_perm = Perm.MANAGE


class PracticeReferenceAccess(ScopedAccess):
    """Read for every logged-in user; write for practice owners and admins only.

    For data every client shares (the EOL table), which no client membership
    may change: a consultant of one client changing an end-of-support date
    would change every client's figures.
    """

    message = "EOL rules are shared by every client: only practice owners and admins change them."

    def has_permission(self, request: Request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in SAFE_METHODS:
            return True
        # A token limited to one client or to reading fails here too.
        return access_for(request.user).can_practice(Perm.MANAGE)

    def has_object_permission(self, request: Request, view, obj: Model) -> bool:
        return True  # has_permission decided; the table has no per-row owner


class EolRuleViewSet(viewsets.ModelViewSet):
    """End-of-support dates of operating systems: vcio's shipped rows plus the practice's.

    A row the practice creates or changes is marked ``shipped: false`` and is
    left alone when vcio's data file is loaded again.
    """

    queryset = EolRule.objects.all()
    model = EolRule
    serializer_class = s.EolRuleSerializer
    permission_classes = [PracticeReferenceAccess]
    pagination_class = Pagination
    filterset_fields = ["product", "shipped"]
    search_fields = ["product", "version", "edition"]
    ordering_fields = ["product", "version", "edition", "end_of_support"]
    lookup_value_regex = r"\d+"

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        with transaction.atomic():
            audit.record_create(self.request.user, serializer.save())

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        before = audit.snapshot(serializer.instance)
        with transaction.atomic():
            audit.record_update(self.request.user, serializer.save(), before)

    def perform_destroy(self, instance: EolRule) -> None:
        with transaction.atomic():
            audit.record_delete(self.request.user, instance)
            instance.delete()


class QuartersParam(serializers.Serializer):
    quarters = serializers.IntegerField(
        min_value=1,
        max_value=40,
        default=12,
        error_messages={"invalid": "give a number of quarters from 1 to 40, e.g. 12"},
    )


class ClientLifecycleViewSet(ScopedQueryMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Lifecycle figures of one client, by slug: ``/api/lifecycle/{slug}/`` and ``…/forecast/``."""

    model = Client
    lookup_field = "slug"
    lookup_value_regex = r"[-\w]+"
    serializer_class = s.SummarySerializer
    filter_backends: list = []
    pagination_class = None

    @extend_schema(responses=s.SummarySerializer)
    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        """Devices by warranty and OS status, the age histogram, overdue replacements,
        and the licences' yearly cost, seat waste and renewals in the next 90 days."""
        client = self.get_object()
        summary = services.summary(client)
        licences = services.with_licence_costs(
            Licence.objects.for_user(request.user).filter(client=client)
        ).aggregate(
            annual=Sum("annual_cost"),
            waste=Sum("waste_cost"),
            unused=Sum("unused_seats"),
            renewing=Count("pk", filter=services.renewing_q(summary.today)),
        )
        return Response(s.SummarySerializer(s.summary_data(client, summary, licences)).data)

    @extend_schema(
        responses=s.ForecastSerializer,
        parameters=[OpenApiParameter("quarters", int, description="1 to 40 (default 12)")],
    )
    @action(detail=True)
    def forecast(self, request: Request, *args, **kwargs) -> Response:
        """Replacements due in each of the client's next fiscal quarters, with counts and cost."""
        params = QuartersParam(data=request.query_params)
        if not params.is_valid():
            raise exceptions.ValidationError(params.errors)
        client = self.get_object()
        rows = services.forecast(client, quarters=params.validated_data["quarters"])
        return Response(s.ForecastSerializer(s.forecast_data(client, rows)).data)
