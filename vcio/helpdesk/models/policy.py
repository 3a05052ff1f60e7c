"""A client's help-desk terms: business hours the clock runs in, SLA targets per priority."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

from vcio.core.scoping import ClientScopedModel
from vcio.helpdesk.models.tickets import Priority


def holiday_dates(text: str) -> tuple[datetime.date, ...]:
    """The dates written in ``text`` (ISO ``YYYY-MM-DD``, separated by commas, spaces or lines).

    ``ValueError`` naming the first value that is not such a date.
    """
    found = set()
    for word in text.replace(",", " ").split():
        try:
            found.add(datetime.date.fromisoformat(word))
        except ValueError:
            raise ValueError(f"'{word}' is not a date written YYYY-MM-DD") from None
    return tuple(sorted(found))


def validate_holidays(text: str) -> None:
    try:
        holiday_dates(text)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


# Targets a managed-services agreement commonly sets, in business hours, when a client has none.
DEFAULT_SLA_HOURS: dict[str, tuple[Decimal, Decimal]] = {
    Priority.CRITICAL: (Decimal("1"), Decimal("4")),
    Priority.HIGH: (Decimal("2"), Decimal("8")),
    Priority.MEDIUM: (Decimal("4"), Decimal("24")),
    Priority.LOW: (Decimal("8"), Decimal("40")),
}


class HelpdeskPolicy(ClientScopedModel):
    """When the help desk's clock runs for a client, and when a problem counts as recurring."""

    client = models.OneToOneField(
        "core.Client", on_delete=models.CASCADE, related_name="helpdesk_policy"
    )
    business_days = models.CharField(
        max_length=7,
        default="12345",
        validators=[RegexValidator(r"^[1-7]{1,7}$", "Days as digits 1 (Monday) to 7 (Sunday).")],
        help_text="ISO weekdays the help desk works, e.g. 12345 for Monday to Friday.",
    )
    business_start = models.TimeField(default=datetime.time(8, 0))
    business_end = models.TimeField(default=datetime.time(18, 0))
    # The SLA clock stops on these as on a weekend: a ticket opened the evening
    # before Christmas is not four business hours late the morning after.
    holidays = models.TextField(
        blank=True,
        validators=[validate_holidays],
        help_text="Days the help desk is closed, e.g. public holidays: YYYY-MM-DD, "
        "separated by commas or lines.",
    )
    recurring_count = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(2)],
        help_text="Tickets of one topic on one asset or department that make a recurring problem.",
    )
    recurring_days = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1)], help_text="…within this many days."
    )

    def clean(self) -> None:
        if self.business_end <= self.business_start:
            raise ValidationError(
                {"business_end": "Business hours must end after they start on the same day."}
            )

    def __str__(self) -> str:
        return f"Help-desk policy of {self.client}"


class SlaTarget(ClientScopedModel):
    """Hours (business hours) allowed to first respond to and to resolve a ticket of a priority."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    priority = models.CharField(max_length=10, choices=Priority.choices)
    first_response_hours = models.DecimalField(
        max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    resolve_hours = models.DecimalField(
        max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )

    class Meta:
        ordering = ["client", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["client", "priority"], name="helpdesk_sla_priority"),
            models.CheckConstraint(
                condition=models.Q(first_response_hours__gt=0) & models.Q(resolve_hours__gt=0),
                name="helpdesk_sla_hours_positive",
            ),
        ]

    def __str__(self) -> str:
        respond, resolve = self.first_response_hours, self.resolve_hours
        return f"{self.get_priority_display()}: respond {respond} h, resolve {resolve} h"
