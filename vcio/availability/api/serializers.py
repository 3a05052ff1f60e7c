"""Serializers of the availability API.

As everywhere in the API, a related row named in a request (a client by
slug, a department, service or monitor by id) is looked up among the
requesting user's *visible* rows, and must belong to the record's client:
naming another client's row is a 400 naming the field. Monitor targets and
webhook URLs pass the monitors' network policy; a refusal names the field
and the address.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Choices
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vcio.assets.models import Asset
from vcio.availability.forms import clean_channel_target
from vcio.availability.models import (
    AlertChannel,
    BusinessService,
    CheckResult,
    Criticality,
    MaintenanceWindow,
    Monitor,
    MonitorKind,
    MonitorState,
    Outage,
    SlaHours,
)
from vcio.availability.models.monitors import MAX_INTERVAL_S, MIN_INTERVAL_S, MONITOR_SETTINGS
from vcio.availability.models.services import Recurrence
from vcio.availability.views.common import (
    STATE_LABELS,
    service_state,
    validate_status_spec,
    validate_target,
)
from vcio.core.api.serializers import (
    ClientOwnedSerializer,
    DepartmentField,
    ScopedPkField,
)


def named_choices(choices: type[Choices], component: str) -> type[serializers.ChoiceField]:
    """A ChoiceField whose choice set is its own schema component (``kind`` is not unique)."""
    field = type(f"{component}Field", (serializers.ChoiceField,), {})
    schema = {"type": "string", "enum": list(choices.values)}
    return extend_schema_field(schema, component_name=component)(field)


MonitorKindField = named_choices(MonitorKind, "MonitorKindEnum")
MonitorStateField = named_choices(MonitorState, "MonitorStateEnum")
ChannelKindField = named_choices(AlertChannel.Kind, "AlertChannelKindEnum")


class ServiceField(ScopedPkField):
    model, noun = BusinessService, "service"


class AssetField(ScopedPkField):
    model, noun = Asset, "asset"


def _refused(field: str, exc: ValidationError) -> serializers.ValidationError:
    return serializers.ValidationError({field: [f"{field}: {' '.join(exc.messages)}"]})


@extend_schema_field(
    {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$", "example": "08:00:00"}
)
class TimeOfDayField(serializers.TimeField):
    """A local time of day ("08:00:00"), in the client's zone.

    OpenAPI's ``format: time`` is RFC 3339's full-time, which needs a UTC
    offset; these times have none, so the schema gives their pattern instead.
    """


class ServiceSerializer(ClientOwnedSerializer):
    """A business service with its SLA target and its state now (from its monitors)."""

    business_start = TimeOfDayField(required=False)
    business_end = TimeOfDayField(required=False)

    owner_department = DepartmentField(required=False, allow_null=True)
    criticality = serializers.ChoiceField(choices=Criticality.choices, required=False)
    sla_hours = serializers.ChoiceField(choices=SlaHours.choices, required=False)
    assets = AssetField(many=True, required=False)
    state = serializers.SerializerMethodField()

    class Meta:
        model = BusinessService
        fields = [
            "id",
            "client",
            "name",
            "description",
            "owner_department",
            "criticality",
            "sla_target",
            "sla_hours",
            "business_days",
            "business_start",
            "business_end",
            "assets",
            "state",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators: list = []  # (client, name) is checked in validate() with both named

    @extend_schema_field(
        {"type": "string", "enum": list(STATE_LABELS)}, component_name="ServiceStateEnum"
    )
    def get_state(self, service: BusinessService) -> str:
        """up, down, degraded or unknown (prefetch ``monitors`` for lists)."""
        return service_state(service.monitors.all())

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        client = self.target_client(attrs)
        dept = attrs.get("owner_department", getattr(self.instance, "owner_department", None))
        if dept is not None and client is not None and dept.client_id != client.pk:
            raise serializers.ValidationError(
                {"owner_department": "this department belongs to another client"}
            )
        for asset in attrs.get("assets", []):
            if client is not None and asset.client_id != client.pk:
                raise serializers.ValidationError(
                    {"assets": f"asset {asset.pk} belongs to another client"}
                )
        name = attrs.get("name", getattr(self.instance, "name", None))
        clash = BusinessService.objects.filter(client=client, name=name)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if client is not None and clash.exists():
            raise serializers.ValidationError(
                {"name": f"{client.name} already has a service named '{name}'"}
            )
        start = attrs.get("business_start", getattr(self.instance, "business_start", None))
        end = attrs.get("business_end", getattr(self.instance, "business_end", None))
        hours = attrs.get("sla_hours", getattr(self.instance, "sla_hours", SlaHours.ALWAYS))
        if hours == SlaHours.BUSINESS and start and end and end <= start:
            raise serializers.ValidationError(
                {"business_end": "business hours must end after they start on the same day"}
            )
        return attrs


class ChildSerializer(serializers.ModelSerializer):
    """A row of a service (monitor, window, channel): its service never changes client."""

    service = ServiceField()
    # The client (slug) the row belongs to, through its service: read only.
    client = serializers.SlugRelatedField(
        source="service.client", slug_field="slug", read_only=True
    )

    def validate_service(self, service: BusinessService) -> BusinessService:
        if self.instance is not None and service.client_id != self.instance.service.client_id:
            raise serializers.ValidationError("a record cannot move to another client")
        return service


class MonitorSerializer(ChildSerializer):
    """A monitor; ``target`` passes the network policy, ``expected_status`` must parse."""

    kind = MonitorKindField(choices=MonitorKind.choices, required=False)
    state = MonitorStateField(choices=MonitorState.choices, read_only=True)
    interval_s = serializers.IntegerField(required=False)

    class Meta:
        model = Monitor
        fields = [
            "id",
            "client",
            "service",
            *MONITOR_SETTINGS,
            "state",
            "state_changed_at",
            "last_checked_at",
            "last_ok",
            "last_latency_ms",
            "last_cause",
            "next_run_at",
        ]
        read_only_fields = [
            "state_changed_at",
            "last_checked_at",
            "last_ok",
            "last_latency_ms",
            "last_cause",
            "next_run_at",
        ]

    def validate_interval_s(self, value: int) -> int:
        if not MIN_INTERVAL_S <= value <= MAX_INTERVAL_S:
            raise serializers.ValidationError(
                f"interval_s: {value} is out of range; give {MIN_INTERVAL_S} seconds to one "
                f"day ({MAX_INTERVAL_S} seconds)"
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        kind = attrs.get("kind", getattr(self.instance, "kind", MonitorKind.HTTP))
        if "target" in attrs or "kind" in attrs:
            target = attrs.get("target", getattr(self.instance, "target", ""))
            try:
                attrs["target"] = validate_target(kind, target)
            except ValidationError as exc:
                raise _refused("target", exc) from None
        if "expected_status" in attrs and kind == MonitorKind.HTTP:
            try:
                validate_status_spec(attrs["expected_status"])
            except ValidationError as exc:
                raise _refused("expected_status", exc) from None
        return attrs


class CheckResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckResult
        fields = ["id", "monitor", "at", "ok", "degraded", "latency_ms", "status_code", "cause"]
        read_only_fields = fields


class CheckRequestSerializer(serializers.Serializer):
    """A "check now" handed to the worker: poll the monitor (or its results) for the outcome."""

    monitor = serializers.IntegerField(source="monitor_id")
    requested_at = serializers.DateTimeField()
    new = serializers.BooleanField(help_text="False when a requested check was already waiting.")
    detail = serializers.CharField()


class OutageSerializer(serializers.ModelSerializer):
    client = serializers.SlugRelatedField(
        source="service.client", slug_field="slug", read_only=True
    )
    monitor_name = serializers.CharField(source="monitor.name", read_only=True)
    duration_s = serializers.SerializerMethodField()

    class Meta:
        model = Outage
        fields = [
            "id",
            "client",
            "service",
            "monitor",
            "monitor_name",
            "started_at",
            "ended_at",
            "duration_s",
            "cause",
        ]
        read_only_fields = fields

    def get_duration_s(self, outage: Outage) -> float | None:
        """Seconds from start to end; None while the outage is still open."""
        if outage.ended_at is None:
            return None
        return (outage.ended_at - outage.started_at).total_seconds()


class WindowSerializer(ChildSerializer):
    recurrence = serializers.ChoiceField(choices=Recurrence.choices, required=False)

    class Meta:
        model = MaintenanceWindow
        fields = [
            "id",
            "client",
            "service",
            "title",
            "starts_at",
            "ends_at",
            "recurrence",
            "until",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        start = attrs.get("starts_at", getattr(self.instance, "starts_at", None))
        end = attrs.get("ends_at", getattr(self.instance, "ends_at", None))
        if start and end and end <= start:
            raise serializers.ValidationError(
                {"ends_at": "a maintenance window must end after it starts"}
            )
        return attrs


class ChannelSerializer(ChildSerializer):
    """Email addresses (each checked) or a webhook URL (the network policy applies)."""

    kind = ChannelKindField(choices=AlertChannel.Kind.choices, required=False)

    class Meta:
        model = AlertChannel
        fields = ["id", "client", "service", "kind", "target", "enabled"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        kind = attrs.get("kind", getattr(self.instance, "kind", AlertChannel.Kind.EMAIL))
        if "target" in attrs or "kind" in attrs:
            target = attrs.get("target", getattr(self.instance, "target", ""))
            try:
                attrs["target"] = clean_channel_target(kind, target)
            except ValidationError as exc:
                raise _refused("target", exc) from None
        return attrs


class SlaSerializer(serializers.Serializer):
    """A service's SLA over one period; durations in seconds, percentages 0–100."""

    label = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    measured_s = serializers.FloatField()
    downtime_s = serializers.FloatField()
    availability_pct = serializers.FloatField(allow_null=True)
    outages = serializers.IntegerField()
    mttr_s = serializers.FloatField(allow_null=True)
    mtbf_s = serializers.FloatField(allow_null=True)
    budget_s = serializers.FloatField()
    budget_left_s = serializers.FloatField()
    budget_left_pct = serializers.FloatField(allow_null=True)
    breach = serializers.BooleanField()
    target_pct = serializers.FloatField()
    partial = serializers.BooleanField(
        help_text="Less than the whole period was measured: it is not over, or monitoring "
        "began after its start (see monitored_from)."
    )
    monitored_from = serializers.SerializerMethodField(
        help_text="When the service's monitoring began; null when it never was."
    )
    partial_note = serializers.CharField(read_only=True)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_monitored_from(self, report) -> str | None:
        first = report.monitored_from
        return None if first is None or first >= report.end else first.isoformat()

    ongoing = serializers.BooleanField()


class SlaQuerySerializer(serializers.Serializer):
    """``?start=&end=`` (ISO dates or instants, the end excluded) or ``?period=month|quarter``."""

    start = serializers.DateTimeField(required=False)
    end = serializers.DateTimeField(required=False)
    period = serializers.ChoiceField(choices=["month", "quarter"], required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        has_range = "start" in attrs or "end" in attrs
        if has_range and "period" in attrs:
            raise serializers.ValidationError({"period": "give either period or start and end"})
        if has_range and not ("start" in attrs and "end" in attrs):
            missing = "end" if "start" in attrs else "start"
            raise serializers.ValidationError({missing: f"give {missing} too"})
        if has_range and attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": "end must be after start"})
        return attrs
