"""The backlog (tickets still owed) at an instant, by age; the reopen rate; satisfaction."""

from __future__ import annotations

import datetime

import numpy as np

from vcio.helpdesk.analytics.data import is_open_at

# Age bands in calendar days since opening: [low, high) and their labels.
AGE_BANDS = (
    (0, 1, "under a day"),
    (1, 7, "1–7 days"),
    (7, 30, "7–30 days"),
    (30, None, "30 days or more"),
)


def open_at(rows: list[dict], instant: datetime.datetime) -> list[dict]:
    """The rows that were open at ``instant`` (see :func:`data.is_open_at`)."""
    return [r for r in rows if is_open_at(r, instant)]


def backlog(rows: list[dict], instant: datetime.datetime) -> dict:
    """The backlog at ``instant``: ``{"count", "median_age_days", "bands": [{label, count}]}``.

    A ticket's age is calendar days (fractional) from opening to ``instant``.
    """
    found = open_at(rows, instant)
    ages = np.array([(instant - r["opened_at"]).total_seconds() / 86400 for r in found])
    bands = []
    for low, high, label in AGE_BANDS:
        inside = (ages >= low) & (ages < high) if high is not None else ages >= low
        bands.append({"label": label, "count": int(inside.sum()) if ages.size else 0})
    return {
        "count": len(found),
        "median_age_days": float(np.median(ages)) if ages.size else None,
        "bands": bands,
    }


def reopen_rate(resolved: list[dict]) -> dict:
    """% of tickets resolved in the period that were ever reopened (None: none resolved)."""
    n = sum(1 for r in resolved if r["reopen_count"] > 0)
    return {
        "pct": 100 * n / len(resolved) if resolved else None,
        "reopened": n,
        "resolved": len(resolved),
    }


def satisfaction(resolved: list[dict]) -> dict:
    """Ratings (1–5) of tickets resolved in the period: mean, count, % rated 4 or 5."""
    ratings = [r["satisfaction"] for r in resolved if r["satisfaction"] is not None]
    if not ratings:
        return {"count": 0, "mean": None, "satisfied_pct": None}
    return {
        "count": len(ratings),
        "mean": sum(ratings) / len(ratings),
        "satisfied_pct": 100 * sum(1 for s in ratings if s >= 4) / len(ratings),
    }
