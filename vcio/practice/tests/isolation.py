"""Rows of every practice model for a client, for core's walkers and this app's tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from vcio.core.models import Client
from vcio.practice.models import Activity, FeeChange, PersonRate, TimeEntry


def practice_rows_for(client: Client, marker: str, user) -> TimeEntry:
    """A fee change, the user's cost rate and one time entry (note with ``marker``)."""
    today = timezone.localdate()
    FeeChange.objects.create(
        client=client, monthly_fee=Decimal("4321.00"), starts_on=today.replace(day=1),
        note=f"{marker} fee note", created_by=user,
    )  # fmt: skip
    PersonRate.objects.get_or_create(user=user, defaults={"cost_rate": Decimal("95")})
    return TimeEntry.objects.create(
        client=client, person=user, date=today - datetime.timedelta(days=1),
        hours=Decimal("2.5"), activity=Activity.REVIEW, note=f"{marker} time note",
        created_by=user,
    )  # fmt: skip
