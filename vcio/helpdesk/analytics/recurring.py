"""Recurring problems: one topic on one asset, or in one department, N times in D days.

N and D are the client's ``HelpdeskPolicy`` (3 tickets in 30 days when it
has none). A group is recurring when some window of D days holds N of its
tickets opened in the period; the group's reported count is the largest
such window, with the ids of all its tickets in the period as evidence.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from vcio.helpdesk.analytics.volume import department_key

DEFAULT_COUNT = 3
DEFAULT_DAYS = 30


def policy_for_clients(client_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Each client's (count, days) that make a problem recurring (one query)."""
    from vcio.helpdesk.models import HelpdeskPolicy

    found = dict.fromkeys(client_ids, (DEFAULT_COUNT, DEFAULT_DAYS))
    for cid, n, d in HelpdeskPolicy.objects.filter(client_id__in=client_ids).values_list(
        "client_id", "recurring_count", "recurring_days"
    ):
        found[cid] = (n, d)
    return found


def most_in_window(times: list[datetime.datetime], days: int) -> int:
    """The most of ``times`` (sorted) that fall within any ``days``-day window."""
    best, lo = 0, 0
    span = datetime.timedelta(days=days)
    for hi, t in enumerate(times):
        while t - times[lo] >= span:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def recurring(rows: list[dict], count: int, days: int) -> list[dict]:
    """Recurring groups among ``rows`` (tickets with a topic), the largest first.

    Each: ``{kind: "asset"|"department", topic_id, topic, where_id, where,
    count (most in a window), tickets (ids, oldest first), last_opened}``.
    """
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        if r["topic_id"] is None:
            continue
        if r["asset_id"]:
            groups[("asset", r["topic_id"], r["asset_id"], r["asset_name"])].append(r)
        dept_id, dept = department_key(r)
        if dept:
            groups[("department", r["topic_id"], dept_id, dept)].append(r)
    found = []
    for (kind, topic_id, where_id, where), members in groups.items():
        members.sort(key=lambda r: r["opened_at"])
        most = most_in_window([r["opened_at"] for r in members], days)
        if most >= count:
            found.append(
                {
                    "kind": kind,
                    "topic_id": topic_id,
                    "topic": members[0]["topic_name"] or "",
                    "where_id": where_id,
                    "where": where,
                    "count": most,
                    "tickets": [r["id"] for r in members],
                    "last_opened": members[-1]["opened_at"],
                }
            )
    found.sort(key=lambda g: (-g["count"], g["kind"], g["topic"].lower(), str(g["where"])))
    return found
