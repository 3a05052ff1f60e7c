"""The help-desk report of one client over one period: every figure the page, API and review show.

Seven queries whatever the number of tickets: the client's business hours
(2), SLA targets, recurring-problem policy, the tickets alive in the
period, the topic counts of the three periods compared, the topic names.
Figures are as of the period's end, or now while it runs (see ``data``).
"""

from __future__ import annotations

import datetime
from typing import Any

from vcio.helpdesk.analytics import backlog, sla, times, trends, volume
from vcio.helpdesk.analytics.data import Period, load_rows, opened_in, resolved_in
from vcio.helpdesk.analytics.hours import business_hours_between, hours_for_clients
from vcio.helpdesk.analytics.recurring import policy_for_clients, recurring
from vcio.helpdesk.models import Topic

DAYS_PER_MONTH = 365.25 / 12
TOP = 10  # rows of the "by requester / asset / department" tables


def elapsed(period: Period, as_of: datetime.datetime) -> Period:
    """The part of ``period`` up to ``as_of``'s local day (at least its first day)."""
    day = as_of.astimezone(period.zone).date()
    if as_of == period.utc_end:
        day = period.end
    end = max(period.start, min(period.end, day))
    return Period(period.start, end, period.time_zone, period.label)


def per_employee_month(opened: int, employees: int, days: int) -> float | None:
    """Tickets per employee per month: opened ÷ headcount ÷ (days ÷ 30.44). None: no headcount."""
    if not employees or days <= 0:
        return None
    return opened / employees / (days / DAYS_PER_MONTH)


def _topic_trends(client_id: int, so_far: Period, whole: Period) -> dict[str, list[dict]]:
    previous, last_year = whole.previous(), so_far.year_before()
    counts = trends.topic_counts(
        client_id, {"current": so_far, "previous": previous, "last_year": last_year}
    )
    names = dict(Topic.objects.filter(client_id=client_id).values_list("id", "name"))
    first = trends.first_ticket(client_id)
    out = {}
    for key, before in (("previous", previous), ("last_year", last_year)):
        covered = trends.recorded_since(first, before)
        rows = trends.compare(counts, names, so_far, before, key) if covered else []
        for r in rows:
            r["words"] = trends.change_words(r)
        out[key] = rows
        out[f"{key}_covered"] = covered
    out["previous_period"] = {"start": previous.start, "end": previous.end}
    out["last_year_period"] = {"start": last_year.start, "end": last_year.end}
    return out


def build_report(client: Any, period: Period, now: datetime.datetime) -> dict[str, Any]:
    """Every help-desk figure of ``client`` for ``period``, as of its end or ``now``.

    Hours are business hours; shares are % (0–100); counts are tickets.
    """
    cid = client.pk
    hours = hours_for_clients([cid])[cid]
    targets = sla.targets_for_clients([cid])[cid]
    rec_count, rec_days = policy_for_clients([cid])[cid]
    as_of = period.as_of(now)
    so_far = elapsed(period, as_of)
    rows = load_rows([cid], period.utc_start, as_of)
    volume_rows = opened_in(rows, period.utc_start, as_of)
    resolved = resolved_in(rows, period.utc_start, as_of)
    backlog_rows = backlog.open_at(rows, as_of)
    d = times.durations(resolved, hours)
    open_hours = business_hours_between(
        [r["opened_at"] for r in backlog_rows], [as_of] * len(backlog_rows), hours
    )
    compliance = sla.compliance(
        [r["priority"] for r in resolved],
        sla.met([r["priority"] for r in resolved], d.response, d.resolve, targets),
        [r["priority"] for r in backlog_rows],
        sla.overdue([r["priority"] for r in backlog_rows], open_hours, targets),
        targets,
    )
    by_topic = volume.count_by(volume_rows, "topic_id", "topic_name")
    unit = "week" if period.days <= 62 else "month"
    overall = times.overall(d)
    return {
        "client_id": cid,
        "period": {
            "start": period.start,
            "end": period.end,
            "label": period.label,
            "as_of": as_of,
            "days": so_far.days,
            "complete": as_of == period.utc_end,
        },
        "business_hours": {
            "days": hours.days,
            "start": hours.start,
            "end": hours.end,
            "time_zone": hours.time_zone,
        },
        "kpis": {
            "opened": len(volume_rows),
            "resolved": len(resolved),
            "backlog": len(backlog_rows),
            "per_employee_month": per_employee_month(
                len(volume_rows), client.employee_count, so_far.days
            ),
            "employees": client.employee_count,
            "median_response_hours": overall["response"]["median"],
            "median_resolve_hours": overall["resolve"]["median"],
            "sla_pct": compliance["pct"],
            "top_topic": by_topic[0]["name"] if by_topic else None,
            "top_topic_share": by_topic[0]["share"] if by_topic else None,
        },
        "volume": {
            "by_topic": by_topic,
            "by_department": volume.by_department(volume_rows, TOP),
            "by_requester": volume.count_by(volume_rows, "requester", "requester", TOP),
            "by_asset": [
                a for a in volume.count_by(volume_rows, "asset_id", "asset_name") if a["id"]
            ][:TOP],
            "by_priority": volume.by_priority(volume_rows),
            "unit": unit,
            "series": volume.series_by_topic(
                volume_rows, period.zone, period.start, period.end, unit
            ),
        },
        "times": {
            "overall": overall,
            "by_priority": times.by_priority(resolved, d),
            "by_topic": times.by_topic(resolved, d),
        },
        "sla": compliance,
        "backlog": backlog.backlog(rows, as_of),
        "reopen": backlog.reopen_rate(resolved),
        "satisfaction": backlog.satisfaction(resolved),
        "trends": _topic_trends(cid, so_far, period),
        "recurring": {
            "count": rec_count,
            "days": rec_days,
            "groups": recurring(volume_rows, rec_count, rec_days),
        },
    }
