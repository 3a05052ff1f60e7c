"""The businesses a practice serves, their departments and their contacts."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from vcio.core.scoping import ClientScopedModel, ScopedManager, ScopedRow

MONTHS = [
    (1, "January"),
    (2, "February"),
    (3, "March"),
    (4, "April"),
    (5, "May"),
    (6, "June"),
    (7, "July"),
    (8, "August"),
    (9, "September"),
    (10, "October"),
    (11, "November"),
    (12, "December"),
]

# The currencies SMB clients of a practice are most often billed in; the
# field accepts any ISO 4217 code of three capital letters.
COMMON_CURRENCIES = ["USD", "EUR", "GBP", "CAD", "AUD", "CHF", "NZD", "SEK", "NOK", "DKK"]

INDUSTRIES = [
    ("accounting", "Accounting & finance"),
    ("construction", "Construction"),
    ("education", "Education"),
    ("healthcare", "Healthcare"),
    ("hospitality", "Hospitality"),
    ("legal", "Legal services"),
    ("logistics", "Logistics & transport"),
    ("manufacturing", "Manufacturing"),
    ("nonprofit", "Non-profit"),
    ("professional", "Professional services"),
    ("real_estate", "Real estate"),
    ("retail", "Retail"),
    ("technology", "Technology"),
    ("other", "Other"),
]


def validate_currency(value: str) -> None:
    if len(value) != 3 or not value.isalpha() or not value.isupper():
        raise ValidationError(
            "%(value)s is not an ISO 4217 currency code (three capital letters, e.g. USD).",
            params={"value": value},
        )


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            "%(value)s is not a time zone name (e.g. Europe/Paris).", params={"value": value}
        )


class Client(ScopedRow):
    """A business the practice acts as CIO for."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(
        max_length=60,
        unique=True,
        help_text="Short name used in addresses, e.g. acme.",
    )
    industry = models.CharField(max_length=40, choices=INDUSTRIES, default="other")
    employee_count = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(1_000_000)]
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        choices=MONTHS,
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="The month the client's fiscal year starts (Q1 begins then).",
    )
    currency = models.CharField(max_length=3, default="USD", validators=[validate_currency])
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    website = models.URLField(blank=True)
    monthly_fee = models.DecimalField(
        "monthly fee",
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="What the client pays the practice each month (an opex line).",
    )
    contract_start = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True, help_text="Visible to the client's own users.")
    internal_notes = models.TextField(
        blank=True, help_text="Practice only: never shown to the client's users."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_field = "id"
    scope_kind = "client"

    objects = ScopedManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fiscal_year_start_month__gte=1)
                & models.Q(fiscal_year_start_month__lte=12),
                name="client_fiscal_month_1_12",
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_fee__gte=0), name="client_monthly_fee_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("core:client_detail", kwargs={"client": self.slug})


class Department(ClientScopedModel):
    """A part of the client's organisation (finance, operations, …)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(max_length=120)
    cost_centre = models.CharField(max_length=40, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="department_name_per_client")
        ]

    def __str__(self) -> str:
        return self.name


class Contact(ClientScopedModel):
    """A person at the client: leaders who attend reviews, key users, vendors."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80, blank=True)
    title = models.CharField("job title", max_length=120, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    is_primary = models.BooleanField(
        "primary contact", default=False, help_text="The first person to call."
    )
    is_decision_maker = models.BooleanField(
        default=False, help_text="Approves budgets and initiatives."
    )

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self) -> None:
        # A department of another client would link two clients' data.
        if self.department_id and self.department.client_id != self.client_id:
            raise ValidationError({"department": "This department belongs to another client."})
