"""The help-desk app's column of the coverage matrix: recent tickets by department.

Tickets opened in the 90 days ending on ``at`` (that day included, days as
the site's time zone counts them), by ``Ticket.department``; one query
whatever the number of clients. A ticket whose source department matched
none of the client's falls in the "no department" row.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count
from django.utils import timezone

from vcio.core.registry import CoverageColumn, coverage_columns
from vcio.helpdesk.models import Ticket

DAYS = 90

Key = tuple[int, int | None]


def as_day(at: Any) -> datetime.date:
    """``at`` as a day: ``None`` is today, a datetime its local day."""
    if at is None:
        return timezone.localdate()
    if isinstance(at, datetime.datetime):
        return timezone.localdate(at) if timezone.is_aware(at) else at.date()
    return at


def window(at: Any) -> tuple[datetime.datetime, datetime.datetime]:
    """The start (included) and end (excluded) of the ``DAYS`` days ending on ``at``."""
    day = as_day(at)
    tz = timezone.get_current_timezone()
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tz)
    return end - datetime.timedelta(days=DAYS), end


def tickets(client_ids: list[int], at: Any = None) -> dict[Key, int]:
    """Tickets opened in the last 90 days per (client, department); one query."""
    start, end = window(at)
    rows = (
        Ticket.objects.filter(client_id__in=client_ids, opened_at__gte=start, opened_at__lt=end)
        .order_by()
        .values("client_id", "department_id")
        .annotate(n=Count("pk"))
    )
    return {(r["client_id"], r["department_id"]): r["n"] for r in rows}


def register() -> None:
    coverage_columns.register(
        CoverageColumn(
            key="helpdesk.tickets",
            label="Tickets (90 days)",
            collect=tickets,
            description=f"Help-desk tickets the department opened in the last {DAYS} days.",
            order=70,
            app="helpdesk",
        )
    )
