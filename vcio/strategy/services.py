"""Changes to initiatives that must obey rules: status transitions, links, dependencies.

Views, the API and the CLI call these instead of saving fields directly, so
the rules (allowed transitions, same-client links, no dependency cycles)
hold on every path. Each raises ``ValidationError`` naming the problem and
changes nothing when it refuses.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from vcio.strategy.models import BusinessGoal, Initiative, InitiativeGoal, InitiativeStatus

S = InitiativeStatus
# proposed → approved → scheduled → in progress → done, with declined/deferred as exits;
# a deferred or declined item can be proposed again, a finished one is final.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PROPOSED: frozenset({S.APPROVED, S.DECLINED, S.DEFERRED}),
    S.APPROVED: frozenset({S.SCHEDULED, S.IN_PROGRESS, S.DECLINED, S.DEFERRED}),
    S.SCHEDULED: frozenset({S.IN_PROGRESS, S.DEFERRED, S.DECLINED}),
    S.IN_PROGRESS: frozenset({S.DONE, S.DEFERRED}),
    S.DEFERRED: frozenset({S.PROPOSED, S.APPROVED}),
    S.DECLINED: frozenset({S.PROPOSED}),
    S.DONE: frozenset(),
}


def allowed_transitions(status: str) -> list[str]:
    """The statuses an initiative in ``status`` may move to, in workflow order."""
    return [s for s in S.values if s in TRANSITIONS.get(status, ())]


def approver_name(user: Any) -> str:
    """The name an approval by ``user`` themselves is shown under."""
    return (user.get_full_name() or user.get_username())[:120] if user else ""


def transition(initiative: Initiative, status: str, user: Any, decided_by: str = "") -> Initiative:
    """Move ``initiative`` to ``status`` if the workflow allows it.

    Approving records who and when (the client's approval): ``decided_by`` is
    the person at the client who decided, as a review's decision names them
    ("Victor Okafor (CFO)"); without one, the user who approved is that person.
    ``user`` is kept as the one who recorded it. Finishing sets 100 % complete.
    """
    if status not in S.values:
        raise ValidationError({"status": f"{status!r} is not an initiative status."})
    if status not in TRANSITIONS[initiative.status]:
        allowed = ", ".join(S(s).label.lower() for s in allowed_transitions(initiative.status))
        raise ValidationError(
            {
                "status": f"“{initiative.title}” is {initiative.get_status_display().lower()}: "
                f"it can move to {allowed or 'nothing else'}, not {S(status).label.lower()}."
            }
        )
    fields = ["status", "updated_at"]
    initiative.status = status
    if status == S.APPROVED:
        initiative.approved_by = user
        initiative.approved_at = timezone.now()
        initiative.approved_by_name = decided_by.strip()[:120] or approver_name(user)
        fields += ["approved_by", "approved_at", "approved_by_name"]
    if status == S.DONE:
        initiative.percent_complete = 100
        fields.append("percent_complete")
    initiative.save(update_fields=fields)
    return initiative


def link_goal(initiative: Initiative, goal: BusinessGoal, contribution: int) -> InitiativeGoal:
    """Link (or re-weigh the link of) an initiative to a goal of the same client."""
    if goal.client_id != initiative.client_id:
        raise ValidationError({"goal": "This goal belongs to another client."})
    if not 0 <= contribution <= 100:
        raise ValidationError({"contribution": f"{contribution} is not between 0 and 100 %."})
    link, _ = InitiativeGoal.objects.update_or_create(
        initiative=initiative, goal=goal, defaults={"contribution": contribution}
    )
    return link


def _path(edges: dict[int, set[int]], start: int, goal: int) -> list[int] | None:
    """A path start → … → goal through ``edges`` (depth first), or ``None``."""
    stack = [(start, [start])]
    seen = set()
    while stack:
        node, path = stack.pop()
        if node == goal:
            return path
        if node in seen:
            continue
        seen.add(node)
        stack.extend((nxt, [*path, nxt]) for nxt in edges.get(node, ()))
    return None


def add_requirement(initiative: Initiative, required: Initiative) -> None:
    """Record that ``initiative`` requires ``required`` (done first).

    Refused for another client's initiative, for itself and when it would
    close a cycle (the message names the cycle). Two queries.
    """
    if required.client_id != initiative.client_id:
        raise ValidationError({"requires": "That initiative belongs to another client."})
    if required.pk == initiative.pk:
        raise ValidationError({"requires": f"“{initiative.title}” cannot require itself."})
    with transaction.atomic():
        through = Initiative.requires.through
        edges: dict[int, set[int]] = {}
        for src, dst in through.objects.filter(
            from_initiative__client_id=initiative.client_id
        ).values_list("from_initiative_id", "to_initiative_id"):
            edges.setdefault(src, set()).add(dst)
        back = _path(edges, required.pk, initiative.pk)
        if back is not None:
            titles = dict(Initiative.objects.filter(pk__in=back).values_list("pk", "title"))
            cycle = " → ".join(f"“{titles[pk]}”" for pk in [initiative.pk, *back])
            raise ValidationError({"requires": f"This would make a dependency cycle: {cycle}."})
        initiative.requires.add(required)
