"""Rows of every needs model for a client, for core's walkers and this app's tests.

``needs_rows_for`` gives a client a questionnaire round with one submitted
invitation (answers carrying ``marker``), one open invitation, and a need
raised from an answer, each showing ``marker`` where pages and the API do.
Returns the open invitation's key (the walker treats the answer page as public).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from vcio.core.models import Client, Department
from vcio.needs import tokens
from vcio.needs.models import (
    Answer,
    Invitation,
    Need,
    NeedKind,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
    SurveyRound,
)


def small_questionnaire(key: str = "test-survey", version: str = "1") -> QuestionnaireVersion:
    """A three-question questionnaire version (overall rating, a pain, an upcoming change)."""
    found = QuestionnaireVersion.objects.filter(questionnaire__key=key, version=version).first()
    if found:
        return found
    questionnaire, _ = Questionnaire.objects.get_or_create(
        key=key, defaults={"name": f"Test {key}"}
    )
    v = QuestionnaireVersion.objects.create(questionnaire=questionnaire, version=version)
    Question.objects.bulk_create(
        [
            Question(version=v, position=1, key="overall", kind=QuestionKind.SATISFACTION,
                     text="How satisfied are you with IT overall?", required=True),
            Question(version=v, position=2, key="pains", kind=QuestionKind.PAIN,
                     text="What gets in your team's way?"),
            Question(version=v, position=3, key="changes", kind=QuestionKind.CHANGE,
                     text="What changes are coming?"),
        ]
    )  # fmt: skip
    return v


def invitation_for(
    round_: SurveyRound, department: Department, name: str, email: str, days: int = 21
) -> tuple[Invitation, str]:
    """An invitation with a fresh key: ``(invitation, key)``."""
    key, digest, prefix = tokens.new_key()
    invitation = Invitation.objects.create(
        client_id=round_.client_id, round=round_, department=department, name=name,
        email=email, token_hash=digest, token_prefix=prefix,
        expires_at=timezone.now() + datetime.timedelta(days=days), sent_at=timezone.now(),
    )  # fmt: skip
    return invitation, key


def needs_rows_for(client: Client, marker: str, user=None) -> str:
    version = small_questionnaire()
    if version.published_at is None:
        version.published_at = timezone.now()
        version.save(update_fields=["published_at"])
    today = timezone.localdate()
    dept, _ = Department.objects.get_or_create(client=client, name=f"{marker} Sales")
    round_ = SurveyRound.objects.create(
        client=client, version=version, title=f"{marker} survey round", opened_on=today,
        closes_on=today + datetime.timedelta(days=21), created_by=user,
    )  # fmt: skip
    done, _ = invitation_for(round_, dept, f"{marker} head", "head@acme.example")
    done.submitted_at = timezone.now()
    done.save(update_fields=["submitted_at"])
    questions = {q.key: q for q in version.questions.all()}
    Answer.objects.create(client=client, invitation=done, question=questions["overall"], rating=2)
    pain = Answer.objects.create(
        client=client, invitation=done, question=questions["pains"], text=f"{marker} pain text"
    )
    _, key = invitation_for(round_, dept, f"{marker} second head", "second@acme.example")
    Need.objects.create(
        client=client, department=dept, kind=NeedKind.PAIN, text=f"{marker} need text",
        raised_on=today, answer=pain, theme=f"{marker} theme", created_by=user,
    )  # fmt: skip
    return key
