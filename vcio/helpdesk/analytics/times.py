"""First response and time to resolve, in the client's business hours: median and p90.

Definitions: *first response* is business hours from ``opened_at`` to
``first_response_at`` (a ticket resolved without a recorded response
counts its resolution as the response); *time to resolve* is business hours
from ``opened_at`` to resolution (``resolved_at``, else ``closed_at``). Both
are read for tickets resolved in the period; median and p90 use NumPy's
linear interpolation.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from vcio.helpdesk.analytics.data import done_at
from vcio.helpdesk.analytics.hours import BusinessHours, business_hours_between
from vcio.helpdesk.models import PRIORITY_ORDER, Priority


@dataclass(frozen=True)
class Durations:
    """Business hours to first response and to resolution, one value per row (NaN: unknown)."""

    response: np.ndarray
    resolve: np.ndarray


def durations(rows: list[dict], hours: BusinessHours) -> Durations:
    """Business hours to first response and to resolution of each of ``rows`` (resolved rows)."""
    opened = [r["opened_at"] for r in rows]
    done = [done_at(r) for r in rows]
    responded = [r["first_response_at"] or done_at(r) for r in rows]
    return Durations(
        business_hours_between(opened, responded, hours),
        business_hours_between(opened, done, hours),
    )


def summary(values: np.ndarray) -> dict[str, float | int | None]:
    """``{"count", "median", "p90"}`` of the known values (hours; None when there are none)."""
    known = values[~np.isnan(values)]
    if known.size == 0:
        return {"count": 0, "median": None, "p90": None}
    return {
        "count": int(known.size),
        "median": float(np.percentile(known, 50)),
        "p90": float(np.percentile(known, 90)),
    }


def _grouped(keys: list, d: Durations) -> dict:
    at: dict = defaultdict(list)
    for i, key in enumerate(keys):
        at[key].append(i)
    return {
        key: {
            "response": summary(d.response[idx]),
            "resolve": summary(d.resolve[idx]),
        }
        for key, idx in at.items()
    }


def by_priority(rows: list[dict], d: Durations) -> list[dict]:
    """Median and p90 of both times per priority, critical first (empty priorities too)."""
    grouped = _grouped([r["priority"] for r in rows], d)
    empty = {"response": summary(np.array([])), "resolve": summary(np.array([]))}
    return [
        {"priority": p, "name": Priority(p).label, **grouped.get(p, empty)} for p in PRIORITY_ORDER
    ]


def by_topic(rows: list[dict], d: Durations) -> list[dict]:
    """Median and p90 of both times per topic, the most tickets first."""
    names = {r["topic_id"]: r["topic_name"] or "(none)" for r in rows}
    grouped = _grouped([r["topic_id"] for r in rows], d)
    out = [{"id": k, "name": names[k], **v} for k, v in grouped.items()]
    out.sort(key=lambda t: (-t["resolve"]["count"], t["name"].lower()))
    return out


def overall(d: Durations) -> dict:
    """Median and p90 of both times over all rows."""
    return {"response": summary(d.response), "resolve": summary(d.resolve)}
