"""A survey round's results: average ratings per question, per service and per department.

Averages are plain means of the 1–5 ratings given (an unanswered rating is
not a zero), rounded to two decimals, always with ``n`` (how many ratings).
Free-text answers are listed with who wrote them: these pages are the
practice's only (client roles see no individual answer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vcio.needs.models import Answer, QuestionKind, SurveyRound


@dataclass
class Mean:
    """A running mean of ratings."""

    total: int = 0
    n: int = 0

    def add(self, rating: int) -> None:
        self.total += rating
        self.n += 1

    @property
    def average(self) -> float | None:
        return round(self.total / self.n, 2) if self.n else None


@dataclass
class RatingRow:
    """One rated thing (a question, or a service of a SERVICES question) with its means."""

    label: str
    overall: Mean = field(default_factory=Mean)
    by_department: dict[str, Mean] = field(default_factory=dict)

    def add(self, department: str, rating: int) -> None:
        self.overall.add(rating)
        self.by_department.setdefault(department, Mean()).add(rating)


def round_results(round_: SurveyRound) -> dict[str, Any]:
    """The round's ratings and texts. One query.

    Returns ``{"departments": [names], "questions": [RatingRow], "services":
    [RatingRow], "texts": [Answer], "submitted": n}``: question rows in
    question order, service rows by name, texts in question then department order.
    """
    answers = list(
        Answer.objects.filter(invitation__round=round_)
        .select_related("question", "invitation__department")
        .order_by("question__position", "invitation__department__name", "service_name", "id")
    )
    questions: dict[int, RatingRow] = {}
    services: dict[str, RatingRow] = {}
    texts, departments, invitations = [], set(), set()
    for a in answers:
        department = a.invitation.department.name
        departments.add(department)
        invitations.add(a.invitation_id)
        if a.rating is not None and a.question.kind == QuestionKind.SERVICES:
            services.setdefault(a.service_name, RatingRow(a.service_name)).add(department, a.rating)
        elif a.rating is not None:
            questions.setdefault(a.question_id, RatingRow(a.question.text)).add(
                department, a.rating
            )
        if a.text:
            texts.append(a)
    return {
        "departments": sorted(departments),
        "questions": list(questions.values()),
        "services": [services[name] for name in sorted(services)],
        "texts": texts,
        "answered": len(invitations),
    }


def table(rows: list[RatingRow], departments: list[str]) -> list[dict[str, Any]]:
    """Rows for a template: label, overall mean and n, then one (mean, n) per department."""
    return [
        {
            "label": row.label,
            "average": row.overall.average,
            "n": row.overall.n,
            "cells": [row.by_department.get(d, Mean()) for d in departments],
        }
        for row in rows
    ]
