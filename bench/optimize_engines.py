"""The optimiser bench's peer engines: CP-SAT, HiGHS through ``highspy``, and
production without its cardinality rows.

Each is an :data:`vcio.strategy.optimize.Engine`: ``bench/optimize.py`` passes
it to ``optimize(engine=...)`` so every engine gets the same validated
problem, the same greedy warm start and the same settling of its plan.
``highspy`` and ``ortools`` are imported inside their engines: neither is a
dependency of vcio, and the bench skips an engine whose package is missing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from vcio.strategy.optimize import Problem, Solved, _cardinality, _model, _solve

# --- OR-Tools CP-SAT, kept here (not in vcio) so the comparison stays reproducible ---
#
# The roadmap model for OR-Tools CP-SAT, in exact integers.
#
# CP-SAT works on integers only, so every figure is scaled to whole units
# first, exactly: each amount is read as the decimal its user typed (a float
# by its shortest repr, a Decimal as is) and multiplied by the least common
# multiple of the denominators of its kind (money: capex and a quarter of
# opex a year; effort: effort spread over its duration quarters; score). A
# plan's usage is then an integer, and ``usage <= cap`` holds exactly when
# ``scaled usage <= floor(cap × scale)``: the same plans are feasible and the
# same plan is optimal as with exact arithmetic. Only a portfolio whose
# figures need more than :data:`_MAX_SCALE` per unit (a float such as 1/3
# typed as 0.333333333) is rounded instead, usage up and caps down, so a plan
# found still keeps every cap.
#
# Variables: ``x[i, q]`` (item ``i`` starts in ``q``) and ``z[i]`` (it is in
# the plan, the sum of its ``x``). Rows: at most one item per group,
# requirements ending before a dependent starts, per-quarter and per-year sums
# of capex, opex and effort. The objective is the sum of scores over ``z``.

# Beyond this many sub-units per unit the figures are rounded, not scaled exactly.
_MAX_SCALE = 10**6
# Two workers: the machine's cores; more only time-share them.
WORKERS = 2


@dataclass(frozen=True)
class Result:
    """What CP-SAT returned: the starts (or None), whether proven, and the gap."""

    starts: dict[int, int] | None
    proven: bool
    infeasible: bool
    gap: float | None
    bound: float | None
    status: str


def exact(value: object) -> Fraction:
    """``value`` as the decimal it was written as (a float by its shortest repr)."""
    if isinstance(value, float):
        return Fraction(repr(value)) if math.isfinite(value) else Fraction(0)
    if isinstance(value, Decimal):
        return Fraction(value)
    return Fraction(value)  # type: ignore[arg-type]


def _scale(values: list[Fraction]) -> int:
    scale = 1
    for v in values:
        scale = math.lcm(scale, v.denominator)
        if scale > _MAX_SCALE:
            return _MAX_SCALE
    return scale


def _up(v: Fraction, scale: int) -> int:
    return math.ceil(v * scale)


def _down(v: float, scale: int) -> int:
    return math.floor(Fraction(v) * scale)


def cpsat_solve(
    p: Problem,
    cols: list[tuple[int, int]],
    time_limit: float,
    gap: float,
    hint: dict[int, int] | None = None,
    workers: int = WORKERS,
    cumulative: bool = False,
    params: dict | None = None,
) -> Result:
    """Solve the roadmap model; ``cols`` are the (item, quarter) starts allowed."""
    from ortools.sat.python import cp_model

    n, h = len(p.items), p.horizon
    by_item: dict[int, list[int]] = {}
    for i, q in cols:
        by_item.setdefault(i, []).append(q)

    capex = [exact(it.capex) for it in p.items]
    opex_q = [exact(it.opex_per_year) / 4 for it in p.items]
    effort_q = [exact(it.effort_days) / p.dur[i] for i, it in enumerate(p.items)]
    score = [exact(it.score) for it in p.items]
    money = _scale([v for v in capex + opex_q if v])
    days = _scale([v for v in effort_q if v])
    points = _scale([v for v in score if v])
    capex_i = [_up(v, money) for v in capex]
    opex_i = [_up(v, money) for v in opex_q]
    effort_i = [_up(v, days) for v in effort_q]
    score_i = [round(v * points) for v in score]

    m = cp_model.CpModel()
    x = {(i, q): m.new_bool_var(f"x{i}_{q}") for i, q in cols}
    z: dict[int, cp_model.IntVar] = {}
    for i, qs in by_item.items():
        z[i] = m.new_bool_var(f"z{i}")
        m.add(sum(x[i, q] for q in qs) == z[i])
        if p.forced(i):
            m.add(z[i] == 1)
    forced_out = [i for i in range(n) if p.forced(i) and i not in by_item]
    if forced_out:  # validate_forced refuses these; stay safe anyway
        return Result(None, False, True, None, None, "a mandatory item has no quarter")

    groups: dict[str, list[int]] = {}
    for i in by_item:
        if p.items[i].group:
            groups.setdefault(p.items[i].group, []).append(i)
    for members in groups.values():
        if len(members) > 1:
            m.add_at_most_one(z[i] for i in members)

    for i, qs in by_item.items():
        for j in p.reqs[i]:
            mine = by_item.get(j, [])
            if not mine:
                m.add(z[i] == 0)
                continue
            m.add_implication(z[i], z[j])
            for t in qs:
                early = [x[j, q] for q in mine if q <= t - p.dur[j]]
                if not early:
                    m.add(x[i, t] == 0)
                elif len(early) < len(mine):
                    # i started by t needs j started by t - dur(j)
                    m.add(sum(x[i, q] for q in qs if q <= t) <= sum(early))

    # What each start uses, per kind and quarter, in scaled integers.
    per_q: dict[str, list[dict[tuple[int, int], int]]] = {
        k: [{} for _ in range(h)] for k in ("capex", "opex", "effort")
    }
    for i, q in cols:
        if capex_i[i]:
            per_q["capex"][q][i, q] = capex_i[i]
        if opex_i[i]:
            for t in range(q, h):
                per_q["opex"][t][i, q] = opex_i[i]
        if effort_i[i]:
            for t in range(q, min(q + p.dur[i], h)):
                per_q["effort"][t][i, q] = effort_i[i]
    scale = {"capex": money, "opex": money, "effort": days}
    for kind, rows in per_q.items():
        for t, cap in enumerate(p.caps_q[kind]):
            if cap is not None and rows[t]:
                m.add(sum(c * x[k] for k, c in rows[t].items()) <= _down(cap, scale[kind]))
                _card(m, x, rows[t], _down(cap, scale[kind]))
        for year, cap in p.caps_y[kind].items():
            terms: dict[tuple[int, int], int] = {}
            for t in range(h):
                if p.year_of_quarter[t] == year:
                    for k, c in rows[t].items():
                        terms[k] = terms.get(k, 0) + c
            if terms:
                m.add(sum(c * x[k] for k, c in terms.items()) <= _down(cap, scale[kind]))
                _card(m, x, terms, _down(cap, scale[kind]))

    if cumulative:
        _cumulative(m, p, by_item, x, z, per_q, scale)

    m.maximize(sum(score_i[i] * z[i] for i in by_item))
    if hint:
        for (i, q), v in x.items():
            m.add_hint(v, hint.get(i) == q)
        for i, v in z.items():
            m.add_hint(v, i in hint)

    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.max_time_in_seconds = max(time_limit, 0.01)
    prm.num_workers = workers
    prm.relative_gap_limit = gap
    prm.random_seed = 1
    for k, v in (params or {}).items():
        if k == "subsolvers":
            prm.subsolvers.extend(v)
        else:
            setattr(prm, k, v)
    code = solver.solve(m)
    if code == cp_model.INFEASIBLE:
        return Result(None, False, True, None, None, "infeasible")
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Result(None, False, False, None, None, solver.status_name(code))
    starts = {i: q for (i, q), v in x.items() if solver.boolean_value(v)}
    obj, bound = solver.objective_value, solver.best_objective_bound
    found_gap = max(bound - obj, 0.0) / max(abs(obj), 1.0)
    proven = code == cp_model.OPTIMAL or found_gap <= gap
    return Result(starts, proven, False, found_gap, bound / points, solver.status_name(code))


def _cumulative(m, p, by_item, x, z, per_q, scale) -> None:  # noqa: ANN001
    """The per-quarter rows again as cumulative constraints (redundant, for propagation)."""
    h = p.horizon
    effort_iv, effort_d, capex_iv, capex_d, opex_iv, opex_d = [], [], [], [], [], []
    for i, qs in by_item.items():
        start = m.new_int_var(min(qs), max(qs), f"s{i}")
        m.add(start == sum(q * x[i, q] for q in qs)).only_enforce_if(z[i])
        e = per_q["effort"][qs[0]].get((i, qs[0]), 0) if qs else 0
        if e:
            iv = m.new_optional_fixed_size_interval_var(start, p.dur[i], z[i], f"e{i}")
            effort_iv.append(iv)
            effort_d.append(e)
        c = per_q["capex"][qs[0]].get((i, qs[0]), 0)
        if c:
            capex_iv.append(m.new_optional_fixed_size_interval_var(start, 1, z[i], f"c{i}"))
            capex_d.append(c)
        o = per_q["opex"][qs[0]].get((i, qs[0]), 0)
        if o:
            size = m.new_int_var(0, h, f"os{i}")
            m.add(size == h - start).only_enforce_if(z[i])
            end = m.new_int_var(0, h, f"oe{i}")
            opex_iv.append(m.new_optional_interval_var(start, size, end, z[i], f"o{i}"))
            opex_d.append(o)
    for kind, ivs, ds in (
        ("effort", effort_iv, effort_d),
        ("capex", capex_iv, capex_d),
        ("opex", opex_iv, opex_d),
    ):
        caps = [c for c in p.caps_q[kind] if c is not None]
        if ivs and len(caps) == h and len(set(caps)) == 1:
            m.add_cumulative(ivs, ds, _down(caps[0], scale[kind]))


def _card(m, x, terms: dict[tuple[int, int], int], cap: int) -> None:
    """The optimiser's "at most k of these fit" rows, on one integer budget row."""
    keys = list(terms)
    for members, most in _cardinality(
        keys, [(n, float(terms[k])) for n, k in enumerate(keys)], cap
    ):
        m.add(sum(x[keys[n]] for n in members) <= most)


