"""Demo economics: people's cost rates, a year of fees and of time entries per client.

Acme (4,500 USD a month, up from 4,000 five months ago) takes about 12
hours a month: comfortably profitable. Globex (2,800 USD) takes about 44
hours a month (clinics, a network project) costing about 3,200 USD: it
loses money every month, and its effective rate (about 64 USD/h) is far
below the target, so the practice page flags it. Initech (1,200 GBP a
month, about 8 hours) is billed in GBP: the page shows its cost beside its
revenue rather than a margin at a guessed exchange rate. Idempotent: each
entry carries a stable ``demo:…`` id.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from vcio.core.fiscal import add_months
from vcio.core.registry import DemoLoader, demo_loaders
from vcio.practice.fees import sync_client_fee
from vcio.practice.models import Activity, FeeChange, PersonRate, Targets, TimeEntry

A = Activity
MONTHS = 13
# username: (cost per hour, client hours a month)
# Bob gives 7 h a month to reviews besides his project work: his QBR months are over.
RATES = {"alice": ("110", "40"), "frank": ("90", "60"), "bob": ("85", "7"), "tess": ("55", "140")}
# client: [(username, day of month, hours, activity, note)] every month
MONTHLY = {
    "acme": [
        ("bob", 10, "3", A.REVIEW, "Monthly review: prepare, meet, write up"),
        ("bob", 18, "2", A.PROJECT, "Roadmap: laptop refresh scoping"),
        ("tess", 4, "3", A.AD_HOC, "Onboarding and access requests"),
        ("tess", 21, "3.5", A.AD_HOC, "Backup restore test and patch check"),
    ],
    "globex": [
        ("alice", 12, "4", A.REVIEW, "Monthly review (long: many open items)"),
        ("frank", 5, "8", A.PROJECT, "Network segmentation project"),
        ("frank", 19, "8", A.PROJECT, "Network segmentation project"),
        ("tess", 6, "8", A.AD_HOC, "Clinic workstation issues"),
        ("tess", 14, "8", A.AD_HOC, "Firefighting: printers, shared drive, email"),
        ("tess", 22, "8", A.AD_HOC, "Vendor escalations"),
    ],
    "initech": [
        ("bob", 8, "3", A.REVIEW, "Monthly review"),
        ("bob", 15, "3", A.AD_HOC, "Office move planning"),
        ("bob", 24, "2", A.ASSESSMENT, "Security assessment follow-up"),
    ],
}
ACME_RAISE_MONTHS_AGO = 5


def _fees(clients: dict, users: dict, today: datetime.date) -> None:
    acme = clients["acme"]
    raise_on = add_months(today.replace(day=1), -ACME_RAISE_MONTHS_AGO)
    for starts_on, fee, note in (
        (acme.contract_start or add_months(raise_on, -12), "4000.00", "Contract signed"),
        (raise_on, "4500.00", "Yearly review: scope grew to include the new site"),
    ):
        FeeChange.objects.update_or_create(
            client=acme,
            starts_on=starts_on,
            defaults={"monthly_fee": Decimal(fee), "note": note, "created_by": users["alice"]},
        )
    sync_client_fee(acme)


def _entries(clients: dict, users: dict, today: datetime.date) -> int:
    first = add_months(today.replace(day=1), -(MONTHS - 1))
    wanted = []
    for slug, lines in MONTHLY.items():
        client = clients[slug]
        for m in range(MONTHS):
            month = add_months(first, m)
            for n, (who, day, hours, activity, note) in enumerate(lines):
                date = month.replace(day=day)
                if date >= today:
                    continue
                wanted.append(
                    TimeEntry(
                        client=client,
                        person=users[who],
                        date=date,
                        hours=Decimal(hours),
                        activity=activity,
                        note=note,
                        created_by=users[who],
                        external_id=f"demo:{slug}:{month:%Y-%m}:{n}",
                    )
                )
    have = set(
        TimeEntry.objects.filter(external_id__startswith="demo:").values_list(
            "client_id", "external_id"
        )
    )
    fresh = [e for e in wanted if (e.client.pk, e.external_id) not in have]
    TimeEntry.objects.bulk_create(fresh)
    return len(fresh)


@transaction.atomic
def load_practice(ctx: dict[str, Any], log: Callable[[str], None]) -> None:
    clients, users = ctx["clients"], ctx["users"]
    today = timezone.localdate()
    for username, (cost, capacity) in RATES.items():
        PersonRate.objects.update_or_create(
            user=users[username],
            defaults={"cost_rate": Decimal(cost), "capacity_hours": Decimal(capacity)},
        )
    if not Targets.objects.exists():
        Targets.objects.create()
    _fees(clients, users, today)
    added = _entries(clients, users, today)
    log(f"practice: {len(RATES)} cost rates, Acme's fee change, {added} new time entries")


def register() -> None:
    demo_loaders.register(DemoLoader("practice", load_practice, order=70))
