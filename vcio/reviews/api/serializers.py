"""Serializers of the reviews API: reviews, their decisions and action items.

Related rows named in a request (a client slug, a review, an initiative) are
chosen among the requesting user's visible rows; the rules (no overlapping
period, nothing changes once finalised) are the services' own, called by the
viewsets, so the API refuses exactly what the pages refuse.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from vcio.core.access import access_for
from vcio.core.api.serializers import ClientOwnedSerializer, ScopedPkField, _request_user
from vcio.core.roles import Perm
from vcio.reviews.models import ActionItem, Decision, Review
from vcio.reviews.snapshot import period_label
from vcio.strategy.models import Initiative

# Fields that cannot change once a review exists: its kind and period are what it is.
FIXED_REVIEW_FIELDS = ("client", "kind", "period_start", "period_end")


class ReviewField(ScopedPkField):
    model, noun = Review, "review"


class InitiativeField(ScopedPkField):
    model, noun = Initiative, "initiative"


class ReviewSerializer(ClientOwnedSerializer):
    """A review; ``internal_notes`` only for the practice, never to the client's people."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    period_label = serializers.SerializerMethodField()
    finalised_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    interim = serializers.CharField(
        source="interim_text",
        read_only=True,
        help_text='"" unless finalised before its period ended: then "Interim review: covers …".',
    )

    class Meta:
        model = Review
        fields = [
            "id",
            "client",
            "kind",
            "kind_label",
            "period_start",
            "period_end",
            "period_label",
            "meeting_date",
            "status",
            "status_label",
            "summary",
            "internal_notes",
            "health_score",
            "as_of",
            "interim",
            "finalised_at",
            "finalised_by",
            "created_at",
        ]
        read_only_fields = ["status", "health_score", "as_of", "finalised_at", "created_at"]

    def get_period_label(self, review: Review) -> str:
        """ "FY2026 Q2", "May 2026": computed from the dates (snapshots are not read)."""
        month = review.client.fiscal_year_start_month
        return period_label(review.kind, review.period_start, review.period_end, month)

    def _may_read_internal(self, client_id: int | None) -> bool:
        return access_for(_request_user(self)).can(Perm.INTERNAL, client_id)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        review = self.instance
        if review is not None:
            moved = [
                name
                for name in FIXED_REVIEW_FIELDS
                if name in attrs and attrs[name] != getattr(review, name)
            ]
            if moved:
                raise serializers.ValidationError(
                    {name: "cannot change once the review exists" for name in moved}
                )
        else:
            for name in ("kind", "period_start", "period_end"):
                if name not in attrs:
                    raise serializers.ValidationError({name: "This field is required."})
        client = attrs.get("client") or (review.client if review else None)
        if "internal_notes" in attrs and not self._may_read_internal(getattr(client, "pk", None)):
            raise serializers.ValidationError(
                {"internal_notes": "only the practice may set internal notes"}
            )
        return attrs

    def to_representation(self, instance: Review) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self._may_read_internal(instance.client_id):
            data.pop("internal_notes", None)
        return data


class DecisionSerializer(serializers.ModelSerializer):
    """A decision recorded in an open review; applied to the roadmap when it is finalised."""

    client = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    review = ReviewField()
    initiative = InitiativeField(required=False, allow_null=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Decision
        fields = [
            "id",
            "client",
            "review",
            "kind",
            "kind_label",
            "initiative",
            "decision_maker",
            "note",
            "capex_per_year",
            "opex_per_year",
            "capex_per_quarter",
            "opex_per_quarter",
            "decided_by",
            "decided_at",
            "applied_at",
            "outcome",
        ]
        read_only_fields = ["decided_at", "applied_at", "outcome"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (
            self.instance is not None
            and "review" in attrs
            and attrs["review"] != self.instance.review
        ):
            raise serializers.ValidationError(
                {"review": "a decision cannot move to another review"}
            )
        review = attrs.get("review") or (self.instance.review if self.instance else None)
        initiative = attrs.get("initiative")
        if (
            review is not None
            and initiative is not None
            and initiative.client_id != review.client_id
        ):
            raise serializers.ValidationError(
                {
                    "initiative": f"“{initiative.title}” is an initiative of another client "
                    "than the review's"
                }
            )
        return attrs


class ActionItemSerializer(serializers.ModelSerializer):
    """An action item raised in a review; on every agenda until done."""

    client = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    review = ReviewField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "client",
            "review",
            "title",
            "owner",
            "due_date",
            "status",
            "status_label",
            "done_at",
            "created_at",
        ]
        read_only_fields = ["done_at", "created_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (
            self.instance is not None
            and "review" in attrs
            and attrs["review"] != self.instance.review
        ):
            raise serializers.ValidationError({"review": "an item cannot move to another review"})
        return attrs
