"""Recurring problems: one topic on one asset, or in one department, N times in D days.

N and D are the client's ``HelpdeskPolicy`` (3 tickets in 30 days when it
has none). A group is recurring when some window of D days holds N of its
tickets opened in the period; the group's reported count is the largest
such window, with the ids of all its tickets in the period as evidence.

A department counts only when it files more of the topic than its size
predicts: a department filing half of all tickets files about half of every
topic, and listing it under each would bury the one that is news. "More" is
both a practical margin (its share of the topic at least ``MIN_LIFT`` times
its share of all tickets with a topic) and beyond chance (a one-sided
binomial test, p below ``MAX_P``). Assets need no such test: a topic
recurring on one machine is specific whatever the machine's share.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

from scipy.stats import binomtest

from vcio.helpdesk.analytics.volume import department_key

DEFAULT_COUNT = 3
DEFAULT_DAYS = 30
MIN_LIFT = 1.5
MAX_P = 0.01  # strict: a client has dozens of topic x department pairs to test


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


def over_represented(in_both: int, in_topic: int, in_department: int, total: int) -> bool:
    """True when a department's ``in_both`` tickets of a topic are more than its share predicts.

    ``in_topic`` tickets of the topic, ``in_department`` tickets of the
    department, ``total`` tickets (all with a topic).
    """
    share = in_department / total
    if share >= 1:  # one department files everything: nothing to compare it with
        return False
    if in_both < MIN_LIFT * share * in_topic:
        return False
    return binomtest(in_both, in_topic, share, alternative="greater").pvalue < MAX_P


def recurring(rows: list[dict], count: int, days: int) -> list[dict]:
    """Recurring groups among ``rows`` (tickets with a topic), the largest first.

    Each: ``{kind: "asset"|"department", topic_id, topic, where_id, where,
    count (most in a window), tickets (ids, oldest first), last_opened}``.
    """
    groups: dict[tuple, list[dict]] = defaultdict(list)
    per_topic: Counter = Counter()
    per_department: Counter = Counter()
    for r in rows:
        if r["topic_id"] is None:
            continue
        per_topic[r["topic_id"]] += 1
        if r["asset_id"]:
            groups[("asset", r["topic_id"], r["asset_id"], r["asset_name"])].append(r)
        dept_id, dept = department_key(r)
        if dept:
            per_department[(dept_id, dept)] += 1
            groups[("department", r["topic_id"], dept_id, dept)].append(r)
    total = sum(per_topic.values())
    found = []
    for (kind, topic_id, where_id, where), members in groups.items():
        if kind == "department" and not over_represented(
            len(members), per_topic[topic_id], per_department[(where_id, where)], total
        ):
            continue
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
