"""A client's IT budget by fiscal quarter and year: the roadmap, what is committed, what was spent.

Planned spend is the roadmap's: an initiative's one-time cost (capex) in
its start quarter, a quarter of its yearly cost (opex) in every quarter
from its start on. Committed spend is what the client pays anyway: the
recurring costs other apps publish (licences and subscriptions) and the
practice's monthly fee from the client's contract.

A saving is a negative recurring cost (an initiative dropping unused
licence seats): it counts, in its own column, from the initiative's start
quarter until the initiative is done; from then on the licences' own,
smaller cost carries it, so it never counts twice. Forecast spend is what
other apps foresee (the lifecycle replacement forecast, by quarter) and is
not on the roadmap yet: it stops counting once its recommendation is
dismissed, or promoted to an initiative that is scheduled (which then
carries the money) or declined. Actual spend is the
entries recorded against initiatives. Plan vs actual compares the
initiatives' planned spend with their actual spend for quarters that have
begun, in a quarter's row, a fiscal year's and the total alike: a quarter
still ahead adds nothing to either side.

A yearly amount is split into four quarters in whole cents that add up to
it exactly (50,885.90 a year is 12,721.48 + 12,721.47 + 12,721.48 +
12,721.47, not 4 × 12,721.475 shown as 12,721.48): every figure is then
exact in cents, so the quarters of a row add up to its year and the years
to the total, on the page, in the API and in the exports alike, and
nothing is rounded more than once.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from vcio.core.fiscal import (
    FiscalQuarter,
    fiscal_year_bounds,
    fiscal_year_of,
    next_quarters,
    quarter_of,
)
from vcio.core.models import Client
from vcio.core.registry import ForecastCost, committed_costs, forecast_costs
from vcio.core.spreadsheets import append_xlsx_row, safe_cell
from vcio.strategy.models import (
    Initiative,
    InitiativeStatus,
    Recommendation,
    RecommendationStatus,
    SpendEntry,
)

S = InitiativeStatus
# Initiatives whose money is planned: on the roadmap and not turned down.
PLANNED = frozenset({S.PROPOSED, S.APPROVED, S.SCHEDULED, S.IN_PROGRESS, S.DONE})
ZERO = Decimal("0")
CENT = Decimal("0.01")


def quarter_share(annual: Decimal, quarter: int) -> Decimal:
    """The part of a yearly amount falling in fiscal quarter ``quarter`` (1–4), in whole cents.

    The four parts add up to ``annual`` (rounded half up to the cent) exactly;
    an odd cent goes to the quarters whose running total crosses it.
    """
    cents = int((annual / CENT).to_integral_value(ROUND_HALF_UP))
    return Decimal(cents * quarter // 4 - cents * (quarter - 1) // 4) * CENT


@dataclass
class BudgetLine:
    """The money of one quarter (or a fiscal year's sum of them), in the client's currency."""

    label: str
    initiative_capex: Decimal = ZERO
    initiative_opex: Decimal = ZERO
    initiative_savings: Decimal = ZERO  # zero or negative: recurring savings of initiatives
    forecast: Decimal = ZERO  # one-time costs foreseen (replacements), not on the roadmap yet
    committed: Decimal = ZERO  # licences and subscriptions
    fee: Decimal = ZERO  # the practice's fee
    actual_capex: Decimal = ZERO
    actual_opex: Decimal = ZERO
    begun: bool = False  # the quarter has started, so plan vs actual means something
    # Planned and actual initiative spend of the quarters that have begun: the two sides
    # of the variance. A year's row sums them over its begun quarters only.
    planned_to_date: Decimal = ZERO
    actual_to_date: Decimal = ZERO

    @property
    def planned_initiatives(self) -> Decimal:
        return self.initiative_capex + self.initiative_opex

    @property
    def total_opex(self) -> Decimal:
        return self.initiative_opex + self.initiative_savings + self.committed + self.fee

    @property
    def total(self) -> Decimal:
        return self.initiative_capex + self.forecast + self.total_opex

    @property
    def actual(self) -> Decimal:
        return self.actual_capex + self.actual_opex

    @property
    def variance(self) -> Decimal | None:
        """Actual minus planned initiative spend in the quarters that have begun (positive:
        over plan); None when none of them has begun."""
        return self.actual_to_date - self.planned_to_date if self.begun else None

    def close(self) -> None:
        """Fixes a quarter's plan-vs-actual sides once its spend is all added."""
        if self.begun:
            self.planned_to_date = self.planned_initiatives
            self.actual_to_date = self.actual

    def add(self, other: BudgetLine) -> None:
        for name in (
            "initiative_capex",
            "initiative_opex",
            "initiative_savings",
            "forecast",
            "committed",
            "fee",
            "actual_capex",
            "actual_opex",
            "planned_to_date",
            "actual_to_date",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.begun = self.begun or other.begun


@dataclass
class InitiativeBudget:
    """One initiative's planned and actual spend inside the budget's quarters."""

    id: int
    title: str
    status: str
    start: str  # quarter label or ""
    planned: Decimal  # in the budget's quarters
    planned_to_date: Decimal  # in those of them that have begun
    actual: Decimal

    @property
    def variance(self) -> Decimal:
        """Actual minus planned to date: positive is over plan."""
        return self.actual - self.planned_to_date


@dataclass
class Budget:
    client: Client
    quarters: list[FiscalQuarter]
    lines: list[BudgetLine]
    years: list[BudgetLine]
    total: BudgetLine
    committed_lines: list[tuple[str, Decimal]] = field(default_factory=list)
    forecast_lines: list[tuple[str, Decimal]] = field(default_factory=list)  # counted ones
    initiatives: list[InitiativeBudget] = field(default_factory=list)
    # False once the fee is taken out for someone without the commercial terms:
    # the exports then leave its column out rather than print a column of zeros.
    shows_fee: bool = True


def budget_quarters(
    client: Client, first_year: int | None, years: int, today: datetime.date
) -> list[FiscalQuarter]:
    """The quarters of ``years`` fiscal years from ``first_year`` (default: the current one)."""
    month = client.fiscal_year_start_month
    first_year = first_year or fiscal_year_of(today, month)
    start, _ = fiscal_year_bounds(first_year, month)
    return next_quarters(start, month, 4 * years)


def build_budget(
    client: Client,
    first_year: int | None = None,
    years: int = 2,
    today: datetime.date | None = None,
    spent_by: datetime.date | None = None,
) -> Budget:
    """The budget of ``years`` fiscal years; a fixed number of queries whatever the data.

    ``spent_by`` leaves out spend dated after that day: a review as of its
    day counts only what had been spent by then.
    """
    as_of = today  # a given day also dates the forecast; None: the client's own today
    today = today or timezone.localdate()
    quarters = budget_quarters(client, first_year, years, today)
    month = client.fiscal_year_start_month
    lines = [BudgetLine(q.label, begun=q.start <= today) for q in quarters]
    planned, to_date = _planned(client, quarters, lines)
    costs = [c for c in committed_costs([client.pk]) if c.client_id == client.pk]
    for i, q in enumerate(quarters):
        lines[i].fee = client.monthly_fee * 3
        lines[i].committed = sum(
            (
                quarter_share(c.annual, q.quarter)
                for c in costs
                if c.until is None or c.until >= q.start
            ),
            ZERO,
        )
    actual = _actuals(client, quarters, lines, month, spent_by)
    forecast = _forecast(client, quarters, lines, as_of)
    for line in lines:
        line.close()
    years_out: dict[int, BudgetLine] = {}
    for q, line in zip(quarters, lines, strict=True):
        years_out.setdefault(q.fiscal_year, BudgetLine(f"FY{q.fiscal_year}")).add(line)
    total = BudgetLine("Total")
    for line in years_out.values():
        total.add(line)
    rows = [
        InitiativeBudget(
            pk,
            title,
            status,
            start,
            planned.get(pk, ZERO),
            to_date.get(pk, ZERO),
            actual.get(pk, ZERO),
        )
        for pk, (title, status, start) in _titles(client, planned, actual, month).items()
    ]
    return Budget(
        client=client,
        quarters=quarters,
        lines=lines,
        years=list(years_out.values()),
        total=total,
        committed_lines=[(c.label, c.annual) for c in costs],
        forecast_lines=[(f.label, f.amount) for f in forecast],
        initiatives=rows,
    )


def _planned(
    client: Client, quarters: list[FiscalQuarter], lines: list[BudgetLine]
) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Adds the roadmap's spend to ``lines``. One query.

    Returns each initiative's planned total, and its total in quarters that have begun.
    """
    month = client.fiscal_year_start_month
    per_initiative: dict[int, Decimal] = defaultdict(lambda: ZERO)
    to_date: dict[int, Decimal] = defaultdict(lambda: ZERO)
    rows = (
        Initiative.objects.filter(client=client, start_quarter__isnull=False)
        .filter(status__in=PLANNED)
        .values_list("id", "start_quarter", "capex", "opex_per_year", "status")
    )
    for pk, start, capex, opex, status in rows:
        first = quarter_of(start, month).start
        for i, q in enumerate(quarters):
            amount = ZERO
            if q.start == first:
                lines[i].initiative_capex += capex
                amount += capex
            if q.start >= first and opex > 0:
                share = quarter_share(opex, q.quarter)
                lines[i].initiative_opex += share
                amount += share
            elif q.start >= first and opex < 0 and status != S.DONE:
                # A saving is not spend recorded against the initiative: its own column.
                lines[i].initiative_savings += quarter_share(opex, q.quarter)
            per_initiative[pk] += amount
            if lines[i].begun:
                to_date[pk] += amount
    return per_initiative, to_date


def _actuals(
    client: Client,
    quarters: list[FiscalQuarter],
    lines: list[BudgetLine],
    month: int,
    spent_by: datetime.date | None = None,
) -> dict[int, Decimal]:
    """Adds recorded spend to ``lines``; returns each initiative's actual total. One query."""
    per_initiative: dict[int, Decimal] = defaultdict(lambda: ZERO)
    index = {q.start: i for i, q in enumerate(quarters)}
    last = min(quarters[-1].end, spent_by) if spent_by else quarters[-1].end
    rows = (
        SpendEntry.objects.filter(
            initiative__client=client,
            date__gte=quarters[0].start,
            date__lte=last,
        )
        .values_list("initiative_id", "date", "kind")
        .annotate(total=Sum("amount"))
    )
    for pk, day, kind, amount in rows:
        i = index[quarter_of(day, month).start]
        if kind == SpendEntry.Kind.CAPEX:
            lines[i].actual_capex += amount
        else:
            lines[i].actual_opex += amount
        per_initiative[pk] += amount
    return per_initiative


def _forecast(
    client: Client,
    quarters: list[FiscalQuarter],
    lines: list[BudgetLine],
    at: datetime.date | None,
) -> list[ForecastCost]:
    """Adds forecast one-time costs not on the roadmap to ``lines``; returns those counted.

    Left out: a forecast whose recommendation was dismissed (decided
    against), or promoted to an initiative that is scheduled (it carries the
    money) or declined. The sources' queries and one more.
    """
    month = client.fiscal_year_start_month
    index = {q.start: i for i, q in enumerate(quarters)}
    costs = [c for c in forecast_costs([client.pk], at) if c.client_id == client.pk]
    R = RecommendationStatus
    decided = set(
        Recommendation.objects.filter(client=client, key__in=[c.key for c in costs])
        .filter(
            Q(status=R.DISMISSED)
            | Q(status=R.PROMOTED, initiative__start_quarter__isnull=False)
            | Q(status=R.PROMOTED, initiative__status=S.DECLINED)
        )
        .values_list("key", flat=True)
    )
    counted = []
    for cost in costs:
        i = index.get(quarter_of(cost.day, month).start)
        if cost.key not in decided and i is not None:
            lines[i].forecast += cost.amount
            counted.append(cost)
    return counted


def _titles(
    client: Client, planned: dict, actual: dict, month: int
) -> dict[int, tuple[str, str, str]]:
    """Title, status and start label of every initiative with money in the budget. One query."""
    ids = set(planned) | set(actual)
    out = {}
    for pk, title, status, start in (
        Initiative.objects.filter(client=client, pk__in=ids)
        .order_by("start_quarter", "title")
        .values_list("id", "title", "status", "start_quarter")
    ):
        label = quarter_of(start, month).label if start else ""
        out[pk] = (title, S(status).label, label)
    return out


HEADER = [
    "Period",
    "Initiatives one-time (capex)",
    "Forecast replacements (one-time, not on the roadmap)",
    "Initiatives recurring (opex)",
    "Initiative savings (recurring)",
    "Licences and subscriptions",
    "Practice fee",
    "Total recurring (opex)",
    "Total",
    "Actual one-time",
    "Actual recurring",
    "Actual total",
    "Actual minus planned (initiatives)",
]


def _row(line: BudgetLine) -> list:
    return [
        line.label,
        line.initiative_capex,
        line.forecast,
        line.initiative_opex,
        line.initiative_savings,
        line.committed,
        line.fee,
        line.total_opex,
        line.total,
        line.actual_capex,
        line.actual_opex,
        line.actual,
        line.variance,
    ]


FEE_COLUMN = HEADER.index("Practice fee")


def export_header(b: Budget) -> list[str]:
    """The exports' column names; no fee column for those who may not see the fee."""
    return HEADER if b.shows_fee else HEADER[:FEE_COLUMN] + HEADER[FEE_COLUMN + 1 :]


def export_rows(b: Budget) -> list[list]:
    """Every quarter, then each fiscal year and the total: the rows of both exports."""
    rows = [_row(line) for line in b.lines]
    rows += [_row(line) for line in b.years]
    rows.append(_row(b.total))
    if not b.shows_fee:
        rows = [row[:FEE_COLUMN] + row[FEE_COLUMN + 1 :] for row in rows]
    return [[_cell(v) for v in row] for row in rows]


def _cell(value: object) -> object:
    if isinstance(value, Decimal):  # already whole cents (see quarter_share): no rounding
        return value.quantize(CENT, ROUND_HALF_UP)
    return "" if value is None else value


def to_csv(b: Budget) -> str:
    """The budget as CSV text (amounts with two decimals, no currency symbol)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(export_header(b))
    writer.writerows([safe_cell(v) for v in row] for row in export_rows(b))
    return out.getvalue()


def to_xlsx(b: Budget) -> bytes:
    """The budget as an XLSX workbook: one sheet, year and total rows in bold."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Budget"
    # The client's name is typed by people: written as text even if it starts with "=".
    append_xlsx_row(ws, [f"{b.client.name}: IT budget ({b.client.currency})"])
    ws["A1"].font = Font(bold=True, size=13)
    append_xlsx_row(ws, export_header(b))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    quarters = len(b.lines)
    for n, row in enumerate(export_rows(b)):
        append_xlsx_row(ws, [float(v) if isinstance(v, Decimal) else v for v in row])
        if n >= quarters:
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=3, min_col=2):
        for cell in row:
            cell.number_format = "#,##0.00"
    ws.column_dimensions["A"].width = 14
    for col in "BCDEFGHIJKLM":
        ws.column_dimensions[col].width = 18
    ws.freeze_panes = "B3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def without_fee(b: Budget) -> Budget:
    """``b`` as seen without the commercial terms: no practice fee in any line or total.

    Hiding only the fee column would still reveal it as total minus the other
    columns, so the fee leaves the totals too.
    """
    for line in [*b.lines, *b.years, b.total]:
        line.fee = ZERO
    b.shows_fee = False
    return b
