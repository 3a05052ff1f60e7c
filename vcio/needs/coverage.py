"""The needs app's columns of the coverage matrix, and the matrix's panel on the client page.

- **Needs**: open and planned needs (not done, not dismissed) by
  ``Need.department``.
- **Survey answers**: submitted invitations by ``Invitation.department`` in
  the client's latest answered survey round (the last one opened on or before
  ``at`` that anybody answered: a round just sent, with no answers yet, must
  not make every department look silent).

One query each, whatever the number of clients. The client overview shows a
compact matrix (see :mod:`vcio.needs.coverage_matrix`): the departments left
out, with why, and a link to the full page.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from vcio.core.registry import ClientPanel, CoverageColumn, client_panels, coverage_columns
from vcio.needs.models import Invitation, Need, NeedStatus, SurveyRound

Key = tuple[int, int | None]


def as_day(at: Any) -> datetime.date:
    """``at`` as a day: ``None`` is today, a datetime its local day."""
    if at is None:
        return timezone.localdate()
    if isinstance(at, datetime.datetime):
        return timezone.localdate(at) if timezone.is_aware(at) else at.date()
    return at


def needs(client_ids: list[int], at: Any = None) -> dict[Key, int]:
    """Open and planned needs raised by ``at``, per (client, department); one query.

    A need's status keeps no history, so one done or dismissed since ``at`` is left out
    of a past review's count, like the other records kept without a history.
    """
    rows = (
        Need.objects.filter(
            client_id__in=client_ids,
            status__in=[NeedStatus.OPEN, NeedStatus.PLANNED],
            raised_on__lte=as_day(at),
        )
        .order_by()
        .values("client_id", "department_id")
        .annotate(n=Count("pk"))
    )
    return {(r["client_id"], r["department_id"]): r["n"] for r in rows}


def survey_answers(client_ids: list[int], at: Any = None) -> dict[Key, int]:
    """Submitted invitations of each client's latest answered round per (client, department)."""
    day = as_day(at)
    answered = Invitation.objects.filter(round_id=OuterRef("pk"), submitted_at__date__lte=day)
    latest = (
        SurveyRound.objects.filter(client_id=OuterRef("client_id"), opened_on__lte=day)
        .filter(Exists(answered))
        .order_by("-opened_on", "-id")
        .values("pk")[:1]
    )
    rows = (
        Invitation.objects.filter(client_id__in=client_ids, submitted_at__date__lte=day)
        .filter(round_id=Subquery(latest))
        .order_by()
        .values("client_id", "department_id")
        .annotate(n=Count("pk"))
    )
    return {(r["client_id"], r["department_id"]): r["n"] for r in rows}


def panel_context(client, user) -> dict[str, Any] | None:
    """The compact matrix; ``None`` (no panel) when the client has no department and no data."""
    from vcio.needs.coverage_matrix import coverage_matrix

    matrix = coverage_matrix(client)
    if not matrix.rows:
        return None
    return {
        "matrix": matrix,
        "client": client,
        "url": reverse("needs:coverage", kwargs={"client": client.slug}),
    }


def register() -> None:
    coverage_columns.register(
        CoverageColumn(
            key="needs.needs",
            label="Needs",
            collect=needs,
            description="Open and planned needs the department raised.",
            order=20,
            app="needs",
        )
    )
    coverage_columns.register(
        CoverageColumn(
            key="needs.survey_answers",
            label="Survey answers",
            collect=survey_answers,
            description="Answers the department submitted in the latest answered survey round.",
            order=80,
            app="needs",
        )
    )
    client_panels.register(
        ClientPanel(
            key="needs.coverage",
            title="Coverage of departments",
            template="needs/panel_coverage.html",
            context=panel_context,
            order=60,
            app="needs",
        )
    )
