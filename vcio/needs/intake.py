"""From answers to needs: each pain, request or upcoming change a head wrote becomes a need.

The need keeps a link to its answer, so running this twice (or after the
practice edited the need) creates nothing new: one need per answer at most.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.utils import timezone

from vcio.needs.models import Invitation, Need, NeedKind, QuestionKind, Urgency

# A change due within this many days of the answer is urgent: there is barely time to plan it.
URGENT_CHANGE_DAYS = 90

KIND_OF_QUESTION = {
    QuestionKind.PAIN: NeedKind.PAIN,
    QuestionKind.REQUEST: NeedKind.REQUEST,
    QuestionKind.CHANGE: NeedKind.CHANGE,
}


def urgency_for(kind: str, raised_on: datetime.date, due_on: datetime.date | None) -> Urgency:
    """HIGH for a change due within 90 days of the answer (or overdue), else MEDIUM."""
    soon = due_on is not None and (due_on - raised_on).days <= URGENT_CHANGE_DAYS
    if kind == NeedKind.CHANGE and soon:
        return Urgency.HIGH
    return Urgency.MEDIUM


def need_text(answer) -> str:
    """The answer's words; a change is prefixed with its kind ("Hiring: …")."""
    text = answer.text.strip()
    if answer.question.kind == QuestionKind.CHANGE and answer.change_kind:
        return f"{answer.get_change_kind_display()}: {text}"
    return text


def needs_from_invitation(invitation: Invitation) -> list[Need]:
    """The needs of a submitted invitation's answers: created once, found again after that.

    Returns one need per pain, request or change answer with text, in
    question order. Three queries plus one insert per new need.
    """
    if invitation.submitted_at is None:
        return []
    tz = zoneinfo.ZoneInfo(invitation.client.time_zone)
    raised_on = timezone.localtime(invitation.submitted_at, tz).date()
    answers = [
        a
        for a in invitation.answers.select_related("question").order_by("question__position", "id")
        if a.question.kind in KIND_OF_QUESTION and a.text.strip()
    ]
    existing = {n.answer_id: n for n in Need.objects.filter(answer__in=answers)}
    needs = []
    for answer in answers:
        need = existing.get(answer.pk)
        if need is None:
            kind = KIND_OF_QUESTION[answer.question.kind]
            need = Need.objects.create(
                client_id=invitation.client_id,
                department_id=invitation.department_id,
                kind=kind,
                text=need_text(answer)[:2000],
                urgency=urgency_for(kind, raised_on, answer.due_on),
                raised_on=raised_on,
                due_on=answer.due_on,
                answer=answer,
            )
        needs.append(need)
    return needs
