"""Replacement forecast: what ages out in each of the client's fiscal quarters.

Each asset's replacement due date (lifecycle.replacement_due) is placed in
the client's fiscal quarter that contains it; anything already overdue goes
into the current quarter, flagged, because that is when the money is needed.
Costs are in the client's currency: the policy's replacement cost, else what
the asset cost, else nothing (counted in ``cost_unknown``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from vcio.assets.lifecycle import AssetLifecycle, assess, client_today
from vcio.core.fiscal import FiscalQuarter, next_quarters

DEFAULT_QUARTERS = 12  # three fiscal years


@dataclass
class QuarterForecast:
    """Replacements due in one fiscal quarter; money in the client's currency."""

    quarter: FiscalQuarter
    count: int = 0
    cost: Decimal = Decimal("0")
    by_kind: dict[str, int] = field(default_factory=dict)
    cost_by_kind: dict[str, Decimal] = field(default_factory=dict)
    # Of ``count``: due before today (only ever in the first quarter) …
    overdue: int = 0
    # … and with no cost estimate at all (not in ``cost``).
    cost_unknown: int = 0
    asset_ids: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.quarter.label

    def add(self, row: AssetLifecycle, overdue: bool) -> None:
        self.count += 1
        self.overdue += overdue
        self.by_kind[row.kind] = self.by_kind.get(row.kind, 0) + 1
        self.asset_ids.append(row.asset_id)
        if row.cost is None:
            self.cost_unknown += 1
            return
        self.cost += row.cost
        self.cost_by_kind[row.kind] = self.cost_by_kind.get(row.kind, Decimal("0")) + row.cost


def place(
    rows: Iterable[AssetLifecycle], quarters: list[FiscalQuarter], today: datetime.date
) -> list[QuarterForecast]:
    """One ``QuarterForecast`` per quarter; no queries.

    ``quarters`` must be consecutive and start with the quarter containing
    ``today``. Overdue rows land in the first; rows due after the last are left out.
    """
    forecast = [QuarterForecast(q) for q in quarters]
    if not forecast:
        return forecast
    by_start = {q.start: i for i, q in enumerate(quarters)}
    start_month = quarters[0].start_month
    last_day = quarters[-1].end
    for row in rows:
        if row.due is None or row.due > last_day:
            continue
        if row.due < today:
            forecast[0].add(row, overdue=True)
            continue
        index = by_start.get(_quarter_start(row.due, start_month))
        if index is not None:
            forecast[index].add(row, overdue=False)
    return forecast


def _quarter_start(day: datetime.date, start_month: int) -> datetime.date:
    months_in = (day.month - start_month) % 3
    month_index = day.year * 12 + day.month - 1 - months_in
    return datetime.date(month_index // 12, month_index % 12 + 1, 1)


def replacement_forecast(
    client: Any, today: datetime.date | None = None, quarters: int = DEFAULT_QUARTERS
) -> list[QuarterForecast]:
    """Replacements by fiscal quarter for ``quarters`` quarters from the current one.

    ``client`` is a ``Client`` (or its id); ``today`` defaults to today in
    the client's time zone. Three queries given a ``Client``, four given an
    id, whatever the number of assets.
    """
    from vcio.core.models import Client

    if not isinstance(client, Client):
        client = Client.objects.only("id", "currency", "time_zone", "fiscal_year_start_month").get(
            pk=client
        )
    today = today or client_today(client.time_zone)
    summary = assess(client, today)
    return place(
        summary.rows.values(),
        next_quarters(today, client.fiscal_year_start_month, quarters),
        today,
    )


def total_cost(forecast: Iterable[QuarterForecast]) -> Decimal:
    """The cost of a forecast (or of a slice of it, e.g. ``forecast[:4]``)."""
    return sum((q.cost for q in forecast), Decimal("0"))
