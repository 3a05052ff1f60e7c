"""The roadmap optimiser: each constraint alone, reasons, bad input, brute force, settling."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from decimal import Decimal

import pytest

from vcio.strategy.optimize import Caps, Item, PlanError, greedy, optimize


def item(id: str, score: float = 10, **kw) -> Item:
    return Item(id=id, title=id.upper(), score=score, **kw)


# --- each constraint kind in isolation ---------------------------------------


def test_quarter_capex_cap_pushes_the_lower_score_to_the_next_quarter():
    items = [item("a", 10, capex=Decimal("40000")), item("b", 5, capex=30000)]
    plan = optimize(items, Caps(capex_per_quarter=[50000, 50000]), horizon=2)
    assert plan.items == {"a": 0, "b": 1}
    assert plan.optimal and plan.total_score == 15
    assert plan.capex == [40000, 30000]
    assert plan.reasons["b"].kind == "capex"
    assert plan.reasons["b"].text == (
        "not in Q1: capex cap in Q1 (cap 50,000, already planned 40,000, this needs 30,000)"
    )


def test_fiscal_year_opex_cap_counts_recurring_costs_in_every_later_quarter():
    # 8,000/year is 2,000 a quarter: started in Q1 it costs 8,000 in year 1
    # (over the cap of 5,000), started in Q3 only 4,000.
    items = [item("saas", 10, opex_per_year=8000)]
    plan = optimize(items, Caps(opex_per_year={0: 5000}), horizon=4)
    assert plan.items == {"saas": 2}
    assert plan.opex == [0, 0, 2000, 2000]
    assert plan.reasons["saas"].by_quarter[0] == (
        "opex cap in year 1 (cap 5,000, already planned 0, this adds 8,000)"
    )


def test_fiscal_year_cap_sums_the_quarters_given_by_year_of_quarter():
    caps = Caps(capex_per_year={2027: 50000, 2028: 50000}, year_of_quarter=[2027, 2028, 2028])
    items = [item("a", 10, capex=40000), item("b", 9, capex=40000), item("c", 8, capex=40000)]
    plan = optimize(items, caps, horizon=3, labels=["FY2027 Q4", "FY2028 Q1", "FY2028 Q2"])
    assert sorted(plan.scheduled.values()) == [0, 1] and plan.items["c"] is None
    assert plan.reasons["c"].text.startswith(
        "capex cap in FY2027 (cap 50,000, already planned 40,000, this needs 40,000)"
    )
    assert "FY2028 (cap 50,000, already planned 40,000" in plan.reasons["c"].by_quarter[1]


def test_effort_capacity_spreads_effort_over_the_duration():
    items = [item("big", 10, effort_days=60, duration_quarters=2), item("small", 4, effort_days=20)]
    plan = optimize(items, Caps(effort_per_quarter=[40, 40]), horizon=2)
    assert plan.items == {"big": 0, "small": None}
    assert plan.effort == [30, 30]
    assert plan.reasons["small"].kind == "effort"
    assert plan.reasons["small"].text.startswith(
        "effort capacity in Q1 (cap 40 person-days, already planned 30, this needs 20)"
    )
    assert plan.reasons["small"].text.endswith("; it scores lower than the items that fill it")


def test_dependency_starts_the_quarter_after_its_requirement_ends():
    items = [item("dep", 20, requires=("base",)), item("base", 1, duration_quarters=2)]
    plan = optimize(items, Caps(), horizon=4)
    assert plan.items == {"dep": 2, "base": 0}
    assert plan.reasons["dep"].text == (
        "not in Q1: requires 'BASE', which ends in Q2; not in Q2: requires 'BASE', which ends in Q2"
    )


def test_a_dependent_without_its_requirement_is_left_out():
    items = [item("base", 1, capex=100), item("dep", 20, requires=("base",))]
    plan = optimize(items, Caps(capex_per_quarter=[50, 50]), horizon=2)
    assert plan.items == {"base": None, "dep": None}
    assert plan.reasons["dep"].text == "requires 'BASE', which is not in the plan"


def test_alternatives_at_most_one_per_group():
    items = [item("fw1", 10, group="firewall"), item("fw2", 8, group="firewall")]
    plan = optimize(items, Caps(), horizon=2)
    assert plan.items == {"fw1": 0, "fw2": None}
    assert plan.reasons["fw2"].text == "alternative to 'FW1' (group firewall), which scored higher"


def test_mandatory_item_is_planned_even_at_a_lower_score():
    items = [item("nice", 10, capex=100), item("must", 1, capex=100, mandatory=True)]
    plan = optimize(items, Caps(capex_per_quarter=[100]), horizon=1)
    assert plan.items == {"nice": None, "must": 0}


def test_locked_item_starts_exactly_in_its_quarter():
    plan = optimize([item("a", locked_quarter=2, earliest=0, latest=0)], Caps(), horizon=4)
    assert plan.items == {"a": 2}


def test_earliest_and_latest_bound_the_start():
    items = [item("a", capex=10, earliest=1, latest=2), item("b", 50, capex=10, earliest=1)]
    plan = optimize(items, Caps(capex_per_quarter=[10] * 4), horizon=4)
    assert plan.items == {"a": 2, "b": 1}
    plan = optimize([item("late", earliest=3, latest=1)], Caps(), horizon=4)
    assert plan.reasons["late"].text == "no quarter between earliest and latest fits"


def test_an_item_that_would_run_past_the_horizon_cannot_start_that_late():
    plan = optimize([item("long", duration_quarters=3, earliest=2)], Caps(), horizon=4)
    assert plan.items == {"long": None}
    assert plan.reasons["long"].kind == "window"
    assert plan.reasons["long"].text == (
        "its 3 quarters don't fit between Q3 (earliest) and the horizon end (Q4)"
    )


def test_every_left_out_item_has_a_reason():
    rng = random.Random(7)
    for _ in range(20):
        items, caps, horizon = random_instance(rng, 7, 3)
        try:
            plan = optimize(items, caps, horizon)
        except PlanError:
            continue
        for key, start in plan.items.items():
            if start is None:
                assert plan.reasons[key].text


def test_at_the_time_limit_the_plan_is_not_optimal_and_never_below_greedy():
    rng = random.Random(3)
    items = [
        item(f"i{k}", rng.randint(1, 100), capex=rng.randint(1, 50) * 1000, effort_days=10)
        for k in range(300)
    ]
    caps = Caps(capex_per_quarter=[60000] * 8, effort_per_quarter=[100] * 8)
    plan = optimize(items, caps, time_limit=0.01)
    assert not plan.optimal
    assert plan.total_score >= greedy(items, caps).total_score


def test_a_proven_plan_says_so_with_the_gap_it_reached():
    items = [item("a", capex=10), item("b", capex=10)]
    plan = optimize(items, Caps(capex_per_quarter=[10]), horizon=1)
    assert plan.optimal and plan.status == "proven optimal" and plan.mip_gap == 0


def test_among_equal_scores_the_higher_score_starts_first_even_if_listed_last():
    items = [item("low", 5, effort_days=10), item("high", 50, effort_days=10)]
    plan = optimize(items, Caps(effort_per_quarter=[10, 10]), horizon=2)
    assert plan.items == {"low": 1, "high": 0}
    assert plan.reasons["low"].text == (
        "not in Q1: effort capacity in Q1 (cap 10 person-days, already planned 10, this needs 10)"
    )


def test_greedy_takes_the_highest_score_first_in_its_earliest_quarter():
    items = [item("a", 5, capex=60), item("b", 4, capex=50), item("c", 3, capex=50)]
    plan = greedy(items, Caps(capex_per_quarter=[100]), horizon=1)
    assert plan.items == {"a": 0, "b": None, "c": None} and plan.total_score == 5
    assert optimize(items, Caps(capex_per_quarter=[100]), horizon=1).total_score == 7


# --- bad input ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "caps", "message"),
    [
        (
            [item("a", requires=("b",)), item("b", requires=("c",)), item("c", requires=("a",))],
            Caps(),
            "dependency cycle: 'A' → 'B' → 'C' → 'A'",
        ),
        ([item("a", requires=("zz",))], Caps(), "'A' requires 'zz', which is not among the items"),
        ([item("a", capex=-5)], Caps(), "'A': capex cannot be negative (-5)"),
        ([item("a", effort_days=-1)], Caps(), "'A': effort_days cannot be negative (-1)"),
        (
            [item("a", locked_quarter=8)],
            Caps(),
            "'A' is locked to quarter 9, outside the horizon (Q1–Q8)",
        ),
        (
            [item("a", mandatory=True, group="g"), item("b", mandatory=True, group="g")],
            Caps(),
            "mandatory items 'A' (mandatory) and 'B' (mandatory) are alternatives in group 'g'; "
            "at most one can be in the plan",
        ),
        (
            [
                item("a", mandatory=True, capex=40000, latest=3),
                item("b", mandatory=True, capex=40000, latest=3),
            ],
            Caps(capex_per_year={0: 60000, 1: 60000}),
            "mandatory items 'A', 'B' need 80,000 capex in year 1 but the cap is 60,000 "
            "(and 'B' fits in no later quarter either)",
        ),
        (
            [item("a", mandatory=True, capex=70000)],
            Caps(capex_per_quarter=[60000] * 8),
            "mandatory item 'A' needs 70,000 capex in Q1 but the cap is 60,000 "
            "(and 'A' fits in no later quarter either)",
        ),
        (
            [item("a", mandatory=True, latest=1, requires=("b",)), item("b", duration_quarters=3)],
            Caps(),
            "mandatory item 'A' (mandatory) must start by Q2 but requires 'B', "
            "which ends in Q3 at the earliest",
        ),
        (
            [item("a", mandatory=True, earliest=9)],
            Caps(),
            "mandatory item 'A' (mandatory) cannot be planned: "
            "its earliest start is after the horizon ends (Q8)",
        ),
        (
            [item("a")],
            Caps(capex_per_quarter=[1, 2]),
            "capex_per_quarter has 2 values for 8 quarters",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_naming_it(items, caps, message):
    with pytest.raises(PlanError) as error:
        optimize(items, caps)
    assert str(error.value) == message


# --- against brute force -----------------------------------------------------


def random_instance(rng: random.Random, n: int, horizon: int) -> tuple[list[Item], Caps, int]:
    items = []
    for i in range(n):
        requires = tuple(f"i{j}" for j in range(i) if rng.random() < 0.15)
        items.append(
            Item(
                id=f"i{i}",
                title=f"Item {i}",
                score=rng.randint(1, 20),
                capex=rng.choice([0, 5, 10, 20, 30]) * 1000,
                opex_per_year=rng.choice([0, 0, 4, 8]) * 1000,
                effort_days=rng.choice([0, 5, 10, 20]),
                duration_quarters=rng.choice([1, 1, 2]),
                requires=requires,
                mandatory=rng.random() < 0.07,
                group=rng.choice([None, None, None, "g1", "g2"]),
                locked_quarter=rng.randrange(horizon) if rng.random() < 0.05 else None,
                earliest=rng.randrange(horizon) if rng.random() < 0.2 else None,
                latest=rng.randrange(horizon) if rng.random() < 0.2 else None,
            )
        )
    caps = Caps(
        capex_per_quarter=[rng.choice([20, 30, 40]) * 1000 for _ in range(horizon)],
        opex_per_year={0: rng.choice([2, 4, 6]) * 1000},
        effort_per_quarter=[rng.choice([15, 25, 40]) for _ in range(horizon)],
        year_of_quarter=[0, 0] + [1] * (horizon - 2),
    )
    return items, caps, horizon


def feasible(items: list[Item], caps: Caps, horizon: int, starts: dict) -> bool:
    """An independent check of a plan against every rule in the brief."""
    capex, opex, effort = [0.0] * horizon, [0.0] * horizon, [0.0] * horizon
    by_id = {it.id: it for it in items}
    groups: set[str] = set()
    for it in items:
        q = starts.get(it.id)
        if q is None:
            if it.mandatory or it.locked_quarter is not None:
                return False
            continue
        if it.locked_quarter is not None and q != it.locked_quarter:
            return False
        if it.locked_quarter is None and not (it.earliest or 0) <= q <= (
            99 if it.latest is None else it.latest
        ):
            return False
        if q + it.duration_quarters > horizon or (it.group and it.group in groups):
            return False
        if it.group:
            groups.add(it.group)
        for r in it.requires:
            rq = starts.get(r)
            if rq is None or rq + by_id[r].duration_quarters > q:
                return False
        capex[q] += float(it.capex)
        for t in range(q, horizon):
            opex[t] += float(it.opex_per_year) / 4
        for t in range(q, q + it.duration_quarters):
            effort[t] += float(it.effort_days) / it.duration_quarters
    year0 = sum(o for o, y in zip(opex, caps.year_of_quarter, strict=False) if y == 0)
    return (
        all(c <= cap for c, cap in zip(capex, caps.capex_per_quarter, strict=False))
        and all(e <= cap + 1e-9 for e, cap in zip(effort, caps.effort_per_quarter, strict=False))
        and year0 <= caps.opex_per_year[0] + 1e-9
    )


def brute_force(items: list[Item], caps: Caps, horizon: int) -> float | None:
    best = None
    for choice in itertools.product([None, *range(horizon)], repeat=len(items)):
        starts = {it.id: q for it, q in zip(items, choice, strict=True)}
        if feasible(items, caps, horizon, starts):
            score = sum(it.score for it in items if starts[it.id] is not None)
            best = score if best is None else max(best, score)
    return best


@pytest.mark.parametrize("seed", range(40))
def test_optimiser_matches_brute_force_and_never_loses_to_greedy(seed):
    rng = random.Random(seed)
    items, caps, horizon = random_instance(rng, 6 if seed % 4 else 7, 3)
    best = brute_force(items, caps, horizon)
    if best is None:
        with pytest.raises(PlanError):
            optimize(items, caps, horizon)
        return
    plan = optimize(items, caps, horizon)
    assert plan.optimal
    assert plan.total_score == best
    assert feasible(items, caps, horizon, plan.items)
    baseline = greedy(items, caps, horizon)
    assert plan.total_score >= baseline.total_score
    if baseline.status == "greedy":  # it placed every mandatory item
        assert feasible(items, caps, horizon, baseline.items)
    again = optimize(items, caps, horizon)
    assert again.items == plan.items and again.reasons == plan.reasons


@pytest.mark.parametrize("seed", range(6))
def test_settled_plans_stay_feasible_and_start_nothing_later_than_needed(seed):
    # Larger than brute force can check: the settling pass moves and trades
    # start quarters, so every rule must still hold, dependencies included,
    # and no scheduled item could start earlier on its own.
    rng = random.Random(100 + seed)
    items, caps, horizon = random_instance(rng, 25, 6)
    items = [replace(it, mandatory=False, locked_quarter=None) for it in items]
    plan = optimize(items, caps, horizon)
    assert feasible(items, caps, horizon, plan.items)
    for key in plan.scheduled:
        reason = plan.reasons.get(key)
        assert reason is None or "nothing binds" not in reason.text
