"""From a client's initiatives to an optimised roadmap, and back.

The optimiser (:mod:`vcio.strategy.optimize`) knows items and quarter
indexes; this module knows initiatives and fiscal quarters. It decides
which initiatives are candidates and how their statuses translate:

- proposed and deferred items are free choices;
- approved and scheduled items were agreed with the client: mandatory;
- in-progress items are mandatory and locked where they started (the
  first quarter of the horizon when they started before it);
- done and declined items are out of the plan (a dependency on a done item
  is met; a dependency on a declined one keeps its dependents out, with
  that reason);
- an item the user locked keeps its start quarter;
- a due date (an end of support, a renewal) sets the latest start, so the
  work ends by the quarter of the due date.

Plans are stored as JSON in :class:`Scenario` rows so a scenario keeps
showing what was decided even after the initiatives change.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from vcio.core import audit
from vcio.core.fiscal import FiscalQuarter, next_quarters, quarter_of
from vcio.core.models import Client
from vcio.strategy import applying
from vcio.strategy.models import Initiative, InitiativeStatus, Scenario
from vcio.strategy.optimize import Caps, Item, Plan, PlanError, greedy, optimize
from vcio.strategy.scoring import score_all

S = InitiativeStatus
CANDIDATES = frozenset({S.PROPOSED, S.APPROVED, S.SCHEDULED, S.DEFERRED, S.IN_PROGRESS})
AGREED = frozenset({S.APPROVED, S.SCHEDULED, S.IN_PROGRESS})
MONEY_CAPS = ("capex_per_quarter", "opex_per_quarter", "capex_per_year", "opex_per_year")
CAP_FIELDS = (*MONEY_CAPS, "effort_per_quarter")
MAX_HORIZON = 40
PLAN_VERSION = 1


@dataclass(frozen=True)
class PlanSettings:
    """The caps a plan is computed under; ``None`` means no cap.

    Money in the client's currency (per quarter, or per fiscal year),
    effort in person-days per quarter. A per-year cap applies to the
    quarters of that fiscal year that fall inside the horizon.
    """

    horizon: int = 8
    capex_per_quarter: Decimal | None = None
    opex_per_quarter: Decimal | None = None
    capex_per_year: Decimal | None = None
    opex_per_year: Decimal | None = None
    effort_per_quarter: Decimal | None = None

    @classmethod
    def from_caps(cls, caps: dict[str, Any], horizon: int = 8) -> PlanSettings:
        """Settings from a scenario's stored caps (strings or numbers); raises ValidationError."""
        values: dict[str, Decimal | None] = {}
        for name in CAP_FIELDS:
            raw = caps.get(name)
            if raw in (None, ""):
                values[name] = None
                continue
            try:
                value = Decimal(str(raw))
            except InvalidOperation:
                raise ValidationError({name: f"{raw!r} is not a number."}) from None
            if not value.is_finite() or value < 0:
                raise ValidationError({name: f"{raw} is not an amount of zero or more."})
            values[name] = value
        if not 1 <= int(horizon) <= MAX_HORIZON:
            raise ValidationError(
                {"horizon": f"The horizon must be 1 to {MAX_HORIZON} quarters, not {horizon}."}
            )
        return cls(horizon=int(horizon), **values)

    def as_caps(self) -> dict[str, str | None]:
        """The caps as JSON-able strings (what a Scenario stores)."""
        return {
            name: None if getattr(self, name) is None else str(getattr(self, name))
            for name in CAP_FIELDS
        }

    def scaled(self, factor: Decimal) -> PlanSettings:
        """The same settings with every money cap × ``factor`` (effort is people, not money)."""
        return replace(
            self,
            **{
                name: None if getattr(self, name) is None else getattr(self, name) * factor
                for name in MONEY_CAPS
            },
        )


@dataclass
class PlanInput:
    """What the optimiser is given for one client, with what it is not given and why."""

    quarters: list[FiscalQuarter]
    items: list[Item]
    caps: Caps
    rows: dict[int, dict[str, Any]]  # initiative id → its fields (title, status, costs)
    excluded: dict[int, str]  # initiative id → why it cannot be planned at all

    @property
    def labels(self) -> list[str]:
        return [q.label for q in self.quarters]


