"""IT satisfaction per survey round: overall, per department and per business service.

What counts: the 1–5 ratings of submitted invitations. The overall and
each department's mean come from the "satisfaction with IT" questions
(``QuestionKind.SATISFACTION``), a department's being the ratings of its
own head(s); a service's mean from the per-service ratings
(``QuestionKind.SERVICES``), by the service's name as answered, so a
renamed service still reads right in past rounds. Each mean comes with
``n``, the number of ratings behind it; means are exact (integer sums ÷
counts) rounded to 2 decimals.

As of a day ``at``: rounds opened after it, and answers submitted after it,
are ignored; a round with no rating yet (just sent) is not a round of the
trend. Rounds are ordered by ``opened_on``; the trend compares the last
round with the one before. One query for any number of clients.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Sum

from vcio.core.numbers import round_float
from vcio.needs.models import Answer, QuestionKind

PLACES = 2


@dataclass(frozen=True)
class Mean:
    """A mean rating (1–5) and the number of ratings behind it."""

    total: int
    n: int

    @property
    def mean(self) -> float | None:
        return round_float(self.total / self.n, PLACES) if self.n else None

    def plus(self, total: int, n: int) -> Mean:
        return Mean(self.total + total, self.n + n)


NONE = Mean(0, 0)


@dataclass
class RoundSatisfaction:
    """One round's means: overall, per department (id → name, mean), per service name."""

    round_id: int
    title: str
    opened_on: datetime.date
    overall: Mean = NONE
    departments: dict[int, tuple[str, Mean]] = field(default_factory=dict)
    services: dict[str, Mean] = field(default_factory=dict)


def _moved(now: Mean | None, before: Mean | None) -> float | None:
    if now is None or before is None or now.mean is None or before.mean is None:
        return None
    return round_float(now.mean - before.mean, PLACES)


@dataclass
class Trend:
    """A client's rounds, oldest first, and the last round against the one before."""

    rounds: list[RoundSatisfaction]

    @property
    def latest(self) -> RoundSatisfaction | None:
        return self.rounds[-1] if self.rounds else None

    @property
    def previous(self) -> RoundSatisfaction | None:
        return self.rounds[-2] if len(self.rounds) > 1 else None

    def overall_change(self) -> float | None:
        """Latest overall mean − previous overall mean (None without both)."""
        if self.latest is None or self.previous is None:
            return None
        return _moved(self.latest.overall, self.previous.overall)

    def department_changes(self) -> list[dict]:
        """Each department of the latest round: its mean now, before and the move."""
        if self.latest is None:
            return []
        before = self.previous.departments if self.previous else {}
        rows = []
        for dept_id, (name, now) in sorted(self.latest.departments.items(), key=lambda d: d[1][0]):
            was = before.get(dept_id, (name, None))[1]
            rows.append(_change_row(name, now, was, department_id=dept_id))
        return rows

    def service_changes(self) -> list[dict]:
        """Each service rated in the latest round: its mean now, before and the move."""
        if self.latest is None:
            return []
        before = self.previous.services if self.previous else {}
        return [
            _change_row(name, now, before.get(name))
            for name, now in sorted(self.latest.services.items())
        ]


def _change_row(name: str, now: Mean, was: Mean | None, **extra) -> dict:
    return {
        "name": name,
        "now": now.mean,
        "n": now.n,
        "before": was.mean if was else None,
        "change": _moved(now, was),
        **extra,
    }


def trends(client_ids: list[int], at: datetime.date | None = None) -> dict[int, Trend]:
    """``{client_id: Trend}`` for every id given (an empty trend without ratings); one query."""
    rows = Answer.objects.filter(
        client_id__in=client_ids,
        rating__isnull=False,
        invitation__submitted_at__isnull=False,
        question__kind__in=[QuestionKind.SATISFACTION, QuestionKind.SERVICES],
    )
    if at is not None:
        rows = rows.filter(
            invitation__round__opened_on__lte=at, invitation__submitted_at__date__lte=at
        )
    grouped = (
        rows.values(
            "client_id",
            "invitation__round_id",
            "invitation__round__title",
            "invitation__round__opened_on",
            "invitation__department_id",
            "invitation__department__name",
            "question__kind",
            "service_name",
        )
        .annotate(total=Sum("rating"), n=Count("id"))
        .order_by()
    )
    rounds: dict[int, RoundSatisfaction] = {}
    owner: dict[int, int] = {}
    for row in grouped:
        rid = row["invitation__round_id"]
        one = rounds.get(rid)
        if one is None:
            one = rounds[rid] = RoundSatisfaction(
                rid, row["invitation__round__title"], row["invitation__round__opened_on"]
            )
            owner[rid] = row["client_id"]
        _add(one, row)
    result = {cid: Trend([]) for cid in client_ids}
    for one in sorted(rounds.values(), key=lambda r: (r.opened_on, r.round_id)):
        result[owner[one.round_id]].rounds.append(one)
    return result


def _add(one: RoundSatisfaction, row: dict) -> None:
    total, n = int(row["total"]), int(row["n"])
    if row["question__kind"] == QuestionKind.SERVICES:
        name = row["service_name"] or "(unnamed service)"
        one.services[name] = one.services.get(name, NONE).plus(total, n)
        return
    one.overall = one.overall.plus(total, n)
    dept = row["invitation__department_id"]
    name, mean = one.departments.get(dept, (row["invitation__department__name"], NONE))
    one.departments[dept] = (name, mean.plus(total, n))
