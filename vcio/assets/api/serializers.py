"""Serializers for the asset API: assets, licences, lifecycle policies, EOL rules.

Related rows named in a request (client by slug, department or contact by
id) are looked up among the requesting user's *visible* rows, and must
belong to the same client as the record. Lifecycle figures are computed,
read-only, and for a list computed once for the whole page (see
:class:`LifecycleListSerializer`), never one asset at a time.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from vcio.assets import lifecycle, services
from vcio.assets.models import (
    Antivirus,
    Asset,
    EolRule,
    InstalledSoftware,
    Licence,
    LifecyclePolicy,
)
from vcio.core.api.serializers import (
    ClientOwnedSerializer,
    ContactField,
    DepartmentField,
)
from vcio.core.models import Client


def same_client(attrs: dict[str, Any], serializer: ClientOwnedSerializer, *names: str) -> None:
    """400 naming the field when a related row (department, contact) is another client's."""
    client = serializer.target_client(attrs)
    for name in names:
        related = attrs.get(name, getattr(serializer.instance, name, None))
        if related is not None and client is not None and related.client_id != client.pk:
            raise serializers.ValidationError({name: f"this {name} belongs to another client"})


class LifecycleListSerializer(serializers.ListSerializer):
    """Computes the lifecycle of every asset of a page at once, then serialises them."""

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        items = list(data.all() if isinstance(data, QuerySet) else data)
        self._context["lifecycle"] = services.assess_assets(items)
        return super().to_representation(items)


