"""The review's "Departments' needs and satisfaction" section.

Stored as plain JSON as of the end of the review's period: the latest
survey round's satisfaction per department and per service against the
round before (up, down or level), the needs raised during the period, and
the needs an initiative now addresses (planned). Read by the client's
leaders: need texts are the departments' own words (the templates escape
them), never the practice's notes.
"""

from __future__ import annotations

from typing import Any

from vcio.core.numbers import format_number
from vcio.core.registry import Change, ReportSection, ReviewPeriod, report_sections
from vcio.needs.models import Need, NeedStatus
from vcio.needs.satisfaction import trends

SECTION = "needs"
LISTED = 20  # needs listed per kind
MOVE = 0.25  # a department's mean moving less than this (on 1–5) is not news


def _direction(change: float | None) -> str:
    if change is None:
        return "new"
    if change >= MOVE:
        return "up"
    if change <= -MOVE:
        return "down"
    return "level"


def _need_row(need: Need) -> dict[str, Any]:
    return {
        "id": need.pk,
        "department": need.department.name if need.department else "",
        "text": need.text,
        "urgency": need.get_urgency_display(),
        "raised_on": need.raised_on.isoformat(),
        "status": need.get_status_display(),
        "initiative": need.initiative.title if need.initiative else "",
    }


def collect(period: ReviewPeriod) -> dict[str, Any]:
    """The section's data as of the period's end; {} when the client has no survey or need."""
    trend = trends([period.client_id], period.end)[period.client_id]
    needs = list(
        Need.objects.filter(client_id=period.client_id, raised_on__lte=period.end)
        .select_related("department", "initiative")
        .order_by("-urgency", "raised_on", "id")
    )
    if trend.latest is None and not needs:
        return {}
    data: dict[str, Any] = {"satisfaction": None}
    if trend.latest is not None:
        departments = trend.department_changes()
        services = trend.service_changes()
        for row in departments + services:
            row["direction"] = _direction(row["change"])
        data["satisfaction"] = {
            "round": trend.latest.title,
            "opened_on": trend.latest.opened_on.isoformat(),
            "overall": trend.latest.overall.mean,
            "n": trend.latest.overall.n,
            "previous_round": trend.previous.title if trend.previous else "",
            "previous_overall": trend.previous.overall.mean if trend.previous else None,
            "change": trend.overall_change(),
            "departments": departments,
            "services": services,
        }
    start = period.start.isoformat()
    data["new"] = [_need_row(n) for n in needs if n.raised_on.isoformat() >= start][:LISTED]
    data["new_count"] = sum(1 for n in needs if n.raised_on >= period.start)
    planned = [n for n in needs if n.status == NeedStatus.PLANNED and n.initiative_id]
    data["planned"] = [_need_row(n) for n in planned][:LISTED]
    data["planned_ids"] = [n.pk for n in planned]
    data["open_count"] = sum(1 for n in needs if n.status == NeedStatus.OPEN)
    return data


def _change(kind: str, text: str, direction: str) -> Change:
    return Change(section=SECTION, kind=kind, text=text, direction=direction)  # type: ignore[arg-type]


def changes(
    previous: dict[str, Any] | None, current: dict[str, Any], period: ReviewPeriod
) -> list[Change]:
    """Satisfaction up or down per department, new needs, needs newly planned."""
    found: list[Change] = []
    now = current.get("satisfaction") or {}
    before_round = ((previous or {}).get("satisfaction") or {}).get("round")
    if now and now.get("round") != before_round:
        for row in now.get("departments", []):
            if row["direction"] in ("up", "down"):
                found.append(_change(
                    f"needs.satisfaction_{row['direction']}",
                    f"{row['name']} rates IT {format_number(row['now'], 2)} / 5, "
                    f"{'up' if row['direction'] == 'up' else 'down'} from "
                    f"{format_number(row['before'], 2)} in the previous survey.",
                    "better" if row["direction"] == "up" else "worse",
                ))  # fmt: skip
    if current.get("new_count"):
        count = current["new_count"]
        depts = sorted({n["department"] or "no department" for n in current.get("new", [])})
        found.append(_change(
            "needs.new",
            f"{count} new need{'s' if count != 1 else ''} raised ({', '.join(depts)}).",
            "neutral",
        ))  # fmt: skip
    was_planned = set((previous or {}).get("planned_ids", []))
    for need in current.get("planned", []):
        if need["id"] not in was_planned:
            found.append(_change(
                "needs.planned",
                f"Now planned: {need['department'] or 'a need'}'s “{need['text'][:120]}” "
                f"by {need['initiative']}.",
                "better",
            ))  # fmt: skip
    return found


def register() -> None:
    report_sections.register(
        ReportSection(
            key=SECTION,
            title="Departments' needs and satisfaction",
            collect=collect,
            template="needs/report_section.html",
            changes=changes,
            order=58,
            app="needs",
        )
    )
