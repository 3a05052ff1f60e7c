"""The figure the reviews app publishes: each client's live health score."""

from __future__ import annotations

import datetime

from vcio.core.registry import Figure, Number, figures
from vcio.reviews.health import health_of


def health_score(
    client_ids: list[int], at: datetime.date | None = None
) -> dict[int, Number | None]:
    """Each client's health score as of ``at`` (0–100, 100 healthy); None when no part has data.

    One call to ``health_of``: the queries are fixed by the number of
    registered health components, not by the number of clients.
    """
    return {cid: found["score"] for cid, found in health_of(client_ids, at).items()}


HEALTH = Figure(
    "reviews.health",
    "Health score",
    health_score,
    better="higher",
    app="reviews",
    summary=True,
    description="One figure from 0 to 100 (100 is healthy): the weighted mean of the "
    "sub-scores the apps publish (lifecycle, availability, strategy...). A part without "
    "data is left out rather than counted as zero.",
)


def register() -> None:
    figures.register(HEALTH)