def horizon_quarters(client: Client, horizon: int, today: datetime.date) -> list[FiscalQuarter]:
    """The ``horizon`` fiscal quarters of ``client`` from the one holding ``today``."""
    return next_quarters(today, client.fiscal_year_start_month, horizon)


def quarter_index(quarters: list[FiscalQuarter], day: datetime.date) -> int:
    """The index of the quarter holding ``day`` relative to ``quarters[0]`` (may be <0 or ≥len)."""
    q = quarter_of(day, quarters[0].start_month)
    first = quarters[0]
    return (q.fiscal_year - first.fiscal_year) * 4 + (q.quarter - first.quarter)


def _duration(row: dict[str, Any], quarters: list[FiscalQuarter]) -> int:
    """Quarters an initiative runs: from its start to its end quarter, else one."""
    if row["start_quarter"] and row["end_quarter"]:
        span = quarter_index(quarters, row["end_quarter"]) - quarter_index(
            quarters, row["start_quarter"]
        )
        return max(1, span + 1)
    return 1


def _lock(row: dict[str, Any], quarters: list[FiscalQuarter], duration: int) -> int | None:
    """The start quarter index an initiative is held at, or None when it is free."""
    horizon = len(quarters)
    start = row["start_quarter"]
    if row["status"] == S.IN_PROGRESS:
        return 0 if start is None else max(0, quarter_index(quarters, start))
    if not (row["locked"] and start):
        return None
    index = quarter_index(quarters, start)
    if not 0 <= index < horizon:
        raise PlanError(
            f"'{row['title']}' is locked to {quarter_of(start, quarters[0].start_month).label}, "
            f"outside the horizon ({quarters[0].label}–{quarters[-1].label}): unlock it, "
            "move it into the horizon or change the horizon"
        )
    return index


def _latest(row: dict[str, Any], quarters: list[FiscalQuarter], duration: int) -> int | None:
    """The last start index that still ends by the due date's quarter (0 when overdue)."""
    if not row["due_date"]:
        return None
    due = quarter_index(quarters, row["due_date"])
    if due >= len(quarters):
        return None
    return max(0, due - duration + 1)


def _exclusions(rows: dict[int, dict], requires: dict[int, list[int]]) -> dict[int, str]:
    """Candidates that cannot be planned because something they require is out."""
    out: dict[int, str] = {}
    changed = True
    while changed:  # a chain of dependents drops one link per pass
        changed = False
        for pk, row in rows.items():
            if pk in out or row["status"] not in CANDIDATES:
                continue
            for req in requires.get(pk, []):
                other = rows.get(req)
                if other is None:
                    continue
                if other["status"] == S.DECLINED:
                    why = f"requires “{other['title']}”, which is declined"
                elif other["status"] not in CANDIDATES and other["status"] != S.DONE:
                    why = f"requires “{other['title']}”, which is {other['status']}"
                elif req in out:
                    why = f"requires “{other['title']}”, which cannot be planned"
                else:
                    continue
                out[pk] = why
                changed = True
                break
    return out


INPUT_FIELDS = (
    "id",
    "title",
    "status",
    "capex",
    "opex_per_year",
    "effort_days",
    "mandatory",
    "alternative_group",
    "locked",
    "start_quarter",
    "end_quarter",
    "due_date",
)


