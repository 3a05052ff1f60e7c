"""Serializers of the strategy API: goals, KPIs, recommendations, scoring weights.

Initiatives and their links, milestones and spend are in
:mod:`vcio.strategy.api.initiative_serializers`. As everywhere in the API,
a related row named in a request (a client by slug, a contact, goal or
initiative by id) is looked up among the requesting user's *visible* rows
and must belong to the same client as the record: naming another client's
row is a 400 naming the field, never a cross-client link.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Choices, Model, QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vcio.core.api.serializers import (
    ClientOwnedSerializer,
    ContactField,
    DepartmentField,
    ScopedPkField,
)
from vcio.core.models import Client
from vcio.core.registry import compute_figures, figures
from vcio.strategy import kpis
from vcio.strategy.models import (
    BusinessGoal,
    GoalStatus,
    Initiative,
    InitiativeStatus,
    Kpi,
    KpiValue,
    Recommendation,
    RecommendationStatus,
)
from vcio.strategy.models.planning import ALL_ZERO_MESSAGE, DEFAULT_WEIGHTS, WEIGHT_FIELDS

# --- choice sets named in the schema ---------------------------------------------------------


def named_choices(choices: type[Choices], component: str) -> type[serializers.ChoiceField]:
    """A ChoiceField class whose choice set is its own component of the OpenAPI schema.

    Goals, initiatives and recommendations each have a different ``status``;
    named, they do not collide in the schema (nor need a shared setting).
    """
    field = type(f"{component}Field", (serializers.ChoiceField,), {})
    schema = {"type": "string", "enum": list(choices.values)}
    return extend_schema_field(schema, component_name=component)(field)


GoalStatusField = named_choices(GoalStatus, "GoalStatusEnum")
InitiativeStatusField = named_choices(InitiativeStatus, "InitiativeStatusEnum")
RecommendationStatusField = named_choices(RecommendationStatus, "RecommendationStatusEnum")


# --- related rows, chosen among the user's visible ones -----------------------------------


class GoalField(ScopedPkField):
    model, noun = BusinessGoal, "goal"


class InitiativeField(ScopedPkField):
    model, noun = Initiative, "initiative"


def check_same_client(client_id: int | None, **related: Model | None) -> None:
    """400 naming the field when a related row (owner, goal, ...) is another client's."""
    for name, row in related.items():
        if row is not None and client_id is not None and row.client_id != client_id:
            raise serializers.ValidationError({name: f"this {name} belongs to another client"})


class ChildSerializer(serializers.ModelSerializer):
    """Base for rows that reach their client through a parent (``parent_field``).

    The parent may change (a KPI moved to another goal) but never to another
    client's: a row does not change clients.
    """

    parent_field = ""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        parent = attrs.get(self.parent_field)
        if self.instance is not None and parent is not None:
            current = getattr(self.instance, self.parent_field)
            if parent.client_id != current.client_id:
                raise serializers.ValidationError(
                    {self.parent_field: "a record cannot move to another client"}
                )
        return attrs

    def parent_row(self, attrs: dict[str, Any]) -> Model | None:
        """The parent row after this request (new or existing)."""
        return attrs.get(self.parent_field, getattr(self.instance, self.parent_field, None))


# --- KPIs and goals ------------------------------------------------------------------------

FIGURES_KEY = "kpi_figures"


def figure_values_for(rows: Iterable[Kpi]) -> kpis.FigureValues:
    """The live figures the bound KPIs among ``rows`` read, computed once for their clients.

    Select the KPIs with ``goal``: reading a KPI's client then costs no query.
    """
    bound = [k for k in rows if k.figure_key and k.figure_key in figures]
    if not bound:
        return {}
    client_ids = sorted({k.goal.client_id for k in bound})
    return compute_figures(client_ids, sorted({k.figure_key for k in bound}))


class KpiFiguresMixin:
    """``current_value`` and ``progress`` of a KPI from the page's figures (or its own)."""

    context: dict[str, Any]

    def _current(self, kpi: Kpi) -> Decimal | None:
        values = self.context.get(FIGURES_KEY)
        if values is None or (kpi.figure_key and kpi.figure_key not in values):
            # One KPI on its own (retrieve, create, update): compute just its figure.
            values = figure_values_for([kpi])
        return kpis.current_value(kpi, values)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_current_value(self, kpi: Kpi) -> float | None:
        """The value as a JSON number (null without one), like ``progress``."""
        value = self._current(kpi)
        return None if value is None else float(value)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_progress(self, kpi: Kpi) -> float | None:
        share = kpis.progress(kpi, self._current(kpi))
        return None if share is None else round(share, 4)


class KpiListSerializer(serializers.ListSerializer):
    """Computes the live figures the page's KPIs read once, then serialises them."""

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        items = list(data.all() if isinstance(data, QuerySet) else data)
        self._context[FIGURES_KEY] = figure_values_for(items)
        return super().to_representation(items)


