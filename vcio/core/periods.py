"""Naming the period a statement covers, for pages that speak of many clients at once.

"This month" and "this quarter" mean each client's own month (its time
zone) and fiscal quarter (its fiscal year): a page says which, by name
("December 2026", "FY2027 Q2"), so two statements side by side never seem to
contradict each other.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from typing import Any, Literal

from django.utils import timezone

from vcio.core.fiscal import quarter_of

PeriodKind = Literal["month", "quarter"]


def client_today(client: Any) -> datetime.date:
    """Today in ``client``'s time zone."""
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(client.time_zone))


def period_name(day: datetime.date, kind: PeriodKind, fiscal_start_month: int = 1) -> str:
    """ "December 2026" for a month, "FY2027 Q2" for a fiscal quarter."""
    if kind == "month":
        return f"{day:%B %Y}"
    return quarter_of(day, fiscal_start_month).label


def current_period_name(clients: Iterable[Any], kind: PeriodKind) -> str:
    """The name of the current month or fiscal quarter of ``clients`` ("" for none).

    One name when they share it (the usual case); otherwise every name, in
    order ("FY2026 Q4 or FY2027 Q2"), since clients' fiscal years and time
    zones differ. No query: the clients' rows carry their zone and fiscal year.
    """
    names = sorted({period_name(client_today(c), kind, c.fiscal_year_start_month) for c in clients})
    return " or ".join(names)
