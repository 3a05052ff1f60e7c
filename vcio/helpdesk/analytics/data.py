"""Periods in a client's calendar, and the ticket rows a period's figures read.

A period is a run of whole days in the client's time zone (``start`` and
``end`` included). Figures are "as of" the end of the period, or now when
the period is not over: a ticket resolved after that instant still counts
as open, so a report is recomputable later from the rows kept.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q
from django.db.models.functions import Coalesce

from vcio.core.fiscal import add_months, quarter_of
from vcio.helpdesk.models import Status, Ticket

FIELDS = (
    "id", "client_id", "opened_at", "first_response_at", "resolved_at", "closed_at",
    "reopen_count", "priority", "status", "topic_id", "department_id", "source_department",
    "asset_id", "requester", "satisfaction",
)  # fmt: skip


@dataclass(frozen=True)
class Period:
    """Days ``start``..``end`` (both included) in ``time_zone``; ``label`` names them."""

    start: datetime.date
    end: datetime.date
    time_zone: str = "UTC"
    label: str = ""

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def utc_start(self) -> datetime.datetime:
        """The first instant of ``start`` in the client's zone."""
        return datetime.datetime.combine(self.start, datetime.time(), self.zone)

    @property
    def utc_end(self) -> datetime.datetime:
        """The first instant after ``end`` (excluded bound)."""
        day = self.end + datetime.timedelta(days=1)
        return datetime.datetime.combine(day, datetime.time(), self.zone)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def as_of(self, now: datetime.datetime) -> datetime.datetime:
        """The instant the period's figures are taken at: its end, or ``now`` if sooner."""
        return min(self.utc_end, now)

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        end = self.start - datetime.timedelta(days=1)
        return Period(end - datetime.timedelta(days=self.days - 1), end, self.time_zone)

    def year_before(self) -> Period:
        """The same days one year earlier (29 February falls back to the 28th)."""
        return Period(add_months(self.start, -12), add_months(self.end, -12), self.time_zone)


def period_of(kind: str, day: datetime.date, time_zone: str, fiscal_start: int = 1) -> Period:
    """The calendar month, fiscal quarter or fiscal year holding ``day``.

    Raises ``ValueError`` naming ``kind`` when it is none of month, quarter, year.
    """
    if kind == "month":
        start = day.replace(day=1)
        end = add_months(start, 1) - datetime.timedelta(days=1)
        return Period(start, end, time_zone, f"{day:%B %Y}")
    if kind == "quarter":
        q = quarter_of(day, fiscal_start)
        return Period(q.start, q.end, time_zone, q.label)
    if kind == "year":
        first = quarter_of(day, fiscal_start).shift(-(quarter_of(day, fiscal_start).quarter - 1))
        return Period(first.start, first.shift(3).end, time_zone, f"FY{first.fiscal_year}")
    raise ValueError(f"period {kind!r} is not one of month, quarter, year")


def done_at(row: dict[str, Any]) -> datetime.datetime | None:
    """When the ticket stopped being owed: resolved, else closed (None while open)."""
    return row["resolved_at"] or row["closed_at"]


def is_open_at(row: dict[str, Any], instant: datetime.datetime) -> bool:
    """Opened by ``instant`` and not resolved, closed nor cancelled by then.

    A cancelled ticket, or one marked done without a date, left the backlog
    at a time the source did not say: it is never counted as open.
    """
    if row["opened_at"] >= instant:
        return False
    done = done_at(row)
    if done is None:
        return row["status"] not in (Status.CANCELLED, Status.RESOLVED, Status.CLOSED)
    return done >= instant


def load_rows(
    client_ids: list[int], start: datetime.datetime, end: datetime.datetime
) -> list[dict]:
    """Tickets alive in [start, end): opened before ``end``, not done before ``start``.

    One query; each row carries its topic's, department's and asset's names.
    """
    alive = Q(resolved_at__isnull=True, closed_at__isnull=True) | Q(done__gte=start)
    return list(
        Ticket.objects.filter(client_id__in=client_ids, opened_at__lt=end)
        .annotate(done=Coalesce("resolved_at", "closed_at"))
        .filter(alive)
        .values(
            *FIELDS,
            topic_name=F("topic__name"),
            department_name=F("department__name"),
            asset_name=F("asset__name"),
        )
        .order_by("opened_at", "id")
    )


def opened_in(rows: list[dict], start: datetime.datetime, end: datetime.datetime) -> list[dict]:
    """Rows opened in [start, end)."""
    return [r for r in rows if start <= r["opened_at"] < end]


def resolved_in(rows: list[dict], start: datetime.datetime, end: datetime.datetime) -> list[dict]:
    """Rows resolved (or closed) in [start, end), cancelled ones left out."""
    return [
        r
        for r in rows
        if r["status"] != Status.CANCELLED and (d := done_at(r)) is not None and start <= d < end
    ]