def plan_input(client: Client, settings: PlanSettings, today: datetime.date) -> PlanInput:
    """The optimiser's input for ``client``: candidates, caps and quarters. Five queries.

    Raises :class:`PlanError` for a locked item outside the horizon.
    """
    quarters = horizon_quarters(client, settings.horizon, today)
    rows = {r["id"]: r for r in Initiative.objects.filter(client=client).values(*INPUT_FIELDS)}
    requires: dict[int, list[int]] = {}
    for src, dst in Initiative.requires.through.objects.filter(
        from_initiative__client=client
    ).values_list("from_initiative_id", "to_initiative_id"):
        requires.setdefault(src, []).append(dst)
    scores = score_all(client.pk, today)
    excluded = _exclusions(rows, requires)
    items = []
    for pk, row in rows.items():
        if row["status"] not in CANDIDATES or pk in excluded:
            continue
        duration = _duration(row, quarters)
        items.append(
            Item(
                id=pk,
                title=row["title"],
                score=round(scores[pk].total, 4),
                capex=row["capex"],
                opex_per_year=row["opex_per_year"],
                effort_days=row["effort_days"],
                duration_quarters=min(duration, settings.horizon),
                requires=tuple(r for r in requires.get(pk, []) if rows[r]["status"] in CANDIDATES),
                mandatory=row["mandatory"] or row["status"] in AGREED,
                group=row["alternative_group"] or None,
                locked_quarter=_lock(row, quarters, duration),
                latest=None if row["status"] == S.IN_PROGRESS else _latest(row, quarters, duration),
            )
        )
    return PlanInput(quarters, items, _caps(settings, quarters, client.currency), rows, excluded)


def _caps(settings: PlanSettings, quarters: list[FiscalQuarter], currency: str = "") -> Caps:
    h = len(quarters)
    years = sorted({q.fiscal_year for q in quarters})

    def per_year(value: Decimal | None) -> dict[int, Decimal] | None:
        return None if value is None else dict.fromkeys(years, value)

    return Caps(
        capex_per_quarter=[settings.capex_per_quarter] * h,
        opex_per_quarter=[settings.opex_per_quarter] * h,
        capex_per_year=per_year(settings.capex_per_year),
        opex_per_year=per_year(settings.opex_per_year),
        effort_per_quarter=[settings.effort_per_quarter] * h,
        year_of_quarter=[q.fiscal_year for q in quarters],
        currency=currency,
    )


def compute_plan(
    client: Client,
    settings: PlanSettings,
    today: datetime.date | None = None,
    time_limit: float = 10.0,
) -> dict[str, Any]:
    """The optimised plan with greedy beside it, as the JSON a Scenario stores.

    Raises ``ValidationError`` (with the optimiser's message naming the
    items, quarter and cap) when no plan can hold the mandatory items.
    """
    today = today or timezone.localdate()
    try:
        inp = plan_input(client, settings, today)
        best = optimize(
            inp.items, inp.caps, settings.horizon, labels=inp.labels, time_limit=time_limit
        )
        floor = greedy(inp.items, inp.caps, settings.horizon, labels=inp.labels)
    except PlanError as exc:
        raise ValidationError(_sentence(str(exc))) from None
    return plan_json(inp, best, floor, today)


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


def plan_json(inp: PlanInput, best: Plan, floor: Plan, today: datetime.date) -> dict[str, Any]:
    """A plan as plain JSON: totals per quarter, every item's quarter and, if out, why."""
    items = []
    for it in inp.items:
        q = best.items.get(it.id)
        reason = best.reasons.get(it.id)
        row = inp.rows[it.id]
        items.append(
            {
                "id": it.id,
                "title": it.title,
                "status": row["status"],
                "score": it.score,
                "quarter": q,
                "greedy_quarter": floor.items.get(it.id) if floor.feasible else None,
                "duration": it.duration_quarters,
                "capex": float(it.capex),
                "opex_per_year": float(it.opex_per_year),
                "effort_days": float(it.effort_days),
                "mandatory": it.mandatory,
                "locked": it.locked_quarter is not None,
                "group": it.group,
                "reason": reason.text if reason else None,
                "reason_kind": reason.kind if reason else None,
            }
        )
    items.sort(key=lambda r: (r["quarter"] is None, r["quarter"] or 0, -r["score"], r["title"]))
    return {
        "version": PLAN_VERSION,
        "computed_on": today.isoformat(),
        "labels": inp.labels,
        "quarter_starts": [q.start.isoformat() for q in inp.quarters],
        "optimal": best.optimal,
        "status": best.status,
        "method": best.method,
        "mip_gap": best.mip_gap,
        "solve_s": round(best.solve_s, 3),
        "score": round(best.total_score, 2),
        # A greedy plan that dropped a mandatory or locked item broke the rules:
        # it has no score to compare (it could be "higher" only by cheating).
        "greedy_feasible": floor.feasible,
        "greedy_status": floor.status,
        "greedy_score": round(floor.total_score, 2) if floor.feasible else None,
        "capex": best.capex,
        "opex": best.opex,
        "effort": best.effort,
        "greedy": {"capex": floor.capex, "opex": floor.opex, "effort": floor.effort},
        "items": items,
        "excluded": [
            {"id": pk, "title": inp.rows[pk]["title"], "reason": why}
            for pk, why in sorted(inp.excluded.items())
        ],
    }


