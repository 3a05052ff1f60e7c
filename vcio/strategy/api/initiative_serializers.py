"""Serializers of the strategy API for initiatives, their goal links, milestones and spend.

An initiative's ``score`` and ``score_breakdown`` come from
:func:`vcio.strategy.scoring.score_all`, computed once per client on the
page (see :class:`ScoredListSerializer`), never one initiative at a time.
Its ``requires`` are saved through :func:`vcio.strategy.services.add_requirement`,
so the same-client and no-cycle rules hold here as on every other path.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vcio.core.api.serializers import ClientOwnedSerializer
from vcio.core.fiscal import quarter_of
from vcio.strategy import scoring, services
from vcio.strategy.api.serializers import (
    ChildSerializer,
    ContactField,
    GoalField,
    InitiativeField,
    InitiativeStatusField,
    check_same_client,
)
from vcio.strategy.models import (
    Initiative,
    InitiativeGoal,
    InitiativeStatus,
    Milestone,
    SpendEntry,
)

SCORES_KEY = "scores"
NOT_NEGATIVE = {"min_value": "a cost cannot be negative"}
# No "%" sign: validators format their message with "%" placeholders.
CONTRIBUTION_RANGE = "a contribution is a percentage from 0 to 100"


class ScorePartSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="alignment, risk, urgency, benefit, cost or effort")
    raw = serializers.FloatField(help_text="the input (a rating, an amount, days)")
    normalised = serializers.FloatField(help_text="0–1, 1 is best")
    weight = serializers.IntegerField(help_text="the client's weight of this part")
    points = serializers.FloatField(help_text="this part's share of the 0–100 total")
    explanation = serializers.CharField()


class GoalLinkBriefSerializer(serializers.ModelSerializer):
    """One goal an initiative contributes to; ``id`` is the link's (to unlink it)."""

    title = serializers.CharField(source="goal.title", read_only=True)

    class Meta:
        model = InitiativeGoal
        fields = ["id", "goal", "title", "contribution"]
        read_only_fields = fields


class ScoredListSerializer(serializers.ListSerializer):
    """Scores the initiatives of every client on the page once, then serialises them."""

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        items = list(data.all() if isinstance(data, QuerySet) else data)
        # Four queries for the page, however many clients its initiatives belong to.
        self._context[SCORES_KEY] = scoring.score_clients({i.client_id for i in items})
        return super().to_representation(items)


def quarter_label(initiative: Initiative, day: Any) -> str | None:
    """``"FY2027 Q1"``: the client's fiscal quarter ``day`` falls in (``None``: no date)."""
    if day is None:
        return None
    return quarter_of(day, initiative.client.fiscal_year_start_month).label


