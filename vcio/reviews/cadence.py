"""When reviews are due: plain date arithmetic over a client's cadence and fiscal year.

A monthly review held in month M looks back at month M-1; a QBR held in a
fiscal quarter looks back at the previous fiscal quarter and takes the place
of that month's monthly review. A due review is *overdue* once its day has
passed and no review of that kind and period has been finalised.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from vcio.core.fiscal import add_months, quarter_of
from vcio.core.models import Client
from vcio.reviews.models import Review, ReviewCadence, ReviewKind, ReviewStatus

# How far back an unheld review still counts as overdue (older ones are history, not a to-do).
OVERDUE_LOOKBACK_MONTHS = 3


@dataclass(frozen=True)
class DueReview:
    client_id: int
    kind: str
    due_on: datetime.date
    period_start: datetime.date
    period_end: datetime.date

    @property
    def kind_label(self) -> str:
        return ReviewKind(self.kind).label


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def review_period(kind: str, meeting: datetime.date, fiscal_start_month: int) -> tuple:
    """The period a review held on ``meeting`` covers: the month or fiscal quarter before."""
    if kind == ReviewKind.QBR:
        this_quarter = quarter_of(meeting, fiscal_start_month)
        start = add_months(this_quarter.start, -3)
        return start, this_quarter.start - datetime.timedelta(days=1)
    first = month_start(meeting)
    start = add_months(first, -1)
    return start, first - datetime.timedelta(days=1)


def _is_qbr_month(cadence: ReviewCadence, month_first: datetime.date, fiscal_month: int) -> bool:
    if not cadence.qbr_enabled:
        return False
    quarter = quarter_of(month_first, fiscal_month)
    return month_first == add_months(quarter.start, cadence.qbr_month - 1)


def due_in(
    cadence: ReviewCadence, fiscal_month: int, start: datetime.date, end: datetime.date
) -> list[DueReview]:
    """Every review due from ``start`` to ``end`` (both included), in date order."""
    found: list[DueReview] = []
    month = month_start(start)
    while month <= end:
        if _is_qbr_month(cadence, month, fiscal_month):
            kind, day = ReviewKind.QBR, cadence.qbr_day
        elif cadence.monthly_enabled:
            kind, day = ReviewKind.MONTHLY, cadence.monthly_day
        else:
            month = add_months(month, 1)
            continue
        due_on = month.replace(day=day)
        if start <= due_on <= end:
            p_start, p_end = review_period(kind, due_on, fiscal_month)
            found.append(DueReview(cadence.client_id, str(kind), due_on, p_start, p_end))
        month = add_months(month, 1)
    return found


def next_due(cadence: ReviewCadence, fiscal_month: int, today: datetime.date) -> DueReview | None:
    """The first review due on or after ``today`` (within the next year)."""
    upcoming = due_in(cadence, fiscal_month, today, add_months(today, 12))
    return upcoming[0] if upcoming else None


def cadences_for(clients: Iterable[Client]) -> dict[int, ReviewCadence]:
    """Each client's cadence; a client without one gets the defaults (unsaved), in one query."""
    clients = list(clients)
    saved = {
        c.client_id: c
        for c in ReviewCadence.objects.filter(client_id__in=[c.pk for c in clients]).order_by()
    }
    return {c.pk: saved.get(c.pk) or ReviewCadence(client_id=c.pk) for c in clients}


@dataclass(frozen=True)
class ClientSchedule:
    next_due: DueReview | None
    overdue: list[DueReview]


def schedules(clients: Iterable[Client], today: datetime.date) -> dict[int, ClientSchedule]:
    """Next due and overdue reviews of many clients, in two queries."""
    clients = list(clients)
    cadences = cadences_for(clients)
    since = add_months(month_start(today), -OVERDUE_LOOKBACK_MONTHS)
    held = set(
        Review.objects.filter(
            client_id__in=[c.pk for c in clients],
            status=ReviewStatus.FINALISED,
            period_start__gte=add_months(since, -3),
        )
        .order_by()
        .values_list("client_id", "kind", "period_start")
    )
    result: dict[int, ClientSchedule] = {}
    for client in clients:
        cadence = cadences[client.pk]
        month = client.fiscal_year_start_month
        past = due_in(cadence, month, since, today - datetime.timedelta(days=1))
        overdue = [d for d in past if (client.pk, d.kind, d.period_start) not in held]
        result[client.pk] = ClientSchedule(next_due(cadence, month, today), overdue)
    return result
