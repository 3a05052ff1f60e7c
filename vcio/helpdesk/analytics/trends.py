"""Rising and falling topics: this period against the previous one and the same one last year.

The test is conditional on the total: if a topic's rate did not change, its
``k`` tickets this period out of ``n`` in the two periods together follow a
binomial with ``p = days this period / days of both`` (an exact test of two
Poisson rates). Two-sided p-values are adjusted across the client's topics
with Benjamini–Hochberg (false discovery rate), and a topic is news only
when the adjusted value is under :data:`ALPHA` and it had at least
:data:`MIN_COUNT` tickets in the larger of the two periods: noise is not news.

A comparison period is left out when the client's tickets are not recorded
that far back (:func:`recorded_since`): a year of imported history compared
with the same quarter a year before would otherwise call every topic "new".
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Min, Q
from scipy.stats import binomtest

from vcio.helpdesk.analytics.data import Period
from vcio.helpdesk.models import Ticket

ALPHA = 0.05
MIN_COUNT = 5
# A period counts as recorded when the client's tickets are recorded for at least this
# share of it: an export's first ticket rarely falls on the period's very first day.
RECORDED_SHARE = 0.5


def topic_counts(client_id: int, periods: dict[str, Period]) -> dict[int | None, dict[str, int]]:
    """Tickets opened per topic in each named period: ``{topic_id: {name: count}}`` (one query)."""
    earliest = min(p.utc_start for p in periods.values())
    latest = max(p.utc_end for p in periods.values())
    counts = {
        name: Count("id", filter=Q(opened_at__gte=p.utc_start, opened_at__lt=p.utc_end))
        for name, p in periods.items()
    }
    rows = (
        Ticket.objects.filter(client_id=client_id, opened_at__gte=earliest, opened_at__lt=latest)
        .values("topic_id")
        .annotate(**counts)
        .order_by("topic_id")
    )
    return {r["topic_id"]: {name: r[name] for name in periods} for r in rows}


def first_ticket(client_id: int) -> datetime.datetime | None:
    """When the client's earliest recorded ticket was opened (None: no tickets); one query."""
    return Ticket.objects.filter(client_id=client_id).aggregate(first=Min("opened_at"))["first"]


def recorded_since(first: datetime.datetime | None, period: Period) -> bool:
    """True when the client's tickets are recorded for most of ``period``.

    "Most": from its first ticket on, at least :data:`RECORDED_SHARE` of the
    period. Otherwise the period's "no tickets" means "no record", and comparing
    with it would be news made of missing data.
    """
    if first is None:
        return False
    grace = (period.utc_end - period.utc_start) * (1 - RECORDED_SHARE)
    return first <= period.utc_start + grace


def bh_adjust(p_values: list[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (q-values), in the order given."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        adjusted[i] = running
    return adjusted


def rate_test(current: int, before: int, days_current: int, days_before: int) -> float:
    """Two-sided p-value that the daily rate differs between the periods (1.0: no tickets)."""
    n = current + before
    if n == 0:
        return 1.0
    return float(binomtest(current, n, days_current / (days_current + days_before)).pvalue)


def change_pct(current: int, before: int, days_current: int, days_before: int) -> float | None:
    """% change of the daily rate (None when there were none before)."""
    if before == 0:
        return None
    return 100 * (current / days_current - before / days_before) / (before / days_before)


def compare(counts: dict, names: dict, current: Period, before: Period, key: str) -> list[dict]:
    """Each topic's change against ``before`` (``counts[topic][key]``), with its adjusted p-value.

    Returns rows ``{id, name, current, before, change_pct, p, q, news, direction}``
    sorted by q then by the size of the change; ``news`` marks significant changes.
    """
    rows = []
    for topic_id, c in counts.items():
        cur, prev = c["current"], c[key]
        rows.append(
            {
                "id": topic_id,
                "name": names.get(topic_id) or "(none)",
                "current": cur,
                "before": prev,
                "change_pct": change_pct(cur, prev, current.days, before.days),
                "p": rate_test(cur, prev, current.days, before.days),
            }
        )
    for row, q in zip(rows, bh_adjust([r["p"] for r in rows]), strict=True):
        rate_now, rate_then = row["current"] / current.days, row["before"] / before.days
        row["q"] = q
        row["direction"] = (
            "rising" if rate_now > rate_then else "falling" if rate_now < rate_then else "flat"
        )
        row["news"] = q < ALPHA and max(row["current"], row["before"]) >= MIN_COUNT
    rows.sort(key=lambda r: (r["q"], -abs(r["current"] - r["before"]), r["name"].lower()))
    return rows


def p_words(p: float) -> str:
    """A p-value in words for executives: "unlikely to be chance (p = 0.01)"."""
    shown = (
        "p < 0.001"
        if p < 0.001
        else f"p = {p:.3f}".rstrip("0").rstrip(".")
        if p < 0.01
        else f"p = {p:.2f}"
    )
    if p < ALPHA:
        return f"unlikely to be chance ({shown})"
    return f"could be chance ({shown})"


def change_words(row: dict) -> str:
    """E.g. "+80 %, unlikely to be chance (p = 0.01)"; "new" when there were none before."""
    pct = row["change_pct"]
    head = "new" if pct is None else f"{pct:+.0f} %"
    return f"{head}, {p_words(row['q'])}"
