"""How the strategy moves: what changed between two reviews, and the "strategy progress"
sub-score, with the judgements both rest on (is an initiative late, is a KPI on track).

Every change is computed from the data two snapshots stored (see
:mod:`vcio.strategy.review`), never from the live tables, so a finalised
review keeps saying what it said. A first review (no previous snapshot)
has nothing to compare with, except the budget, whose variance against
plan is news at any review.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from vcio.core.fiscal import quarter_of
from vcio.core.models import Client
from vcio.core.registry import Change, ReviewPeriod, SubScore, compute_figures, figures
from vcio.core.templatetags.vcio_format import format_money
from vcio.strategy.kpis import standing
from vcio.strategy.models import (
    BusinessGoal,
    GoalStatus,
    Initiative,
    InitiativeStatus,
    Kpi,
    KpiValue,
)

S = InitiativeStatus
ROADMAP, GOALS, BUDGET, RECOMMENDATIONS = (
    "strategy.roadmap",
    "strategy.goals",
    "strategy.budget",
    "strategy.recommendations",
)
# Over plan by more than this share of the plan is bad news; a little over is noise.
OVER_PLAN_TOLERANCE = 5.0  # percent
LATE_NAMED = 3  # late initiatives named in the health explanation
LISTED = 10  # new (or resolved) recommendations listed one by one; the rest are counted
RESOLVED_WORDS = {
    "dismissed": "dismissed",
    "promoted": "promoted to an initiative",
    "resolved": "resolved (no longer found)",
}


# Judgements ------------------------------------------------------------------------

# Agreed with the client and not finished: these can be late.
AGREED = (S.APPROVED, S.SCHEDULED, S.IN_PROGRESS)


def label_of(day: datetime.date | None, month: int) -> str:
    """The fiscal quarter label of a stored quarter date ("FY2026 Q3"), or "" when unset."""
    return quarter_of(day, month).label if day else ""


def late_reason(row: dict[str, Any], today: datetime.date, month: int) -> str:
    """Why an agreed, unfinished initiative is late ("planned to end in FY2026 Q2",
    "due 14 Oct 2026"), or "" when it is not: past its end quarter (its start quarter
    when it has no end) or its due date."""
    if row["status"] not in AGREED:
        return ""
    last = row["end_quarter"] or row["start_quarter"]
    if last and quarter_of(last, month).end < today:
        return f"planned to end in {label_of(last, month)}"
    if row["due_date"] and row["due_date"] < today:
        return f"due {row['due_date']:%d %b %Y}"
    return ""


def _float(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None  # a figure that is not a number has no place in a KPI


def kpi_rows(client_ids: list[int], today: datetime.date) -> list[dict[str, Any]]:
    """Every KPI of the clients' goals (abandoned goals left out) with its value on ``today``.

    The value is the latest recorded on or before ``today``; else the entered
    value, or the live figure for a bound KPI never recorded. One query, plus
    one per figure needed. ``progress`` and ``expected`` are 0–1 (progress None
    when it cannot be measured), ``on_track`` a bool (or None) and ``why`` the
    reason it is off track (see :func:`vcio.strategy.kpis.standing`).
    """
    latest = KpiValue.objects.filter(kpi=OuterRef("pk"), at__lte=today).order_by("-at")
    rows = list(
        Kpi.objects.filter(goal__client_id__in=client_ids)
        .exclude(goal__status=GoalStatus.ABANDONED)
        .annotate(
            last_value=Subquery(latest.values("value")[:1]),
            last_at=Subquery(latest.values("at")[:1]),
        )
        .order_by("goal_id", "name", "id")
        .values(
            "id",
            "goal_id",
            "goal__client_id",
            "goal__created_at",
            "goal__target_date",
            "name",
            "unit",
            "baseline",
            "target",
            "direction",
            "figure_key",
            "entered_value",
            "last_value",
            "last_at",
        )
    )
    missing = {
        r["figure_key"] for r in rows if r["last_value"] is None and r["figure_key"] in figures
    }
    live = compute_figures(client_ids, sorted(missing), at=today) if missing else {}
    for r in rows:
        value = r["last_value"]
        if value is None:
            value = r["entered_value"]
            if r["figure_key"]:
                value = live.get(r["figure_key"], {}).get(r["goal__client_id"])
        r["value"] = _float(value)
        at = standing(
            r["value"],
            r["baseline"],
            r["target"],
            r["unit"],
            r["goal__created_at"].date(),
            r["goal__target_date"],
            today,
        )
        r["progress"], r["expected"], r["on_track"], r["why"] = (
            at.progress,
            at.expected,
            at.on_track,
            at.why,
        )
    return rows


# Initiatives ---------------------------------------------------------------------


def _completed(item: dict[str, Any]) -> Change:
    planned = f" (planned to end in {item['end_label']})" if item["end_label"] else ""
    text = f"{item['title']} was completed{planned}."
    return Change(ROADMAP, "initiative.completed", text, "better")


def _slipped(item: dict[str, Any], before: dict[str, Any]) -> Change | None:
    if item["status"] == S.DEFERRED:
        if before["status"] == S.DEFERRED:
            return None
        was = f" (it was planned to end in {before['end_label']})" if before["end_label"] else ""
        text = f"{item['title']} was deferred{was}."
    elif item["end"] and before["end"] and item["end"] > before["end"]:
        text = f"{item['title']} moved from {before['end_label']} to {item['end_label']}."
    elif item["late"] and not before["late"]:
        status = S(item["status"]).label.lower()
        text = (
            f"{item['title']} is late: {item['late']}, still {status} "
            f"({item['percent']} % complete)."
        )
    else:
        return None
    return Change(ROADMAP, "initiative.slipped", text, "worse")


def roadmap_changes(
    previous: dict[str, Any] | None, current: dict[str, Any], period: ReviewPeriod
) -> list[Change]:
    """Initiatives completed since the previous review ("better") and those that slipped
    ("worse"): deferred, an end quarter later than before, or newly past their end quarter
    or due date."""
    if not previous or "tracked" not in previous:
        return []
    before_of = {item["id"]: item for item in previous["tracked"]}
    since = previous.get("as_of") or ""
    found = []
    for item in current.get("tracked", []):
        before = before_of.get(item["id"])
        if item["status"] == S.DONE:
            newly = before["status"] != S.DONE if before else (item["done_on"] or "") >= since
            if newly:
                found.append(_completed(item))
        elif before is not None and before["status"] != S.DONE:
            change = _slipped(item, before)
            if change:
                found.append(change)
    return found


# KPIs ------------------------------------------------------------------------------


def format_value(value: float, unit: str) -> str:
    """A KPI value as a leader reads it: "92.5 %", "4 days", "1,200"."""
    text = f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"
    if unit == "%":
        return f"{text} %"
    return f"{text} {unit}".strip() if unit and unit != "money" else text


def _kpi_change(goal: str, kpi: dict[str, Any], old: dict[str, Any]) -> Change | None:
    new_value, old_value = kpi["value"], old.get("value")
    if new_value is None or old_value is None or new_value == old_value:
        return None
    unit = kpi["unit"]
    moved = f"{format_value(old_value, unit)} to {format_value(new_value, unit)}"
    if kpi["progress"] is not None and old.get("progress") is not None:
        if kpi["progress"] == old["progress"]:
            return None  # still past the target, or still short of the baseline
        toward = kpi["progress"] > old["progress"]
        where = "toward" if toward else "away from"
        target = format_value(kpi["target"], unit)
        text = (
            f"{kpi['name']} ({goal}) moved {where} its target of {target}: from {moved}, "
            f"now {kpi['progress']} % of the way."
        )
        return Change(GOALS, "kpi.progress", text, "better" if toward else "worse")
    rose = new_value > old_value
    better = rose == (kpi["direction"] != "lower")
    text = f"{kpi['name']} ({goal}) {'rose' if rose else 'fell'} from {moved}."
    return Change(GOALS, "kpi.progress", text, "better" if better else "worse")


def goal_changes(
    previous: dict[str, Any] | None, current: dict[str, Any], period: ReviewPeriod
) -> list[Change]:
    """Each KPI whose value moved since the previous review: toward its target is "better"."""
    if not previous:
        return []
    old = {k["id"]: k for g in previous.get("goals", []) for k in g.get("kpis", [])}
    found = []
    for goal in current.get("goals", []):
        for kpi in goal["kpis"]:
            if kpi["id"] in old:
                change = _kpi_change(goal["title"], kpi, old[kpi["id"]])
                if change:
                    found.append(change)
    return found


# Budget -----------------------------------------------------------------------------


def _over_under(pct: float) -> str:
    return f"{abs(pct):.0f} % {'over' if pct > 0 else 'under'} plan"


def budget_changes(
    previous: dict[str, Any] | None, current: dict[str, Any], period: ReviewPeriod
) -> list[Change]:
    """Actual spend to date against the plan for the quarters begun: "worse" over by more
    than 5 %, "better" under, else "neutral"; with the previous review's figure when it
    looked at the same fiscal year."""
    if not current:
        return []
    currency = current.get("currency", "")
    actual = format_money(current["actual"], currency)
    planned = format_money(current["planned"], currency)
    pct = current["variance_pct"]
    head = f"Initiative spend to date in {current['fiscal_year']} is {actual}"
    if pct is None:
        return [Change(BUDGET, "budget.variance", f"{head}, with nothing planned.", "worse")]
    text = f"{head} against {planned} planned for the quarters begun: "
    text += _over_under(pct) if pct else "on plan"
    if previous and previous.get("fiscal_year") == current["fiscal_year"]:
        was = previous.get("variance_pct")
        if was is not None and was != pct:
            text += f" (it was {_over_under(was) if was else 'on plan'} at the previous review)"
    direction = "worse" if pct > OVER_PLAN_TOLERANCE else "better" if pct < 0 else "neutral"
    return [Change(BUDGET, "budget.variance", text + ".", direction)]


# Recommendations -----------------------------------------------------------------------


def _capped(changes: list[Change], kind: str, what: str, direction: str) -> list[Change]:
    if len(changes) <= LISTED:
        return changes
    rest = len(changes) - LISTED
    more = Change(RECOMMENDATIONS, kind, f"And {rest} more {what}.", direction)
    return [*changes[:LISTED], more]


def recommendation_changes(
    previous: dict[str, Any] | None, current: dict[str, Any], period: ReviewPeriod
) -> list[Change]:
    """New open recommendations (high or critical risk is "worse") and those no longer open,
    saying how: dismissed, promoted to an initiative, resolved, or removed ("better")."""
    if not previous or "open" not in previous:
        return []
    before = {key: (title, risk) for key, title, risk in previous["open"]}
    now = {key: (title, risk) for key, title, risk in current.get("open", [])}
    new = [
        Change(
            RECOMMENDATIONS,
            "recommendation.new",
            f"New recommendation ({risk} risk): {title}.",
            "worse" if risk in ("high", "critical") else "neutral",
        )
        for key, (title, risk) in now.items()
        if key not in before
    ]
    closed = current.get("closed", {})
    gone = [
        Change(
            RECOMMENDATIONS,
            "recommendation.resolved",
            f"Recommendation {RESOLVED_WORDS.get(closed.get(key, ''), 'removed')}: {title}.",
            "better",
        )
        for key, (title, _risk) in before.items()
        if key not in now
    ]
    return _capped(new, "recommendation.new", "new recommendations", "neutral") + _capped(
        gone, "recommendation.resolved", "recommendations closed", "better"
    )


# Health -------------------------------------------------------------------------------


def _initiative_rows(ids: list[int]) -> tuple[set[int], dict[int, list[dict[str, Any]]]]:
    """Clients with any initiative, and each client's agreed unfinished ones. Two queries."""
    having = set(
        Initiative.objects.filter(client_id__in=ids).values_list("client_id", flat=True).distinct()
    )
    agreed: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        Initiative.objects.filter(client_id__in=ids, status__in=AGREED)
        .order_by("end_quarter", "title", "id")
        .values("client_id", "title", "status", "start_quarter", "end_quarter", "due_date")
    ):
        agreed[row["client_id"]].append(row)
    return having, agreed


