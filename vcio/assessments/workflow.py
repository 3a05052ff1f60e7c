"""The assessment's life: started, answered by an engineer, signed off by the CIO.

Each step is a plain function that checks what it needs, says plainly what
is wrong (``AssessmentError``, shown as a 400 with the message) and saves
nothing when it refuses.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from vcio.assessments import live
from vcio.assessments.models import (
    Answer,
    AnswerSource,
    AnswerStatus,
    Assessment,
    AssessmentStatus,
    FrameworkVersion,
)


class AssessmentError(ValueError):
    """A step refused, with the reason in words (naming the item or field)."""


def start(
    client, version: FrameworkVersion, user, as_of: datetime.date | None = None, title: str = ""
) -> Assessment:
    """A new assessment of ``client`` with one unknown answer per item, live evidence applied."""
    with transaction.atomic():
        assessment = Assessment.objects.create(
            client=client,
            version=version,
            title=title or f"{version.framework.name} {version.version}",
            as_of=as_of or timezone.localdate(),
            created_by=user if getattr(user, "pk", None) else None,
        )
        Answer.objects.bulk_create(
            [Answer(assessment=assessment, item=item) for item in version.items.all()],
            batch_size=500,
        )
    live.refresh([assessment])
    return assessment


def answer(
    target: Answer,
    user,
    *,
    status: str,
    note: str | None = None,
    reason: str = "",
) -> Answer:
    """Record a person's answer to one item.

    An answer that contradicts the item's live evidence is an override and
    needs a reason; one that agrees with it stays live (it follows the data).
    """
    assessment = target.assessment
    if assessment.status == AssessmentStatus.SIGNED_OFF:
        raise AssessmentError(
            f"{target.item.ref}: the assessment is signed off; re-open it to change an answer"
        )
    if status not in AnswerStatus.values:
        raise AssessmentError(
            f"{target.item.ref}: status {status!r} is not one of {', '.join(AnswerStatus.values)}"
        )
    has_live = target.live_status not in ("", "no_data")
    live_status = target.live_status if has_live else None
    reason = (reason or "").strip()
    if has_live and status != live_status:
        if not reason:
            raise AssessmentError(
                f"{target.item.ref}: the live evidence says "
                f"{AnswerStatus(live_status).label.lower()} ({target.live_sentence}); "
                "give a reason to override it"
            )
        target.source = AnswerSource.OVERRIDE
        target.override_reason = reason
    elif has_live:
        target.source = AnswerSource.LIVE
        target.override_reason = ""
    else:
        target.source = AnswerSource.PERSON
    target.status = status
    if note is not None:
        target.note = note
    target.answered_by = user
    target.answered_at = timezone.now()
    target.save()
    return target


def submit(assessment: Assessment, user) -> Assessment:
    """The engineer hands the assessment to the CIO for review."""
    if assessment.status != AssessmentStatus.DRAFT:
        raise AssessmentError(f"only an assessment being answered can be submitted; this one is "
                              f"{assessment.get_status_display().lower()}")  # fmt: skip
    assessment.status = AssessmentStatus.IN_REVIEW
    assessment.submitted_by = user
    assessment.submitted_at = timezone.now()
    assessment.save(update_fields=["status", "submitted_by", "submitted_at"])
    return assessment


def sign_off(
    assessment: Assessment, user, summary: str | None = None, *, recommend: bool = True
) -> Assessment:
    """The CIO signs off: the result becomes final, visible in the portal, its version frozen.

    Its gaps reach the client's recommendations at once (``recommend``), so
    the CIO can make them initiatives in the same sitting; the demo, which
    signs many off in a row, syncs once at the end instead.
    """
    if assessment.status == AssessmentStatus.SIGNED_OFF:
        raise AssessmentError("this assessment is already signed off")
    with transaction.atomic():
        if summary is not None:
            assessment.summary = summary
        assessment.status = AssessmentStatus.SIGNED_OFF
        assessment.signed_off_by = user
        assessment.signed_off_at = timezone.now()
        if assessment.submitted_at is None:
            assessment.submitted_by, assessment.submitted_at = user, assessment.signed_off_at
        assessment.save()
        # Editing the framework from now on would rewrite what was signed: freeze it.
        FrameworkVersion.objects.filter(pk=assessment.version_id).update(frozen=True)
    if recommend:
        from vcio.strategy.recommend import sync_recommendations

        sync_recommendations([assessment.client_id])
    return assessment


def reopen(assessment: Assessment, user) -> Assessment:
    """Back to the engineer: an assessment sent back or a signed-off one to be corrected."""
    if assessment.status == AssessmentStatus.DRAFT:
        raise AssessmentError("this assessment is already being answered")
    assessment.status = AssessmentStatus.DRAFT
    assessment.signed_off_by = None
    assessment.signed_off_at = None
    assessment.save(update_fields=["status", "signed_off_by", "signed_off_at"])
    live.refresh([assessment])
    return assessment
