"""API of the roadmap: scenarios (optimise, apply, vary, compare), moves, and the budget.

- ``/api/scenarios/``: list, retrieve, delete; POST computes a plan under the
  given caps and saves it; ``…/{id}/apply/``, ``…/{id}/variant/``,
  ``/api/scenarios/compare/?a=&b=``.
- ``/api/roadmap/{client slug}/``: the roadmap's quarters and initiatives;
  POST ``…/move/`` moves one initiative and answers the warnings.
- ``/api/budget/{client slug}/?year=&years=``: the budget by quarter and year.

Everything resolves clients and rows through the scoping helpers, and every
write goes through the same functions as the pages (audited there).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from vcio.core import audit
from vcio.core.access import access_for
from vcio.core.api.base import ScopedQueryMixin
from vcio.core.api.serializers import ClientSlugField
from vcio.core.models import Client
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404, require
from vcio.strategy import moves, planning
from vcio.strategy.budget import BudgetLine, build_budget, without_fee
from vcio.strategy.models import Initiative, Scenario
from vcio.strategy.planning import MAX_HORIZON, PlanSettings


def _cap(label: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        allow_null=True,
        help_text=f"{label}; omitted or null: no cap.",
    )


class ScenarioSerializer(serializers.ModelSerializer):
    client = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    applied_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Scenario
        fields = [
            "id",
            "client",
            "name",
            "horizon",
            "caps",
            "created_by",
            "created_at",
            "applied_at",
            "applied_by",
            "plan",
        ]
        read_only_fields = fields


class OptimiseSerializer(serializers.Serializer):
    """What a new scenario is computed under."""

    client = ClientSlugField()
    name = serializers.CharField(max_length=200)
    horizon = serializers.IntegerField(min_value=1, max_value=MAX_HORIZON, default=8)
    capex_per_quarter = _cap("One-time spend a quarter")
    capex_per_year = _cap("One-time spend a fiscal year")
    opex_per_quarter = _cap("Recurring spend a quarter")
    opex_per_year = _cap("Recurring spend a fiscal year")
    effort_per_quarter = _cap("Person-days a quarter")

    def settings(self) -> PlanSettings:
        data = self.validated_data
        names = [n for n in PlanSettings.__dataclass_fields__ if n != "horizon"]
        return PlanSettings(horizon=data["horizon"], **{n: data.get(n) for n in names})


class VariantSerializer(serializers.Serializer):
    percent = serializers.IntegerField(
        min_value=-90, max_value=500, help_text="Change every money cap by this percentage."
    )
    name = serializers.CharField(max_length=200, required=False)


class CompareParams(serializers.Serializer):
    a = serializers.IntegerField()
    b = serializers.IntegerField()


class ScenarioViewSet(
    ScopedQueryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Saved roadmap plans; a plan is computed on creation and never edited afterwards."""

    model = Scenario
    select_related = ("client", "created_by", "applied_by")
    serializer_class = ScenarioSerializer
    filterset_fields = ["client__slug"]
    ordering_fields = ["created_at", "name"]
    lookup_value_regex = r"\d+"
    write_perm = Perm.PLAN  # optimising and applying plans is the CIO's planning work

    def _scenario(self, perm: Perm) -> Scenario:
        return get_for_user_or_404(
            self.get_queryset(), self.request.user, perm, pk=self.kwargs["pk"]
        )

    @extend_schema(request=OptimiseSerializer, responses={201: ScenarioSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Optimise the client's roadmap under the caps and save it as a scenario."""
        params = OptimiseSerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        client: Client = params.validated_data["client"]
        require(request.user, self.write_perm, client)
        scenario = planning.save_scenario(
            client, params.validated_data["name"], params.settings(), request.user
        )
        return Response(ScenarioSerializer(scenario).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Scenario) -> None:
        require(self.request.user, self.write_perm, instance.client)
        audit.record_delete(self.request.user, instance)
        instance.delete()

    @extend_schema(request=None, responses=ScenarioSerializer)
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, *args, **kwargs) -> Response:
        """Write the scenario's quarters onto its initiatives."""
        scenario = self._scenario(self.write_perm)
        changed = planning.apply_scenario(scenario, request.user)
        return Response({"changed": changed, **ScenarioSerializer(scenario).data})

    @extend_schema(request=VariantSerializer, responses={201: ScenarioSerializer})
    @action(detail=True, methods=["post"])
    def variant(self, request: Request, *args, **kwargs) -> Response:
        """A new scenario with every money cap changed by ``percent`` (e.g. 20 for +20 %)."""
        scenario = self._scenario(self.write_perm)
        params = VariantSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        pct = params.validated_data["percent"]
        name = params.validated_data.get("name") or f"{scenario.name} (budget {pct:+d} %)"
        settings = planning.settings_of(scenario).scaled(1 + Decimal(pct) / 100)
        variant = planning.save_scenario(scenario.client, name, settings, request.user)
        return Response(ScenarioSerializer(variant).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("a", int, required=True),
            OpenApiParameter("b", int, required=True),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=False)
    def compare(self, request: Request, *args, **kwargs) -> Response:
        """Two scenarios of one client side by side: scores, spend by quarter, what moved."""
        params = CompareParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        qs = self.get_queryset()
        a = get_for_user_or_404(qs, request.user, Perm.VIEW, pk=params.validated_data["a"])
        b = get_for_user_or_404(qs, request.user, Perm.VIEW, pk=params.validated_data["b"])
        if a.client_id != b.client_id:
            raise exceptions.ValidationError({"b": "Both scenarios must be of the same client."})
        c = planning.compare(a, b)
        return Response(
            {
                "a": {"id": a.pk, "name": a.name},
                "b": {"id": b.pk, "name": b.name},
                "score": c["score"],
                "chosen": c["chosen"],
                "total": c["total"],
                "quarters": [{"quarter": q, "a": x, "b": y} for q, x, y in c["quarters"]],
                "moves": c["moves"],
            }
        )


class MoveSerializer(serializers.Serializer):
    initiative = serializers.IntegerField()
    quarter = serializers.DateField(
        allow_null=True, help_text="Any day of the target quarter; null takes it off the roadmap."
    )


class ClientSlugViewSet(ScopedQueryMixin, viewsets.GenericViewSet):
    """Endpoints about one client, addressed by its slug."""

    model = Client
    lookup_field = "slug"
    lookup_value_regex = r"[-\w]+"
    filter_backends: list = []
    pagination_class = None


class RoadmapViewSet(mixins.RetrieveModelMixin, ClientSlugViewSet):
    """The client's roadmap: quarters of the horizon and each initiative's place in them."""

    serializer_class = serializers.Serializer  # answers are plain JSON built below

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        client = self.get_object()
        today = timezone.localdate()
        applied = moves.applied_scenario(client.pk)
        quarters = planning.horizon_quarters(client, applied.horizon if applied else 8, today)
        month = client.fiscal_year_start_month
        items = Initiative.objects.for_user(request.user).filter(client=client)
        return Response(
            {
                "client": client.slug,
                "quarters": [{"label": q.label, "start": q.start, "end": q.end} for q in quarters],
                "applied_scenario": applied.pk if applied else None,
                "initiatives": [
                    _roadmap_row(i, month) for i in items.order_by("start_quarter", "id")
                ],
            }
        )

    @extend_schema(request=MoveSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"], write_perm=Perm.PLAN)
    def move(self, request: Request, *args, **kwargs) -> Response:
        """Move one initiative (locking it there) and answer what the move breaks."""
        client = self.get_object()
        params = MoveSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        initiative = get_for_user_or_404(
            Initiative.objects.filter(client=client).select_related("client"),
            request.user,
            self.write_perm,
            pk=params.validated_data["initiative"],
        )
        warnings = moves.move(initiative, params.validated_data["quarter"], request.user)
        row = _roadmap_row(initiative, client.fiscal_year_start_month)
        return Response({"initiative": row, "warnings": warnings})


def _roadmap_row(i: Initiative, month: int) -> dict[str, Any]:
    from vcio.core.fiscal import quarter_of

    def label(day: datetime.date | None) -> str | None:
        return quarter_of(day, month).label if day else None

    return {
        "id": i.pk,
        "title": i.title,
        "status": i.status,
        "start_quarter": label(i.start_quarter),
        "end_quarter": label(i.end_quarter or i.start_quarter),
        "locked": i.locked,
        "mandatory": i.mandatory,
    }


class BudgetParams(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    years = serializers.IntegerField(min_value=1, max_value=5, default=2)


def _line(line: BudgetLine, with_fee: bool = True) -> dict[str, Any]:
    row = {
        "period": line.label,
        "initiative_capex": line.initiative_capex,
        "forecast": line.forecast,
        "initiative_opex": line.initiative_opex,
        "initiative_savings": line.initiative_savings,
        "committed": line.committed,
        "fee": line.fee,
        "total_opex": line.total_opex,
        "total": line.total,
        "actual_capex": line.actual_capex,
        "actual_opex": line.actual_opex,
        # The two sides of the variance: initiative spend in the quarters that have begun.
        "planned_to_date": line.planned_to_date,
        "actual_to_date": line.actual_to_date,
        "variance": line.variance,
    }
    if not with_fee:
        del row["fee"]
    return row


class BudgetViewSet(mixins.RetrieveModelMixin, ClientSlugViewSet):
    """The client's budget by fiscal quarter and year: plan, committed, fee, actual."""

    serializer_class = serializers.Serializer

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="First fiscal year (default: current)"),
            OpenApiParameter("years", int, description="1 to 5 (default 2)"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        params = BudgetParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        client = self.get_object()
        b = build_budget(client, params.validated_data.get("year"), params.validated_data["years"])
        # Without the commercial terms, no fee: neither as a key nor inside the totals.
        fee = access_for(request.user).can(Perm.COMMERCIAL, client.pk)
        if not fee:
            without_fee(b)
        return Response(
            {
                "client": client.slug,
                "currency": client.currency,
                "quarters": [_line(line, fee) for line in b.lines],
                "years": [_line(line, fee) for line in b.years],
                "total": _line(b.total, fee),
                "initiatives": [
                    {
                        "id": r.id,
                        "title": r.title,
                        "start": r.start,
                        "planned": r.planned,
                        "planned_to_date": r.planned_to_date,
                        "actual": r.actual,
                        "variance": r.variance,
                    }
                    for r in b.initiatives
                ],
                "committed": [{"label": label, "annual": a} for label, a in b.committed_lines],
                "forecast": [{"label": label, "amount": a} for label, a in b.forecast_lines],
            }
        )


def register(router: SimpleRouter) -> None:
    """Adds the roadmap's routes to the strategy API's router."""
    router.register("scenarios", ScenarioViewSet, basename="scenario")
    router.register("roadmap", RoadmapViewSet, basename="roadmap")
    router.register("budget", BudgetViewSet, basename="budget")
