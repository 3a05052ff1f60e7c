"""Small builders for the practice's tests: entries and rates written straight to the database."""

from __future__ import annotations

import datetime
from decimal import Decimal

from vcio.practice.models import Activity, PersonRate, TimeEntry


def entry(
    client, person, day: datetime.date, hours, activity=Activity.AD_HOC, note=""
) -> TimeEntry:
    return TimeEntry.objects.create(
        client=client,
        person=person,
        date=day,
        hours=Decimal(str(hours)),
        activity=activity,
        note=note,
    )


def rate(user, cost, capacity="120") -> PersonRate:
    found, _ = PersonRate.objects.update_or_create(
        user=user, defaults={"cost_rate": Decimal(str(cost)), "capacity_hours": Decimal(capacity)}
    )
    return found
