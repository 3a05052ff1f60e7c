"""Inventory (assets), software licences and SaaS subscriptions, lifecycle rules."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from vcio.core.models import Contact, Department
from vcio.core.scoping import ClientScopedModel


class AssetKind(models.TextChoices):
    WORKSTATION = "workstation", "Workstation"
    LAPTOP = "laptop", "Laptop"
    SERVER = "server", "Server"
    VIRTUAL_MACHINE = "vm", "Virtual machine"
    NETWORK = "network", "Network device"
    PRINTER = "printer", "Printer"
    MOBILE = "mobile", "Phone / tablet"
    STORAGE = "storage", "Storage"
    CLOUD = "cloud", "Cloud service"
    OTHER = "other", "Other"


class AssetStatus(models.TextChoices):
    IN_USE = "in_use", "In use"
    SPARE = "spare", "Spare"
    IN_REPAIR = "in_repair", "In repair"
    RETIRED = "retired", "Retired"
    # Reported by an agent or exporter but not yet confirmed by a person (or merged).
    DISCOVERED = "discovered", "Discovered"


money = {
    "max_digits": 14,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0"))],
}


class Asset(ClientScopedModel):
    """A device or service the client owns or rents, as inventories report it."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="assets")
    kind = models.CharField(max_length=20, choices=AssetKind.choices, default=AssetKind.OTHER)
    name = models.CharField("name / hostname", max_length=200)
    asset_tag = models.CharField(max_length=100, blank=True)
    serial = models.CharField(max_length=100, blank=True)
    manufacturer = models.CharField(max_length=120, blank=True)
    model = models.CharField(max_length=200, blank=True)
    os_name = models.CharField("OS name", max_length=120, blank=True)
    os_version = models.CharField("OS version", max_length=120, blank=True)
    cpu = models.CharField("CPU", max_length=200, blank=True)
    ram_gb = models.DecimalField(
        "RAM (GB)",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    disk_gb = models.DecimalField(
        "disk (GB)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    purchase_date = models.DateField(null=True, blank=True)
    purchase_cost = models.DecimalField(null=True, blank=True, **money)
    warranty_end = models.DateField(null=True, blank=True)
    eol_date = models.DateField(
        "end of life",
        null=True,
        blank=True,
        help_text="The vendor's end of life for this hardware (e.g. Snipe-IT's Asset EOL Date).",
    )
    status = models.CharField(
        max_length=20, choices=AssetStatus.choices, default=AssetStatus.IN_USE
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="assets"
    )
    assigned_to = models.CharField(
        "assigned person", max_length=200, blank=True, help_text="Name or email of the user."
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="assets"
    )
    location = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    # The machine a virtual machine runs on, as the host's agent inventory lists it.
    host = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="guests"
    )
    # Where the row came from, so re-imports update it instead of duplicating it.
    source = models.CharField(max_length=40, blank=True, help_text="e.g. snipeit, glpi, manual")
    external_id = models.CharField(max_length=200, blank=True)
    first_seen = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["client", "kind"], name="asset_client_kind"),
            models.Index(fields=["client", "serial"], name="asset_client_serial"),
            models.Index(fields=["client", "asset_tag"], name="asset_client_tag"),
            models.Index(fields=["client", "source", "external_id"], name="asset_client_ext"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.department_id and self.department.client_id != self.client_id:
            raise ValidationError({"department": "This department belongs to another client."})
        if self.contact_id and self.contact.client_id != self.client_id:
            raise ValidationError({"contact": "This contact belongs to another client."})


class BillingPeriod(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    ANNUAL = "annual", "Annual"
    PERPETUAL = "perpetual", "One-time (perpetual)"


class Licence(ClientScopedModel):
    """A software licence or SaaS subscription: one of the client's recurring IT costs."""

    class Kind(models.TextChoices):
        LICENCE = "licence", "Software licence"
        SUBSCRIPTION = "subscription", "SaaS subscription"

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="licences")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SUBSCRIPTION)
    vendor = models.CharField(max_length=120)
    product = models.CharField(max_length=200)
    seats_owned = models.PositiveIntegerField(default=1)
    seats_used = models.PositiveIntegerField(default=0)
    unit_cost = models.DecimalField(
        default=Decimal("0"), help_text="Per seat and billing period.", **money
    )
    billing_period = models.CharField(
        max_length=20, choices=BillingPeriod.choices, default=BillingPeriod.MONTHLY
    )
    renewal_date = models.DateField(null=True, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="licences"
    )
    license_key = models.CharField("licence key / serial", max_length=300, blank=True)
    notes = models.TextField(blank=True)
    source = models.CharField(max_length=40, blank=True)
    external_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["vendor", "product", "id"]

    def __str__(self) -> str:
        return f"{self.vendor} {self.product}".strip()

    def clean(self) -> None:
        if self.department_id and self.department.client_id != self.client_id:
            raise ValidationError({"department": "This department belongs to another client."})


class LifecyclePolicy(ClientScopedModel):
    """When the client replaces an asset kind, and what a replacement costs."""

    client = models.ForeignKey(
        "core.Client", on_delete=models.CASCADE, related_name="lifecycle_policies"
    )
    kind = models.CharField(max_length=20, choices=AssetKind.choices)
    replace_after_years = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("30"))],
    )
    replacement_cost = models.DecimalField(**money)

    class Meta:
        ordering = ["kind"]
        verbose_name_plural = "lifecycle policies"
        constraints = [
            models.UniqueConstraint(fields=["client", "kind"], name="one_policy_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.replace_after_years} years"


class EolRule(models.Model):
    """End of support of a product version: shipped data plus the practice's own rows.

    ``product`` and ``version`` are matched against an asset's OS name and
    version (case-insensitive; ``version`` is a prefix, so "22.04" matches
    "22.04.3 LTS"). Not client data: every client shares the table.
    """

    product = models.CharField(max_length=120, help_text="e.g. Windows 10, Ubuntu, macOS")
    version = models.CharField(max_length=60, blank=True, help_text="e.g. 22H2, 22.04, 14")
    edition = models.CharField(max_length=60, blank=True, help_text="e.g. Enterprise, LTSC")
    end_of_support = models.DateField()
    source_url = models.URLField(blank=True, max_length=300)
    shipped = models.BooleanField(
        default=False, help_text="Loaded from vcio's data file; practice rows are never shipped."
    )

    class Meta:
        ordering = ["product", "version", "edition"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "version", "edition"], name="one_eol_rule_per_version"
            )
        ]

    def __str__(self) -> str:
        return " ".join(p for p in (self.product, self.edition, self.version) if p)


# Child rows an agent inventory fills, kept in their own module.
from vcio.assets.models_software import Antivirus, InstalledSoftware  # noqa: E402, F401
