"""Applying a scenario to the roadmap: preview the moves, apply them, undo.

The rules (README "Applying a scenario"):

- nothing is written before the consultant has seen the moves (the apply page
  lists them; the button is on that page);
- work under way (in progress) keeps its quarters: its start is a fact, not a plan;
- work the client agreed to (approved or scheduled) that already has a quarter is
  moved only when the consultant ticks "move agreed work too"; otherwise it is kept
  where the client agreed it, and the page says so;
- applying records what it replaced, so "Undo" puts every initiative it moved back
  where it was, except those changed since (named, left as they are).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from vcio.core import audit
from vcio.core.fiscal import add_months, quarter_of
from vcio.strategy.models import Initiative, InitiativeStatus, Scenario

S = InitiativeStatus
AGREED = (S.APPROVED, S.SCHEDULED)
Placement = tuple[datetime.date | None, datetime.date | None, str]  # start, end, status


@dataclass(frozen=True)
class PlannedMove:
    """One initiative the scenario would change, as the apply page lists it."""

    id: int
    title: str
    status: str  # its status now, as a label
    before: str  # "FY2026 Q3", "FY2026 Q3–FY2026 Q4" or "not scheduled"
    after: str
    kind: str  # "move"; "agreed": needs the tick; "under_way": kept whatever


def _target(initiative: Initiative, row: dict[str, Any], starts: list) -> Placement:
    """Where the plan puts ``initiative``: its start and end quarter and status."""
    start, end, status = initiative.start_quarter, initiative.end_quarter, initiative.status
    if row["quarter"] is not None:
        start = starts[row["quarter"]]
        end = add_months(start, 3 * (row["duration"] - 1))
        if status == S.APPROVED:
            status = S.SCHEDULED
        elif status == S.DEFERRED:  # back on the roadmap: to be decided
            status = S.PROPOSED
    elif not initiative.locked and status != S.IN_PROGRESS:
        start = end = None
    return start, end, status


def _kind(initiative: Initiative, after: Placement) -> str:
    moved = (initiative.start_quarter, initiative.end_quarter) != after[:2]
    if moved and initiative.status == S.IN_PROGRESS:
        return "under_way"
    if moved and initiative.status in AGREED and initiative.start_quarter is not None:
        return "agreed"
    return "move"


def _label(start: datetime.date | None, end: datetime.date | None, month: int) -> str:
    if start is None:
        return "not scheduled"
    first = quarter_of(start, month).label
    last = quarter_of(end, month).label if end else first
    return first if last == first else f"{first}–{last}"


def _changes(scenario: Scenario) -> list[tuple[Initiative, Placement, str]]:
    plan = scenario.plan or {}
    starts = [datetime.date.fromisoformat(d) for d in plan.get("quarter_starts", [])]
    by_id = {row["id"]: row for row in plan.get("items", [])}
    out = []
    rows = Initiative.objects.filter(client=scenario.client_id, pk__in=by_id)
    for initiative in rows.order_by("start_quarter", "title", "id"):
        after = _target(initiative, by_id[initiative.pk], starts)
        if after != (initiative.start_quarter, initiative.end_quarter, initiative.status):
            out.append((initiative, after, _kind(initiative, after)))
    return out


def preview(scenario: Scenario) -> list[PlannedMove]:
    """What applying ``scenario`` would change, without writing anything. One query
    (plus the client's fiscal year)."""
    month = scenario.client.fiscal_year_start_month
    return [
        PlannedMove(
            i.pk,
            i.title,
            i.get_status_display(),
            _label(i.start_quarter, i.end_quarter, month),
            _label(after[0], after[1], month) + _status_note(i.status, after[2]),
            kind,
        )
        for i, after, kind in _changes(scenario)
    ]


def _status_note(before: str, after: str) -> str:
    return "" if before == after else f" ({S(after).label.lower()})"


def _store(placement: Placement) -> dict[str, str | None]:
    start, end, status = placement
    return {
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
        "status": status,
    }


def _read(stored: dict[str, Any]) -> Placement:
    day = datetime.date.fromisoformat
    return (
        day(stored["start"]) if stored["start"] else None,
        day(stored["end"]) if stored["end"] else None,
        stored["status"],
    )


def _placement(initiative: Initiative) -> Placement:
    return initiative.start_quarter, initiative.end_quarter, initiative.status


def apply(scenario: Scenario, user: Any, move_agreed: bool = False) -> tuple[int, list[str]]:
    """Write ``scenario``'s quarters onto its initiatives, under the rules above.

    Returns (how many changed, titles of the agreed or under-way items kept where
    they are). Every change is audited and recorded on the scenario for undo;
    all or nothing.
    """
    changed, kept, undo = 0, [], []
    with transaction.atomic():
        for initiative, after, kind in _changes(scenario):
            if kind == "under_way" or (kind == "agreed" and not move_agreed):
                kept.append(initiative.title)
                continue
            before = audit.snapshot(initiative)
            stored = _store(_placement(initiative))
            initiative.start_quarter, initiative.end_quarter, initiative.status = after
            initiative.save()
            audit.record_update(user, initiative, before)
            undo.append({"id": initiative.pk, "before": stored, "after": _store(after)})
            changed += 1
        scenario.applied_at, scenario.applied_by = timezone.now(), user
        scenario.undo = {"moves": undo}
        scenario.save(update_fields=["applied_at", "applied_by", "undo"])
    return changed, kept


def can_undo(scenario: Scenario) -> bool:
    return scenario.applied_at is not None and "moves" in (scenario.undo or {})


def undo(scenario: Scenario, user: Any) -> tuple[int, list[str]]:
    """Put back what applying ``scenario`` moved; the scenario is no longer applied.

    An initiative changed since (moved on the board, started, declined) is left as
    it is: returns (how many went back, titles of those left).
    """
    moves = {m["id"]: m for m in (scenario.undo or {}).get("moves", [])}
    restored, left = 0, []
    with transaction.atomic():
        rows = Initiative.objects.select_for_update().filter(
            client=scenario.client_id, pk__in=moves
        )
        for initiative in rows.order_by("title", "id"):
            move = moves[initiative.pk]
            if _placement(initiative) != _read(move["after"]):
                left.append(initiative.title)
                continue
            before = audit.snapshot(initiative)
            initiative.start_quarter, initiative.end_quarter, initiative.status = _read(
                move["before"]
            )
            initiative.save()
            audit.record_update(user, initiative, before)
            restored += 1
        scenario.applied_at = scenario.applied_by = None
        scenario.undo = {}
        scenario.save(update_fields=["applied_at", "applied_by", "undo"])
    return restored, left
