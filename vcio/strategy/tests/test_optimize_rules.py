"""The optimiser's plan keeps every rule and is the best there is; greedy keeps the rules too.

An independent checker (written here, from the rules as a client states them,
not from the optimiser's own ledger) audits each plan: caps per quarter and per
fiscal year on capex, opex and effort, requirements ending before a dependent
starts, at most one alternative per group, earliest/latest and the horizon end,
mandatory items in and locked items where they were locked. On small
portfolios (8 initiatives × 4 quarters) the best score is found by enumerating
every start quarter (or "left out") of every item and compared with the
optimiser's.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from vcio.strategy.optimize import Caps, Item, PlanError, greedy, optimize


def _f(v: object) -> Fraction:
    return Fraction(str(v))


def violations(items: list[Item], caps: Caps, horizon: int, starts: dict) -> list[str]:
    """Every rule the plan ``starts`` (id → quarter or None) breaks, in words; exact arithmetic."""
    by_id = {it.id: it for it in items}
    year = list(caps.year_of_quarter or [t // 4 for t in range(horizon)])
    use = {k: [Fraction(0)] * horizon for k in ("capex", "opex", "effort")}
    broken, groups = [], {}
    for it in items:
        q = starts.get(it.id)
        if q is None:
            if it.mandatory or it.locked_quarter is not None:
                broken.append(f"{it.id} is mandatory or locked but left out")
            continue
        if it.locked_quarter is not None and q != it.locked_quarter:
            broken.append(f"{it.id} locked in {it.locked_quarter}, starts {q}")
        outside = q < (it.earliest or 0) or (it.latest is not None and q > it.latest)
        if outside and it.locked_quarter is None:  # a lock overrides earliest/latest
            broken.append(f"{it.id} starts outside earliest/latest")
        if q < 0 or q + it.duration_quarters > horizon:
            broken.append(f"{it.id} runs past the horizon")
        if it.group:
            if it.group in groups:
                broken.append(f"{it.id} and {groups[it.group]} are alternatives")
            groups[it.group] = it.id
        for r in it.requires:
            rq = starts.get(r)
            if rq is None or rq + by_id[r].duration_quarters > q:
                broken.append(f"{it.id} starts before {r} ends")
        if 0 <= q < horizon:
            use["capex"][q] += _f(it.capex)
        for t in range(max(q, 0), horizon):
            use["opex"][t] += _f(it.opex_per_year) / 4
        for t in range(max(q, 0), min(q + it.duration_quarters, horizon)):
            use["effort"][t] += _f(it.effort_days) / it.duration_quarters
    per_q = {
        "capex": caps.capex_per_quarter,
        "opex": caps.opex_per_quarter,
        "effort": caps.effort_per_quarter,
    }
    per_y = {"capex": caps.capex_per_year, "opex": caps.opex_per_year}
    for kind, row in use.items():
        for t, cap in enumerate(per_q[kind] or []):
            if cap is not None and row[t] > _f(cap):
                broken.append(f"{kind} over its cap in quarter {t}")
        for y, cap in (per_y.get(kind) or {}).items():
            if sum(v for t, v in enumerate(row) if year[t] == y) > _f(cap):
                broken.append(f"{kind} over its cap in year {y}")
    return broken


def best_by_enumeration(items: list[Item], caps: Caps, horizon: int) -> Fraction | None:
    """The highest total score of any plan that breaks no rule (None: no plan keeps them).

    Every item is tried in every quarter and left out, depth first. A branch is
    cut as soon as the items placed so far break a rule on their own (usage only
    grows as items are added; requirements come earlier in the list); each
    complete plan is then audited by :func:`violations` before it counts.
    """
    best: list[Fraction | None] = [None]
    by_id = {it.id: it for it in items}
    year = list(caps.year_of_quarter or [t // 4 for t in range(horizon)])
    use = {k: [Fraction(0)] * horizon for k in ("capex", "opex", "effort")}
    per_q = {
        "capex": caps.capex_per_quarter,
        "opex": caps.opex_per_quarter,
        "effort": caps.effort_per_quarter,
    }
    per_y = {"capex": caps.capex_per_year or {}, "opex": caps.opex_per_year or {}, "effort": {}}

    def usage(it: Item, q: int) -> dict[str, dict[int, Fraction]]:
        return {
            "capex": {q: _f(it.capex)},
            "opex": {t: _f(it.opex_per_year) / 4 for t in range(q, horizon)},
            "effort": {
                t: _f(it.effort_days) / it.duration_quarters
                for t in range(q, min(q + it.duration_quarters, horizon))
            },
        }

    def fits(kind: str, ts: set[int]) -> bool:
        row = use[kind]
        for t in ts:
            cap = (per_q[kind] or [None] * horizon)[t]
            if cap is not None and row[t] > _f(cap):
                return False
        for y in {year[t] for t in ts}:
            cap = per_y[kind].get(y)
            if cap is not None and sum(v for t, v in enumerate(row) if year[t] == y) > _f(cap):
                return False
        return True

    def visit(k: int, starts: dict) -> None:
        if k == len(items):
            if not violations(items, caps, horizon, starts):
                score = sum(_f(it.score) for it in items if starts[it.id] is not None)
                if best[0] is None or score > best[0]:
                    best[0] = score
            return
        it = items[k]
        for q in [None, *range(horizon)]:
            starts[it.id] = q
            mine = {it.id: q, **{r: starts[r] for r in it.requires}}
            alone = [it, *(by_id[r] for r in it.requires)]
            rivals = [o for o in items[:k] if it.group and o.group == it.group]
            if q is not None and (
                violations(alone, Caps(), horizon, mine)
                or any(starts[o.id] is not None for o in rivals)
            ):
                continue
            if q is None and (it.mandatory or it.locked_quarter is not None):
                continue
            added = usage(it, q) if q is not None else {}
            for kind, vec in added.items():
                for t, v in vec.items():
                    use[kind][t] += v
            if all(fits(kind, set(vec)) for kind, vec in added.items()):
                visit(k + 1, starts)
            for kind, vec in added.items():
                for t, v in vec.items():
                    use[kind][t] -= v
        del starts[it.id]

    visit(0, {})
    return best[0]


def portfolio(rng: random.Random, n: int = 8, horizon: int = 4) -> tuple[list[Item], Caps]:
    """A small portfolio with every kind of rule: money with cents, half person-days."""
    items = []
    for i in range(n):
        requires = tuple(f"i{j}" for j in range(i) if rng.random() < 0.15)
        locked = rng.randrange(horizon - 1) if not requires and rng.random() < 0.1 else None
        items.append(
            Item(
                id=f"i{i}",
                title=f"Item {i}",
                score=round(rng.uniform(1, 30), 1),
                capex=rng.choice([0, 5000, 12500.5, 20000, 30000]),
                opex_per_year=rng.choice([0, 0, 3000, 8000]),
                effort_days=rng.choice([0, 4.5, 10, 21]),
                duration_quarters=rng.choice([1, 1, 2, 3]),
                requires=requires,
                mandatory=locked is None and not requires and rng.random() < 0.12,
                group=rng.choice([None, None, None, "g1", "g2"]) if locked is None else None,
                locked_quarter=locked,
                earliest=rng.randrange(horizon) if rng.random() < 0.15 else None,
                latest=rng.randrange(1, horizon) if rng.random() < 0.15 else None,
            )
        )
    caps = Caps(
        capex_per_quarter=[rng.choice([25000, 35000, 45000])] * horizon,
        capex_per_year={0: 60000, 1: 60000},
        opex_per_year={0: rng.choice([3000, 5000, 8000]), 1: 9000},
        effort_per_quarter=[rng.choice([12, 20, 31.5])] * horizon,
        year_of_quarter=[0, 0, 1, 1][:horizon],
    )
    return items, caps


def _starts(plan) -> dict:  # noqa: ANN001
    return dict(plan.items)


@pytest.mark.parametrize("seed", range(16))
def test_the_plan_is_the_best_by_enumeration_and_keeps_every_rule(seed):
    items, caps = portfolio(random.Random(seed))
    best = best_by_enumeration(items, caps, 4)
    if best is None:  # no plan keeps the locked and mandatory items: refused, naming them
        with pytest.raises(PlanError):
            optimize(items, caps, 4)
        return
    plan = optimize(items, caps, 4)
    assert violations(items, caps, 4, _starts(plan)) == []
    assert plan.optimal and plan.status.startswith("proven optimal")
    assert _f(round(plan.total_score, 6)) == best


@pytest.mark.parametrize("seed", range(8))
def test_greedy_keeps_mandatory_items_and_locks_and_never_beats_the_optimum(seed):
    rng = random.Random(1000 + seed)
    items, caps = portfolio(rng, n=14, horizon=4)
    # Two more forced items than the random draw gives: one locked, one mandatory.
    items[0] = Item("i0", "Locked", 3.0, capex=10000, effort_days=6, locked_quarter=1)
    items[1] = Item("i1", "Mandatory", 2.0, capex=15000, effort_days=5, mandatory=True)
    floor = greedy(items, caps, 4)
    assert floor.feasible and floor.status == "greedy"
    assert violations(items, caps, 4, _starts(floor)) == []
    for it in items:
        if it.mandatory:
            assert floor.items[it.id] is not None
        if it.locked_quarter is not None:
            assert floor.items[it.id] == it.locked_quarter
    best = optimize(items, caps, 4)
    assert violations(items, caps, 4, _starts(best)) == []
    assert best.total_score >= floor.total_score


def test_an_unproven_plan_says_so_and_still_keeps_every_rule():
    rng = random.Random(5)
    items, caps = portfolio(rng, n=120, horizon=8)
    caps = Caps(
        capex_per_quarter=[60000] * 8,
        opex_per_year={y: 20000 for y in range(2)},
        effort_per_quarter=[45] * 8,
    )
    items = [it for it in items if it.locked_quarter is None or it.locked_quarter < 8]
    plan = optimize(items, caps, 8, time_limit=0.05)
    assert violations(items, caps, 8, _starts(plan)) == []
    # The status says what was proven, never more.
    if plan.status.startswith("proven optimal"):
        assert plan.optimal
    if not plan.optimal:
        assert "not proven" in plan.status or "greedy" in plan.status
    assert plan.total_score >= greedy(items, caps, 8).total_score
