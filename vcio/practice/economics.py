"""Each client's economics over a period: fee revenue, hours, cost, rate, margin, flags.

Revenue is the sum of the monthly fee in force in each month of the period
(:func:`vcio.practice.fees.mrr_by_month`'s reading); cost is each person's
hours × their cost rate (``PersonRate``, in ``VCIO_PRACTICE_CURRENCY``). A
margin is only computed for a client billed in the practice's currency: any
other gets a note, never a guessed exchange rate. A fixed number of queries
whatever the number of clients.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max, Sum
from django.utils import timezone

from vcio.core.fiscal import add_months
from vcio.core.registry import compute_figures, figures
from vcio.practice.fees import FeeBook, month_day, months_from
from vcio.practice.models import PersonRate, Targets, TimeEntry

ZERO = Decimal("0")
HEALTH_FIGURE = "reviews.health"  # published by the reviews app, read through the registry
PERIOD_MONTHS = 13  # the last 12 full months and the current one


@dataclass(frozen=True)
class Period:
    first: datetime.date  # first day of the first month
    last: datetime.date  # the last day counted (today for the current month)
    months: int


def default_period(today: datetime.date | None = None) -> Period:
    """The last 12 full months plus the current month, up to today."""
    today = today or timezone.localdate()
    first = add_months(today.replace(day=1), -(PERIOD_MONTHS - 1))
    return Period(first, today, PERIOD_MONTHS)


@dataclass
class ClientEconomics:
    client: object
    currency: str
    revenue: Decimal
    current_fee: Decimal
    hours: Decimal
    cost: Decimal | None = None
    rate: Decimal | None = None  # revenue per hour, in the client's currency
    margin: Decimal | None = None
    margin_percent: Decimal | None = None
    note: str = ""
    flags: list[str] = field(default_factory=list)
    missing_rates: list[str] = field(default_factory=list)
    last_contact: datetime.date | None = None
    days_since_contact: int | None = None
    health: float | None = None

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


def _round(value: Decimal, places: str = "0.01") -> Decimal:
    return value.quantize(Decimal(places))


def _hours_by_client_person(ids: list[int], period: Period) -> dict[int, dict[int, Decimal]]:
    found: dict[int, dict[int, Decimal]] = defaultdict(dict)
    rows = (
        TimeEntry.objects.filter(client_id__in=ids, date__gte=period.first, date__lte=period.last)
        .values("client_id", "person_id")
        .annotate(total=Sum("hours"))
        .values_list("client_id", "person_id", "total")
        .order_by()
    )
    for cid, pid, total in rows:
        found[cid][pid] = total
    return found


def _last_contact(ids: list[int]) -> dict[int, datetime.date]:
    rows = (
        TimeEntry.objects.filter(client_id__in=ids)
        .values("client_id")
        .annotate(last=Max("date"))
        .values_list("client_id", "last")
        .order_by()
    )
    return dict(rows)


def _health(ids: list[int]) -> dict[int, float | None]:
    if HEALTH_FIGURE not in figures:
        return {}
    return compute_figures(ids, [HEALTH_FIGURE])[HEALTH_FIGURE]


def _revenue(book: FeeBook, cid: int, period: Period, today: datetime.date) -> Decimal:
    return sum(
        (book.fee_on(cid, month_day(m, today)) for m in months_from(period.first, period.months)),
        ZERO,
    )


def _cost(per_person: dict[int, Decimal], rates: dict[int, Decimal], names) -> tuple:
    cost, missing = ZERO, []
    for pid, hours in per_person.items():
        if pid in rates:
            cost += hours * rates[pid]
        else:
            missing.append(names.get(pid, f"user {pid}"))
    return cost, sorted(missing)


def _judge(row: ClientEconomics, targets: Targets, practice_currency: str) -> None:
    """Rate, margin and flags; money compared only within the practice's currency."""
    if row.hours:
        row.rate = _round(row.revenue / row.hours)
    if row.currency != practice_currency:
        row.note = f"fee in {row.currency}, costs in {practice_currency}: not compared"
        return
    row.margin = _round(row.revenue - row.cost)
    if row.revenue:
        row.margin_percent = _round(row.margin * 100 / row.revenue, "0.1")
    elif row.cost:
        row.margin_percent = Decimal("-100.0")
    if row.margin_percent is not None and row.margin_percent < targets.margin_percent:
        row.flags.append(f"margin {row.margin_percent} % < target {targets.margin_percent} %")
    if row.rate is not None and row.rate < targets.hourly_rate:
        row.flags.append(f"rate {row.rate}/h < target {targets.hourly_rate}/h")


def client_economics(
    clients: Iterable, period: Period | None = None, today: datetime.date | None = None
) -> list[ClientEconomics]:
    """One :class:`ClientEconomics` per client, in the order given; a fixed number of queries.

    Money in the client's currency (revenue, rate) and in the practice's (cost,
    and margin when both are the same); hours over the period; health from the
    reviews app's figure when registered.
    """
    clients = list(clients)
    today = today or timezone.localdate()
    period = period or default_period(today)
    ids = [c.pk for c in clients]
    book = FeeBook(ids, until=period.last)
    hours = _hours_by_client_person(ids, period)
    people = {pid for per in hours.values() for pid in per}
    rates = dict(PersonRate.objects.filter(user_id__in=people).values_list("user_id", "cost_rate"))
    names = {
        u.pk: u.get_full_name() or u.username
        for u in get_user_model().objects.filter(pk__in=people - set(rates))
    }
    contact = _last_contact(ids)
    health = _health(ids)
    targets = Targets.current()
    practice_currency = settings.VCIO_PRACTICE_CURRENCY
    rows = []
    for client in clients:
        per_person = hours.get(client.pk, {})
        cost, missing = _cost(per_person, rates, names)
        row = ClientEconomics(
            client=client,
            currency=client.currency,
            revenue=_revenue(book, client.pk, period, today),
            current_fee=book.fee_on(client.pk, today),
            hours=sum(per_person.values(), ZERO),
            cost=_round(cost),
            missing_rates=missing,
            last_contact=contact.get(client.pk),
            health=health.get(client.pk),
        )
        if row.last_contact:
            row.days_since_contact = (today - row.last_contact).days
        _judge(row, targets, practice_currency)
        rows.append(row)
    return rows


SORTS = {
    "health": lambda r: (r.health is None, r.health if r.health is not None else 0),
    "margin": lambda r: (r.margin_percent is None, r.margin_percent or 0),
    "contact": lambda r: (r.days_since_contact is None, -(r.days_since_contact or 0)),
    "name": lambda r: (str(r.client.name).lower(),),
}


def sort_rows(rows: list[ClientEconomics], key: str) -> list[ClientEconomics]:
    """Rows sorted worst first: lowest health, lowest margin %, longest since contact."""
    return sorted(rows, key=SORTS.get(key, SORTS["name"]))


def redact(row: ClientEconomics) -> ClientEconomics:
    """The row as a consultant sees it: no cost, margin, missing rates or target flags."""
    row.cost = row.margin = row.margin_percent = None
    row.flags, row.missing_rates = [], []
    if row.note:
        row.note = ""
    return row
