"""Serializers of the capacity API.

Connector secrets (bearer token, password) are write-only: a response says
whether one is set, never what it is. An ingest token's key appears once,
in the response that creates it. URLs are checked for their syntax here (a
400 naming ``url`` or ``base_url``); the network policy when they are used.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from rest_framework import serializers

from vcio.assets.models import Asset
from vcio.capacity.assess import EFFICIENCY_LABELS, MachineCapacity, Resource
from vcio.capacity.forms import check_http_url
from vcio.capacity.models import ExporterKind, IngestToken, PromConnector, ScrapeTarget, Series
from vcio.capacity.views.common import soonest_full
from vcio.core.api.serializers import ClientOwnedSerializer, ClientSlugField, ScopedPkField


class AssetField(ScopedPkField):
    model, noun = Asset, "asset"


def _http_url(field: str, label: str, value: str) -> str:
    try:
        return check_http_url(label, value)
    except ValidationError as exc:
        raise serializers.ValidationError(" ".join(exc.messages)) from None


class ScrapeTargetSerializer(ClientOwnedSerializer):
    asset = AssetField(required=False, allow_null=True)
    # Text, checked by validate_url(): URLField refuses single-label hosts such as "fs01".
    url = serializers.CharField(max_length=500)
    kind = serializers.ChoiceField(choices=ExporterKind.choices, required=False)

    class Meta:
        model = ScrapeTarget
        fields = ["id", "client", "name", "url", "kind", "interval", "asset", "enabled"]
        fields += ["last_run_at", "last_ok_at", "last_error", "last_samples", "created_at"]
        read_only_fields = ["last_run_at", "last_ok_at", "last_error", "last_samples"]
        read_only_fields += ["created_at"]
        validators: list = []  # the (client, url) pair is checked in validate() naming url

    def validate_url(self, value: str) -> str:
        return _http_url("url", "url", value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        client = self.target_client(attrs)
        asset = attrs.get("asset")
        if asset is not None and client is not None and asset.client_id != client.pk:
            raise serializers.ValidationError({"asset": [f"asset {asset.pk} is not {client}'s"]})
        url = attrs.get("url")
        if url and client is not None:
            clash = ScrapeTarget.objects.filter(client=client, url=url)
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise serializers.ValidationError({"url": [f"{client} already scrapes {url}"]})
        return attrs


class ConnectorSerializer(ClientOwnedSerializer):
    base_url = serializers.CharField(max_length=500, help_text="e.g. http://prom:9090")
    bearer_token = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=500,
        help_text="Write-only: sent by vcio as 'Authorization: Bearer'; never returned.",
    )  # fmt: skip
    password = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=300,
        help_text="Write-only: never returned.",
    )  # fmt: skip
    has_bearer_token = serializers.SerializerMethodField()
    has_password = serializers.SerializerMethodField()

    class Meta:
        model = PromConnector
        fields = ["id", "client", "name", "base_url", "selector", "bearer_token", "username"]
        fields += ["password", "has_bearer_token", "has_password", "interval", "enabled"]
        fields += ["last_run_at", "last_ok_at", "last_error", "synced_until", "created_at"]
        read_only_fields = ["last_run_at", "last_ok_at", "last_error", "synced_until"]
        read_only_fields += ["created_at"]

    def get_has_bearer_token(self, obj: PromConnector) -> bool:
        return bool(obj.bearer_token)

    def get_has_password(self, obj: PromConnector) -> bool:
        return bool(obj.password)

    def validate_base_url(self, value: str) -> str:
        return _http_url("base_url", "base_url", value)


class IngestTokenSerializer(serializers.ModelSerializer):
    """A token as listed: its prefix, never its key (which is not kept)."""

    client = ClientSlugField()
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = IngestToken
        fields = ["id", "client", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
        fields += ["active"]
        read_only_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]


class IssuedTokenSerializer(IngestTokenSerializer):
    """The response that creates a token: the only one that carries its ``key``."""

    key = serializers.CharField(read_only=True, help_text="Shown once: vcio keeps only a hash.")

    class Meta(IngestTokenSerializer.Meta):
        fields = [*IngestTokenSerializer.Meta.fields, "key"]


class SeriesSerializer(serializers.ModelSerializer):
    client = ClientSlugField(read_only=True)

    class Meta:
        model = Series
        fields = ["id", "client", "asset", "metric", "labels", "last_value", "last_at"]
        read_only_fields = fields


class TestResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    message = serializers.CharField()


class UsageSerializer(serializers.Serializer):
    window = serializers.IntegerField(help_text="Days ending on as_of.")
    p50 = serializers.FloatField(help_text="Median of the daily means, a share (0..1).")
    p95 = serializers.FloatField(help_text="95th percentile of the daily p95s (0..1).")
    max = serializers.FloatField()
    days = serializers.IntegerField(help_text="Days with data in the window.")


class ResourceForecastSerializer(serializers.Serializer):
    threshold = serializers.FloatField()
    level = serializers.FloatField(allow_null=True)
    slope_per_day = serializers.FloatField(allow_null=True)
    crossing = serializers.DateField(allow_null=True)
    crossing_early = serializers.DateField(allow_null=True)
    crossing_late = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(allow_null=True)


class ResourceSerializer(serializers.Serializer):
    series = serializers.IntegerField()
    metric = serializers.CharField()
    labels = serializers.CharField(allow_blank=True)
    label = serializers.CharField()
    usage = UsageSerializer(many=True)
    forecast = ResourceForecastSerializer(allow_null=True)


class MachineSerializer(serializers.Serializer):
    asset = serializers.IntegerField()
    client = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    efficiency = serializers.ChoiceField(choices=list(EFFICIENCY_LABELS))
    evidence = serializers.CharField()
    full = serializers.CharField(help_text="When it fills first, in words.")
    window = serializers.IntegerField()
    cpu_p95 = serializers.FloatField(allow_null=True)
    mem_p95 = serializers.FloatField(allow_null=True)
    resources = ResourceSerializer(many=True)


def _finite(value: float | None) -> float | None:
    return None if value is None or value != value else float(value)


def resource_data(r: Resource) -> dict[str, Any]:
    f = r.forecast
    usage = [
        {"window": w, "p50": u.p50, "p95": u.p95, "max": u.max, "days": u.days}
        for w, u in sorted(r.usage.items())
        if u is not None
    ]
    forecast = None
    if f is not None:
        forecast = {
            "threshold": f.threshold,
            "level": _finite(f.level),
            "slope_per_day": _finite(f.slope),
            "crossing": f.crossing,
            "crossing_early": f.crossing_early,
            "crossing_late": f.crossing_late,
            "days_left": f.days_left,
            "reason": f.reason,
        }
    return {"series": r.series_id, "metric": r.metric, "labels": r.labels, "label": r.label,
            "usage": usage, "forecast": forecast}  # fmt: skip


def machine_data(m: MachineCapacity, client_slug: str, window: int) -> dict[str, Any]:
    """What ``/api/capacity/machines/`` says of one machine."""

    def p95(r: Resource | None) -> float | None:
        u = r.usage.get(window) if r else None
        return u.p95 if u else None

    return {
        "asset": m.asset_id,
        "client": client_slug,
        "name": m.name,
        "kind": m.kind,
        "efficiency": m.efficiency,
        "evidence": m.evidence,
        "full": soonest_full(m)[1],
        "window": window,
        "cpu_p95": p95(m.cpu),
        "mem_p95": p95(m.mem),
        "resources": [resource_data(r) for r in (m.cpu, m.mem, *m.disks) if r],
    }
