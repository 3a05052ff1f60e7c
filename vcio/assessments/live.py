"""Live evidence: running the registered evidence rules over open assessments.

A rule answers an item when the item names it (``Item.evidence_rule``).
Open assessments (being answered or waiting for sign-off) take the latest
result; a signed-off assessment keeps the evidence it was signed with.
A live answer follows its rule; an answer a person overrode keeps the
person's status and reason, and shows as disagreeing when the rule later
says otherwise (``Answer.disagrees``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import asdict

from django.db import transaction
from django.utils import timezone

from vcio.assessments.models import Answer, AnswerSource, Assessment, AssessmentStatus
from vcio.core.registry import EvidenceResult, evaluate_evidence

OPEN = (AssessmentStatus.DRAFT, AssessmentStatus.IN_REVIEW)
MAX_ROWS = 50  # rows kept per answer: the failing ones first; the sentence gives the counts


def refresh(assessments: Iterable[Assessment], at: datetime.date | None = None) -> int:
    """Run the rules the open ``assessments`` need, once per rule for all their clients.

    Returns the number of answers whose live result changed. Queries: one
    for the answers, the rules' own (fixed per rule), one bulk update.
    """
    chosen = [a for a in assessments if a.status in OPEN]
    if not chosen:
        return 0
    answers = list(
        Answer.objects.filter(assessment__in=chosen)
        .exclude(item__evidence_rule="")
        .select_related("item", "assessment")
    )
    keys = {a.item.evidence_rule for a in answers}
    client_ids = {a.assessment.client_id for a in answers}
    results = evaluate_evidence(client_ids, keys, at)
    now = timezone.now()
    changed = [a for a in answers if apply(a, results.get(a.item.evidence_rule, {}), now)]
    with transaction.atomic():
        Answer.objects.bulk_update(
            changed,
            [
                "status",
                "source",
                "live_status",
                "live_sentence",
                "live_rows",
                "live_counts",
                "live_at",
                "answered_at",
            ],  # fmt: skip
            batch_size=500,
        )
        Assessment.objects.filter(pk__in=[a.pk for a in chosen]).update(evidence_at=now)
    return len(changed)


def apply(answer: Answer, by_client: dict[int, EvidenceResult], now: datetime.datetime) -> bool:
    """Put the rule's result for the answer's client on the answer; True when anything changed."""
    result = by_client.get(answer.assessment.client_id)
    if result is None:  # the rule is not registered (an app removed): leave it to people
        return False
    rows = [asdict(r) for r in result.rows[:MAX_ROWS]]
    before = (answer.status, answer.source, answer.live_status, answer.live_sentence)
    answer.live_status = result.status
    answer.live_sentence = result.sentence
    answer.live_rows = rows
    answer.live_counts = {k: float(v) for k, v in result.counts.items()}
    answer.live_at = now
    if follows_rule(answer):
        new_status = "unknown" if result.status == "no_data" else result.status
        if answer.source != AnswerSource.LIVE or answer.status != new_status:
            answer.answered_at = now
        answer.status = new_status
        answer.source = AnswerSource.LIVE
    return before != (answer.status, answer.source, answer.live_status, answer.live_sentence)


def follows_rule(answer: Answer) -> bool:
    """A live answer, or one nobody has answered yet: the rule's result becomes the answer.

    A person's answer keeps ``answered_at`` when their user is deleted
    (``answered_by`` set to null), so it is not mistaken for an unanswered one.
    """
    if answer.source == AnswerSource.LIVE:
        return True
    return (
        answer.source == AnswerSource.PERSON
        and answer.answered_by_id is None
        and answer.answered_at is None
    )


def refresh_all(at: datetime.date | None = None) -> int:
    """Refresh every open assessment of every client (the worker's periodic job)."""
    return refresh(Assessment.objects.filter(status__in=OPEN), at)
