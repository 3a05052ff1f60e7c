"""Transparent scoring of initiatives: a weighted sum whose every part is explained.

Each part is normalised to 0–1 (1 = best), multiplied by its share of the
client's weights and expressed in points; the points add up to the total
(0–100). Cost and effort are relative to the client's most expensive and
largest initiative, so a cheap item scores high on cost whatever the
client's size. Urgency is derived from the due date when there is one
(the evidence date of an end of life or a renewal), else entered.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from vcio.core.fiscal import quarter_of
from vcio.strategy.models import Initiative, InitiativeGoal, ScoringWeights
from vcio.strategy.models.goals import PRIORITY_WEIGHTS, GoalStatus, Priority
from vcio.strategy.models.planning import ALL_ZERO_MESSAGE, DEFAULT_WEIGHTS, WEIGHT_FIELDS

# Goals an initiative is still scored for serving.
LIVE_GOAL_STATUSES = (GoalStatus.PROPOSED, GoalStatus.ACTIVE)


@dataclass(frozen=True)
class GoalLink:
    title: str
    contribution: int  # 0–100 %
    priority: int  # Priority value


@dataclass(frozen=True)
class InitiativeData:
    """What scoring needs of one initiative (no model instance, so it needs no query)."""

    id: int | None
    title: str = ""
    capex: Decimal = Decimal("0")
    opex_per_year: Decimal = Decimal("0")
    effort_days: Decimal = Decimal("0")
    benefit: int = 3
    risk_reduction: int = 3
    urgency: int = 3  # already derived from the due date when there is one
    goals: tuple[GoalLink, ...] = ()
    # The client's largest first-year cost and effort, the yardsticks for "cheap" and "small".
    max_cost: Decimal = Decimal("0")
    max_effort: Decimal = Decimal("0")
    # The client's largest first-year saving, as a cost (0 or negative): the best end of the
    # cost scale, so an initiative that saves money scores above one that is merely free.
    min_cost: Decimal = Decimal("0")

    @property
    def first_year_cost(self) -> Decimal:
        """One-time plus a year's recurring cost; negative when its saving outweighs both."""
        return self.capex + self.opex_per_year


@dataclass(frozen=True)
class ScorePart:
    name: str
    raw: float
    normalised: float  # 0–1, 1 is best
    weight: int
    points: float  # contribution to the 0–100 total
    explanation: str


@dataclass(frozen=True)
class ScoreBreakdown:
    total: float
    parts: list[ScorePart] = field(default_factory=list)


def urgency_from_due(due: datetime.date, today: datetime.date, fiscal_start_month: int = 1) -> int:
    """5 when due (or overdue) by the end of the next fiscal quarter, 4 within two,
    3 within a year (4 quarters), 2 within two years, else 1."""
    here = quarter_of(today, fiscal_start_month)
    there = quarter_of(due, fiscal_start_month)
    ahead = (there.fiscal_year - here.fiscal_year) * 4 + there.quarter - here.quarter
    for limit, level in ((1, 5), (2, 4), (4, 3), (8, 2)):
        if ahead <= limit:
            return level
    return 1


def check_weights(weights: Mapping[str, int]) -> None:
    """Refuse weights that cannot rank anything (all zero) or are negative."""
    if any(weights.get(n, 0) < 0 for n in WEIGHT_FIELDS):
        raise ValueError("Weights cannot be negative.")
    if not any(weights.get(n, 0) for n in WEIGHT_FIELDS):
        raise ValueError(ALL_ZERO_MESSAGE)


def _alignment(data: InitiativeData) -> tuple[float, float, str]:
    raw = sum(g.contribution / 100 * PRIORITY_WEIGHTS.get(g.priority, 0.5) for g in data.goals)
    if not data.goals:
        return 0.0, 0.0, "Linked to no business goal."
    named = "; ".join(
        f"{g.contribution} % of “{g.title}” ({Priority(g.priority).label.lower()} priority)"
        for g in data.goals
    )
    return raw, min(1.0, raw), f"Contributes {named}."


def _relative(value: Decimal, largest: Decimal, smallest: Decimal = Decimal("0")) -> float:
    # Cheaper (or smaller) is better: 1 for the client's smallest (free, or its largest
    # saving), 0 for its largest; without savings, 1 − value ÷ largest.
    if largest <= smallest:
        return 1.0
    return min(1.0, max(0.0, float((largest - value) / (largest - smallest))))


def _cost_text(data: InitiativeData) -> str:
    cost, largest = data.first_year_cost, data.max_cost
    against = f"against {largest:,.0f} for the client's most expensive initiative."
    if data.min_cost < 0:
        against = against[:-1] + f" and a saving of {-data.min_cost:,.0f} for its best saver."
    if data.opex_per_year < 0 and cost < 0:
        return f"Saves {-cost:,.0f} in its first year (net of its one-time cost), {against}"
    if data.opex_per_year < 0:
        return (
            f"Costs {cost:,.0f} in its first year after saving {-data.opex_per_year:,.0f} a "
            f"year, {against}"
        )
    return f"Costs {cost:,.0f} in its first year, {against}"


