"""Review reports: one HTML document, read in the browser and printed to PDF by WeasyPrint.

The report is rendered from a snapshot (live for a draft, stored for a
finalised review) through each app's registered section template, so an app
added later brings its section without a change here. A finalised review
stores the rendered HTML; its PDF is printed from that stored HTML, so a
past report reads exactly as it did, charts included (inline SVG).
"""

from __future__ import annotations

import base64
import datetime
import mimetypes
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from vcio.core.access import access_for
from vcio.core.charts import line_chart
from vcio.core.registry import report_sections
from vcio.core.roles import Perm
from vcio.reviews.models import Review, ReviewStatus

DEFAULT_LOGO = Path(__file__).parent / "static" / "reviews" / "logo.svg"
HEALTH_TREND_REVIEWS = 8


def logo_data_uri() -> str:
    """The practice's logo inlined, so the stored report and its PDF need no file server."""
    path = Path(settings.PRACTICE_LOGO) if settings.PRACTICE_LOGO else DEFAULT_LOGO
    try:
        raw = path.read_bytes()
    except OSError:
        raw, path = DEFAULT_LOGO.read_bytes(), DEFAULT_LOGO
    mime = mimetypes.guess_type(path.name)[0] or "image/svg+xml"
    return f"data:{mime};base64,{base64.b64encode(raw).decode()}"


def health_trend(review: Review, score: float | None) -> list[tuple[datetime.date, float | None]]:
    """The health score at the last finalised reviews up to this one, oldest first."""
    earlier = (
        Review.objects.filter(
            client_id=review.client_id,
            status=ReviewStatus.FINALISED,
            period_end__lt=review.period_end,
        )
        .exclude(pk=review.pk)
        .order_by("-period_end")
        .values_list("period_end", "health_score")[: HEALTH_TREND_REVIEWS - 1]
    )
    points = list(reversed(list(earlier)))
    points.append((review.period_end, score))
    return points


def health_chart(points: list[tuple[datetime.date, float | None]]) -> str:
    """The trend as an inline SVG line chart ("" until two reviews have a score: no trend yet)."""
    if sum(1 for _, score in points if score is not None) < 2:
        return ""
    return line_chart(
        [day for day, _ in points],
        [score for _, score in points],
        title="Health score",
        desc="The client's health score (0–100) at each review.",
        target=80,
        target_label="Healthy (80)",
        width=640,
        height=200,
    )


def render_sections(snap: dict[str, Any], shows_fee: bool = True) -> list[dict[str, Any]]:
    """Each section of the snapshot rendered by its app's template, in report order.

    ``shows_fee`` False renders it for a reader who may not see the practice's
    fee (no COMMERCIAL): a section that shows the fee leaves it out of its totals.
    """
    stored = snap.get("sections", {})
    rendered = []
    for section in sorted(report_sections, key=lambda s: (s.order, s.key)):
        if section.key not in stored:
            continue
        html = render_to_string(
            section.template,
            {
                "data": stored[section.key],
                "period": snap["period"],
                "client": snap["client"],
                "shows_fee": shows_fee,
            },
        )
        rendered.append({"key": section.key, "title": section.title, "html": html})
    return rendered


def section_titles() -> dict[str, str]:
    titles = {s.key: s.title for s in report_sections}
    titles["figures"] = "Key figures"
    return titles


def grouped_changes(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Changes grouped by the section they belong to, in report order."""
    titles = section_titles()
    groups: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        groups.setdefault(row["section"], []).append(row)
    return [{"title": titles.get(key, key), "changes": items} for key, items in groups.items()]


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string, safe inside a <style> element (page headers)."""
    escaped = "".join(
        ch if ch.isalnum() or ch in " .,-_&'()/" else f"\\{ord(ch):x} " for ch in text
    )
    return mark_safe(f'"{escaped}"')  # noqa: S308 - every other character is escaped above


def day_text(value: Any) -> str:
    """An ISO date read back from a snapshot as a leader reads it: "30 Jun 2026" ("" if none)."""
    if not value:
        return ""
    try:
        day = datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.day} {day:%b %Y}"


