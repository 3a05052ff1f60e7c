"""Validation, bookkeeping and explanations for the roadmap optimiser.

``optimize`` decides *what* goes where; this module says *why* not: it keeps
what a plan uses per quarter and per fiscal year (the :class:`Ledger`), tests
whether one more item fits in a quarter against the remaining slack, and turns
the first constraint that binds into a sentence a client can read. The greedy
plan and the diagnosis of infeasible mandatory items use the same test, so a
reason always names a constraint that really binds against the plan shown.
Bad input is refused here too, with a :class:`PlanError` naming the items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations: optimize imports this module
    from vcio.strategy.optimize import Caps, Item, Problem

    Why = tuple[str, str, dict[int, str]]  # (kind, text, {quarter: text})

# Relative slack so that sums of floats equal to a cap still fit it.
_TOL = 1e-7


class PlanError(ValueError):
    """Input the optimiser cannot plan; the message names the items."""


def num(value: float) -> str:
    """``value`` with thousands separators, decimals only when it has some."""
    if abs(value - round(value)) < 1e-9:
        return f"{value:,.0f}"
    return f"{value:,.2f}"


@dataclass(frozen=True)
class Blocker:
    """Why an item cannot start in one quarter.

    ``kind`` is "dependency", "capex", "opex" or "effort"; ``row`` names the
    budget row for resource kinds: ("quarter", index) or ("year", fiscal year).
    """

    kind: str
    text: str
    row: tuple[str, int] | None = None
    cap: float = 0.0
    planned: float = 0.0
    need: float = 0.0


class Ledger:
    """What the scheduled items of a plan use, per quarter (money and days)."""

    def __init__(self, problem: Problem) -> None:
        self.p = problem
        h = problem.horizon
        self.use = {"capex": [0.0] * h, "opex": [0.0] * h, "effort": [0.0] * h}

    def add(self, i: int, q: int, sign: float = 1.0) -> None:
        """Book item ``i`` starting in quarter ``q`` (``sign=-1`` unbooks it)."""
        for kind, vec in self.p.usage(i, q).items():
            row = self.use[kind]
            for t, v in vec.items():
                row[t] += sign * v

    def year_total(self, kind: str, year: int) -> float:
        return sum(v for t, v in enumerate(self.use[kind]) if self.p.year_of_quarter[t] == year)

    def blocker(self, i: int, q: int, starts: dict[int, int]) -> Blocker | None:
        """The first constraint that stops item ``i`` starting in ``q``, or None.

        Requirements are checked before money so that "waits for X" wins over
        a budget that would also bind: moving X is the actionable fix.
        """
        p = self.p
        for j in p.reqs[i]:
            if j in starts and starts[j] + p.dur[j] > q:
                end = p.labels[starts[j] + p.dur[j] - 1]
                return Blocker("dependency", f"requires {p.name(j)}, which ends in {end}")
        usage = p.usage(i, q)
        for kind in ("capex", "opex", "effort"):
            found = self._resource(kind, usage[kind])
            if found:
                return found
        return None

    def _resource(self, kind: str, need: dict[int, float]) -> Blocker | None:
        p = self.p
        caps_q = p.caps_q[kind]
        for t, v in need.items():
            cap = caps_q[t]
            if cap is not None and self.use[kind][t] + v > cap * (1 + _TOL) + _TOL:
                return self._block(kind, ("quarter", t), cap, self.use[kind][t], v)
        caps_y = p.caps_y[kind]
        for year in sorted({p.year_of_quarter[t] for t in need}):
            cap = caps_y.get(year)
            if cap is None:
                continue
            v = sum(x for t, x in need.items() if p.year_of_quarter[t] == year)
            planned = self.year_total(kind, year)
            if planned + v > cap * (1 + _TOL) + _TOL:
                return self._block(kind, ("year", year), cap, planned, v)
        return None

    def _block(
        self, kind: str, row: tuple[str, int], cap: float, planned: float, need: float
    ) -> Blocker:
        p = self.p
        where = p.labels[row[1]] if row[0] == "quarter" else p.year_label(row[1])
        what = {"capex": "capex cap", "opex": "opex cap", "effort": "effort capacity"}[kind]
        verb = "adds" if kind == "opex" else "needs"
        # Commas, not semicolons, inside the brackets: a reason over several quarters
        # is joined with "; " and split back on it for display.
        amount = num if kind == "effort" else lambda v: p.amount(kind, v)  # days: unit once
        text = (
            f"{what} in {where} (cap {p.amount(kind, cap)}, already planned "
            f"{amount(planned)}, this {verb} {amount(need)})"
        )
        return Blocker(kind, text, row, cap, planned, need)


def window_text(p: Problem, i: int) -> str:
    """Why item ``i`` has no start quarter at all, from its own dates."""
    item, last = p.items[i], p.labels[p.horizon - 1]
    lo = max(item.earliest or 0, 0)
    if lo > p.horizon - 1:
        return f"its earliest start is after the horizon ends ({last})"
    if item.latest is not None and item.latest < lo:
        return "no quarter between earliest and latest fits"
    return (
        f"its {p.dur[i]} quarters don't fit between {p.labels[lo]} (earliest) "
        f"and the horizon end ({last})"
    )


def explain(p: Problem, starts: dict[int, int], optimal: bool) -> dict[int, Why]:
    """Reasons per item index: (kind, text, {quarter: text}).

    Every unscheduled item gets one; a scheduled item gets one when it starts
    later than its first allowed quarter ("why not earlier").
    """
    ledger = Ledger(p)
    for i, q in starts.items():
        ledger.add(i, q)
    chosen_in_group = {p.items[i].group: i for i in starts if p.items[i].group}
    out: dict[int, Why] = {}
    for i in range(len(p.items)):
        if i in starts:
            if starts[i] > p.window[i].start:
                out[i] = _why_not_earlier(p, ledger, starts, i)
            continue
        out[i] = _why_not(p, ledger, starts, chosen_in_group, i, optimal)
    return out


def _why_not(
    p: Problem,
    ledger: Ledger,
    starts: dict[int, int],
    chosen_in_group: dict[str, int],
    i: int,
    optimal: bool,
) -> Why:
    item = p.items[i]
    other = chosen_in_group.get(item.group) if item.group else None
    if other is not None:
        how = "scored higher" if p.score[other] > p.score[i] else "fits the rest of the plan better"
        return "group", f"alternative to {p.name(other)} (group {item.group}), which {how}", {}
    for j in p.reqs[i]:
        if j not in starts:
            return "requires", f"requires {p.name(j)}, which is not in the plan", {}
    if not p.window[i]:
        return "window", window_text(p, i), {}
    per_q: dict[int, str] = {}
    first: Blocker | None = None
    for q in p.window[i]:
        b = ledger.blocker(i, q, starts)
        if b is None:
            return _fits_anyway(p, i, q, optimal)
        per_q[q] = b.text
        first = first or b
    text = first.text
    if len(per_q) > 1:
        text += f", and no later quarter up to {p.labels[p.window[i][-1]]} fits either"
    if first.row is not None and _fills(p, starts, first, i):
        text += "; it scores lower than the items that fill it"
    return first.kind, text, per_q


def _fills(p: Problem, starts: dict[int, int], b: Blocker, i: int) -> bool:
    """Whether every item using the binding budget row scores at least as much as ``i``."""
    scope, t = b.row
    quarters = (
        [t] if scope == "quarter" else [u for u in range(p.horizon) if p.year_of_quarter[u] == t]
    )
    users = [j for j, s in starts.items() if _uses(p, j, s, b.kind, quarters)]
    return bool(users) and min(p.score[j] for j in users) >= p.score[i]


def _fits_anyway(p: Problem, i: int, q: int, optimal: bool) -> Why:
    if p.score[i] <= 0:
        return "score", f"its score ({num(p.score[i])}) adds nothing to the plan", {}
    if not optimal:
        text = f"the solver stopped at its time limit before adding it (it fits in {p.labels[q]})"
        return "time_limit", text, {}
    text = f"it fits in {p.labels[q]} but adds less than the optimality gap"
    return "score", text, {}


def _why_not_earlier(p: Problem, ledger: Ledger, starts: dict[int, int], i: int) -> Why:
    ledger.add(i, starts[i], -1.0)  # judge earlier quarters without its own spend
    per_q: dict[int, str] = {}
    kind = "score"
    for q in range(p.window[i].start, starts[i]):
        b = ledger.blocker(i, q, starts)
        per_q[q] = b.text if b else "nothing binds; the plan scores the same"
        kind = b.kind if b and kind == "score" else kind
    ledger.add(i, starts[i])
    text = "; ".join(f"not in {p.labels[q]}: {t}" for q, t in per_q.items())
    return kind, text, per_q


def diagnose(p: Problem, forced: list[int], starts: dict[int, int], failed: int) -> str:
    """A sentence naming the mandatory items and the cap that cannot hold them.

    ``starts`` places the mandatory items the greedy pass could fit before
    ``failed``, the first it could not; the sentence adds up what they need
    from the budget row that binds in ``failed``'s first allowed quarter.
    """
    ledger = Ledger(p)
    for i, q in starts.items():
        ledger.add(i, q)
    if not p.window[failed]:
        return f"mandatory item {p.name(failed)} cannot be planned: {window_text(p, failed)}"
    q0 = p.window[failed][0]
    b = ledger.blocker(failed, q0, starts)
    if b is None or b.row is None:
        text = b.text if b else "the caps leave no room"
        return f"mandatory item {p.name(failed)} cannot be planned in any quarter ({text})"
    scope, t = b.row
    where = p.labels[t] if scope == "quarter" else p.year_label(t)
    quarters = (
        [t] if scope == "quarter" else [u for u in range(p.horizon) if p.year_of_quarter[u] == t]
    )
    users = [j for j, s in starts.items() if j in forced and _uses(p, j, s, b.kind, quarters)]
    names = [p.name(j) for j in sorted(users) + [failed]]
    total = b.planned + b.need
    subject = (
        "mandatory item " + names[0] if len(names) == 1 else "mandatory items " + ", ".join(names)
    )
    verb = "needs" if len(names) == 1 else "need"
    unit = {"capex": " capex", "opex": " opex", "effort": " of effort"}[b.kind]
    text = (
        f"{subject} {verb} {p.amount(b.kind, total)}{unit} in {where} "
        f"but the cap is {p.amount(b.kind, b.cap)}"
    )
    if len(p.window[failed]) > 1:
        text += f" (and {p.name(failed)} fits in no later quarter either)"
    return text


def _uses(p: Problem, j: int, s: int, kind: str, quarters: list[int]) -> bool:
    vec = p.usage(j, s)[kind]
    return any(vec.get(t, 0.0) > 0 for t in quarters)


def validate(p: Problem, caps: Caps) -> None:
    """Refuse input no plan can be made of; raises :class:`PlanError`."""
    if p.horizon < 1:
        raise PlanError(f"the horizon must be at least 1 quarter, not {p.horizon}")
    if len(p.labels) < p.horizon:
        raise PlanError(f"{len(p.labels)} quarter labels for a {p.horizon}-quarter horizon")
    if len(p.index) != len(p.items):
        seen: set = set()
        dup = next(it for it in p.items if it.id in seen or seen.add(it.id))
        raise PlanError(f"item id {dup.id!r} ('{dup.title}') appears more than once")
    for it in p.items:
        _check_item(p, it)
    _check_cycles(p)
    _check_caps(p, caps)


def _check_item(p: Problem, it: Item) -> None:
    if not math.isfinite(float(it.score)):
        raise PlanError(f"'{it.title}': score must be a number, not {it.score!r}")
    for attr in ("capex", "opex_per_year", "effort_days"):
        value = float(getattr(it, attr))
        if not math.isfinite(value) or value < 0:
            raise PlanError(f"'{it.title}': {attr} cannot be negative ({num(value)})")
    if int(it.duration_quarters) < 1:
        raise PlanError(f"'{it.title}': duration must be at least 1 quarter")
    for r in it.requires:
        if r not in p.index:
            raise PlanError(f"'{it.title}' requires {r!r}, which is not among the items")
    q = it.locked_quarter
    if q is not None and not 0 <= q < p.horizon:
        raise PlanError(
            f"'{it.title}' is locked to quarter {q + 1}, outside the horizon "
            f"({p.labels[0]}–{p.labels[p.horizon - 1]})"
        )
    if q is not None and q + int(it.duration_quarters) > p.horizon:
        raise PlanError(
            f"'{it.title}' is locked to {p.labels[q]} but its {it.duration_quarters} quarters "
            f"run past the horizon end ({p.labels[p.horizon - 1]})"
        )


def _check_cycles(p: Problem) -> None:
    """Depth-first search; a back edge is a cycle, reported in requirement order."""
    state = [0] * len(p.items)  # 0 new, 1 on the current path, 2 done
    path: list[int] = []

    def visit(i: int) -> None:
        state[i] = 1
        path.append(i)
        for r in p.items[i].requires:
            j = p.index[r]
            if state[j] == 1:
                cycle = path[path.index(j) :] + [j]
                names = " → ".join(p.name(k) for k in cycle)
                raise PlanError(f"dependency cycle: {names}")
            if state[j] == 0:
                visit(j)
        path.pop()
        state[i] = 2

    for i in range(len(p.items)):
        if state[i] == 0:
            visit(i)


def _check_caps(p: Problem, caps: Caps) -> None:
    if len(p.year_of_quarter) < p.horizon:
        raise PlanError(
            f"year_of_quarter has {len(p.year_of_quarter)} values for {p.horizon} quarters"
        )
    for name in ("capex_per_quarter", "opex_per_quarter", "effort_per_quarter"):
        values = getattr(caps, name)
        if values is not None and len(values) < p.horizon:
            raise PlanError(f"{name} has {len(values)} values for {p.horizon} quarters")
        for q, v in enumerate(values or []):
            if v is not None and float(v) < 0:
                raise PlanError(f"{name} for {p.labels[q]} cannot be negative ({num(float(v))})")
    for name in ("capex_per_year", "opex_per_year"):
        for year, v in (getattr(caps, name) or {}).items():
            if float(v) < 0:
                raise PlanError(
                    f"{name} for {p.year_label(year)} cannot be negative ({num(float(v))})"
                )


def validate_forced(p: Problem) -> None:
    """Mandatory and locked items (and what they require) must be plannable together.

    Checks what needs no budget: alternatives, windows and dependency chains.
    """
    why: dict[int, str] = {}
    for i, it in enumerate(p.items):
        if p.forced(i):
            why[i] = "mandatory" if it.mandatory else "locked"
    todo = list(why)
    while todo:
        i = todo.pop()
        for j in p.reqs[i]:
            if j not in why:
                why[j] = f"required by {p.name(i)}"
                todo.append(j)
    groups: dict[str, int] = {}
    for i in sorted(why):
        g = p.items[i].group
        if g and g in groups:
            a, b = groups[g], i
            raise PlanError(
                f"mandatory items {p.name(a)} ({why[a]}) and {p.name(b)} ({why[b]}) are "
                f"alternatives in group '{g}'; at most one can be in the plan"
            )
        if g:
            groups[g] = i
    _check_forced_chains(p, why)


def _check_forced_chains(p: Problem, why: dict[int, str]) -> None:
    earliest: dict[int, int] = {}

    def first_start(i: int) -> int:  # dependencies are acyclic by now
        if i not in earliest:
            after = [first_start(j) + p.dur[j] for j in p.reqs[i]]
            earliest[i] = max([p.window[i].start, *after])
        return earliest[i]

    for i in sorted(why):
        if not p.window[i]:
            raise PlanError(
                f"mandatory item {p.name(i)} ({why[i]}) cannot be planned: {window_text(p, i)}"
            )
        start = first_start(i)
        if start > p.window[i][-1]:
            late = max(p.reqs[i], key=lambda j: first_start(j) + p.dur[j])
            end = first_start(late) + p.dur[late] - 1
            end_label = p.labels[end] if end < p.horizon else "after the horizon"
            raise PlanError(
                f"mandatory item {p.name(i)} ({why[i]}) must start by {p.labels[p.window[i][-1]]} "
                f"but requires {p.name(late)}, which ends in {end_label} at the earliest"
            )