def highspy_engine(p, cols, time_limit, gap, hint, options=None) -> Solved:  # noqa: ANN001
    """HiGHS through ``highspy`` (its current release), with the greedy plan as a warm start."""
    import highspy
    import numpy as np

    cost, lower, cons = _model(p, cols)
    a = cons[0].A.tocsc()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(cost), a.shape[0]
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, lower, np.ones(len(cost))
    lp.row_lower_, lp.row_upper_ = cons[0].lb, cons[0].ub
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = a.indptr, a.indices, a.data
    lp.integrality_ = [highspy.HighsVarType.kInteger] * len(cost)
    h.passModel(lp)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(gap))
    for key, value in (options or {}).items():
        h.setOptionValue(key, value)
    if hint is not None:
        x = np.zeros(len(cost))
        zcol = {i: len(cols) + k for k, i in enumerate(dict.fromkeys(i for i, _ in cols))}
        for c, (i, q) in enumerate(cols):
            if hint.get(i) == q:
                x[c] = x[zcol[i]] = 1.0
        sol = highspy.HighsSolution()
        sol.col_value, sol.value_valid = list(x), True
        h.setSolution(sol)
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return Solved(None, False, infeasible=True)
    info = h.getInfo()
    if info.primal_solution_status != 2:  # no feasible solution
        return Solved(None, False)
    values = h.getSolution().col_value
    starts = {i: q for (i, q), v in zip(cols, values, strict=False) if v > 0.5}
    proven = status == highspy.HighsModelStatus.kOptimal
    msg = "" if proven else f"not proven: {h.modelStatusToString(status)}, gap {info.mip_gap:.2%}"
    return Solved(starts, proven, info.mip_gap, message=msg)


def cpsat_engine(p, cols, time_limit, gap, hint) -> Solved:  # noqa: ANN001
    """OR-Tools CP-SAT, 2 workers, exact integer scaling, greedy hint, cumulative rows."""
    r = cpsat_solve(
        p,
        cols,
        time_limit,
        gap,
        hint,
        cumulative=True,
        params={"subsolvers": ["max_lp", "default_lp"]},
    )
    msg = "" if r.proven else f"not proven: CP-SAT {r.status}, gap {(r.gap or 0):.2%}"
    return Solved(r.starts, r.proven, r.gap, r.infeasible, msg)


def plain_engine(p, cols, time_limit, gap, hint) -> Solved:  # noqa: ANN001
    """The production engine without the cardinality rows: what they are worth."""
    return _solve(p, cols, time_limit, gap, hint, cardinality=False)
