"""Reading the period a page or API call asks for; errors name the parameter and the value.

Either ``start`` and ``end`` (ISO dates, both included), or ``period``
(month, quarter, year: the client's calendar month, fiscal quarter or
fiscal year) holding the day ``on`` (default: the client's today). With
nothing given: the current fiscal quarter.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from vcio.helpdesk.analytics.data import Period, period_of

KINDS = ("month", "quarter", "year")
EARLIEST, LATEST = datetime.date(1970, 1, 1), datetime.date(2199, 12, 31)
MAX_DAYS = 3 * 366  # a longer span is a typo, and loads years of tickets


class PeriodError(ValueError):
    """A bad parameter: ``field`` is its name, the message says what was wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _date(params: Mapping[str, str], field: str) -> datetime.date | None:
    raw = (params.get(field) or "").strip()
    if not raw:
        return None
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        raise PeriodError(field, f"{field}: {raw!r} is not a date (expected YYYY-MM-DD).") from None
    if not EARLIEST <= day <= LATEST:
        # Comparisons reach a year back and a period forward: keep clear of year 1 and 9999.
        raise PeriodError(field, f"{field}: {day} is outside {EARLIEST.year}–{LATEST.year}.")
    return day


def parse_period(params: Mapping[str, str], client, today: datetime.date) -> Period:
    """The period ``params`` ask for, in ``client``'s zone and fiscal year.

    Raises :class:`PeriodError` naming the parameter when a value is wrong.
    """
    start, end = _date(params, "start"), _date(params, "end")
    if start or end:
        if not (start and end):
            missing = "end" if start else "start"
            raise PeriodError(missing, f"{missing}: give both start and end, or neither.")
        if end < start:
            raise PeriodError("end", f"end: {end} is before start {start}.")
        if (end - start).days + 1 > MAX_DAYS:
            raise PeriodError("end", f"end: {start} to {end} is longer than 3 years.")
        return Period(start, end, client.time_zone, f"{start:%d %b %Y} – {end:%d %b %Y}")
    kind = (params.get("period") or "quarter").strip()
    if kind not in KINDS:
        raise PeriodError("period", f"period: {kind!r} is not one of month, quarter, year.")
    on = _date(params, "on") or today
    return period_of(kind, on, client.time_zone, client.fiscal_year_start_month)
