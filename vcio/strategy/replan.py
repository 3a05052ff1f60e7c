"""Goal changes re-plan: what the roadmap would become now that the client's goals changed.

**When is the plan "made"?** The roadmap follows the scenario applied last
(:func:`vcio.strategy.moves.applied_scenario`); the code records when:
``Scenario.applied_at``. A goal changed after that moment makes the plan
stale. Nothing is offered before a scenario has been applied (there is no
plan to compare with).

**What counts as a goal change** (the ones that change how initiatives score):

- *added*: a goal created after the plan, or made active after it;
- *dropped*: a goal achieved or abandoned after the plan, or deleted;
- *re-weighted*: its priority changed since the plan.

A goal's ``created_at``/``updated_at`` say whether it changed after the
plan; the audit log (every goal form and the API record one) says what
changed: the priority and status it had then, or that it was deleted. A
goal edited only in its wording is no change for the plan. A goal changed
where no audit was written (a shell) shows as "changed", now at its
current priority. Several changes to one goal are netted: raised then put
back is no change.

**The comparison** re-runs the existing optimiser (:func:`planning.compute_plan`)
under the applied scenario's caps and horizon, without saving anything, and
sets its plan beside the applied scenario's stored plan (the plan as it was
decided; moves made on the board since are not in it): initiatives moving
in, out or to another quarter, spend per fiscal quarter and year, and for
each move the goal change that drives it (a change to one of the goals the
initiative serves), or, when none of its goals changed, that it makes or
takes room freed by the others under the same caps. Scores still count
links to achieved or abandoned goals (:mod:`vcio.strategy.scoring`), so a
goal dropped without unlinking its initiatives may move nothing.

Applying is never automatic: saving the re-optimised plan makes a new
scenario, which is applied through the usual confirmation page.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from vcio.core.models import AuditEvent, Client
from vcio.strategy import moves, planning
from vcio.strategy.models import BusinessGoal, InitiativeGoal, Scenario
from vcio.strategy.models.goals import GoalStatus, Priority

DROPPED = frozenset({GoalStatus.ACHIEVED, GoalStatus.ABANDONED})


@dataclass(frozen=True)
class GoalChange:
    """One goal's net change since the plan, in words a leader reads."""

    goal_id: int
    title: str
    kind: str  # "added", "dropped", "reweighted", "changed"
    text: str
    at: datetime.datetime | None = None


@dataclass(frozen=True)
class PlanMove:
    """One initiative placed differently by the re-optimised plan, and why."""

    initiative_id: int
    title: str
    before: str  # quarter label, or "" when not in the current plan
    after: str  # quarter label, or "" when not in the re-optimised plan
    kind: str  # "in", "out", "earlier", "later"
    why: str
    goal_changes: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return f"{self.why}: {self.sentence}" if self.goal_changes else self.sentence

    @property
    def sentence(self) -> str:
        if self.kind == "in":
            return f"{self.title} comes into the plan in {self.after}"
        if self.kind == "out":
            return f"{self.title} leaves the plan (was {self.before})"
        return f"{self.title} moves from {self.before} to {self.after}"


@dataclass
class Replan:
    """The current plan beside the re-optimised one."""

    client: Client
    scenario: Scenario
    changes: list[GoalChange]
    plan: dict[str, Any] = field(default_factory=dict)
    moves: list[PlanMove] = field(default_factory=list)
    quarters: list[dict[str, Any]] = field(default_factory=list)
    years: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""

    @property
    def total(self) -> dict[str, float]:
        current = sum(q["current"] for q in self.quarters)
        proposed = sum(q["proposed"] for q in self.quarters)
        return {"current": current, "proposed": proposed, "difference": proposed - current}


def _label(value: int) -> str:
    try:
        return Priority(value).label
    except ValueError:
        return str(value)


def _status(value: str) -> str:
    try:
        return GoalStatus(value).label.lower()
    except ValueError:
        return str(value)


