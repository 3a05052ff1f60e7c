"""A department head's answers: the form's rows, checking a submission, saving it once.

Field names on the answer page: ``q-<key>`` holds a question's rating (1–5)
or text; a SERVICES question has one ``q-<key>-s<service id>`` rating per
business service of the client; a CHANGE question adds ``q-<key>-kind`` (a
ChangeKind) and ``q-<key>-date`` (YYYY-MM-DD). Every problem names the
question it belongs to; nothing is saved unless the whole submission is right.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from vcio.availability.models import BusinessService
from vcio.needs import tokens
from vcio.needs.intake import needs_from_invitation
from vcio.needs.models import (
    NEED_TEXT_MAX,
    Answer,
    ChangeKind,
    Invitation,
    Question,
    QuestionKind,
)

TEXT_MAX = NEED_TEXT_MAX  # characters of one text answer
RATINGS = ("1", "2", "3", "4", "5")
RATING_LABELS = {
    "1": "Very unsatisfied",
    "2": "Unsatisfied",
    "3": "Neutral",
    "4": "Satisfied",
    "5": "Very satisfied",
}
EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
KEY_MAX = 100  # a key longer than this is not one of ours: no database lookup


def find_invitation(key: str) -> Invitation | None:
    """The invitation whose link carries ``key`` (with its round and client), or None."""
    if not key or len(key) > KEY_MAX:
        return None
    return (
        Invitation.objects.select_related(
            "round__client", "round__version__questionnaire", "department"
        )
        .filter(token_hash=tokens.key_hash(key))
        .first()
    )


def mark_opened(invitation: Invitation) -> None:
    """Record the first time the link was opened (once; later views change nothing)."""
    if invitation.opened_at is None:
        now = timezone.now()
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=now)
        invitation.opened_at = now


def questions_of(invitation: Invitation) -> list[Question]:
    return list(invitation.round.version.questions.order_by("position", "id"))


def services_of(invitation: Invitation) -> list[BusinessService]:
    """The business services of the invitation's own client (the only ones shown)."""
    return list(
        BusinessService.objects.filter(client_id=invitation.client_id).order_by("name", "id")
    )


@dataclass
class Draft:
    """Answers checked but not saved: rows to create, problems by question key, values typed."""

    answers: list[Answer] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)


def _rating(raw: str, label: str, draft: Draft, key: str) -> int | None:
    if raw == "":
        return None
    if raw not in RATINGS:
        shown = raw[:20]
        draft.errors.setdefault(key, []).append(f"{label}: “{shown}” is not a rating from 1 to 5.")
        return None
    return int(raw)


def _text(raw: str, label: str, draft: Draft, key: str) -> str:
    if len(raw) > TEXT_MAX:
        draft.errors.setdefault(key, []).append(
            f"{label}: at most {TEXT_MAX} characters ({len(raw)} were typed)."
        )
    return raw.strip()


def check(invitation: Invitation, data, questions, services) -> Draft:
    """Check a posted form (a QueryDict or dict) against the questions; returns the draft."""
    draft = Draft(values={k: data.get(k, "") for k in data})
    for q in questions:
        name, label = f"q-{q.key}", f"“{q.text}”"
        common = {"client_id": invitation.client_id, "invitation": invitation, "question": q}
        if q.kind == QuestionKind.SATISFACTION:
            rating = _rating(data.get(name, ""), label, draft, q.key)
            if rating is not None:
                draft.answers.append(Answer(**common, rating=rating))
            elif q.required and q.key not in draft.errors:
                draft.errors[q.key] = [f"{label}: choose a rating from 1 to 5."]
        elif q.kind == QuestionKind.SERVICES:
            rated = 0
            for s in services:
                raw = data.get(f"{name}-s{s.pk}", "")
                rating = _rating(raw, f"{label} ({s.name})", draft, q.key)
                if rating is not None:
                    rated += 1
                    draft.answers.append(
                        Answer(**common, service=s, service_name=s.name, rating=rating)
                    )
            if q.required and not rated and services and q.key not in draft.errors:
                draft.errors[q.key] = [f"{label}: rate at least one service."]
        else:
            _check_text_question(q, name, label, common, data, draft)
    return draft