class AssetSerializer(ClientOwnedSerializer):
    department = DepartmentField(required=False, allow_null=True)
    contact = ContactField(required=False, allow_null=True)
    age_years = serializers.SerializerMethodField()
    warranty_status = serializers.SerializerMethodField(
        help_text="active, ending (within 90 days), expired or unknown"
    )
    os_status = serializers.SerializerMethodField(
        help_text="supported, ending (within 12 months), unsupported or unknown"
    )
    os_end_of_support = serializers.SerializerMethodField()
    replacement_due = serializers.SerializerMethodField()
    replacement_reason = serializers.SerializerMethodField()
    replacement_overdue = serializers.SerializerMethodField()
    replacement_cost = serializers.SerializerMethodField(
        help_text="Estimated cost of a replacement, in the client's currency (null: unknown)"
    )
    # Set by agent inventories only (a host's list of VMs), so read-only here.
    host = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="For a virtual machine: the id of the asset it runs on",
    )

    class Meta:
        model = Asset
        list_serializer_class = LifecycleListSerializer
        fields = [
            "id",
            "client",
            "kind",
            "name",
            "asset_tag",
            "serial",
            "manufacturer",
            "model",
            "os_name",
            "os_version",
            "cpu",
            "ram_gb",
            "disk_gb",
            "purchase_date",
            "purchase_cost",
            "warranty_end",
            "eol_date",
            "status",
            "department",
            "assigned_to",
            "contact",
            "location",
            "notes",
            "host",
            "source",
            "external_id",
            "first_seen",
            "last_seen",
            "created_at",
            "updated_at",
            "age_years",
            "warranty_status",
            "os_status",
            "os_end_of_support",
            "replacement_due",
            "replacement_reason",
            "replacement_overdue",
            "replacement_cost",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {
            "purchase_cost": {"error_messages": {"min_value": "a cost cannot be negative"}},
            "ram_gb": {"error_messages": {"min_value": "cannot be negative"}},
            "disk_gb": {"error_messages": {"min_value": "cannot be negative"}},
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        same_client(attrs, self, "department", "contact")
        bought = attrs.get("purchase_date", getattr(self.instance, "purchase_date", None))
        ends = attrs.get("warranty_end", getattr(self.instance, "warranty_end", None))
        if bought and ends and ends < bought:
            raise serializers.ValidationError(
                {"warranty_end": f"the warranty cannot end ({ends}) before the purchase ({bought})"}
            )
        return attrs

    def _life(self, asset: Asset) -> services.AssetLifecycle:
        computed = self.context.get("lifecycle")
        if computed is None or asset.pk not in computed:
            # One asset on its own (retrieve, create, update): assess just it.
            computed = services.assess_assets([asset])
            self._context["lifecycle"] = computed
        return computed[asset.pk]

    def get_age_years(self, asset: Asset) -> float | None:
        age = self._life(asset).age_years
        return None if age is None else round(age, 2)

    def get_warranty_status(self, asset: Asset) -> str:
        return self._life(asset).warranty

    def get_os_status(self, asset: Asset) -> str:
        return self._life(asset).os.status

    def get_os_end_of_support(self, asset: Asset) -> str | None:
        end = self._life(asset).os.end_of_support
        return end.isoformat() if end else None

    def get_replacement_due(self, asset: Asset) -> str | None:
        due = self._life(asset).due
        return due.isoformat() if due else None

    def get_replacement_reason(self, asset: Asset) -> str:
        return self._life(asset).reason

    def get_replacement_overdue(self, asset: Asset) -> bool:
        return self._life(asset).overdue

    def get_replacement_cost(self, asset: Asset) -> str | None:
        cost = self._life(asset).cost
        return None if cost is None else str(cost)


class LicenceSerializer(ClientOwnedSerializer):
    department = DepartmentField(required=False, allow_null=True)
    annual_cost = serializers.SerializerMethodField(
        help_text="Recurring cost a year (monthly × 12, annual × 1, perpetual 0)"
    )
    unused_seats = serializers.SerializerMethodField()
    waste_cost = serializers.SerializerMethodField(help_text="What the unused seats cost a year")
    renews_within_90_days = serializers.SerializerMethodField()

    class Meta:
        model = Licence
        fields = [
            "id",
            "client",
            "kind",
            "vendor",
            "product",
            "seats_owned",
            "seats_used",
            "unit_cost",
            "billing_period",
            "renewal_date",
            "department",
            "license_key",
            "notes",
            "source",
            "external_id",
            "created_at",
            "updated_at",
            "annual_cost",
            "unused_seats",
            "waste_cost",
            "renews_within_90_days",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {
            "unit_cost": {"error_messages": {"min_value": "a cost cannot be negative"}},
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        same_client(attrs, self, "department")
        return attrs

    # Computed in Python even where the list's queryset carries the same figures as
    # annotations (used there for sorting): after an update those would be stale.
    def get_annual_cost(self, lic: Licence) -> str:
        return str(lifecycle.annual_cost(lic))

    def get_unused_seats(self, lic: Licence) -> int:
        return max(0, lic.seats_owned - lic.seats_used)

    def get_waste_cost(self, lic: Licence) -> str:
        return str(lifecycle.annual_cost(lic, self.get_unused_seats(lic)))

    def get_renews_within_90_days(self, lic: Licence) -> bool:
        if lic.renewal_date is None:
            return False
        today = lifecycle.client_today(lic.client.time_zone)
        days = (lic.renewal_date - today).days
        return 0 <= days <= services.RENEWAL_WINDOW_DAYS


class LifecyclePolicySerializer(ClientOwnedSerializer):
    class Meta:
        model = LifecyclePolicy
        fields = ["id", "client", "kind", "replace_after_years", "replacement_cost"]
        read_only_fields = ["id"]
        # The (client, kind) rule is checked in validate() with a message naming both.
        validators: list = []
        extra_kwargs = {
            "replacement_cost": {"error_messages": {"min_value": "a cost cannot be negative"}},
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        client = self.target_client(attrs)
        kind = attrs.get("kind", getattr(self.instance, "kind", None))
        clash = LifecyclePolicy.objects.filter(client=client, kind=kind)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if client is not None and clash.exists():
            raise serializers.ValidationError(
                {"kind": f"{client.name} already has a policy for '{kind}': change that one"}
            )
        return attrs


class EolRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = EolRule
        fields = ["id", "product", "version", "edition", "end_of_support", "source_url", "shipped"]
        read_only_fields = ["id", "shipped"]
        validators: list = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        key = {
            f: (attrs.get(f, getattr(self.instance, f, "")) or "").strip()
            for f in ("product", "version", "edition")
        }
        if not key["product"]:
            raise serializers.ValidationError({"product": "name the product, e.g. 'Windows 10'"})
        # Follow the spelling the table already uses ("windows 10" → "Windows 10").
        spelled = EolRule.objects.filter(product__iexact=key["product"])
        key["product"] = spelled.values_list("product", flat=True).first() or key["product"]
        clash = EolRule.objects.filter(**key)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            label = " ".join(v for v in key.values() if v)
            raise serializers.ValidationError(
                {"version": f"there is already a rule for {label}: change that one"}
            )
        return {**attrs, **key}

    def save(self, **kwargs: Any) -> EolRule:
        # A rule the practice set is its own: later loads of vcio's data file leave it alone.
        return super().save(shipped=False, **kwargs)


# --- per-client lifecycle figures (read only) -----------------------------------------


class AgeBinSerializer(serializers.Serializer):
    years = serializers.CharField(help_text='e.g. "0–1", "7+" or "unknown"')
    devices = serializers.IntegerField()


class LicenceTotalsSerializer(serializers.Serializer):
    annual_cost = serializers.DecimalField(max_digits=18, decimal_places=2)
    unused_seats = serializers.IntegerField()
    waste_cost = serializers.DecimalField(
        max_digits=18, decimal_places=2, help_text="What the unused seats cost a year"
    )
    renewing_within_90_days = serializers.IntegerField()


class SummarySerializer(serializers.Serializer):
    """A client's lifecycle at a glance (money in the client's currency)."""

    client = serializers.CharField(help_text="client slug")
    currency = serializers.CharField()
    as_of = serializers.DateField(help_text="today in the client's time zone")
    devices = serializers.IntegerField(help_text="assets in use or spare")
    warranty = serializers.DictField(child=serializers.IntegerField())
    os = serializers.DictField(child=serializers.IntegerField())
    overdue_replacements = serializers.IntegerField()
    age_histogram = AgeBinSerializer(many=True)
    licences = LicenceTotalsSerializer()


class QuarterSerializer(serializers.Serializer):
    label = serializers.CharField(help_text='e.g. "FY2026 Q3"')
    fiscal_year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    count = serializers.IntegerField()
    cost = serializers.DecimalField(max_digits=18, decimal_places=2)
    overdue = serializers.IntegerField(help_text="of count: already past due (first quarter)")
    cost_unknown = serializers.IntegerField(help_text="of count: no cost estimate")
    by_kind = serializers.DictField(child=serializers.IntegerField())


class ForecastSerializer(serializers.Serializer):
    """Replacements by fiscal quarter of the client (money in its currency)."""

    client = serializers.CharField(help_text="client slug")
    currency = serializers.CharField()
    fiscal_year_start_month = serializers.IntegerField()
    total_cost = serializers.DecimalField(max_digits=18, decimal_places=2)
    total_count = serializers.IntegerField()
    quarters = QuarterSerializer(many=True)


def summary_data(client: Client, summary: Any, licences: dict[str, Any]) -> dict[str, Any]:
    """The payload of ``GET /api/lifecycle/{slug}/``."""
    return {
        "client": client.slug,
        "currency": client.currency,
        "as_of": summary.today,
        "devices": summary.total,
        "warranty": summary.warranty,
        "os": summary.os,
        "overdue_replacements": summary.overdue,
        "age_histogram": [{"years": k, "devices": n} for k, n in summary.ages.items()],
        "licences": {
            "annual_cost": licences["annual"] or Decimal(0),
            "unused_seats": licences["unused"] or 0,
            "waste_cost": licences["waste"] or Decimal(0),
            "renewing_within_90_days": licences["renewing"],
        },
    }


def forecast_data(client: Client, rows: list[Any]) -> dict[str, Any]:
    """The payload of ``GET /api/lifecycle/{slug}/forecast/``."""
    return {
        "client": client.slug,
        "currency": client.currency,
        "fiscal_year_start_month": client.fiscal_year_start_month,
        "total_cost": sum((r.cost for r in rows), Decimal(0)),
        "total_count": sum(r.count for r in rows),
        "quarters": [
            {
                "label": r.label,
                "fiscal_year": r.quarter.fiscal_year,
                "quarter": r.quarter.quarter,
                "start": r.quarter.start,
                "end": r.quarter.end,
                "count": r.count,
                "cost": r.cost,
                "overdue": r.overdue,
                "cost_unknown": r.cost_unknown,
                "by_kind": r.by_kind,
            }
            for r in rows
        ],
    }


class InstalledSoftwareSerializer(serializers.ModelSerializer):
    """One package the asset's last agent inventory listed."""

    class Meta:
        model = InstalledSoftware
        fields = ["name", "version", "publisher", "install_date"]
        read_only_fields = fields


class AntivirusSerializer(serializers.ModelSerializer):
    """An antivirus product the asset's last agent inventory reported (null: not said)."""

    class Meta:
        model = Antivirus
        fields = ["name", "company", "version", "enabled", "up_to_date", "base_version",
                  "base_date"]  # fmt: skip
        read_only_fields = fields
