"""Builders for the needs-flow tests: rounds with rated answers, and needs."""

from __future__ import annotations

import datetime

from django.utils import timezone

from vcio.core.models import Client, Department
from vcio.needs.models import (
    Answer,
    Need,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
    SurveyRound,
)
from vcio.needs.tests.isolation import invitation_for


def rated_questionnaire() -> QuestionnaireVersion:
    """Overall satisfaction, per-service satisfaction and a pain question (frozen)."""
    found = QuestionnaireVersion.objects.filter(questionnaire__key="flow-survey").first()
    if found:
        return found
    q = Questionnaire.objects.create(key="flow-survey", name="Flow survey")
    v = QuestionnaireVersion.objects.create(
        questionnaire=q, version="1", published_at=timezone.now()
    )
    Question.objects.bulk_create(
        [
            Question(version=v, position=1, key="overall", kind=QuestionKind.SATISFACTION,
                     text="How satisfied are you with IT overall?"),
            Question(version=v, position=2, key="services", kind=QuestionKind.SERVICES,
                     text="How satisfied are you with each service?"),
            Question(version=v, position=3, key="pains", kind=QuestionKind.PAIN,
                     text="What gets in your way?"),
        ]
    )  # fmt: skip
    return v


def survey_round(client: Client, opened_on: datetime.date, title: str) -> SurveyRound:
    return SurveyRound.objects.create(
        client=client, version=rated_questionnaire(), title=title, opened_on=opened_on,
        closes_on=opened_on + datetime.timedelta(days=21),
    )  # fmt: skip


def department(client: Client, name: str) -> Department:
    return Department.objects.get_or_create(client=client, name=name)[0]


def submit(
    round_: SurveyRound,
    dept: Department,
    overall: int | None,
    services: dict[str, int] | None = None,
    pain: str = "",
    on: datetime.date | None = None,
):
    """A submitted invitation of ``dept`` with its ratings (and a pain), submitted on ``on``."""
    invitation, _ = invitation_for(round_, dept, f"{dept.name} head", "head@example.test")
    day = on or round_.opened_on
    invitation.submitted_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    invitation.save(update_fields=["submitted_at"])
    questions = {q.key: q for q in round_.version.questions.all()}
    rows = []
    if overall is not None:
        rows.append(Answer(client_id=round_.client_id, invitation=invitation,
                           question=questions["overall"], rating=overall))  # fmt: skip
    for name, rating in (services or {}).items():
        rows.append(Answer(client_id=round_.client_id, invitation=invitation,
                           question=questions["services"], service_name=name,
                           rating=rating))  # fmt: skip
    if pain:
        rows.append(Answer(client_id=round_.client_id, invitation=invitation,
                           question=questions["pains"], text=pain))  # fmt: skip
    Answer.objects.bulk_create(rows)
    return invitation


def need(client: Client, text: str, **extra) -> Need:
    extra.setdefault("raised_on", timezone.localdate())
    return Need.objects.create(client=client, text=text, **extra)
