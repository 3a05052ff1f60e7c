"""Fiscal years and quarters of a client.

Convention (the one most US businesses use): a fiscal year is named by the
calendar year it ENDS in. A client whose fiscal year starts in July is in
FY2027 from 2026-07-01 to 2027-06-30, and FY2027 Q1 is July–September 2026.
For a fiscal year starting in January the fiscal year is the calendar year.

Everything here is a pure function of dates and the client's
``fiscal_year_start_month`` (1–12), so the lifecycle forecast and the
strategy roadmap place things in the same quarters.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

_LABEL = re.compile(r"^\s*FY\s*(\d{4})\s*[- ]?\s*Q([1-4])\s*$", re.IGNORECASE)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months`` calendar months, clamped to the month's last day.

    2024-02-29 + 12 months is 2025-02-28; 2026-01-31 + 1 month is 2026-02-28.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    return datetime.date(year, month, min(day.day, _days_in_month(year, month)))


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (datetime.date(year, month + 1, 1) - datetime.date(year, month, 1)).days


def _check_month(start_month: int) -> None:
    if not 1 <= start_month <= 12:
        raise ValueError(f"fiscal year start month must be 1 to 12, not {start_month!r}")


@dataclass(frozen=True, order=True)
class FiscalQuarter:
    """One quarter of a client's fiscal year; ``end`` is inclusive.

    Ordered by (fiscal_year, quarter), so quarters of one client sort in time.
    """

    fiscal_year: int
    quarter: int
    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        """E.g. "FY2026 Q1"."""
        return f"FY{self.fiscal_year} Q{self.quarter}"

    @property
    def start_month(self) -> int:
        """The month the fiscal year of this quarter starts in."""
        return add_months(self.start, -3 * (self.quarter - 1)).month

    def __str__(self) -> str:
        return self.label

    def __contains__(self, day: object) -> bool:
        return isinstance(day, datetime.date) and self.start <= day <= self.end

    def shift(self, quarters: int) -> FiscalQuarter:
        """The quarter ``quarters`` later (earlier when negative)."""
        return quarter_of(add_months(self.start, 3 * quarters), self.start_month)

    def next(self) -> FiscalQuarter:
        return self.shift(1)


def fiscal_year_of(day: datetime.date, start_month: int) -> int:
    """The fiscal year ``day`` falls in, named by the calendar year it ends in."""
    _check_month(start_month)
    start_year = day.year if day.month >= start_month else day.year - 1
    return start_year if start_month == 1 else start_year + 1


def fiscal_year_bounds(fiscal_year: int, start_month: int) -> tuple[datetime.date, datetime.date]:
    """First and last day (inclusive) of fiscal year ``fiscal_year``."""
    _check_month(start_month)
    start_year = fiscal_year if start_month == 1 else fiscal_year - 1
    start = datetime.date(start_year, start_month, 1)
    return start, add_months(start, 12) - datetime.timedelta(days=1)


def quarter_of(day: datetime.date, start_month: int) -> FiscalQuarter:
    """The fiscal quarter containing ``day`` for a year starting in ``start_month``."""
    _check_month(start_month)
    fiscal_year = fiscal_year_of(day, start_month)
    year_start, _ = fiscal_year_bounds(fiscal_year, start_month)
    quarter = (day.month - start_month) % 12 // 3 + 1
    start = add_months(year_start, 3 * (quarter - 1))
    end = add_months(start, 3) - datetime.timedelta(days=1)
    return FiscalQuarter(fiscal_year, quarter, start, end)


def next_quarters(today: datetime.date, start_month: int, n: int) -> list[FiscalQuarter]:
    """``n`` consecutive quarters, starting with the one containing ``today``."""
    if n < 0:
        raise ValueError(f"the number of quarters cannot be negative ({n})")
    first = quarter_of(today, start_month)
    return [first.shift(i) for i in range(n)]


def parse_quarter(label: str, start_month: int) -> FiscalQuarter:
    """The quarter named by a label such as "FY2026 Q1" (also "fy2026-q1").

    Raises ``ValueError`` naming the label when it is not of that form.
    """
    match = _LABEL.match(label or "")
    if not match:
        raise ValueError(f"{label!r} is not a fiscal quarter (expected e.g. 'FY2026 Q1')")
    fiscal_year, quarter = int(match[1]), int(match[2])
    year_start, _ = fiscal_year_bounds(fiscal_year, start_month)
    return quarter_of(add_months(year_start, 3 * (quarter - 1)), start_month)
