"""Serializers of the help-desk API: tickets (read, correct), policies and SLA targets.

Component names carry the app's prefix (``HelpdeskTicket``…): drf-spectacular
needs unique names across the whole API. A ticket's ``body`` is the
requester's own words and is null for readers without EDIT on the client
(see :mod:`vcio.helpdesk.views.tickets`). Related rows named in a PATCH
(topic, department, asset) are looked up among the user's visible rows and
must belong to the ticket's client, else a 400 naming the field.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vcio.assets.models import Asset
from vcio.core.access import access_for
from vcio.core.api.serializers import ClientOwnedSerializer, DepartmentField, ScopedPkField
from vcio.core.roles import Perm
from vcio.helpdesk.forms import CORRECTABLE
from vcio.helpdesk.models import (
    PRIORITY_ORDER,
    HelpdeskPolicy,
    Priority,
    SlaTarget,
    Ticket,
    Topic,
)


@extend_schema_field(
    {
        "type": "string",
        "pattern": f"^({'|'.join(PRIORITY_ORDER)})$",
        "description": "critical, high, medium or low",
    }
)
class HelpdeskPriorityField(serializers.ChoiceField):
    """A priority, described by a pattern rather than an enum in the schema.

    The same four words are the strategy app's risk levels and "priority" is
    also the goals' (numeric) field: drf-spectacular names enum components
    after the field, and the collision fails the deploy check.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Priority.choices, **kwargs)


class HelpdeskTopicField(ScopedPkField):
    model, noun = Topic, "topic"


class HelpdeskAssetField(ScopedPkField):
    model, noun = Asset, "asset"


class HelpdeskTicketSerializer(ClientOwnedSerializer):
    """A ticket; only ``topic``, ``department`` and ``asset`` may be changed (PATCH)."""

    topic = HelpdeskTopicField(required=False, allow_null=True)
    department = DepartmentField(required=False, allow_null=True)
    asset = HelpdeskAssetField(required=False, allow_null=True)
    priority = HelpdeskPriorityField(read_only=True)
    topic_name = serializers.CharField(
        source="topic.name", read_only=True, default=None, allow_null=True
    )
    body = serializers.SerializerMethodField(
        help_text="The requester's text; null for readers who do not work the client's tickets"
    )

    class Meta:
        model = Ticket
        fields = [
            "id", "client", "source", "external_id", "subject", "body", "requester",
            "requester_email", "department", "source_department", "asset", "asset_matched_by",
            "opened_at", "first_response_at", "resolved_at", "closed_at", "reopen_count",
            "priority", "status", "source_priority", "source_status", "source_category",
            "assignee", "topic", "topic_name", "topic_confidence", "topic_set_by",
            "topic_needs_review", "satisfaction", "imported_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = [f for f in fields if f not in CORRECTABLE]
        validators: list = []

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_body(self, ticket: Ticket) -> str | None:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return ticket.body if access_for(user).can(Perm.EDIT, ticket.client_id) else None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        client_id = self.instance.client_id if self.instance is not None else None
        for name in CORRECTABLE:
            row = attrs.get(name)
            if row is not None and row.client_id != client_id:
                raise serializers.ValidationError(
                    {name: [f"{name} {row.pk} belongs to another client than this ticket's"]}
                )
        topic = attrs.get("topic")
        if topic is not None and (topic.retired or topic.merged_into_id):
            raise serializers.ValidationError(
                {"topic": [f"topic {topic.pk} is retired or merged: choose a current topic"]}
            )
        return attrs


@extend_schema_field(
    {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$", "example": "08:00:00"}
)
class HelpdeskTimeField(serializers.TimeField):
    """A local time of day ("08:00:00") in the client's zone.

    OpenAPI's ``format: time`` is RFC 3339's full-time, which needs a UTC
    offset; these times have none, so the schema gives their pattern instead.
    """


class HelpdeskPolicySerializer(ClientOwnedSerializer):
    business_start = HelpdeskTimeField(required=False)
    business_end = HelpdeskTimeField(required=False)

    class Meta:
        model = HelpdeskPolicy
        fields = ["id", "client", "business_days", "business_start", "business_end",
                  "holidays", "recurring_count", "recurring_days"]  # fmt: skip
        validators: list = []  # one policy per client: checked in validate() naming client

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        client = self.target_client(attrs)
        start = attrs.get("business_start", getattr(self.instance, "business_start", None))
        end = attrs.get("business_end", getattr(self.instance, "business_end", None))
        if start is not None and end is not None and end <= start:
            raise serializers.ValidationError(
                {"business_end": [f"business hours must end after they start ({start:%H:%M})"]}
            )
        taken = client is not None and HelpdeskPolicy.objects.filter(client=client).exists()
        if taken and self.instance is None:
            raise serializers.ValidationError(
                {"client": [f"{client.slug} already has a help-desk policy: change that one"]}
            )
        return attrs


class HelpdeskSlaTargetSerializer(ClientOwnedSerializer):
    priority = HelpdeskPriorityField()
    first_response_hours = serializers.DecimalField(
        max_digits=7, decimal_places=2, help_text="Business hours (more than 0)"
    )
    resolve_hours = serializers.DecimalField(
        max_digits=7, decimal_places=2, help_text="Business hours (more than 0)"
    )

    class Meta:
        model = SlaTarget
        fields = ["id", "client", "priority", "first_response_hours", "resolve_hours"]
        validators: list = []  # one target per priority: checked in validate() naming priority

    def _positive(self, value, name: str):
        if value <= 0:
            raise serializers.ValidationError(f"{name} must be more than 0 hours, not {value}")
        return value

    def validate_first_response_hours(self, value):
        return self._positive(value, "first_response_hours")

    def validate_resolve_hours(self, value):
        return self._positive(value, "resolve_hours")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        client = self.target_client(attrs)
        priority = attrs.get("priority", getattr(self.instance, "priority", None))
        if client is not None and priority:
            clash = SlaTarget.objects.filter(client=client, priority=priority)
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise serializers.ValidationError(
                    {"priority": [f"{client.slug} already has a {priority} target: change it"]}
                )
        return attrs
