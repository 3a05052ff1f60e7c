"""The capacity calendar: scheduled work per person and month against their capacity.

Work comes from core's scheduled-work registry (the reviews app's reviews
due, each on the client's consultant); capacity is ``PersonRate.capacity_hours``.
A month is over capacity when the hours due exceed it. Work nobody is
assigned to has its own row.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model

from vcio.core.registry import scheduled_work
from vcio.practice.fees import months_from
from vcio.practice.models import PersonRate

ZERO = Decimal("0")
MONTHS_AHEAD = 12


@dataclass
class Cell:
    due: Decimal
    capacity: Decimal | None
    labels: list[str] = field(default_factory=list)

    @property
    def over(self) -> bool:
        return self.capacity is not None and self.due > self.capacity


@dataclass
class PersonRow:
    user_id: int | None
    name: str
    capacity: Decimal | None
    cells: list[Cell]

    @property
    def over_months(self) -> int:
        return sum(1 for c in self.cells if c.over)


@dataclass
class Grid:
    months: list[datetime.date]
    rows: list[PersonRow]


def capacity_grid(
    client_ids: Iterable[int],
    first_month: datetime.date,
    months: int = MONTHS_AHEAD,
    show_capacity_of: set[int] | None = None,
) -> Grid:
    """People × months of hours due vs capacity; ``show_capacity_of`` limits whose capacity
    is shown (``None``: everybody's). People with a rate but no work get a row too when
    their capacity is shown to everybody."""
    month_list = months_from(first_month, months)
    work = scheduled_work(client_ids, month_list[0], months)
    due: dict[int | None, dict[datetime.date, list]] = defaultdict(lambda: defaultdict(list))
    for w in work:
        due[w.user_id][w.month].append(w)
    rates = dict(PersonRate.objects.values_list("user_id", "capacity_hours"))
    people = {uid for uid in due if uid is not None}
    if show_capacity_of is None:
        people |= set(rates)
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=people)}
    rows = []
    for uid in sorted(people, key=lambda u: users[u].username if u in users else ""):
        if uid not in users:
            continue
        shown = show_capacity_of is None or uid in show_capacity_of
        capacity = rates.get(uid) if shown else None
        rows.append(
            PersonRow(
                uid,
                users[uid].get_full_name() or users[uid].username,
                capacity,
                _cells(due.get(uid, {}), month_list, capacity),
            )
        )
    if None in due:
        rows.append(PersonRow(None, "Unassigned", None, _cells(due[None], month_list, None)))
    return Grid(month_list, rows)


def _cells(by_month, month_list, capacity) -> list[Cell]:
    cells = []
    for month in month_list:
        items = by_month.get(month, [])
        cells.append(
            Cell(
                due=sum((w.hours for w in items), ZERO),
                capacity=capacity,
                labels=[w.label for w in items],
            )
        )
    return cells
