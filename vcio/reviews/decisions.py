"""Applying what the client decided to the roadmap.

Decisions recorded in a review wait for the review to be finalised; those
taken in the portal are applied at once. Budget caps come first (they re-plan
the roadmap under the new caps), then initiative decisions, so a re-plan
never undoes a deferral the client has just asked for.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from vcio.core import audit
from vcio.reviews.models import DECISION_STATUS, Decision, DecisionKind
from vcio.strategy import services as initiative_services
from vcio.strategy.moves import applied_scenario
from vcio.strategy.planning import (
    PlanSettings,
    apply_scenario,
    save_scenario,
    settings_of,
)

CAP_NAMES = ("capex_per_quarter", "opex_per_quarter", "capex_per_year", "opex_per_year")


def _message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def apply_budget(decision: Decision, user: Any, label: str) -> str:
    """Re-plan the roadmap under the decided caps (the others as the applied plan had them)."""
    current = applied_scenario(decision.client_id)
    base = settings_of(current) if current else PlanSettings()
    caps = base.as_caps()
    for name in CAP_NAMES:
        value = getattr(decision, name)
        if value is not None:
            caps[name] = str(value)
    settings = PlanSettings.from_caps(caps, base.horizon)
    name = f"Budget decided in {label}"
    scenario = save_scenario(decision.client, name, settings, user)
    changed = apply_scenario(scenario, user)
    return (
        f"Roadmap re-planned as “{name}”: {changed} initiative{'s' if changed != 1 else ''} moved."
    )


def apply_initiative(decision: Decision, user: Any) -> str:
    initiative = decision.initiative
    before = audit.snapshot(initiative)
    initiative_services.transition(
        initiative, DECISION_STATUS[decision.kind], user, decided_by=decision.decision_maker
    )
    audit.record_update(user, initiative, before)
    return f"“{initiative.title}” is now {initiative.get_status_display().lower()}."


def apply(decision: Decision, user: Any, label: str = "a review") -> None:
    """Apply one decision and record what it did; raises ValidationError naming it."""
    try:
        if decision.kind == DecisionKind.BUDGET:
            outcome = apply_budget(decision, user, label)
        elif decision.kind in DECISION_STATUS:
            outcome = apply_initiative(decision, user)
        else:
            outcome = "Recorded."
    except ValidationError as exc:
        raise ValidationError(
            f"The decision “{decision}” cannot be applied: {_message(exc)}"
        ) from None
    decision.applied_at = timezone.now()
    decision.outcome = outcome[:300]
    decision.save(update_fields=["applied_at", "outcome"])


def apply_all(decisions: list[Decision], user: Any, label: str) -> None:
    """Apply decisions in order (budget caps first), all or nothing."""
    ordered = sorted(decisions, key=lambda d: (d.kind != DecisionKind.BUDGET, d.decided_at, d.pk))
    with transaction.atomic():
        for decision in ordered:
            if decision.applied_at is None:
                apply(decision, user, label)
