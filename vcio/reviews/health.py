"""The client health score: a weighted composite of the sub-scores apps publish.

Each app registers a :class:`~vcio.core.registry.HealthComponent` that
returns a 0–100 sub-score with its explanation for many clients at once. A
component with no data for a client is left out and the remaining weights
are renormalised, so a client without monitors is not marked down for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vcio.core.numbers import round_float
from vcio.core.registry import SubScore, health_components


def _band(score: float | None) -> str:
    if score is None:
        return "none"
    if score >= 80:
        return "good"
    if score >= 60:
        return "fair"
    return "poor"


def composite(parts: list[dict[str, Any]]) -> float | None:
    """The weighted mean of the parts that have a score (``None`` when none has)."""
    scored = [p for p in parts if p["score"] is not None and p["weight"] > 0]
    total = sum(p["weight"] for p in scored)
    if not total:
        return None
    return round_float(sum(p["score"] * p["weight"] for p in scored) / total, 1)


def health_of(client_ids: Iterable[int], today: Any = None) -> dict[int, dict[str, Any]]:
    """``{client_id: {"score", "band", "components": [...]}}`` for many clients.

    One call per registered component, so the number of queries does not
    grow with the number of clients. ``today`` (a date) scores as of that
    day; ``None``, as of each client's own today. The result is JSON-able: it is stored
    in snapshots as it is.
    """
    ids = list(client_ids)
    computed = [(c, c.compute(ids, today)) for c in health_components]
    result: dict[int, dict[str, Any]] = {}
    for cid in ids:
        parts = []
        for component, values in computed:
            sub: SubScore | None = values.get(cid)
            score = None if sub is None or sub.score is None else round_float(sub.score, 1)
            parts.append(
                {
                    "key": component.key,
                    "label": component.label,
                    "weight": component.weight,
                    "score": score,
                    "explanation": sub.explanation if sub is not None else "No data yet.",
                    "band": _band(score),
                }
            )
        score = composite(parts)
        result[cid] = {"score": score, "band": _band(score), "components": parts}
    return result