class InitiativeSerializer(ClientOwnedSerializer):
    owner = ContactField(required=False, allow_null=True)
    requires = InitiativeField(
        many=True,
        required=False,
        help_text="Ids of initiatives (same client) that must be done first",
    )
    goals = GoalLinkBriefSerializer(
        source="goal_links",
        many=True,
        read_only=True,
        help_text="Change with POST …/goals/ and /api/initiative-goals/",
    )
    start_quarter_label = serializers.SerializerMethodField()
    end_quarter_label = serializers.SerializerMethodField()
    approved_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    status = InitiativeStatusField(choices=InitiativeStatus.choices, read_only=True)
    score = serializers.SerializerMethodField(help_text="0–100 with the client's weights")
    score_breakdown = serializers.SerializerMethodField()

    class Meta:
        model = Initiative
        list_serializer_class = ScoredListSerializer
        fields = [
            "id",
            "client",
            "title",
            "description",
            "category",
            "status",
            "capex",
            "opex_per_year",
            "effort_days",
            "benefit",
            "risk_reduction",
            "urgency",
            "due_date",
            "requires",
            "mandatory",
            "alternative_group",
            "owner",
            "start_quarter",
            "start_quarter_label",
            "end_quarter",
            "end_quarter_label",
            "locked",
            "percent_complete",
            "approved_by",
            "approved_by_name",
            "approved_at",
            "evidence_url",
            "evidence",
            "goals",
            "score",
            "score_breakdown",
            "created_at",
            "updated_at",
        ]
        # The status moves only through …/transition/ (the workflow's rules and approvals).
        read_only_fields = [
            "id",
            "status",
            "approved_at",
            "approved_by_name",
            "evidence",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "capex": {"error_messages": NOT_NEGATIVE},
            "opex_per_year": {"help_text": "Negative for a saving (e.g. licence seats dropped)"},
            "effort_days": {"error_messages": {"min_value": "effort cannot be negative"}},
            "start_quarter": {"help_text": "Any day of the quarter; stored as its first day"},
            "end_quarter": {"help_text": "Any day of the quarter; stored as its first day"},
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        client = self.target_client(attrs)
        if client is None:
            return attrs
        check_same_client(client.pk, owner=attrs.get("owner"))
        for required in attrs.get("requires", []):
            if required.client_id != client.pk:
                raise serializers.ValidationError(
                    {"requires": f"initiative {required.pk} belongs to another client"}
                )
        # Quarters are kept as the first day of the client's fiscal quarter.
        for name in ("start_quarter", "end_quarter"):
            if attrs.get(name):
                attrs[name] = quarter_of(attrs[name], client.fiscal_year_start_month).start
        start = attrs.get("start_quarter", getattr(self.instance, "start_quarter", None))
        end = attrs.get("end_quarter", getattr(self.instance, "end_quarter", None))
        if start and end and end < start:
            raise serializers.ValidationError(
                {"end_quarter": f"the end quarter ({end}) is before the start quarter ({start})"}
            )
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Initiative:
        requires = validated_data.pop("requires", None)
        initiative = super().create(validated_data)
        if requires:
            set_requirements(initiative, requires)
        return initiative

    def update(self, instance: Initiative, validated_data: dict[str, Any]) -> Initiative:
        requires = validated_data.pop("requires", None)
        if requires is not None:
            # First, so a refused cycle is named with the titles as they are now.
            set_requirements(instance, requires)
        return super().update(instance, validated_data)

    def get_start_quarter_label(self, initiative: Initiative) -> str | None:
        return quarter_label(initiative, initiative.start_quarter)

    def get_end_quarter_label(self, initiative: Initiative) -> str | None:
        return quarter_label(initiative, initiative.end_quarter)

    def _score(self, initiative: Initiative) -> scoring.ScoreBreakdown:
        scores = self.context.get(SCORES_KEY)
        if scores is None or initiative.pk not in scores:
            # One initiative on its own (retrieve, create, update): score its client's.
            scores = scoring.score_all(initiative.client_id)
            self._context[SCORES_KEY] = scores
        return scores[initiative.pk]

    @extend_schema_field(serializers.FloatField())
    def get_score(self, initiative: Initiative) -> float:
        return round(self._score(initiative).total, 2)

    @extend_schema_field(ScorePartSerializer(many=True))
    def get_score_breakdown(self, initiative: Initiative) -> list[dict[str, Any]]:
        return [
            {
                "name": p.name,
                "raw": p.raw,
                "normalised": round(p.normalised, 4),
                "weight": p.weight,
                "points": round(p.points, 2),
                "explanation": p.explanation,
            }
            for p in self._score(initiative).parts
        ]


def set_requirements(initiative: Initiative, required: list[Initiative]) -> None:
    """Make ``required`` exactly what ``initiative`` requires, one checked link at a time.

    Raises ``ValidationError`` (naming the cycle) on the first refused link;
    the caller's transaction then undoes the whole write.
    """
    initiative.requires.clear()
    for other in required:
        services.add_requirement(initiative, other)


class TransitionSerializer(serializers.Serializer):
    status = InitiativeStatusField(
        choices=InitiativeStatus.choices,
        error_messages={
            "invalid_choice": '"{input}" is not an initiative status (proposed, approved, '
            "scheduled, in_progress, done, declined, deferred)"
        },
    )


class LinkGoalSerializer(serializers.Serializer):
    goal = GoalField()
    contribution = serializers.IntegerField(
        min_value=0,
        max_value=100,
        default=50,
        error_messages={
            "min_value": CONTRIBUTION_RANGE,
            "max_value": CONTRIBUTION_RANGE,
        },
    )


class InitiativeGoalSerializer(ChildSerializer):
    parent_field = "initiative"
    initiative = InitiativeField()
    goal = GoalField()
    title = serializers.CharField(source="goal.title", read_only=True)

    class Meta:
        model = InitiativeGoal
        fields = ["id", "initiative", "goal", "title", "contribution"]
        read_only_fields = ["id"]
        # The (initiative, goal) rule is checked in validate() with a message naming both.
        validators: list = []
        extra_kwargs = {
            "contribution": {
                "error_messages": {
                    "min_value": CONTRIBUTION_RANGE,
                    "max_value": CONTRIBUTION_RANGE,
                }
            }
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        initiative = self.parent_row(attrs)
        goal = attrs.get("goal", getattr(self.instance, "goal", None))
        if initiative is None or goal is None:
            return attrs
        check_same_client(initiative.client_id, goal=goal)
        clash = InitiativeGoal.objects.filter(initiative=initiative, goal=goal)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(
                {"goal": f"“{initiative}” is already linked to “{goal}”: change that link"}
            )
        return attrs


class MilestoneSerializer(ChildSerializer):
    parent_field = "initiative"
    initiative = InitiativeField()

    class Meta:
        model = Milestone
        fields = ["id", "initiative", "title", "due", "done"]
        read_only_fields = ["id"]


class SpendEntrySerializer(ChildSerializer):
    parent_field = "initiative"
    initiative = InitiativeField()

    class Meta:
        model = SpendEntry
        fields = ["id", "initiative", "date", "amount", "kind", "note"]
        read_only_fields = ["id"]
        extra_kwargs = {
            "amount": {"error_messages": {"min_value": "an amount cannot be negative"}},
        }
