"""Figures (KPIs) the assessments app publishes about each client through the registry.

Each reads the client's latest signed-off assessment as of the day asked
(``latest.latest_signed_off``), whatever its framework, and its scorecard
(``scores.scorecards``): three queries for any number of clients. A client
never assessed gets ``None``.
"""

from __future__ import annotations

import datetime

from vcio.assessments.latest import latest_signed_off
from vcio.assessments.scores import scorecards
from vcio.core.numbers import round_float
from vcio.core.registry import Figure, Number, figures

Result = dict[int, Number | None]


def _cards(client_ids: list[int], at: datetime.date | None):
    latest = latest_signed_off(client_ids, at)
    cards = scorecards([a.pk for a in latest.values()])
    return {cid: cards[a.pk] for cid, a in latest.items()}


def alignment_pct(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """% aligned by weight in the latest signed-off assessment (unknown items count 0)."""
    result: Result = dict.fromkeys(client_ids)
    for cid, card in _cards(client_ids, at).items():
        pct = card.overall.percent
        result[cid] = None if pct is None else round_float(pct, 1)
    return result


def not_aligned_weight(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """Weight of the items not aligned in the latest signed-off assessment (partly: not counted)."""
    result: Result = dict.fromkeys(client_ids)
    for cid, card in _cards(client_ids, at).items():
        result[cid] = card.overall.not_aligned
    return result


def unknown_pct(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """% of the applicable weight still unknown in the latest signed-off assessment."""
    result: Result = dict.fromkeys(client_ids)
    for cid, card in _cards(client_ids, at).items():
        pct = card.overall.unknown_percent
        result[cid] = None if pct is None else round_float(pct, 1)
    return result


FIGURES = [
    Figure(
        "assessments.alignment_pct",
        "Standards alignment",
        alignment_pct,
        unit="%",
        better="higher",
        app="assessments",
        summary=True,
        description="How much of the assessed framework the client meets, by item weight, in "
        "its latest signed-off assessment: aligned counts fully, partly half, unknown nothing.",
    ),
    Figure(
        "assessments.not_aligned_weight",
        "Weight of items not aligned",
        not_aligned_weight,
        better="lower",
        app="assessments",
        description="Sum of the weights of the items found not aligned in the latest signed-off "
        "assessment: what stands between the client and the standard.",
    ),
    Figure(
        "assessments.unknown_pct",
        "Assessment unknowns",
        unknown_pct,
        unit="%",
        better="lower",
        app="assessments",
        description="Share of the assessed weight nobody could answer in the latest signed-off "
        "assessment; a high share makes the alignment figure less certain.",
    ),
]


def register() -> None:
    for figure in FIGURES:
        figures.register(figure)