def goal_changes(client: Client, since: datetime.datetime) -> list[GoalChange]:
    """The client's goals added, dropped or re-weighted after ``since``; two queries."""
    goals = {
        g.pk: g
        for g in BusinessGoal.objects.filter(client=client).filter(
            Q(created_at__gt=since) | Q(updated_at__gt=since)
        )
    }
    events = AuditEvent.objects.filter(
        client=client,
        content_type=ContentType.objects.get_for_model(BusinessGoal),
        at__gt=since,
    ).order_by("at", "id")
    first: dict[int, dict[str, Any]] = defaultdict(dict)  # what it was at the plan
    created, touched, deleted = set(), set(), {}
    for e in events:
        if not e.object_id.isdigit():
            continue
        pk = int(e.object_id)
        if e.action == AuditEvent.Action.CREATE:
            created.add(pk)
        elif e.action == AuditEvent.Action.DELETE:
            deleted[pk] = (e.object_repr, e.changes, e.at)
        elif e.action == AuditEvent.Action.UPDATE:
            touched.add(pk)
            for name in ("priority", "status"):
                if name in e.changes and name not in first[pk]:
                    first[pk][name] = e.changes[name][0]
    found = []
    for pk, goal in goals.items():
        change = _change_of(goal, since, pk in created, first.get(pk), pk in touched)
        if change:
            found.append(change)
    for pk, (title, snap, at) in deleted.items():
        if pk in created:  # added and deleted since the plan: nothing changed
            continue
        was = snap.get("status")
        if was in DROPPED:
            continue  # already out of the plan's concerns
        found.append(GoalChange(pk, title, "dropped", f"“{title}” deleted", at))
    return sorted(found, key=lambda c: (c.at or since, c.title))


def _change_of(
    goal: BusinessGoal,
    since: datetime.datetime,
    created: bool,
    before: dict[str, Any] | None,
    audited: bool,
) -> GoalChange | None:
    title, now = goal.title, _label(goal.priority)
    if created or goal.created_at > since:
        if goal.status in DROPPED:
            return None
        return GoalChange(goal.pk, title, "added", f"“{title}” added ({now})", goal.created_at)
    before = before or {}
    status_then = before.get("status", goal.status)
    if status_then not in DROPPED and goal.status in DROPPED:
        return GoalChange(
            goal.pk, title, "dropped", f"“{title}” {_status(goal.status)}", goal.updated_at
        )
    if status_then in DROPPED and goal.status not in DROPPED:
        return GoalChange(goal.pk, title, "added", f"“{title}” reopened ({now})", goal.updated_at)
    priority_then = before.get("priority", goal.priority)
    if priority_then != goal.priority:
        word = "raised" if goal.priority > priority_then else "lowered"
        text = f"“{title}” {word} from {_label(priority_then)} to {now}"
        return GoalChange(goal.pk, title, "reweighted", text, goal.updated_at)
    if not audited:  # changed with no audit: what changed is unknown
        return GoalChange(
            goal.pk, title, "changed", f"“{title}” changed (now {now})", goal.updated_at
        )
    return None


def current_plan(client: Client) -> Scenario | None:
    """The applied scenario the roadmap follows, if any."""
    return moves.applied_scenario(client.pk)


def changes_since_plan(client: Client) -> tuple[Scenario | None, list[GoalChange]]:
    """The applied scenario and the goal changes made after it was applied."""
    scenario = current_plan(client)
    if scenario is None or scenario.applied_at is None:
        return scenario, []
    return scenario, goal_changes(client, scenario.applied_at)


def _placements(plan: dict[str, Any]) -> dict[int, tuple[str, int | None, str]]:
    """Initiative id → (title, start date ordinal or None, quarter label)."""
    labels, starts = plan.get("labels", []), plan.get("quarter_starts", [])
    found = {}
    for row in plan.get("items", []):
        q = row.get("quarter")
        if q is None:
            found[row["id"]] = (row["title"], None, "")
        else:
            day = datetime.date.fromisoformat(starts[q]).toordinal() if starts else q
            found[row["id"]] = (row["title"], day, labels[q])
    return found


def _spend(plan: dict[str, Any]) -> dict[str, float]:
    return {
        label: plan["capex"][i] + plan["opex"][i] for i, label in enumerate(plan.get("labels", []))
    }


