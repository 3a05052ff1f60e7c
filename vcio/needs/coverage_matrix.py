"""The coverage matrix of one client: its departments × what every app knows of them.

Rows are the client's departments, by name, then "No department" when
anything belongs to none (so each column's total is everything the client
has). Columns are the registered coverage columns (core's
``coverage_columns``), in their order: goals, needs, initiatives, spend,
devices, tickets, survey answers...

**Left out.** A department is *left out* when no active goal and no
initiative serve it: nothing in the client's strategy is for it. The
sentence saying why adds what makes it worse or explains it: needs it raised
that the plan does not serve yet, or that it did not answer the latest
survey (so nobody has asked). The "No department" row is never left out.

The matrix costs one query for the departments plus the columns' own fixed
queries, whatever the number of departments or rows behind them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from vcio.core.models import Client, Department
from vcio.core.registry import CoverageColumn, collect_coverage, coverage_columns
from vcio.needs.coverage import as_day

GOALS = "strategy.goals"
INITIATIVES = "strategy.initiatives"
NEEDS = "needs.needs"
ANSWERS = "needs.survey_answers"

# Columns whose count opens a list filtered by department: (url name, query parameter).
LINKS: dict[str, tuple[str, str]] = {
    "helpdesk.tickets": ("helpdesk:tickets", "department"),
    "assets.devices": ("assets:asset_list", "department"),
    "assets.licence_spend": ("assets:licence_list", "department"),
}


@dataclass(frozen=True)
class Cell:
    column: CoverageColumn
    value: int | Decimal
    url: str = ""


@dataclass
class Row:
    department: Department | None
    name: str
    cells: list[Cell]
    left_out: bool = False
    why: str = ""

    @property
    def department_id(self) -> int | None:
        return self.department.pk if self.department else None

    def value(self, key: str) -> int | Decimal:
        return next((c.value for c in self.cells if c.column.key == key), 0)


@dataclass
class Matrix:
    client: Client
    at: datetime.date
    columns: list[CoverageColumn]
    rows: list[Row] = field(default_factory=list)
    totals: list[Cell] = field(default_factory=list)

    @property
    def left_out(self) -> list[Row]:
        return [r for r in self.rows if r.left_out]

    @property
    def departments(self) -> list[Row]:
        return [r for r in self.rows if r.department is not None]


def _plural(n: int | Decimal, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def left_out_why(name: str, values: dict[str, Any], columns: set[str]) -> str:
    """Why a department is left out, in one sentence ("" when it is not)."""
    if values.get(GOALS, 0) or values.get(INITIATIVES, 0):
        return ""
    sentences = [f"No active goal and no initiative serve {name}."]
    if values.get(NEEDS, 0):
        sentences.append(
            f"It has {_plural(values[NEEDS], 'open need')} the plan does not serve yet."
        )
    if ANSWERS in columns and not values.get(ANSWERS, 0):
        sentences.append("It did not answer the latest survey.")
    return " ".join(sentences)


def _url(column: CoverageColumn, client: Client, department: Department | None) -> str:
    link = LINKS.get(column.key)
    if link is None or department is None:
        return ""
    try:
        base = reverse(link[0], kwargs={"client": client.slug})
    except NoReverseMatch:
        return ""
    return f"{base}?{urlencode({link[1]: department.pk})}"


def coverage_matrix(client: Client, at: Any = None) -> Matrix:
    """The client's matrix as of ``at`` (a day; ``None``: today)."""
    day = as_day(at)
    columns = sorted(coverage_columns, key=lambda c: c.order)
    collected = collect_coverage([client.pk], day)
    departments = list(Department.objects.filter(client=client).order_by("name", "pk"))
    keys = {c.key for c in columns}
    matrix = Matrix(client=client, at=day, columns=columns)

    def row(department: Department | None, name: str) -> Row:
        dept_id = department.pk if department else None
        values = {c.key: collected[c.key].get((client.pk, dept_id), 0) for c in columns}
        cells = [Cell(c, values[c.key], _url(c, client, department)) for c in columns]
        why = left_out_why(name, values, keys) if department is not None else ""
        return Row(department, name, cells, left_out=bool(why), why=why)

    matrix.rows = [row(d, d.name) for d in departments]
    nobody = row(None, "No department")
    if any(c.value for c in nobody.cells):
        matrix.rows.append(nobody)
    matrix.totals = [
        Cell(c, sum((r.cells[i].value for r in matrix.rows), start=0))
        for i, c in enumerate(columns)
    ]
    return matrix


def as_data(matrix: Matrix) -> dict[str, Any]:
    """The matrix as JSON-able data (money as a float to the cent), for reports and the API."""

    def number(cell: Cell) -> int | float:
        if cell.column.kind == "money":
            return float(Decimal(cell.value).quantize(Decimal("0.01")))
        return int(cell.value)

    def cell(c: Cell) -> dict[str, Any]:
        return {"key": c.column.key, "kind": c.column.kind, "value": number(c)}

    return {
        "at": matrix.at.isoformat(),
        "currency": matrix.client.currency,
        "columns": [
            {"key": c.key, "label": c.label, "kind": c.kind, "description": c.description}
            for c in matrix.columns
        ],
        "rows": [
            {
                "department_id": r.department_id,
                "name": r.name,
                "values": [cell(c) for c in r.cells],
                "left_out": r.left_out,
                "why": r.why,
            }
            for r in matrix.rows
        ],
        "totals": [cell(c) for c in matrix.totals],
    }
