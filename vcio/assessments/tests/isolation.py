"""Rows of every assessments model for a client, for core's walkers and this app's tests.

``small_framework()`` loads a three-item framework through the library (the
one way rows enter it); ``assessment_rows_for`` gives a client an assessment
of it with answers, evidence and a risk, each carrying ``marker`` where the
pages and the API show it.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from vcio.assessments.frameworks import library
from vcio.assessments.models import (
    Answer,
    AnswerSource,
    Assessment,
    Evidence,
    FrameworkVersion,
    Risk,
    Treatment,
)
from vcio.core.models import Client


def framework_document(key: str = "test-baseline", version: str = "1.0", items: int = 3) -> dict:
    """A valid vcio framework document: two sections, ``items`` items (risk high, medium, low…)."""
    levels = ["high", "medium", "low", "critical"]
    return {
        "format": "vcio-framework/1",
        "framework": {"key": key, "name": f"Test {key}", "licence": "CC0"},
        "version": version,
        "sections": [
            {"ref": "PR", "title": "Protect"},
            {"ref": "PR.AA", "title": "Access", "parent": "PR"},
            {"ref": "RC", "title": "Recover"},
        ],
        "items": [
            {
                "ref": f"T-{n:02d}",
                "section": "PR.AA" if n % 2 else "RC",
                "text": f"Control number {n} is in place",
                "why": f"Without control {n} the business is exposed",
                "remediation": f"Put control {n} in place",
                "risk": levels[(n - 1) % len(levels)],
                "weight": n,
            }
            for n in range(1, items + 1)
        ],
    }


def small_framework(key: str = "test-baseline", version: str = "1.0") -> FrameworkVersion:
    """The test framework's version, loaded once."""
    found = FrameworkVersion.objects.filter(framework__key=key, version=version).first()
    return found or library.load(framework_document(key, version))


def assessment_rows_for(client: Client, marker: str, user=None) -> Assessment:
    """An assessment (title with ``marker``) with one answer per item — the first not
    aligned with a note and an override reason, the second aligned — a link as evidence
    and an accepted risk raised from the first item. Returns the assessment."""
    version = small_framework()
    now = timezone.now()
    assessment = Assessment.objects.create(
        client=client, version=version, title=f"{marker} assessment", as_of=now.date(),
        summary=f"{marker} summary", created_by=user,
    )  # fmt: skip
    items = list(version.items.order_by("order"))
    answers = [Answer(assessment=assessment, item=item) for item in items]
    first = answers[0]
    first.status, first.source = "not_aligned", AnswerSource.OVERRIDE
    first.note, first.override_reason = f"{marker} note", f"{marker} reason"
    first.live_status, first.live_sentence = "aligned", f"{marker} evidence sentence"
    first.answered_by, first.answered_at = user, now
    answers[1].status, answers[1].answered_by, answers[1].answered_at = "aligned", user, now
    Answer.objects.bulk_create(answers)
    first = Answer.objects.get(assessment=assessment, item=items[0])
    Evidence.objects.create(
        answer=first, label=f"{marker} evidence", url="https://evidence.example/1", added_by=user
    )
    Risk.objects.create(
        client=client, assessment=assessment, item_ref=items[0].ref,
        title=f"{marker} risk", description=f"{marker} risk description", likelihood=4,
        impact=4, owner=f"{marker} owner", treatment=Treatment.ACCEPT,
        accept_reason=f"{marker} accepted", review_date=now.date() + datetime.timedelta(days=90),
        accepted_by=user, accepted_on=now.date(),
    )  # fmt: skip
    return assessment