def _moves(
    client: Client, current: dict[str, Any], proposed: dict[str, Any], changes: list[GoalChange]
) -> list[PlanMove]:
    before, after = _placements(current), _placements(proposed)
    ids = set(before) | set(after)
    served: dict[int, set[int]] = defaultdict(set)
    for initiative_id, goal_id in InitiativeGoal.objects.filter(
        initiative__client=client, initiative_id__in=ids
    ).values_list("initiative_id", "goal_id"):
        served[initiative_id].add(goal_id)
    by_goal = {c.goal_id: c for c in changes}
    found = []
    for pk in ids:
        title = (before.get(pk) or after[pk])[0]
        _, day_a, label_a = before.get(pk, (title, None, ""))
        _, day_b, label_b = after.get(pk, (title, None, ""))
        if label_a == label_b:
            continue
        if day_a is None:
            kind = "in"
        elif day_b is None:
            kind = "out"
        else:
            kind = "earlier" if day_b < day_a else "later"
        driving = tuple(by_goal[g].text for g in sorted(served[pk]) if g in by_goal)
        why = (
            "; ".join(driving)
            if driving
            else "None of its goals changed: it makes room for, or takes the room left by, "
            "the initiatives whose goals did, under the same caps"
        )
        found.append(PlanMove(pk, title, label_a, label_b, kind, why, driving))
    order = {"in": 0, "earlier": 1, "later": 2, "out": 3}
    return sorted(found, key=lambda m: (not m.goal_changes, order[m.kind], m.title))


def _fiscal_year(label: str) -> str:
    return label.split(" ")[0]


def compare_plans(
    client: Client, scenario: Scenario, proposed: dict[str, Any], changes: list[GoalChange]
) -> Replan:
    """The applied scenario's plan beside ``proposed``: moves, spend by quarter and year."""
    current = scenario.plan or {}
    result = Replan(client=client, scenario=scenario, changes=changes, plan=proposed)
    result.moves = _moves(client, current, proposed, changes)
    sa, sb = _spend(current), _spend(proposed)
    labels = list(dict.fromkeys([*current.get("labels", []), *proposed.get("labels", [])]))
    result.quarters = [
        {
            "label": label,
            "current": sa.get(label, 0.0),
            "proposed": sb.get(label, 0.0),
            "difference": sb.get(label, 0.0) - sa.get(label, 0.0),
        }
        for label in labels
    ]
    years: dict[str, dict[str, Any]] = {}
    for q in result.quarters:
        y = years.setdefault(
            _fiscal_year(q["label"]),
            {"label": _fiscal_year(q["label"]), "current": 0.0, "proposed": 0.0},
        )
        y["current"] += q["current"]
        y["proposed"] += q["proposed"]
    for y in years.values():
        y["difference"] = y["proposed"] - y["current"]
    result.years = list(years.values())
    return result


def replan(client: Client, today: datetime.date | None = None) -> Replan | None:
    """The re-optimised plan compared with the current one; ``None`` when nothing is applied.

    Runs the optimiser (nothing is saved). A plan that cannot be made (the
    agreed work no longer fits the caps) comes back with ``error`` set.
    """
    scenario, changes = changes_since_plan(client)
    if scenario is None:
        return None
    today = today or timezone.localdate()
    try:
        proposed = planning.compute_plan(client, planning.settings_of(scenario), today)
    except ValidationError as exc:
        return Replan(
            client=client, scenario=scenario, changes=changes, error=" ".join(exc.messages)
        )
    return compare_plans(client, scenario, proposed, changes)


def replan_name(client: Client, today: datetime.date | None = None) -> str:
    """A free scenario name for the re-optimised plan."""
    today = today or timezone.localdate()
    base = f"Re-plan after goal changes, {today.isoformat()}"
    taken = set(
        Scenario.objects.filter(client=client, name__startswith=base).values_list("name", flat=True)
    )
    name, n = base, 2
    while name in taken:
        name, n = f"{base} ({n})", n + 1
    return name


def save_replan(client: Client, user: Any, today: datetime.date | None = None) -> Scenario:
    """Save the re-optimised plan as a new scenario (not applied); raises ValidationError."""
    scenario = current_plan(client)
    if scenario is None:
        raise ValidationError("No scenario is applied: there is no plan to re-optimise.")
    return planning.save_scenario(
        client, replan_name(client, today), planning.settings_of(scenario), user, today
    )