def agenda_rows(items: list[dict[str, Any]], today: Any) -> list[dict[str, Any]]:
    """The stored action items with their due date in words and whether they are late."""
    return [
        {
            **item,
            "due_text": day_text(item.get("due_date")),
            "late": item.get("status") == "open"
            and bool(item.get("due_date"))
            and str(item["due_date"]) < str(today or ""),
        }
        for item in items
    ]


def interim_of(period: dict[str, Any]) -> str:
    """The snapshot's interim line ("" for a review over its whole period)."""
    if "interim" in period:
        return period["interim"]
    try:  # a snapshot stored before interim reviews were named
        start, today, end = (
            datetime.date.fromisoformat(str(period[k])[:10]) for k in ("start", "today", "end")
        )
    except (KeyError, ValueError):
        return ""
    from vcio.reviews.snapshot import interim_text

    return interim_text(start, today, end)


def report_context(review: Review, snap: dict[str, Any], shows_fee: bool = True) -> dict[str, Any]:
    health = snap.get("health", {})
    changes = snap.get("changes", [])
    period = snap.get("period", {})
    interim = interim_of(period)
    # The running header of every printed page names an interim review as such.
    page_head = f"{snap['client']['name']} · Interim review" if interim else snap["client"]["name"]
    return {
        "review": review,
        "snap": snap,
        "client_name": snap["client"]["name"],
        "practice_name": settings.PRACTICE_NAME,
        "css_practice": css_string(settings.PRACTICE_NAME),
        "css_client": css_string(page_head),
        "interim": interim,
        "as_of": day_text(period.get("today")),
        "logo": logo_data_uri(),
        "title": f"{review.get_kind_display()} — {snap['period']['label']}",
        "health": health,
        "health_chart": health_chart(health_trend(review, health.get("score"))),
        "changes": grouped_changes(changes),
        "better": sum(1 for c in changes if c["direction"] == "better"),
        "worse": sum(1 for c in changes if c["direction"] == "worse"),
        "sections": render_sections(snap, shows_fee),
        "decisions": snap.get("decisions", []),
        "action_items": agenda_rows(snap.get("action_items", []), period.get("today")),
        "covers": f"{day_text(period.get('start'))} – {day_text(period.get('end'))}",
        "next_review": day_text(period.get("next_review")),
        "open_items": sum(1 for a in snap.get("action_items", []) if a.get("status") == "open"),
        "summary": snap.get("summary", review.summary),
        "generated": timezone.localtime(),
        "is_final": review.is_final,
    }


def render_report(
    review: Review, snap: dict[str, Any] | None = None, *, shows_fee: bool = True
) -> str:
    """The report as a complete HTML document (the stored one for a finalised review).

    ``shows_fee`` False: the version for readers who may not see the practice's fee.
    """
    stored = review.report_html if shows_fee else review.report_html_without_fee
    if snap is None and review.is_final and stored:
        return stored
    if snap is None:
        snap = review.snapshot or {}
    return render_to_string("reviews/report.html", report_context(review, snap, shows_fee))


def shows_fee(user: Any, review: Review) -> bool:
    """Whether ``user`` may read the practice's fee in ``review``'s report (COMMERCIAL)."""
    return access_for(user).can(Perm.COMMERCIAL, review.client_id)


def pdf_bytes(html: str) -> bytes:
    """The report printed by WeasyPrint: page numbers, practice and client on every page."""
    from weasyprint import CSS, HTML  # imported late: it loads Pango, only needed for PDFs

    # The print rules again, after the document's own: a stored report prints with today's.
    print_rules = CSS(string=render_to_string("reviews/_print.css"))
    return HTML(string=html, base_url=str(DEFAULT_LOGO.parent)).write_pdf(stylesheets=[print_rules])


def report_of(review: Review, user: Any) -> str:
    """The report of ``review`` as ``user`` may read it: stored once final, live before."""
    fee = shows_fee(user, review)
    if review.is_final:
        return render_report(review, shows_fee=fee)
    from vcio.reviews import services  # services renders reports when finalising

    return render_report(review, services.report_snapshot(review), shows_fee=fee)
