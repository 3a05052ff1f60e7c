"""How many tickets were opened, by topic, department, requester, asset, priority and time."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from vcio.helpdesk.models import PRIORITY_ORDER, Priority

NONE_LABEL = "(none)"


def count_by(rows: list[dict], id_key: str, name_key: str, limit: int | None = None) -> list[dict]:
    """Tickets per value of ``id_key``, most first: ``[{"id", "name", "count", "share"}]``.

    ``share`` is the % of ``rows``; a missing value is one row named "(none)".
    """
    counts = Counter((r[id_key], r[name_key] or "") for r in rows)
    total = len(rows)
    out = [
        {"id": key, "name": name or NONE_LABEL, "count": n, "share": 100 * n / total}
        for (key, name), n in counts.most_common()
    ]
    out.sort(key=lambda row: (-row["count"], row["name"].lower()))
    return out[:limit] if limit else out


def department_key(row: dict) -> tuple[Any, str]:
    """The department a ticket came from: the client's department, else the source's text."""
    if row["department_id"]:
        return row["department_id"], row["department_name"] or ""
    return None, row["source_department"] or ""


def by_department(rows: list[dict], limit: int = 10) -> list[dict]:
    """Tickets per department (the source's own text where no department matched)."""
    keyed = [{"k": department_key(r)[1], "n": department_key(r)[1]} for r in rows]
    return count_by(keyed, "k", "n", limit)


def by_priority(rows: list[dict]) -> list[dict]:
    """Tickets per priority, critical first, every priority listed (0 included)."""
    counts = Counter(r["priority"] for r in rows)
    total = len(rows) or 1
    return [
        {
            "priority": p,
            "name": Priority(p).label,
            "count": counts[p],
            "share": 100 * counts[p] / total,
        }
        for p in PRIORITY_ORDER
    ]


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s ISO week."""
    return day - datetime.timedelta(days=day.weekday())


def buckets(start: datetime.date, end: datetime.date, unit: str) -> list[datetime.date]:
    """First days of the weeks (Mondays) or months touching ``start``..``end``, in order."""
    first = week_start(start) if unit == "week" else start.replace(day=1)
    out = []
    while first <= end:
        out.append(first)
        if unit == "week":
            first += datetime.timedelta(days=7)
        else:
            first = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return out


def series_by_topic(
    rows: list[dict], zone, start: datetime.date, end: datetime.date, unit: str, top: int = 6
) -> dict[str, Any]:
    """Tickets opened per week or month (``unit``) for the ``top`` topics, the rest as "Other".

    Returns ``{"buckets": [date…], "topics": [{"id", "name", "counts": [n…], "other"}]}``,
    each ticket placed by its local opening day.
    """
    starts = buckets(start, end, unit)
    index = {d: i for i, d in enumerate(starts)}
    ranked = count_by(rows, "topic_id", "topic_name")
    keep = [t["id"] for t in ranked[:top]]
    series = {
        t["id"]: {"id": t["id"], "name": t["name"], "counts": [0] * len(starts), "other": False}
        for t in ranked[:top]
    }
    other = {"id": None, "name": "Other topics", "counts": [0] * len(starts), "other": True}
    for r in rows:
        day = r["opened_at"].astimezone(zone).date()
        b = week_start(day) if unit == "week" else day.replace(day=1)
        target = series[r["topic_id"]] if r["topic_id"] in keep else other
        if b in index:
            target["counts"][index[b]] += 1
    topics = [series[k] for k in keep] + ([other] if any(other["counts"]) else [])
    return {"buckets": starts, "topics": topics}