def save_scenario(
    client: Client,
    name: str,
    settings: PlanSettings,
    user: Any,
    today: datetime.date | None = None,
) -> Scenario:
    """Compute a plan under ``settings`` and keep it as a named scenario (audited).

    Raises ``ValidationError`` for an empty or taken name, or a plan that
    cannot be made; nothing is saved then.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the scenario a name."})
    if Scenario.objects.filter(client=client, name=name).exists():
        raise ValidationError({"name": f"{client} already has a scenario named “{name}”."})
    plan = compute_plan(client, settings, today)
    try:
        with transaction.atomic():
            scenario = Scenario.objects.create(
                client=client,
                name=name,
                caps=settings.as_caps(),
                horizon=settings.horizon,
                created_by=user,
                plan=plan,
            )
            audit.record_create(user, scenario)
    except IntegrityError:  # the same name saved by someone else meanwhile
        raise ValidationError(
            {"name": f"{client} already has a scenario named “{name}”."}
        ) from None
    return scenario


def settings_of(scenario: Scenario) -> PlanSettings:
    """The settings a scenario was computed under."""
    return PlanSettings.from_caps(scenario.caps or {}, scenario.horizon)


def apply_scenario(scenario: Scenario, user: Any, move_agreed: bool = False) -> int:
    """Write a scenario's quarters onto its initiatives; returns how many changed.

    Items in the plan get its start and end quarter (approved ones become
    scheduled, deferred ones proposed again); candidates it left out lose
    their quarters unless locked or under way. Work under way keeps its
    quarters, and work the client agreed to keeps its quarter unless
    ``move_agreed`` (see :mod:`vcio.strategy.applying`). Audited; all or nothing.
    """
    changed, _ = applying.apply(scenario, user, move_agreed)
    return changed


@dataclass(frozen=True)
class Move:
    """One initiative whose quarter differs between two scenarios."""

    title: str
    before: str  # quarter label or "not in plan"
    after: str


def _placements(plan: dict[str, Any]) -> dict[int, tuple[str, str]]:
    labels = plan.get("labels", [])
    return {
        row["id"]: (row["title"], labels[row["quarter"]] if row["quarter"] is not None else "")
        for row in plan.get("items", [])
    }


def compare(a: Scenario, b: Scenario) -> dict[str, Any]:
    """Two scenarios side by side: scores, cost by quarter and what moved."""
    pa, pb = a.plan or {}, b.plan or {}
    labels = list(dict.fromkeys([*pa.get("labels", []), *pb.get("labels", [])]))

    def spend(plan: dict[str, Any]) -> dict[str, float]:
        return {
            label: plan["capex"][i] + plan["opex"][i]
            for i, label in enumerate(plan.get("labels", []))
        }

    sa, sb = spend(pa), spend(pb)
    left, right = _placements(pa), _placements(pb)
    moves = []
    for pk in sorted(set(left) | set(right), key=lambda k: (left.get(k) or right.get(k))[0]):
        title = (left.get(pk) or right.get(pk))[0]
        qa = left.get(pk, (title, ""))[1]
        qb = right.get(pk, (title, ""))[1]
        if qa != qb:
            moves.append(Move(title, qa or "not in plan", qb or "not in plan"))
    return {
        "a": a,
        "b": b,
        "score": (pa.get("score", 0), pb.get("score", 0)),
        "chosen": (
            sum(1 for r in pa.get("items", []) if r["quarter"] is not None),
            sum(1 for r in pb.get("items", []) if r["quarter"] is not None),
        ),
        "quarters": [(label, sa.get(label), sb.get(label)) for label in labels],
        "total": (sum(sa.values()), sum(sb.values())),
        "moves": [asdict(m) for m in moves],
    }
