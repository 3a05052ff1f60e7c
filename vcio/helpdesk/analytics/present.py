"""Words and pictures of the help-desk report: the page and the review read the same text."""

from __future__ import annotations

import datetime

from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from vcio.core import charts
from vcio.core.numbers import format_number

DASH = "–"


def hours_text(hours: float | None) -> str:
    """Business hours as text: "2.5 h", "36 h" (one decimal under 10 h), "–" when unknown."""
    if hours is None:
        return DASH
    return f"{format_number(hours, 1 if hours < 10 else 0)} h"


def pct_text(pct: float | None) -> str:
    """A share as "62.5 %" ("–" when unknown)."""
    return DASH if pct is None else f"{format_number(pct, 1)} %"


def tickets_url(slug: str, **query: object) -> str:
    """The tickets list of a client, filtered (``?topic=…&opened_after=…``): the drill-down.

    Reversed once the tickets pages are installed; until then the path they
    are served at, so links written now stay right.
    """
    try:
        base = reverse("helpdesk:tickets", kwargs={"client": slug})
    except NoReverseMatch:
        base = f"/clients/{slug}/helpdesk/tickets/"
    kept = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{base}?{urlencode(kept)}" if kept else base


def topic_url(slug: str, topic_id: int | None, start: datetime.date, end: datetime.date) -> str:
    """Tickets of one topic opened in ``start``..``end`` (both included)."""
    return tickets_url(
        slug,
        topic=topic_id if topic_id is not None else "none",
        opened_after=start.isoformat(),
        opened_before=end.isoformat(),
    )


def bucket_label(day: datetime.date, unit: str) -> str:
    """ "Jun 2026" for a month, "1 Jun" for a week starting that Monday."""
    return f"{day:%b %Y}" if unit == "month" else f"{day.day} {day:%b}"


def topics_chart(report: dict) -> str:
    """Tickets opened per week or month, stacked by topic (SVG from the shared chart module)."""
    volume = report["volume"]
    series = volume["series"]
    if not series["topics"]:
        return ""
    unit = volume["unit"]
    return charts.bar_chart(
        [bucket_label(d, unit) for d in series["buckets"]],
        [
            charts.Series(t["name"], t["counts"], charts.PALETTE[i % len(charts.PALETTE)])
            for i, t in enumerate(series["topics"])
        ],
        title=f"Tickets opened per {unit} by topic, {report['period']['label']}",
        desc="Each bar is the tickets opened that "
        + unit
        + ", stacked by topic; the table below gives the numbers.",
        integer_axis=True,
        y_label="tickets",
    )


def _times_text(row: dict) -> None:
    for key in ("response", "resolve"):
        s = row[key]
        s["median_text"], s["p90_text"] = hours_text(s["median"]), hours_text(s["p90"])


def add_texts(report: dict) -> dict:
    """Add ``*_text`` entries beside the report's numbers, rounded as people round (no queries)."""
    k = report["kpis"]
    per = k["per_employee_month"]
    k["per_employee_text"] = DASH if per is None else format_number(per, 2)
    k["median_response_text"] = hours_text(k["median_response_hours"])
    k["median_resolve_text"] = hours_text(k["median_resolve_hours"])
    k["sla_text"] = pct_text(k["sla_pct"])
    k["top_topic_share_text"] = pct_text(k["top_topic_share"])
    for group in ("by_topic", "by_department", "by_requester", "by_asset", "by_priority"):
        for row in report["volume"][group]:
            row["share_text"] = pct_text(row["share"])
    _times_text(report["times"]["overall"])
    for row in report["times"]["by_priority"] + report["times"]["by_topic"]:
        _times_text(row)
    sla = report["sla"]
    sla["pct_text"] = pct_text(sla["pct"])
    for row in sla["by_priority"]:
        row["pct_text"] = pct_text(row["pct"])
        row["respond_text"] = hours_text(row["respond_hours"])
        row["resolve_text"] = hours_text(row["resolve_hours"])
    b = report["backlog"]
    med = b["median_age_days"]
    b["median_age_text"] = DASH if med is None else f"{format_number(med, 1)} days"
    report["reopen"]["pct_text"] = pct_text(report["reopen"]["pct"])
    s = report["satisfaction"]
    s["mean_text"] = DASH if s["mean"] is None else f"{format_number(s['mean'], 1)} / 5"
    s["satisfied_text"] = pct_text(s["satisfied_pct"])
    return report
