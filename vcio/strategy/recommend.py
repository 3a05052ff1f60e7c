"""Generated recommendations → stored rows, and what a consultant does with them.

``sync_recommendations`` runs every registered generator for many clients
and upserts by (client, key): a recommendation the consultant dismissed or
promoted stays as they left it, an open one whose evidence vanished (the
laptops were replaced) is marked resolved, a resolved one that comes back
is open again. ``promote`` and ``dismiss`` are the one-click decisions.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from vcio.core.fiscal import quarter_of
from vcio.core.registry import (
    RISK_LEVELS,
    PeriodicJob,
    RecommendationDraft,
    periodic_jobs,
    recommendation_generators,
)
from vcio.strategy.models import (
    BusinessGoal,
    Initiative,
    InitiativeGoal,
    Recommendation,
    RecommendationStatus,
)

# Fields a re-run refreshes on an open recommendation (the evidence moves as data changes).
DRAFT_FIELDS = (
    "title",
    "why",
    "evidence_url",
    "evidence",
    "risk",
    "one_time_cost",
    "recurring_cost_per_year",
    "effort_days",
    "due_date",
    "category",
    "source_app",
    "goal_ids",
    "department_id",
)
# bulk_update names the foreign key by its field, not its column attribute.
UPDATE_FIELDS = tuple("department" if f == "department_id" else f for f in DRAFT_FIELDS)
# A recommendation's risk level → the initiative's risk reduction (1–5).
RISK_REDUCTION = {"low": 2, "medium": 3, "high": 4, "critical": 5}
Status = RecommendationStatus


@dataclasses.dataclass
class SyncResult:
    """Counts of what one sync did."""

    created: int = 0
    updated: int = 0
    reopened: int = 0
    resolved: int = 0


def _jsonable(evidence: dict[str, Any]) -> dict[str, Any]:
    # Stored JSON reads back with dates and Decimals as strings; normalise now so the
    # in-memory row equals what a later read returns.
    return json.loads(json.dumps(evidence, cls=DjangoJSONEncoder))


def collect_drafts(client_ids: list[int]) -> dict[tuple[int, str], RecommendationDraft]:
    """Every generator's drafts for ``client_ids``, keyed by (client id, key).

    A draft for a client not asked for is dropped: a generator's mistake must
    never put one client's evidence on another client's list.
    """
    wanted = set(client_ids)
    drafts: dict[tuple[int, str], RecommendationDraft] = {}
    for generator in recommendation_generators:
        for draft in generator.generate(list(client_ids)):
            if draft.client_id in wanted:
                _check(generator.key, draft)
                drafts[(draft.client_id, draft.key)] = draft
    return drafts


def _check(generator: str, draft: RecommendationDraft) -> None:
    # A generator's bug should name itself, not surface as a database error mid-sync.
    if draft.risk not in RISK_LEVELS:
        raise ValueError(f"generator {generator!r}: {draft.key!r} has risk {draft.risk!r}")
    for name in ("one_time_cost", "effort_days"):  # a negative recurring cost is a saving
        if getattr(draft, name) < 0:
            raise ValueError(f"generator {generator!r}: {draft.key!r} has a negative {name}")


def _apply(row: Recommendation, draft: RecommendationDraft) -> None:
    for name in DRAFT_FIELDS:
        value = getattr(draft, name)
        if name == "evidence":
            value = _jsonable(value)
        elif name == "goal_ids":
            value = sorted(set(value))
        setattr(row, name, value)


def sync_recommendations(
    client_ids: Iterable[int], now: datetime.datetime | None = None
) -> SyncResult:
    """Run every generator for ``client_ids`` and bring the stored rows up to date.

    A fixed number of queries beyond the generators' own: one read, one bulk
    insert, one bulk update. Atomic: a failing generator leaves the rows as they were.
    """
    ids = list(client_ids)
    now = now or timezone.now()
    result = SyncResult()
    drafts = collect_drafts(ids)
    with transaction.atomic():
        existing = {
            (r.client_id, r.key): r for r in Recommendation.objects.filter(client_id__in=ids)
        }
        new, changed = [], []
        for ident, draft in drafts.items():
            row = existing.get(ident)
            if row is None:
                row = Recommendation(
                    client_id=draft.client_id,
                    key=draft.key,
                    first_generated_at=now,
                    last_generated_at=now,
                )
                _apply(row, draft)
                new.append(row)
                continue
            row.last_generated_at = now
            if row.status == Status.RESOLVED:
                row.status = Status.OPEN
                result.reopened += 1
            if row.status == Status.OPEN:
                _apply(row, draft)
                result.updated += 1
            changed.append(row)
        for ident, row in existing.items():
            if ident not in drafts and row.status == Status.OPEN:
                row.status = Status.RESOLVED
                changed.append(row)
                result.resolved += 1
        Recommendation.objects.bulk_create(new)
        Recommendation.objects.bulk_update(
            changed, [*UPDATE_FIELDS, "status", "last_generated_at"], batch_size=500
        )
    result.created = len(new)
    return result


def _require_open(recommendation: Recommendation, action: str) -> None:
    if recommendation.status != Status.OPEN:
        raise ValidationError(
            f"“{recommendation.title}” is {recommendation.get_status_display().lower()}; "
            f"only an open recommendation can be {action}."
        )


def known_quarter(rec: Recommendation) -> datetime.date | None:
    """The fiscal quarter (its first day) a recommendation already places its work in:
    the one holding its due date ("replace the devices due in FY2027 Q2", "before the
    licence renews"), or the current quarter when that date has passed. ``None``
    without a due date: the optimiser or the consultant places it."""
    if rec.due_date is None:
        return None
    client = rec.client
    today = timezone.localdate()
    return quarter_of(max(rec.due_date, today), client.fiscal_year_start_month).start


def promote(recommendation: Recommendation, user: Any) -> Initiative:
    """Create a proposed initiative from an open recommendation and link them.

    The initiative copies the title, the why (as its description), costs,
    effort, due date, category and the evidence with its link, so the proof
    travels with it, and starts it in the quarter its due date falls in
    (:func:`known_quarter`). ``user`` is who decided (kept for the audit trail by the caller).
    """
    with transaction.atomic():
        # Lock and re-read: two clicks must not make two initiatives.
        rec = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        _require_open(rec, "promoted")
        evidence = dict(rec.evidence or {})
        initiative = Initiative.objects.create(
            client_id=rec.client_id,
            title=rec.title[:200],
            description=rec.why,
            category=rec.category,
            capex=rec.one_time_cost,
            opex_per_year=rec.recurring_cost_per_year,
            effort_days=rec.effort_days,
            due_date=rec.due_date,
            risk_reduction=RISK_REDUCTION.get(rec.risk, 3),
            evidence_url=rec.evidence_url,
            evidence=evidence,
            start_quarter=known_quarter(rec),
        )
        link_goals(initiative, rec.goal_ids)
        rec.status = Status.PROMOTED
        rec.initiative = initiative
        rec.save(update_fields=["status", "initiative"])
    recommendation.refresh_from_db()
    return initiative


def link_goals(initiative: Initiative, goal_ids: Iterable[int]) -> int:
    """Link ``initiative`` to those of ``goal_ids`` that are its client's goals (default share).

    A goal deleted or belonging to another client since the recommendation was
    made is skipped rather than linked: the link must never cross clients.
    """
    wanted = set(goal_ids or ())
    if not wanted:
        return 0
    goals = BusinessGoal.objects.filter(client_id=initiative.client_id, pk__in=wanted)
    linked = set(initiative.goal_links.values_list("goal_id", flat=True))
    new = [InitiativeGoal(initiative=initiative, goal=g) for g in goals if g.pk not in linked]
    InitiativeGoal.objects.bulk_create(new)
    return len(new)


def attach(recommendation: Recommendation, initiative: Initiative) -> Initiative:
    """Fold an open recommendation into an existing initiative of the same client.

    The recommendation counts as promoted to ``initiative``, whose one-time
    and recurring costs grow by the recommendation's (a saving lowers them),
    so the budget, the score and the optimiser see the money once, there.
    """
    if recommendation.client_id != initiative.client_id:
        raise ValidationError("A recommendation can only join an initiative of its own client.")
    with transaction.atomic():
        rec = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        _require_open(rec, "attached to an initiative")
        target = Initiative.objects.select_for_update().get(pk=initiative.pk)
        target.capex += rec.one_time_cost
        target.opex_per_year += rec.recurring_cost_per_year
        target.save(update_fields=["capex", "opex_per_year", "updated_at"])
        link_goals(target, rec.goal_ids)
        rec.status = Status.PROMOTED
        rec.initiative = target
        rec.save(update_fields=["status", "initiative"])
    recommendation.refresh_from_db()
    initiative.refresh_from_db()
    return initiative


def dismiss(recommendation: Recommendation, user: Any, reason: str) -> Recommendation:
    """Dismiss an open recommendation, recording who, when and why (required)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"dismissed_reason": "Say why this recommendation is dismissed."})
    _require_open(recommendation, "dismissed")
    recommendation.status = Status.DISMISSED
    recommendation.dismissed_reason = reason
    recommendation.dismissed_by = user
    recommendation.dismissed_at = timezone.now()
    recommendation.save(
        update_fields=["status", "dismissed_reason", "dismissed_by", "dismissed_at"]
    )
    return recommendation


def sync_all_clients() -> SyncResult:
    """The periodic job: every active client, in one batch."""
    from vcio.core.models import Client

    ids = list(Client.objects.filter(is_active=True).values_list("id", flat=True))
    return sync_recommendations(ids) if ids else SyncResult()


def register() -> None:
    periodic_jobs.register(
        PeriodicJob(
            "strategy.sync_recommendations",
            sync_all_clients,
            interval=3600,
            description="Regenerate every app's recommendations for every active client.",
        )
    )