def _check_text_question(q, name: str, label: str, common: dict, data, draft: Draft) -> None:
    text = _text(data.get(name, ""), label, draft, q.key)
    kind, due_on = "", None
    if q.kind == QuestionKind.CHANGE:
        kind = data.get(f"{name}-kind", "")
        if kind not in ("", *ChangeKind.values):
            draft.errors.setdefault(q.key, []).append(f"{label}: choose a kind of change.")
        due_on = _date(data.get(f"{name}-date", "").strip(), label, draft, q.key)
        if not text and (kind or due_on):
            draft.errors.setdefault(q.key, []).append(f"{label}: say what the change is.")
    if text:
        draft.answers.append(Answer(**common, text=text, change_kind=kind, due_on=due_on))
    elif q.required and q.key not in draft.errors:
        draft.errors[q.key] = [f"{label}: please answer this question."]


def _date(raw: str, label: str, draft: Draft, key: str) -> datetime.date | None:
    if not raw:
        return None
    try:
        day = datetime.date.fromisoformat(raw[:20])
    except ValueError:
        day = None
    if day is None or not EARLIEST_DATE <= day <= LATEST_DATE:
        draft.errors.setdefault(key, []).append(
            f"{label}: “{raw[:20]}” is not a date (write it as YYYY-MM-DD)."
        )
        return None
    return day


class AlreadySubmitted(Exception):
    """The invitation was answered (or closed) before this submission arrived."""


def submit(invitation: Invitation, draft: Draft) -> Invitation:
    """Save a checked draft, mark the invitation submitted and raise its needs, atomically.

    The invitation is locked and its state re-read: a second submission (even
    a simultaneous one) raises ``AlreadySubmitted`` and writes nothing.
    """
    with transaction.atomic():
        locked = (
            Invitation.objects.select_for_update()
            .select_related("round__client", "department")
            .get(pk=invitation.pk)
        )
        if locked.state() != "open":
            raise AlreadySubmitted(locked.state())
        Answer.objects.bulk_create(draft.answers)
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["submitted_at"])
        locked.client = locked.round.client
        needs_from_invitation(locked)
    return locked


def form_rows(
    questions: list[Question], services: list, values: dict[str, str], errors: dict
) -> list[dict[str, Any]]:
    """What the answer page shows per question: its fields with the values typed so far."""
    rows = []
    for q in questions:
        name = f"q-{q.key}"
        row: dict[str, Any] = {"question": q, "name": name, "errors": errors.get(q.key, [])}
        if q.kind == QuestionKind.SATISFACTION:
            row["scale"] = _scale(name, values.get(name, ""))
            row["chosen"] = values.get(name, "") in RATINGS
        elif q.kind == QuestionKind.SERVICES:
            row["services"] = [
                {
                    "service": s,
                    "name": f"{name}-s{s.pk}",
                    "scale": _scale(f"{name}-s{s.pk}", values.get(f"{name}-s{s.pk}", "")),
                    "chosen": values.get(f"{name}-s{s.pk}", "") in RATINGS,
                }
                for s in services
            ]
        else:
            row["text"] = values.get(name, "")
            if q.kind == QuestionKind.CHANGE:
                row["change_kinds"] = [
                    {"value": v, "label": lbl, "checked": values.get(f"{name}-kind") == v}
                    for v, lbl in ChangeKind.choices
                ]
                row["date"] = values.get(f"{name}-date", "")[:20]
        rows.append(row)
    return rows


def _scale(name: str, current: str) -> list[dict[str, Any]]:
    return [
        {"value": v, "label": RATING_LABELS[v], "id": f"{name}-{v}", "checked": current == v}
        for v in RATINGS
    ]


def answered_rows(invitation: Invitation) -> list[dict[str, Any]]:
    """A submitted invitation's answers per question, for the read-only page."""
    answers: dict[int, list[Answer]] = {}
    for a in invitation.answers.order_by("service_name", "id"):
        answers.setdefault(a.question_id, []).append(a)
    return [{"question": q, "answers": answers.get(q.pk, [])} for q in questions_of(invitation)]
