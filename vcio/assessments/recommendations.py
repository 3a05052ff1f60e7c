"""Misaligned items become recommendations, through the registry, like every other finding.

For each client and framework, the latest signed-off assessment's items
found not aligned or partly aligned propose the item's remediation
template: its one-time and recurring cost, effort and risk, with the
answer's live evidence. A partly aligned item proposes half the cost and
effort (part of the work is done) at the same risk. Keys are stable per
client, framework and item (``assessments.<framework>.<item ref>``), so the
next assessment updates the same recommendation, and an item found aligned
later resolves it. Signed-off results only: what the CIO has not reviewed
does not reach the client's list. Three queries for any number of clients.
"""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from vcio.assessments.models import Answer, Assessment, AssessmentStatus
from vcio.core.registry import (
    RecommendationDraft,
    RecommendationGenerator,
    recommendation_generators,
)

GAPS = ("not_aligned", "partly")
HALF = Decimal("0.5")
EVIDENCE_ROWS = 10


def latest_per_framework(client_ids: list[int]) -> list[Assessment]:
    """Each client's latest signed-off assessment of each framework it was assessed against."""
    seen: set[tuple[int, int]] = set()
    latest = []
    for a in (
        Assessment.objects.filter(client_id__in=client_ids, status=AssessmentStatus.SIGNED_OFF)
        .select_related("version__framework", "client")
        .order_by("client_id", "-as_of", "-signed_off_at", "-id")
    ):
        ident = (a.client_id, a.version.framework_id)
        if ident not in seen:
            seen.add(ident)
            latest.append(a)
    return latest


def generate(client_ids: list[int]) -> list[RecommendationDraft]:
    """Drafts for the gaps of each client's latest signed-off assessments."""
    assessments = {a.pk: a for a in latest_per_framework(client_ids)}
    answers = Answer.objects.filter(assessment_id__in=list(assessments), status__in=GAPS)
    drafts = []
    for answer in answers.select_related("item").order_by("assessment_id", "item__order"):
        drafts.append(draft_for(assessments[answer.assessment_id], answer))
    return drafts


def draft_for(assessment: Assessment, answer: Answer) -> RecommendationDraft:
    item = answer.item
    framework = assessment.version.framework
    share = HALF if answer.status == "partly" else Decimal("1")
    state = "partly aligned" if answer.status == "partly" else "not aligned"
    why = (
        f"{framework.name} {item.ref}: {item.text} — found {state} in the assessment of "
        f"{assessment.as_of.isoformat()}."
    )
    if item.why:
        why += f" {item.why}"
    if answer.live_sentence:
        why += f" Live evidence: {answer.live_sentence}"
    return RecommendationDraft(
        key=f"assessments.{framework.key}.{item.ref}",
        client_id=assessment.client_id,
        title=item.remediation or f"Align with {item.ref}: {item.text[:150]}",
        why=why,
        category="standards",
        source_app="assessments",
        risk=item.risk,
        evidence_url=reverse(
            "assessments:assessment_detail",
            kwargs={"client": assessment.client.slug, "pk": assessment.pk},
        ),
        evidence={
            "framework": framework.key,
            "version": assessment.version.version,
            "item": item.ref,
            "status": answer.status,
            "weight": item.weight,
            "assessment": assessment.pk,
            "as_of": assessment.as_of.isoformat(),
            "live_sentence": answer.live_sentence,
            "rows": [r.get("label", "") for r in answer.live_rows if not r.get("ok")][
                :EVIDENCE_ROWS
            ],
        },
        one_time_cost=(item.one_time_cost * share).quantize(Decimal("0.01")),
        recurring_cost_per_year=(item.recurring_cost * share).quantize(Decimal("0.01")),
        effort_days=(item.effort_days * share).quantize(Decimal("0.1")),
    )


def register() -> None:
    recommendation_generators.register(
        RecommendationGenerator(
            "assessments.gaps",
            "Gaps found by standards assessments",
            generate,
            app="assessments",
        )
    )