def _parts(data: InitiativeData) -> list[tuple[str, float, float, str]]:
    raw, norm, text = _alignment(data)
    cost, effort = data.first_year_cost, data.effort_days
    return [
        ("alignment", raw, norm, text),
        (
            "risk",
            data.risk_reduction,
            (data.risk_reduction - 1) / 4,
            f"Risk reduction rated {data.risk_reduction} of 5.",
        ),
        ("urgency", data.urgency, (data.urgency - 1) / 4, f"Urgency {data.urgency} of 5."),
        ("benefit", data.benefit, (data.benefit - 1) / 4, f"Benefit rated {data.benefit} of 5."),
        (
            "cost",
            float(cost),
            _relative(cost, data.max_cost, data.min_cost),
            _cost_text(data),
        ),
        (
            "effort",
            float(effort),
            _relative(effort, data.max_effort),
            f"Takes {effort:g} person-days, against {data.max_effort:g} for the largest.",
        ),
    ]


def score(data: InitiativeData, weights: Mapping[str, int] | None = None) -> ScoreBreakdown:
    """The 0–100 score of one initiative with every part's share of it.

    ``weights`` maps the six part names to relative weights (default
    ``DEFAULT_WEIGHTS``); each part's points are normalised × weight ÷ the
    sum of weights × 100, and the total is the sum of the points.
    """
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    check_weights(weights)
    whole = sum(weights[n] for n in WEIGHT_FIELDS)
    parts = []
    for name, raw, norm, text in _parts(data):
        weight = weights[name]
        points = norm * weight / whole * 100
        parts.append(ScorePart(name, float(raw), norm, weight, points, text))
    return ScoreBreakdown(total=sum(p.points for p in parts), parts=parts)


def weights_for(client_id: int) -> dict[str, int]:
    """The client's weights, or the defaults when it never changed them; one query."""
    row = ScoringWeights.objects.filter(client_id=client_id).first()
    return row.as_dict() if row else dict(DEFAULT_WEIGHTS)


INITIATIVE_FIELDS = (
    "id",
    "title",
    "capex",
    "opex_per_year",
    "effort_days",
    "benefit",
    "risk_reduction",
    "urgency",
    "due_date",
)


def initiative_data_for(
    client_ids: Iterable[int], today: datetime.date | None = None
) -> dict[int, list[InitiativeData]]:
    """Scoring inputs of every initiative of ``client_ids``, by client: three queries in all.

    "Cheap" and "small" are measured against each client's own largest
    initiative, never against another client's.
    """
    from vcio.core.models import Client

    ids = list(client_ids)
    months = dict(Client.objects.filter(pk__in=ids).values_list("pk", "fiscal_year_start_month"))
    today = today or timezone.localdate()
    rows: dict[int, list[dict]] = defaultdict(list)
    for r in Initiative.objects.filter(client_id__in=ids).values("client_id", *INITIATIVE_FIELDS):
        rows[r["client_id"]].append(r)
    links: dict[int, list[GoalLink]] = defaultdict(list)
    # A goal achieved or abandoned no longer pulls an initiative up: dropping a goal is a
    # reason to re-plan, so the links to it stop counting (they stay, for the record).
    for initiative_id, title, contribution, priority in InitiativeGoal.objects.filter(
        initiative__client_id__in=ids, goal__status__in=LIVE_GOAL_STATUSES
    ).values_list("initiative_id", "goal__title", "contribution", "goal__priority"):
        links[initiative_id].append(GoalLink(title, contribution, priority))
    return {
        client_id: _client_data(rows[client_id], links, months[client_id], today)
        for client_id in ids
        if client_id in months
    }


def _client_data(
    rows: list[dict], links: dict[int, list[GoalLink]], start_month: int, today: datetime.date
) -> list[InitiativeData]:
    costs = [r["capex"] + r["opex_per_year"] for r in rows]
    max_cost = max(costs, default=Decimal("0"))
    min_cost = min([Decimal("0"), *costs])
    max_effort = max((r["effort_days"] for r in rows), default=Decimal("0"))
    return [
        InitiativeData(
            id=r["id"],
            title=r["title"],
            capex=r["capex"],
            opex_per_year=r["opex_per_year"],
            effort_days=r["effort_days"],
            benefit=r["benefit"],
            risk_reduction=r["risk_reduction"],
            urgency=urgency_from_due(r["due_date"], today, start_month)
            if r["due_date"]
            else r["urgency"],
            goals=tuple(links[r["id"]]),
            max_cost=max_cost,
            max_effort=max_effort,
            min_cost=min_cost,
        )
        for r in rows
    ]


def initiative_data(client_id: int, today: datetime.date | None = None) -> list[InitiativeData]:
    """Scoring inputs for every initiative of one client: three queries."""
    return initiative_data_for([client_id], today).get(client_id, [])


def score_clients(
    client_ids: Iterable[int], today: datetime.date | None = None
) -> dict[int, ScoreBreakdown]:
    """``{initiative id: ScoreBreakdown}`` for every initiative of ``client_ids``: four queries."""
    ids = list(client_ids)
    weights = {
        row.client_id: row.as_dict() for row in ScoringWeights.objects.filter(client_id__in=ids)
    }
    return {
        d.id: score(d, weights.get(client_id, DEFAULT_WEIGHTS))
        for client_id, data in initiative_data_for(ids, today).items()
        for d in data
    }


def score_all(client_id: int, today: datetime.date | None = None) -> dict[int, ScoreBreakdown]:
    """``{initiative id: ScoreBreakdown}`` for every initiative of a client: four queries."""
    return score_clients([client_id], today)
