"""Decisions the client's leaders take in the portal, applied to the roadmap at once.

A review's decisions wait for the review to be finalised; an executive who
approves or declines a proposed initiative in the portal does not wait for
the next meeting, so the decision is recorded and applied in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from vcio.core import audit
from vcio.reviews import decisions
from vcio.reviews.models import Decision, DecisionKind
from vcio.strategy.models import Initiative

# What an executive may decide from the portal (deferring is a conversation for the review).
PORTAL_KINDS = (DecisionKind.APPROVE, DecisionKind.DECLINE)
NOTE_MAX_CHARS = 2000


def decision_maker_name(user: Any) -> str:
    """The name the decision is recorded under: the user's full name, else the username."""
    return (user.get_full_name() or user.get_username())[:120]


def check_kind(kind: str) -> str:
    """``kind`` if the portal takes it; a ValidationError naming the value otherwise."""
    if kind not in PORTAL_KINDS:
        raise ValidationError(
            {"decision": f"{kind!r} is not a decision taken here: choose approve or decline."}
        )
    return kind


def decide(initiative: Initiative, kind: str, user: Any, note: str = "") -> Decision:
    """Record ``user``'s decision on ``initiative`` and apply it to the roadmap.

    Returns the applied Decision. All or nothing: when the initiative cannot
    move (it is done, already declined...) a ValidationError names it and
    neither the decision nor the initiative is written.
    """
    check_kind(kind)
    if len(note) > NOTE_MAX_CHARS:
        raise ValidationError({"note": f"The note has {len(note)} characters; at most 2000."})
    with transaction.atomic():
        # Locked, so two executives clicking at once cannot both move it.
        locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
        decision = Decision.objects.create(
            client_id=locked.client_id,
            review=None,
            kind=kind,
            initiative=locked,
            note=note.strip(),
            decision_maker=decision_maker_name(user),
            decided_by=user,
            decided_at=timezone.now(),
        )
        audit.record_create(user, decision)
        decisions.apply(decision, user, label="the client portal")
    return decision
