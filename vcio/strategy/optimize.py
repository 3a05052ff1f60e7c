"""The roadmap optimiser: which initiatives to fund, and in which quarter.

Pure: dataclasses in, dataclasses out, no Django, so views, the API, the CLI
and scenarios all call the same two functions:

- :func:`optimize` — one mixed-integer model (``scipy.optimize.milp``, i.e.
  HiGHS) choosing and scheduling items together to maximise total score
  under capex/opex caps per quarter and per fiscal year, effort capacity,
  dependencies, alternatives, mandatory and locked items, earliest/latest.
- :func:`greedy` — highest score first, earliest feasible quarter; shown
  beside the optimum so the gain is visible, and a floor the optimiser
  never goes below.

Quarters are indexes 0..horizon-1; money is in the client's currency, effort
in person-days. Bad input raises :class:`PlanError` naming the items.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

import numpy as np
from scipy.optimize import LinearConstraint, OptimizeResult, milp
from scipy.sparse import coo_array

from vcio.core.templatetags.vcio_format import format_money
from vcio.strategy.optimize_explain import (
    Ledger,
    PlanError,
    diagnose,
    explain,
    num,
    validate,
    validate_forced,
)

__all__ = ["Caps", "Item", "Plan", "PlanError", "Reason", "greedy", "optimize"]

Number = float | int | Decimal
# "Proven optimal" means no plan scores more than this fraction higher:
# HiGHS's default, 0.01 %, a tenth of a point on a 1,000-point roadmap.
_GAP = 1e-4
# Lowest-scoring items per quarter that the settling pass tries to trade with.
_TRADES_PER_QUARTER = 3


@dataclass(frozen=True)
class Item:
    """One initiative. Money in currency units, effort in person-days."""

    id: Hashable
    title: str
    score: float
    capex: Number = 0  # one-time, in the start quarter
    opex_per_year: Number = 0  # recurring, a quarter of it in every quarter from the start
    effort_days: Number = 0  # spread evenly over the quarters it runs
    duration_quarters: int = 1
    requires: tuple[Hashable, ...] = ()
    mandatory: bool = False
    group: str | None = None  # alternatives: at most one item per group
    locked_quarter: int | None = None  # pinned by the user: starts exactly there
    earliest: int | None = None
    latest: int | None = None


@dataclass(frozen=True)
class Caps:
    """Budget caps; None means no cap. Per-year dicts are keyed by fiscal year."""

    capex_per_quarter: Sequence[Number | None] | None = None
    opex_per_quarter: Sequence[Number | None] | None = None
    capex_per_year: dict[int, Number] | None = None
    opex_per_year: dict[int, Number] | None = None
    effort_per_quarter: Sequence[Number | None] | None = None
    # Fiscal year of each quarter (e.g. 2027, or 0, 1, ...); default quarter // 4.
    year_of_quarter: Sequence[int] | None = None
    # ISO code the money is in ("USD"): explanations print amounts with its symbol.
    currency: str = ""


@dataclass(frozen=True)
class Reason:
    """Why an item is not in the plan, or not earlier.

    ``kind``: group, requires, window, dependency, capex, opex, effort, score,
    time_limit. ``by_quarter`` maps each quarter tried to what bound there.
    """

    kind: str
    text: str
    by_quarter: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """A roadmap. ``items`` maps every id to its start quarter, or None if left out.

    ``capex``/``opex``/``effort`` are totals per quarter (currency, person-days).
    """

    items: dict[Hashable, int | None]
    total_score: float
    optimal: bool
    status: str
    capex: list[float]
    opex: list[float]
    effort: list[float]
    reasons: dict[Hashable, Reason]
    labels: list[str]
    method: str = "milp"
    mip_gap: float | None = None
    solve_s: float = 0.0
    # False when the plan breaks a rule: a greedy pass that could not place a
    # mandatory or locked item. Such a plan is never compared with another.
    feasible: bool = True

    @property
    def scheduled(self) -> dict[Hashable, int]:
        """Ids in the plan → start quarter."""
        return {k: q for k, q in self.items.items() if q is not None}


class Problem:
    """Validated, normalised input shared by the model, greedy and explanations."""

    def __init__(
        self, items: Sequence[Item], caps: Caps, horizon: int, labels: Sequence[str] | None
    ) -> None:
        self.items, self.horizon = list(items), horizon
        self.labels = list(labels) if labels else [f"Q{q + 1}" for q in range(horizon)]
        self.index = {item.id: i for i, item in enumerate(self.items)}
        self.score = [float(it.score) for it in self.items]
        self.dur = [int(it.duration_quarters) for it in self.items]
        self.year_of_quarter = list(caps.year_of_quarter or [q // 4 for q in range(horizon)])
        self.currency = caps.currency
        validate(self, caps)
        self.reqs = [[self.index[r] for r in it.requires] for it in self.items]
        self.caps_q = {
            "capex": self._per_quarter(caps.capex_per_quarter),
            "opex": self._per_quarter(caps.opex_per_quarter),
            "effort": self._per_quarter(caps.effort_per_quarter),
        }
        self.caps_y = {
            "capex": {y: float(v) for y, v in (caps.capex_per_year or {}).items()},
            "opex": {y: float(v) for y, v in (caps.opex_per_year or {}).items()},
            "effort": {},
        }
        self.window = [self._window(i) for i in range(len(self.items))]
        validate_forced(self)

    def _per_quarter(self, values: Sequence[Number | None] | None) -> list[float | None]:
        if values is None:
            return [None] * self.horizon
        return [None if v is None else float(v) for v in values]

    def _window(self, i: int) -> range:
        """Quarters item ``i`` may start in, from its own dates and duration."""
        it, last = self.items[i], self.horizon - self.dur[i]
        if it.locked_quarter is not None:
            return range(it.locked_quarter, it.locked_quarter + 1)
        lo = max(it.earliest or 0, 0)
        hi = last if it.latest is None else min(it.latest, last)
        return range(lo, max(lo, hi + 1))

    def name(self, i: int) -> str:
        return f"'{self.items[i].title}'"

    def amount(self, kind: str, value: float) -> str:
        """``value`` of resource ``kind`` as a client reads it: money with its currency
        ("$50,000", cents only when there are some), effort in person-days."""
        if kind == "effort":
            return f"{num(value)} person-days"
        cents = 0 if abs(value - round(value)) < 1e-9 else 2
        return format_money(value, self.currency, cents) if self.currency else num(value)

    def year_label(self, year: int) -> str:
        return f"FY{year}" if year >= 1000 else f"year {year + 1}"

    def forced(self, i: int) -> bool:
        it = self.items[i]
        return it.mandatory or it.locked_quarter is not None

    def usage(self, i: int, q: int) -> dict[str, dict[int, float]]:
        """What item ``i`` started in ``q`` uses: kind → {quarter: amount}."""
        it, d, h = self.items[i], self.dur[i], self.horizon
        capex, opex, effort = float(it.capex), float(it.opex_per_year), float(it.effort_days)
        return {
            "capex": {q: capex} if capex else {},
            "opex": {t: opex / 4 for t in range(q, h)} if opex else {},
            "effort": {t: effort / d for t in range(q, min(q + d, h))} if effort else {},
        }


def optimize(
    items: Sequence[Item],
    caps: Caps,
    horizon: int = 8,
    *,
    labels: Sequence[str] | None = None,
    time_limit: float = 10.0,
    mip_rel_gap: float = _GAP,
    engine: Engine | None = None,
) -> Plan:
    """The highest-scoring plan (HiGHS), never below :func:`greedy`.

    ``optimal`` is True when HiGHS proved that no plan scores more than
    ``mip_rel_gap`` (relative, default 0.01 %, HiGHS's own default) above
    this one; ``mip_gap`` is the gap it reached, and ``status`` says
    "proven optimal" with that figure. Among the plans HiGHS returns, each
    item then starts as early as the others allow, higher scores first. At
    the time limit the better of its incumbent and the greedy plan is
    returned with ``optimal=False``. Raises :class:`PlanError` when the caps
    cannot hold the mandatory and locked items, naming them and the cap.
    ``engine`` swaps the solver (the bench compares others); it gets the
    greedy plan, when that keeps the rules, as a possible warm start.
    """
    p = Problem(items, caps, horizon, labels)
    cols = [(i, q) for i in range(len(p.items)) for q in p.window[i]]
    if not cols:  # nothing can start in the horizon: the empty plan is optimal
        return _plan(p, {}, True, "proven optimal", "milp")
    floor = _greedy_plan(p, optimal=False)
    hint = floor_starts(p, floor) if floor.feasible else None
    started = time.perf_counter()  # solve_s: model and solver, not greedy's plan
    res = (engine or _solve)(p, cols, time_limit, mip_rel_gap, hint)
    solve_s = time.perf_counter() - started
    if res.infeasible:
        raise PlanError(_infeasible(p))
    if res.starts is None:  # time limit without an incumbent
        if not floor.feasible:  # nothing that keeps the rules to offer
            raise PlanError(
                f"no plan found in {time_limit:g} s that keeps every mandatory and locked item "
                f"({floor.status}); raise the caps or the time limit"
            )
        return _replace(floor, f"HiGHS found no plan in {time_limit:g} s; {floor.status}", solve_s)
    starts = _settle(p, dict(res.starts))
    optimal, gap = res.proven, res.gap
    status = _proven(gap) if optimal else res.message
    plan = _plan(p, starts, optimal, status, "milp")
    plan = _replace(plan, plan.status, solve_s, gap)
    if floor.feasible and floor.total_score > plan.total_score + 1e-9:
        # Within HiGHS's gap (or at its time limit) greedy can be ahead; a
        # proven bound still covers it, so ``optimal`` carries over.
        beaten = "plan within its gap" if optimal else "incumbent at the time limit"
        status = f"greedy plan scored higher than HiGHS's {beaten}"
        return replace(_replace(floor, status, solve_s, gap), optimal=optimal)
    return plan


@dataclass(frozen=True)
class Solved:
    """What a solver engine returns to :func:`optimize`.

    ``starts``: item index → start quarter of the best plan found, or None;
    ``proven``: no plan scores more than the gap asked above it; ``gap``:
    the relative gap reached; ``infeasible``: the forced items cannot fit;
    ``message``: what to tell the user when not proven.
    """

    starts: dict[int, int] | None
    proven: bool
    gap: float | None = None
    infeasible: bool = False
    message: str = ""


# An engine: (problem, allowed (item, quarter) starts, time limit, relative gap,
# a feasible plan to start from or None) → Solved. The bench passes others.
Engine = Callable[[Problem, list[tuple[int, int]], float, float, dict[int, int] | None], Solved]


def floor_starts(p: Problem, plan: Plan) -> dict[int, int]:
    """A plan's starts by item index."""
    return {i: plan.items[it.id] for i, it in enumerate(p.items) if plan.items[it.id] is not None}


def _solve(
    p: Problem,
    cols: list[tuple[int, int]],
    time_limit: float,
    gap: float,
    hint: dict[int, int] | None,
    *,
    cardinality: bool = True,
) -> Solved:
    """HiGHS through ``scipy.optimize.milp`` (no warm start: scipy takes none).

    ``cardinality=False`` leaves out the cardinality rows (the bench shows
    what they are worth)."""
    cost, lower, constraints = _model(p, cols, cardinality=cardinality)
    res = milp(
        c=cost,
        integrality=np.ones(len(cost)),
        bounds=(lower, 1),
        constraints=constraints,
        options={"time_limit": time_limit, "mip_rel_gap": gap},
    )
    if res.status == 2:
        return Solved(None, False, infeasible=True)
    if res.x is None:
        return Solved(None, False)
    starts = {i: q for (i, q), v in zip(cols, res.x[: len(cols)], strict=True) if v > 0.5}
    found = getattr(res, "mip_gap", None)
    proven = res.status == 0
    return Solved(starts, proven, found, message="" if proven else _unproven(res, time_limit))


def _proven(gap: float | None) -> str:
    if not gap or gap < 1e-9:
        return "proven optimal"
    return f"proven optimal to within {gap:.3%} of the best possible score"


def _unproven(res: OptimizeResult, time_limit: float) -> str:
    gap = getattr(res, "mip_gap", None)
    if res.status == 1 and gap is not None and math.isfinite(gap):  # 1: a limit was hit
        return (
            f"not proven optimal: HiGHS stopped at its {time_limit:g} s time limit, "
            f"at most {gap:.2%} below the best possible score"
        )
    return res.message


def greedy(
    items: Sequence[Item], caps: Caps, horizon: int = 8, *, labels: Sequence[str] | None = None
) -> Plan:
    """Highest score first, each in its earliest feasible quarter.

    Mandatory and locked items (and what they require) go first, the one with
    the earliest latest start first. ``optimal`` is always False; ``status``
    says so. When a mandatory or locked item cannot be placed, the plan breaks
    the rules: ``feasible`` is False, ``status`` names the item, and the plan
    must not be compared with a feasible one (it may score higher only
    because it left a mandatory item out).
    """
    return _greedy_plan(Problem(items, caps, horizon, labels), optimal=False)


def _greedy_plan(p: Problem, optimal: bool) -> Plan:
    started = time.perf_counter()
    starts, failed = greedy_starts(p)
    status = "greedy"
    if failed:
        status = f"greedy: mandatory {p.name(failed[0])} could not be placed"
    plan = _plan(p, starts, optimal, status, "greedy")
    return replace(_replace(plan, status, time.perf_counter() - started), feasible=not failed)


def greedy_starts(p: Problem, only: set[int] | None = None) -> tuple[dict[int, int], list[int]]:
    """Greedy start quarters by item index, and the forced items it could not place.

    An item is considered once all it requires has been decided, so a
    dependent always lands after its requirements.
    """
    n, ledger = len(p.items), Ledger(p)
    pool = set(range(n)) if only is None else only
    waiting = {i: sum(1 for j in p.reqs[i] if j in pool) for i in pool}
    dependents: dict[int, list[int]] = {i: [] for i in pool}
    for i in pool:
        for j in p.reqs[i]:
            if j in pool:
                dependents[j].append(i)
    forced = _forced_closure(p)

    # Forced items first, the tightest (earliest latest start) first, so a
    # mandatory item free to go anywhere does not take the room of one due now.
    def key(i: int) -> tuple[bool, int, float, int]:
        last = p.window[i][-1] if i in forced and len(p.window[i]) else 0
        return (i not in forced, last, -p.score[i], i)

    heap = [key(i) for i in pool if waiting[i] == 0]
    heapq.heapify(heap)
    starts: dict[int, int] = {}
    groups: set[str] = set()
    failed: list[int] = []
    while heap:
        *_, i = heapq.heappop(heap)
        group = p.items[i].group
        if all(j in starts for j in p.reqs[i]) and not (group and group in groups):
            q = next((q for q in p.window[i] if ledger.blocker(i, q, starts) is None), None)
            if q is not None:
                starts[i] = q
                ledger.add(i, q)
                if group:
                    groups.add(group)
        if i in forced and i not in starts:
            failed.append(i)
        for k in dependents[i]:
            waiting[k] -= 1
            if waiting[k] == 0:
                heapq.heappush(heap, key(k))
    return starts, failed


def _settle(p: Problem, starts: dict[int, int]) -> dict[int, int]:
    """The same items, each as early as the plan allows, higher scores first.

    The objective only counts which items are in, so HiGHS may return any
    schedule of them. Two moves settle it, both keeping every constraint:
    an item moves to an earlier quarter that fits, or trades quarters with
    a lower-scoring item that starts earlier. Each move starts a score
    earlier and none starts a higher score later, so the loop ends.
    """
    ledger = Ledger(p)
    for i, q in starts.items():
        ledger.add(i, q)
    dependents: dict[int, list[int]] = {i: [] for i in starts}
    for i in starts:
        for j in p.reqs[i]:
            dependents[j].append(i)
    moved = True
    while moved:
        moved = _shift_earlier(p, starts, ledger)
        for i in sorted(starts, key=lambda k: (-p.score[k], k)):
            moved = _trade_earlier(p, starts, ledger, dependents, i) or moved
    return starts


def _trade_earlier(
    p: Problem, starts: dict[int, int], ledger: Ledger, dependents: dict[int, list[int]], i: int
) -> bool:
    """Trade ``i`` into the earliest quarter where a lower-scoring item gives way.

    Only the few lowest scores of each quarter are tried: a full pairwise
    search costs seconds at 500 items and finds little more.
    """
    lower: dict[int, list[int]] = {}
    for j, q in starts.items():
        if q < starts[i] and p.score[j] < p.score[i]:
            lower.setdefault(q, []).append(j)
    for q in sorted(lower):
        for j in sorted(lower[q], key=lambda k: (p.score[k], k))[:_TRADES_PER_QUARTER]:
            if _swap(p, starts, ledger, dependents, i, j):
                return True
    return False


def _shift_earlier(p: Problem, starts: dict[int, int], ledger: Ledger) -> bool:
    """Move items to the earliest quarter that fits; whether any moved."""
    moved, any_moved = True, False
    while moved:
        moved = False
        for i in sorted(starts, key=lambda k: (starts[k], k)):
            ledger.add(i, starts[i], -1.0)
            q = next(q for q in p.window[i] if q == starts[i] or not ledger.blocker(i, q, starts))
            moved = moved or q != starts[i]
            starts[i] = q
            ledger.add(i, q)
        any_moved = any_moved or moved
    return any_moved


def _swap(
    p: Problem,
    starts: dict[int, int],
    ledger: Ledger,
    dependents: dict[int, list[int]],
    i: int,
    j: int,
) -> bool:
    """Trade the start quarters of ``i`` and ``j`` if both still fit; whether done."""
    qi, qj = starts[i], starts[j]
    if qj not in p.window[i] or qi not in p.window[j]:
        return False
    ledger.add(i, qi, -1.0)
    ledger.add(j, qj, -1.0)
    starts[i], starts[j] = qj, qi
    ok = ledger.blocker(i, qj, starts) is None
    if ok:
        ledger.add(i, qj)
        ok = ledger.blocker(j, qi, starts) is None
        ledger.add(i, qj, -1.0)
    ok = ok and all(starts[k] >= starts[m] + p.dur[m] for m in (i, j) for k in dependents[m])
    if not ok:
        starts[i], starts[j] = qi, qj
    ledger.add(i, starts[i])
    ledger.add(j, starts[j])
    return ok


def _forced_closure(p: Problem) -> set[int]:
    """Mandatory and locked items and, transitively, everything they require."""
    todo = [i for i in range(len(p.items)) if p.forced(i)]
    seen = set(todo)
    while todo:
        for j in p.reqs[todo.pop()]:
            if j not in seen:
                seen.add(j)
                todo.append(j)
    return seen


def _infeasible(p: Problem) -> str:
    forced = _forced_closure(p)
    starts, failed = greedy_starts(p, only=forced)
    if not failed:  # greedy fits them but HiGHS disagrees: name the set, not a guess
        names = ", ".join(p.name(i) for i in sorted(forced))
        return f"mandatory items {names} cannot all fit under the caps"
    return diagnose(p, sorted(forced), starts, failed[0])


def _model(
    p: Problem, cols: list[tuple[int, int]], *, cardinality: bool = True
) -> tuple[np.ndarray, np.ndarray, list[LinearConstraint]]:
    """Objective, lower bounds and rows over x[i, q] then z[i] (i is in the plan).

    The score sits on z, tied to its item's starts by z = sum of x. The LP
    is the same as without z, but HiGHS can branch on "is i in the plan",
    which moves the bound; branching on one start quarter barely does, as
    the LP shifts that share to a neighbouring quarter at equal score.
    Each budget row also gets its cardinality rows (:func:`_cardinality`)
    unless ``cardinality`` is False.
    """
    rows, cidx, vals, lbs, ubs = [], [], [], [], []

    def row(entries: list[tuple[int, float]], lb: float, ub: float) -> None:
        r = len(lbs)
        for c, v in entries:
            rows.append(r)
            cidx.append(c)
            vals.append(v)
        lbs.append(lb)
        ubs.append(ub)

    by_item: dict[int, list[tuple[int, int]]] = {}
    for c, (i, q) in enumerate(cols):
        by_item.setdefault(i, []).append((q, c))
    z = {i: len(cols) + k for k, i in enumerate(by_item)}
    for i, qc in by_item.items():
        row([(c, 1.0) for _, c in qc] + [(z[i], -1.0)], 0.0, 0.0)
    groups: dict[str, list[int]] = {}
    for i in by_item:
        if p.items[i].group:
            groups.setdefault(p.items[i].group, []).append(z[i])
    for members in groups.values():
        row([(c, 1.0) for c in members], 0.0, 1.0)
    # i started by quarter t implies each requirement j started by t - dur(j);
    # checking t at i's own start quarters is enough (the left side only grows there).
    for i, qc in by_item.items():
        for j in p.reqs[i]:
            for t, _ in qc:
                lhs = [(c, 1.0) for q, c in qc if q <= t]
                rhs = [(c, -1.0) for q, c in by_item.get(j, []) if q <= t - p.dur[j]]
                row(lhs + rhs, -np.inf, 0.0)
    _budget_rows(p, cols, row, cardinality)
    n = len(cols) + len(z)
    a = coo_array((vals, (rows, cidx)), shape=(len(lbs), n)).tocsr()
    cost, lower = np.zeros(n), np.zeros(n)
    for i, c in z.items():
        cost[c] = -p.score[i]
        lower[c] = 1.0 if p.forced(i) else 0.0
    return cost, lower, [LinearConstraint(a, np.array(lbs), np.array(ubs))]


def _budget_rows(p: Problem, cols: list[tuple[int, int]], row: Callable, cardinality: bool) -> None:
    use = [p.usage(i, q) for i, q in cols]

    def capped(entries: list[tuple[int, float]], cap: float) -> None:
        # Rows divided by their cap: money in the 1e5 range next to 0/1
        # variables slows HiGHS and triggers its bound-scaling warnings.
        scale = cap if cap > 0 else 1.0
        row([(c, v / scale) for c, v in entries if v], -np.inf, cap / scale)
        if cardinality:
            for members, most in _cardinality(cols, [(c, v) for c, v in entries if v], cap):
                row([(c, 1.0) for c in members], -np.inf, float(most))

    for kind in ("capex", "opex", "effort"):
        for t, cap in enumerate(p.caps_q[kind]):
            if cap is not None:
                capped([(c, u[kind].get(t, 0.0)) for c, u in enumerate(use)], cap)
        for year, cap in p.caps_y[kind].items():
            ts = [t for t in range(p.horizon) if p.year_of_quarter[t] == year]
            capped([(c, sum(u[kind].get(t, 0.0) for t in ts)) for c, u in enumerate(use)], cap)


# Cardinality rows are written for "at most k of these fit" up to this k.
_MAX_CARD = 6


def _cardinality(
    cols: list[tuple[int, int]], entries: list[tuple[int, float]], cap: float
) -> list[tuple[list[int], int]]:
    """Valid "at most k of these" rows for one budget row ``sum v·x <= cap``.

    For the starts using the most of the row (a set growing from the largest
    use down), at most k can be in one plan when the k + 1 smallest uses
    among them, one per item, already exceed the cap. The LP cannot see that
    (it packs fractions), so these rows lift its bound where a cap holds only
    a few items: a quarter's capex or a team's person-days. One row per k,
    for the largest set it holds for; a set that all fits needs none.
    """
    out: list[tuple[list[int], int]] = []
    limit = cap * (1 + 1e-7) + 1e-7  # the ledger's tolerance: never cut a plan it accepts
    entries = sorted(entries, key=lambda e: -e[1])
    least: dict[int, float] = {}  # item -> its smallest use in the set so far
    members: list[int] = []
    for n, (c, v) in enumerate(entries):
        members.append(c)
        least[cols[c][0]] = v
        if n + 1 < len(entries) and entries[n + 1][1] == v:
            continue  # a set is cut only between distinct uses
        fit, total = 0, 0.0
        for u in heapq.nsmallest(_MAX_CARD + 1, least.values()):
            if total + u > limit:
                break
            total, fit = total + u, fit + 1
        if fit > _MAX_CARD:
            break
        if fit < len(least):
            if out and out[-1][1] == fit:
                out.pop()  # the larger set says the same k: keep only it
            out.append((list(members), fit))
    return out


def _plan(p: Problem, starts: dict[int, int], optimal: bool, status: str, method: str) -> Plan:
    ledger = Ledger(p)
    for i, q in starts.items():
        ledger.add(i, q)
    reasons = {
        p.items[i].id: Reason(kind, text, by_q)
        for i, (kind, text, by_q) in explain(p, starts, optimal).items()
    }
    return Plan(
        items={it.id: starts.get(i) for i, it in enumerate(p.items)},
        total_score=math.fsum(p.score[i] for i in starts),
        optimal=optimal,
        status=status,
        capex=list(ledger.use["capex"]),
        opex=list(ledger.use["opex"]),
        effort=list(ledger.use["effort"]),
        reasons=reasons,
        labels=p.labels,
        method=method,
    )


def _replace(plan: Plan, status: str, solve_s: float, gap: float | None = None) -> Plan:
    return replace(plan, status=status, solve_s=solve_s, mip_gap=gap)
