"""The strategy app's columns of the coverage matrix: goals, initiatives, initiative spend.

- **Goals**: the client's *active* goals, by ``BusinessGoal.department``.
- **Initiatives**: initiatives that are not declined, counted once in each
  department whose goals they serve (through their goal links, whatever the
  goal's status): an initiative serving goals of two departments counts once
  in each, so the column's total can exceed the number of initiatives. The
  "no department" row (``None``) gets the initiatives that serve no
  departmental goal (no goal at all, or only goals without a department).
- **Initiative spend**: the same initiatives' capex plus one year of opex
  (a saving lowers it), split evenly between the departments each serves
  (to the cent; the rounding remainder goes to the department with the
  lowest id), so the column's total is the portfolio's total.

Each column collects for many clients in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_DOWN, Decimal
from typing import Any

from vcio.core.registry import CoverageColumn, coverage_columns
from vcio.strategy.models import BusinessGoal, Initiative, InitiativeGoal
from vcio.strategy.models.goals import GoalStatus
from vcio.strategy.models.initiatives import InitiativeStatus

CENT = Decimal("0.01")

Key = tuple[int, int | None]


def goals(client_ids: list[int], at: Any = None) -> dict[Key, int]:
    """Active goals per (client, department); one query."""
    found: dict[Key, int] = defaultdict(int)
    rows = BusinessGoal.objects.filter(
        client_id__in=client_ids, status=GoalStatus.ACTIVE
    ).values_list("client_id", "department_id")
    for client_id, department_id in rows:
        found[(client_id, department_id)] += 1
    return dict(found)


def initiative_departments(client_ids: list[int]) -> dict[int, tuple[int, Decimal, list[int]]]:
    """Each initiative not declined: ``{id: (client_id, capex + opex, [department ids])}``.

    The department ids are those of the goals it serves, sorted, without
    duplicates; empty when it serves no departmental goal. Two queries.
    """
    initiatives = {
        pk: (client_id, (capex or Decimal(0)) + (opex or Decimal(0)), set())
        for pk, client_id, capex, opex in Initiative.objects.filter(client_id__in=client_ids)
        .exclude(status=InitiativeStatus.DECLINED)
        .values_list("pk", "client_id", "capex", "opex_per_year")
    }
    links = InitiativeGoal.objects.filter(
        initiative__client_id__in=client_ids, goal__department__isnull=False
    ).values_list("initiative_id", "goal__department_id")
    for initiative_id, department_id in links:
        if initiative_id in initiatives:
            initiatives[initiative_id][2].add(department_id)
    return {pk: (c, amount, sorted(depts)) for pk, (c, amount, depts) in initiatives.items()}


def initiatives(client_ids: list[int], at: Any = None) -> dict[Key, int]:
    """Initiatives not declined, once in each department whose goals they serve; two queries."""
    found: dict[Key, int] = defaultdict(int)
    for client_id, _amount, departments in initiative_departments(client_ids).values():
        for department_id in departments or [None]:
            found[(client_id, department_id)] += 1
    return dict(found)


def split_evenly(amount: Decimal, parts: int) -> list[Decimal]:
    """``amount`` in ``parts`` shares to the cent that add up to it (the first takes the rest)."""
    share = (amount / parts).quantize(CENT, rounding=ROUND_DOWN)
    return [amount - share * (parts - 1), *([share] * (parts - 1))]


def initiative_spend(client_ids: list[int], at: Any = None) -> dict[Key, Decimal]:
    """Capex + a year of opex of the initiatives not declined, split between their departments."""
    found: dict[Key, Decimal] = defaultdict(Decimal)
    for client_id, amount, departments in initiative_departments(client_ids).values():
        keys = departments or [None]
        for department_id, share in zip(keys, split_evenly(amount, len(keys)), strict=True):
            found[(client_id, department_id)] += share
    return dict(found)


def register() -> None:
    coverage_columns.register(
        CoverageColumn(
            key="strategy.goals",
            label="Goals",
            collect=goals,
            description="Active business goals of the department.",
            order=10,
            app="strategy",
        )
    )
    coverage_columns.register(
        CoverageColumn(
            key="strategy.initiatives",
            label="Initiatives",
            collect=initiatives,
            description=(
                "Initiatives (not declined) serving the department's goals; one serving "
                "two departments counts in both."
            ),
            order=30,
            app="strategy",
        )
    )
    coverage_columns.register(
        CoverageColumn(
            key="strategy.initiative_spend",
            label="Initiative spend",
            collect=initiative_spend,
            kind="money",
            description=(
                "One-time cost plus a year of recurring cost of those initiatives, split "
                "evenly between the departments each serves."
            ),
            order=40,
            app="strategy",
        )
    )
