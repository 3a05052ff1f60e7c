"""API endpoints of the strategy app: goals, KPIs, initiatives, recommendations, weights.

Everything goes through core's scoped viewsets (rows only through
``for_user``, writes permission-checked, audited and atomic). The rules
live in the app's plain functions — :mod:`~vcio.strategy.services`
(transitions, goal links, dependencies), :mod:`~vcio.strategy.recommend`
(promote, dismiss), :mod:`~vcio.strategy.kpis` — which these views only call.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from vcio.core import audit
from vcio.core.access import access_for
from vcio.core.api.base import ScopedModelViewSet, ScopedQueryMixin, ScopedReadOnlyModelViewSet
from vcio.core.models import AuditEvent, Client
from vcio.core.roles import Perm
from vcio.core.scoping import require
from vcio.strategy import kpis, recommend, services
from vcio.strategy.api import filters
from vcio.strategy.api import initiative_serializers as si
from vcio.strategy.api import serializers as s
from vcio.strategy.models import (
    BusinessGoal,
    Initiative,
    InitiativeGoal,
    InitiativeStatus,
    Kpi,
    KpiValue,
    Milestone,
    Recommendation,
    ScoringWeights,
    SpendEntry,
)

# --- rows that reach their client through a parent ------------------------------------------


class ChildViewSet(ScopedModelViewSet):
    """CRUD on rows owned through a parent (a goal's KPIs, an initiative's milestones).

    A new row names no client: the write permission is checked on the
    parent it names instead (which the serializer chose among visible rows).
    """

    parent_field = ""

    def perform_create(self, serializer: BaseSerializer) -> None:
        require(self.request.user, self.write_perm, serializer.validated_data[self.parent_field])
        with transaction.atomic():
            instance = serializer.save()
            audit.record_create(self.request.user, instance)

    def perform_update(self, serializer: BaseSerializer) -> None:
        parent = serializer.validated_data.get(self.parent_field)
        if parent is not None:
            require(self.request.user, self.write_perm, parent)
        super().perform_update(serializer)


# --- goals and KPIs --------------------------------------------------------------------------


class GoalViewSet(ScopedModelViewSet):
    """A client's business goals, each with its KPIs (current value and progress, read only).

    ``owner`` (a contact) and ``department`` must be the same client's.
    """

    model = BusinessGoal
    select_related = ("client", "owner", "department")
    serializer_class = s.GoalSerializer
    filterset_class = filters.GoalFilter
    search_fields = ["title", "description"]
    ordering_fields = ["title", "priority", "target_date", "status", "created_at"]
    lookup_value_regex = r"\d+"

    def queryset_base(self) -> QuerySet:
        return super().queryset_base().prefetch_related("kpis")


class KpiViewSet(ChildViewSet):
    """KPIs of goals: entered by hand, or bound to a live figure (``figure_key``).

    ``…/values/``: GET the history, POST ``{at, value}`` to record a measurement
    (hand-entered KPIs only: a bound KPI's values are read from its figure).
    """

    model = Kpi
    parent_field = "goal"
    select_related = ("goal", "goal__client")
    serializer_class = s.KpiSerializer
    filterset_class = filters.KpiFilter
    search_fields = ["name"]
    ordering_fields = ["name", "goal__title", "created_at"]
    lookup_value_regex = r"\d+"

    @extend_schema(methods=["GET"], responses=s.KpiValueSerializer(many=True), filters=False)
    @extend_schema(
        methods=["POST"], request=s.RecordValueSerializer, responses={201: s.KpiValueSerializer}
    )
    @action(
        detail=True,
        methods=["get", "post"],
        filter_backends=[],
        pagination_class=None,
        serializer_class=s.RecordValueSerializer,
    )
    def values(self, request: Request, *args, **kwargs) -> Response:
        """The KPI's recorded values, oldest first; POST records one (same day: replaced)."""
        kpi = self.get_object()
        if request.method == "GET":
            rows = KpiValue.objects.for_user(request.user).filter(kpi=kpi).order_by("at")
            return Response(s.KpiValueSerializer(rows, many=True).data)
        if kpi.is_bound:
            raise exceptions.ValidationError(
                {
                    "value": [
                        f"“{kpi.name}” reads the live figure {kpi.figure_key}: its values "
                        "are recorded every day, not entered"
                    ]
                }
            )
        data = s.RecordValueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = self._record(kpi, data.validated_data)
        return Response(s.KpiValueSerializer(row).data, status=status.HTTP_201_CREATED)

    def _record(self, kpi: Kpi, data: dict[str, Any]) -> KpiValue:
        before_kpi = audit.snapshot(kpi)
        at = data.get("at") or timezone.localdate()
        existing = KpiValue.objects.filter(kpi=kpi, at=at).first()
        before_row = audit.snapshot(existing) if existing else None
        with transaction.atomic():
            row = kpis.record_value(kpi, data["value"], at)
            if before_row is None:
                audit.record_create(self.request.user, row)
            else:
                audit.record_update(self.request.user, row, before_row)
            kpi.refresh_from_db()
            audit.record_update(self.request.user, kpi, before_kpi)
        return row


# --- initiatives -----------------------------------------------------------------------------


def _with_requires(initiative: Initiative) -> dict[str, Any]:
    """The audit snapshot plus the ids it requires (a many-to-many the snapshot omits)."""
    ids = sorted(initiative.requires.values_list("pk", flat=True))
    return {**audit.snapshot(initiative), "requires": ids}


class InitiativeViewSet(ScopedModelViewSet):
    """A client's IT initiatives with their goals, dependencies and transparent score.

    The status changes only through ``…/transition/`` (approving needs the
    client's approval right; declining that or the right to edit; the rest
    editing). ``requires`` is saved whole or not at all: a link to another
    client's initiative or one closing a dependency cycle refuses the write.
    """

    model = Initiative
    select_related = ("client", "owner", "approved_by")
    serializer_class = si.InitiativeSerializer
    filterset_class = filters.InitiativeFilter
    search_fields = ["title", "description"]
    ordering_fields = ["title", "status", "start_quarter", "due_date", "capex", "created_at"]
    lookup_value_regex = r"\d+"

    def queryset_base(self) -> QuerySet:
        links = InitiativeGoal.objects.select_related("goal").order_by("goal__title", "id")
        return (
            super()
            .queryset_base()
            .prefetch_related("requires", Prefetch("goal_links", queryset=links))
        )

    def perform_create(self, serializer: BaseSerializer) -> None:
        require(self.request.user, self.write_perm, serializer.validated_data.get("client"))
        with transaction.atomic():
            initiative = serializer.save()
            audit.record(
                self.request.user, initiative, AuditEvent.Action.CREATE, _with_requires(initiative)
            )

    def perform_update(self, serializer: BaseSerializer) -> None:
        before = _with_requires(serializer.instance)
        with transaction.atomic():
            initiative = serializer.save()
            changes = audit.diff(before, _with_requires(initiative))
            if changes:
                audit.record(self.request.user, initiative, AuditEvent.Action.UPDATE, changes)

    def _visible(self) -> Initiative:
        # Not get_object(): its write check asks EDIT, and approving asks APPROVE instead.
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def _fresh(self, initiative: Initiative) -> Response:
        # Re-read with the list's joins, so the answer shows the links and score as saved.
        fresh = self.get_queryset().get(pk=initiative.pk)
        context = self.get_serializer_context()
        return Response(si.InitiativeSerializer(fresh, context=context).data)

    @extend_schema(request=si.TransitionSerializer, responses=si.InitiativeSerializer)
    @action(detail=True, methods=["post"], serializer_class=si.TransitionSerializer)
    def transition(self, request: Request, *args, **kwargs) -> Response:
        """Move the initiative along the workflow; 400 naming the allowed moves otherwise."""
        initiative = self._visible()
        data = si.TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = data.validated_data["status"]
        require(request.user, transition_perm(request.user, target, initiative), initiative)
        before = audit.snapshot(initiative)
        with transaction.atomic():
            services.transition(initiative, target, request.user)
            audit.record_update(request.user, initiative, before)
        return self._fresh(initiative)

    @extend_schema(
        request=si.LinkGoalSerializer,
        responses={200: si.InitiativeGoalSerializer, 201: si.InitiativeGoalSerializer},
    )
    @action(detail=True, methods=["post"], serializer_class=si.LinkGoalSerializer)
    def goals(self, request: Request, *args, **kwargs) -> Response:
        """Link a goal of the same client (or re-weigh its link): ``{goal, contribution}``."""
        initiative = self._visible()
        require(request.user, Perm.EDIT, initiative)
        data = si.LinkGoalSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        goal, contribution = data.validated_data["goal"], data.validated_data["contribution"]
        existing = InitiativeGoal.objects.filter(initiative=initiative, goal=goal).first()
        before = audit.snapshot(existing) if existing else None
        with transaction.atomic():
            link = services.link_goal(initiative, goal, contribution)
            if before is None:
                audit.record_create(request.user, link)
            else:
                audit.record_update(request.user, link, before)
        return Response(
            si.InitiativeGoalSerializer(link, context=self.get_serializer_context()).data,
            status=status.HTTP_200_OK if before else status.HTTP_201_CREATED,
        )


def transition_perm(user: Any, target: str, initiative: Initiative) -> Perm:
    """What moving to ``target`` needs: APPROVE to approve, APPROVE or PLAN to decline, else EDIT.

    Approval is the client's decision (its executives hold APPROVE); a
    decline may come from them or from the consultant withdrawing it (PLAN).
    """
    if target == InitiativeStatus.APPROVED:
        return Perm.APPROVE
    if target == InitiativeStatus.DECLINED:
        may_approve = access_for(user).can(Perm.APPROVE, initiative.client_id)
        return Perm.APPROVE if may_approve else Perm.PLAN
    return Perm.EDIT


class InitiativeGoalViewSet(ChildViewSet):
    """Links of initiatives to goals of the same client, with the contribution (0–100 %)."""

    model = InitiativeGoal
    parent_field = "initiative"
    select_related = ("initiative", "goal")
    serializer_class = si.InitiativeGoalSerializer
    filterset_class = filters.InitiativeGoalFilter
    ordering_fields = ["contribution", "goal__title", "initiative__title"]
    lookup_value_regex = r"\d+"

    def queryset_base(self) -> QuerySet:
        # The model has no ordering of its own; pages must not shuffle between requests.
        return super().queryset_base().order_by("initiative_id", "id")


class MilestoneViewSet(ChildViewSet):
    model = Milestone
    parent_field = "initiative"
    select_related = ("initiative",)
    serializer_class = si.MilestoneSerializer
    filterset_class = filters.MilestoneFilter
    search_fields = ["title"]
    ordering_fields = ["due", "title", "done"]
    lookup_value_regex = r"\d+"


class SpendEntryViewSet(ChildViewSet):
    """Money actually spent on initiatives (plan vs actual), in the client's currency."""

    model = SpendEntry
    parent_field = "initiative"
    select_related = ("initiative",)
    serializer_class = si.SpendEntrySerializer
    filterset_class = filters.SpendFilter
    search_fields = ["note"]
    ordering_fields = ["date", "amount", "kind"]
    lookup_value_regex = r"\d+"


# --- recommendations -------------------------------------------------------------------------


class RecommendationViewSet(ScopedReadOnlyModelViewSet):
    """Recommendations the apps generated, with their evidence; promote or dismiss them.

    Filters: ``status``, ``risk``, ``source_app``, ``client`` (slug), ``q``.
    """

    model = Recommendation
    select_related = ("client", "dismissed_by")
    serializer_class = s.RecommendationSerializer
    filterset_class = filters.RecommendationFilter
    search_fields = ["title", "why"]
    ordering_fields = ["due_date", "risk", "status", "title", "one_time_cost"]
    lookup_value_regex = r"\d+"
    write_perm = Perm.PLAN  # what promote and dismiss need (checked by get_object)

    @extend_schema(request=None, responses={201: si.InitiativeSerializer})
    @action(detail=True, methods=["post"], serializer_class=si.InitiativeSerializer)
    def promote(self, request: Request, *args, **kwargs) -> Response:
        """Make a proposed initiative of an open recommendation; answers the initiative."""
        rec = self.get_object()
        before = audit.snapshot(rec)
        with transaction.atomic():
            initiative = recommend.promote(rec, request.user)
            audit.record_create(request.user, initiative)
            audit.record_update(request.user, rec, before)
        body = si.InitiativeSerializer(initiative, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.DismissSerializer, responses=s.RecommendationSerializer)
    @action(detail=True, methods=["post"], serializer_class=s.DismissSerializer)
    def dismiss(self, request: Request, *args, **kwargs) -> Response:
        """Dismiss an open recommendation: ``{reason}`` (required)."""
        rec = self.get_object()
        data = s.DismissSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        before = audit.snapshot(rec)
        with transaction.atomic():
            recommend.dismiss(rec, request.user, data.validated_data["reason"])
            audit.record_update(request.user, rec, before)
        return Response(s.RecommendationSerializer(rec).data)


# --- scoring weights -------------------------------------------------------------------------


class ScoringWeightsViewSet(
    ScopedQueryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Each client's scoring weights, by client slug: ``/api/scoring-weights/{client}/``.

    A client that never changed them shows vcio's defaults (``is_default``);
    PUT or PATCH saves the client's own (MANAGE: consultants, owners, admins).
    """

    model = Client
    select_related = ("scoring_weights",)
    serializer_class = s.ScoringWeightsSerializer
    lookup_field = "slug"
    lookup_url_kwarg = "client"
    lookup_value_regex = r"[-\w]+"
    filter_backends: list = []
    write_perm = Perm.MANAGE

    def perform_update(self, serializer: BaseSerializer) -> None:
        client: Client = serializer.instance
        row = s.weights_row(client)
        before = audit.snapshot(row) if row is not None else None
        with transaction.atomic():
            row, _ = ScoringWeights.objects.update_or_create(
                client=client, defaults=serializer.validated_data
            )
            if before is None:
                audit.record_create(self.request.user, row)
            else:
                audit.record_update(self.request.user, row, before)
        client.scoring_weights = row
