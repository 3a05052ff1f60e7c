"""The help-desk section of a review: ticket trends, times and SLA, and what changed.

The section stores plain JSON computed by ``analytics.report`` for the
review's period as of the end of the review's day, so a finalised review
reads the same later and the next one can say what moved. It is read by
client executives (in the portal): it holds counts, topics, departments
and asset names, never a ticket's subject or text, nor who asked.
"""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from vcio.core.numbers import format_number, round_float
from vcio.core.registry import Change, ReportSection, ReviewPeriod, report_sections
from vcio.helpdesk.analytics import present
from vcio.helpdesk.analytics.data import Period
from vcio.helpdesk.analytics.report import build_report

SECTION = "helpdesk"
TOP_TOPICS = 5
SLA_MOVE_POINTS = 2.0  # a change of % in SLA smaller than this is not news


def _r(value: float | None, places: int = 1) -> float | None:
    return None if value is None else round_float(value, places)


def _trend(row: dict) -> dict[str, Any]:
    return {
        "topic": row["name"],
        "current": row["current"],
        "before": row["before"],
        "change_pct": _r(row["change_pct"], 0),
        "q": _r(row["q"], 4),
        "words": row["words"],
    }


def summarise(report: dict) -> dict[str, Any]:
    """The JSON a review keeps: figures and words, no ticket text and no requester."""
    k = present.add_texts(report)["kpis"]
    trends = report["trends"]
    news = [r for r in trends["previous"] if r["news"]]
    year_news = [r for r in trends["last_year"] if r["news"]]
    return {
        "period_label": report["period"]["label"],
        "opened": k["opened"],
        "resolved": k["resolved"],
        "backlog": k["backlog"],
        "per_employee": _r(k["per_employee_month"], 2),
        "per_employee_text": k["per_employee_text"],
        "median_resolve_hours": _r(k["median_resolve_hours"]),
        "median_resolve_text": k["median_resolve_text"],
        "median_response_text": k["median_response_text"],
        "sla_pct": _r(k["sla_pct"]),
        "sla_text": k["sla_text"],
        "reopen_text": report["reopen"]["pct_text"],
        "satisfaction_text": report["satisfaction"]["mean_text"],
        "top_topics": [
            {"topic": t["name"], "count": t["count"], "share_text": t["share_text"]}
            for t in report["volume"]["by_topic"][:TOP_TOPICS]
        ],
        "sla_by_priority": [
            {
                "name": p["name"],
                "pct_text": p["pct_text"],
                "met": p["met"],
                "total": p["total"],
                "target_text": f"{p['respond_text']} / {p['resolve_text']}",
            }
            for p in report["sla"]["by_priority"]
            if p["total"]
        ],  # fmt: skip
        "rising": [_trend(r) for r in news if r["direction"] == "rising"],
        "falling": [_trend(r) for r in news if r["direction"] == "falling"],
        "rising_year": [_trend(r) for r in year_news if r["direction"] == "rising"],
        "recurring": [
            {"topic": g["topic"], "kind": g["kind"], "where": g["where"], "count": g["count"]}
            for g in report["recurring"]["groups"]
        ],
        "recurring_days": report["recurring"]["days"],
    }


def collect(period: ReviewPeriod) -> dict[str, Any]:
    """The help-desk figures of the review's days as of the end of its day; {} with no ticket."""
    from vcio.core.models import Client

    client = Client.objects.get(pk=period.client_id)
    zone = zoneinfo.ZoneInfo(client.time_zone)
    label = f"{period.start:%d %b %Y} – {period.end:%d %b %Y}"
    days = Period(period.start, period.end, client.time_zone, label)
    now = datetime.datetime.combine(
        period.today + datetime.timedelta(days=1), datetime.time(), zone
    )
    report = build_report(client, days, now)
    if not report["kpis"]["opened"] and not report["kpis"]["resolved"]:
        return {}
    return summarise(report)


def _change(kind: str, text: str, direction: str) -> Change:
    return Change(section=SECTION, kind=kind, text=text, direction=direction)  # type: ignore[arg-type]


def changes(
    previous: dict[str, Any] | None, current: dict[str, Any], period: ReviewPeriod
) -> list[Change]:
    """Topics rising or falling beyond chance, % in SLA against the last review, new recurring
    problems. On a first review only this period's trends and recurring problems show."""
    found: list[Change] = []
    for row in current.get("rising", []):
        found.append(_change("helpdesk.rising", f"{row['topic']} tickets rising: "
                             f"{row['current']} against {row['before']} before, {row['words']}.",
                             "worse"))  # fmt: skip
    for row in current.get("falling", []):
        found.append(_change("helpdesk.falling", f"{row['topic']} tickets falling: "
                             f"{row['current']} against {row['before']} before, {row['words']}.",
                             "better"))  # fmt: skip
    now, before = current.get("sla_pct"), (previous or {}).get("sla_pct")
    if now is not None and before is not None and abs(now - before) >= SLA_MOVE_POINTS:
        better = now > before
        found.append(
            _change(
                "helpdesk.sla",
                f"Tickets in SLA: {current['sla_text']}, {'up' if better else 'down'} "
                f"from {format_number(before, 1)} % at the last review.",
                "better" if better else "worse",
            )
        )
    known = {(g["topic"], g["kind"], g["where"]) for g in (previous or {}).get("recurring", [])}
    for g in current.get("recurring", []):
        if (g["topic"], g["kind"], g["where"]) not in known:
            where = f"on {g['where']}" if g["kind"] == "asset" else f"in {g['where']}"
            found.append(_change("helpdesk.recurring", f"Recurring problem: {g['topic']} {where}, "
                                 f"{g['count']} tickets within {current.get('recurring_days', 30)}"
                                 " days.", "worse"))  # fmt: skip
    return found


def register() -> None:
    report_sections.register(
        ReportSection(
            key=SECTION,
            title="Help desk: ticket trends and service levels",
            collect=collect,
            changes=changes,
            template="helpdesk/report_section.html",
            order=38,
            app="helpdesk",
        )
    )