class KpiBriefSerializer(KpiFiguresMixin, serializers.ModelSerializer):
    """A KPI as shown inside its goal (read only)."""

    current_value = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField(
        help_text="Share (0–1) of the way from baseline to target; null without all three"
    )

    class Meta:
        model = Kpi
        fields = [
            "id",
            "name",
            "unit",
            "baseline",
            "target",
            "direction",
            "figure_key",
            "current_value",
            "progress",
        ]
        read_only_fields = fields


class KpiSerializer(KpiFiguresMixin, ChildSerializer):
    parent_field = "goal"
    goal = GoalField()
    client = serializers.SlugRelatedField(source="goal.client", slug_field="slug", read_only=True)
    current_value = serializers.SerializerMethodField(
        help_text="The bound figure's value for the client, else the last entered value"
    )
    progress = serializers.SerializerMethodField(
        help_text="Share (0–1) of the way from baseline to target; null without all three"
    )

    class Meta:
        model = Kpi
        list_serializer_class = KpiListSerializer
        fields = [
            "id",
            "goal",
            "client",
            "name",
            "unit",
            "baseline",
            "target",
            "direction",
            "figure_key",
            "entered_value",
            "current_value",
            "progress",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class KpiValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = KpiValue
        fields = ["id", "at", "value", "source"]
        read_only_fields = fields


class RecordValueSerializer(serializers.Serializer):
    """A hand-measured KPI value: ``at`` defaults to today."""

    at = serializers.DateField(required=False)
    value = serializers.DecimalField(max_digits=16, decimal_places=4)


class GoalListSerializer(serializers.ListSerializer):
    """Computes the live figures of every KPI of the page's goals once."""

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        items = list(data.all() if isinstance(data, QuerySet) else data)
        self._context[FIGURES_KEY] = figure_values_for(k for g in items for k in g.kpis.all())
        return super().to_representation(items)


class GoalSerializer(ClientOwnedSerializer):
    owner = ContactField(required=False, allow_null=True)
    department = DepartmentField(required=False, allow_null=True)
    status = GoalStatusField(choices=GoalStatus.choices, required=False)
    kpis = KpiBriefSerializer(many=True, read_only=True)

    class Meta:
        model = BusinessGoal
        list_serializer_class = GoalListSerializer
        fields = [
            "id",
            "client",
            "title",
            "description",
            "owner",
            "department",
            "priority",
            "target_date",
            "status",
            "kpis",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        client = self.target_client(attrs)
        check_same_client(
            client.pk if client else None,
            owner=attrs.get("owner", getattr(self.instance, "owner", None)),
            department=attrs.get("department", getattr(self.instance, "department", None)),
        )
        return attrs


# --- recommendations -----------------------------------------------------------------------


class RecommendationSerializer(serializers.ModelSerializer):
    client = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    dismissed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    status = RecommendationStatusField(choices=RecommendationStatus.choices, read_only=True)
    goal_ids = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="The client's goals this serves; promoting it links the initiative to them.",
    )

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "client",
            "key",
            "title",
            "why",
            "evidence_url",
            "evidence",
            "risk",
            "one_time_cost",
            "recurring_cost_per_year",
            "effort_days",
            "due_date",
            "category",
            "source_app",
            "goal_ids",
            "department",
            "status",
            "dismissed_reason",
            "dismissed_by",
            "dismissed_at",
            "initiative",
            "first_generated_at",
            "last_generated_at",
        ]
        read_only_fields = fields


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000,
        error_messages={
            "required": "say why this recommendation is dismissed",
            "blank": "say why this recommendation is dismissed",
        },
    )


# --- scoring weights -----------------------------------------------------------------------


def _weight_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=0,
        max_value=100,
        error_messages={
            "invalid": "give a whole number from 0 to 100",
            "min_value": "a weight cannot be negative",
            "max_value": "a weight is at most 100",
        },
    )


class ScoringWeightsSerializer(serializers.Serializer):
    """A client's scoring weights (relative, 0–100 each); vcio's defaults until changed.

    Serialises a :class:`~vcio.core.models.Client` (selected with
    ``scoring_weights``); saving creates or changes the client's row.
    """

    client = serializers.CharField(source="slug", read_only=True, help_text="client slug")
    is_default = serializers.BooleanField(
        read_only=True, help_text="true: the client never changed vcio's default weights"
    )
    alignment = _weight_field()
    risk = _weight_field()
    urgency = _weight_field()
    benefit = _weight_field()
    cost = _weight_field()
    effort = _weight_field()

    def to_representation(self, client: Client) -> dict[str, Any]:
        row = weights_row(client)
        weights = row.as_dict() if row is not None else dict(DEFAULT_WEIGHTS)
        return {"client": client.slug, "is_default": row is None, **weights}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        current = self.to_representation(self.instance) if self.instance is not None else {}
        merged = {name: attrs.get(name, current.get(name, 0)) for name in WEIGHT_FIELDS}
        if not any(merged.values()):
            raise serializers.ValidationError(ALL_ZERO_MESSAGE)
        return merged


def weights_row(client: Client) -> Any:
    """The client's ScoringWeights row, or ``None`` while it uses the defaults."""
    try:
        return client.scoring_weights
    except ObjectDoesNotExist:
        return None