def _explain_initiatives(rows: list[dict[str, Any]], late: list[str]) -> str:
    if not late:
        n = len(rows)
        return "the initiative is on schedule" if n == 1 else f"all {n} initiatives on schedule"
    named = ", ".join(late[:LATE_NAMED])
    if len(late) > LATE_NAMED:
        named += f" and {len(late) - LATE_NAMED} more"
    return f"{len(late)} initiative{'s' if len(late) > 1 else ''} late: {named}"


def _score(kpis: list[dict[str, Any]], rows: list[dict[str, Any]], month: int, today) -> SubScore:
    parts, words = [], []
    measured = [k for k in kpis if k["on_track"] is not None]
    if measured:
        on = sum(1 for k in measured if k["on_track"])
        parts.append(100 * on / len(measured))
        text = f"{on} of {len(measured)} KPI{'s' if len(measured) > 1 else ''} on track"
        off = [k["name"] for k in measured if not k["on_track"]]
        if off:
            named = ", ".join(off[:LATE_NAMED])
            more = f" and {len(off) - LATE_NAMED} more" if len(off) > LATE_NAMED else ""
            text += f" ({named}{more} off track)"
        words.append(text)
    placed = [r for r in rows if r["start_quarter"] or r["end_quarter"] or r["due_date"]]
    if placed:
        late = [r["title"] for r in placed if late_reason(r, today, month)]
        parts.append(100 * (len(placed) - len(late)) / len(placed))
        words.append(_explain_initiatives(placed, late))
    if not parts:
        return SubScore(
            None,
            "No KPI with a baseline, a target and a value, and no agreed initiative "
            "placed in a quarter yet.",
        )
    text = "; ".join(words)
    return SubScore(round(sum(parts) / len(parts), 1), text[0].upper() + text[1:] + ".")


def strategy_health(
    client_ids: list[int], today: datetime.date | None = None
) -> dict[int, SubScore]:
    """Per client, 0–100: the mean of the share of KPIs on track toward their targets and
    the share of agreed initiatives not past their end quarter or due date.

    Clients with no goals and no initiatives are left out (no data). A fixed
    number of queries whatever the number of clients. ``today`` defaults to the
    real date.
    """
    ids = list(client_ids)
    today = today or timezone.localdate()
    months = dict(Client.objects.filter(pk__in=ids).values_list("id", "fiscal_year_start_month"))
    with_goals = set(
        BusinessGoal.objects.filter(client_id__in=ids)
        .values_list("client_id", flat=True)
        .distinct()
    )
    kpis: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in kpi_rows(ids, today):
        kpis[row["goal__client_id"]].append(row)
    having, agreed = _initiative_rows(ids)
    return {
        cid: _score(kpis.get(cid, []), agreed.get(cid, []), months[cid], today)
        for cid in ids
        if cid in months and (cid in with_goals or cid in having)
    }
