"""Snapshots: every figure, health sub-score and report section of one client, at once.

A draft review shows a *live* snapshot (computed now); finalising stores
one in the review, never to change. Both pass through :func:`jsonable`, so a
section template sees exactly the same types whether it renders a live
review or one finalised a year ago.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from vcio.core.fiscal import quarter_of
from vcio.core.models import Client
from vcio.core.registry import ReviewPeriod, compute_figures, figures, report_sections
from vcio.reviews.health import health_of

SNAPSHOT_VERSION = 1
HEALTH_FIGURE = "reviews.health"


def jsonable(value: Any) -> Any:
    """``value`` as it reads back from a JSON column (Decimals and dates become strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def period_label(kind: str, start: datetime.date, end: datetime.date, fiscal_month: int) -> str:
    """ "FY2026 Q3" for a QBR over a whole fiscal quarter, "October 2026" for a month."""
    quarter = quarter_of(start, fiscal_month)
    if kind == "qbr" and quarter.start == start and quarter.end == end:
        return quarter.label
    if start.day == 1 and (end + datetime.timedelta(days=1)).day == 1 and start.month == end.month:
        return f"{start:%B %Y}"
    return f"{start:%d %b %Y} – {end:%d %b %Y}"


def short_day(day: datetime.date, with_year: bool = True) -> str:
    """ "2 Dec 2026" (or "2 Dec"), as a leader reads a day."""
    return f"{day.day} {day:%b}" + (f" {day.year}" if with_year else "")


def interim_text(start: datetime.date, as_of: datetime.date, end: datetime.date) -> str:
    """What an interim review says on every page: the days it covers of a longer period.

    "Interim review: covers 1 Oct – 2 Dec 2026 of a period that ends 31 Dec 2026."
    ``""`` when the review's day is not before the end of its period.
    """
    if as_of >= end:
        return ""
    covered_to = max(as_of, start)
    return (
        f"Interim review: covers {short_day(start, start.year != covered_to.year)} – "
        f"{short_day(covered_to)} of a period that ends {short_day(end)}."
    )


def sections_for(kind: str) -> list:
    """The report sections a review of ``kind`` holds, in report order."""
    return sorted((s for s in report_sections if kind in s.kinds), key=lambda s: (s.order, s.key))


def take(client: Client, period: ReviewPeriod) -> dict[str, Any]:
    """The snapshot of ``client`` over ``period``: figures, health and every section's data.

    The number of queries is fixed by the number of registered figures,
    components and sections, never by the amount of data behind them.
    """
    # Every figure is as of the review's day (``period.today``), not of the moment
    # the button is pressed. The health figure is left out: the snapshot keeps
    # the health score with its parts below, and what_changed compares that one.
    chosen = [f for f in figures if f.key != HEALTH_FIGURE]
    values = compute_figures([client.pk], [f.key for f in chosen], at=period.today)
    figs = {
        f.key: {
            "label": f.label,
            "unit": f.unit,
            "better": f.better,
            "app": f.app,
            "value": values[f.key].get(client.pk),
        }
        for f in chosen
    }
    sections = {s.key: s.collect(period) for s in sections_for(period.kind)}
    return jsonable(
        {
            "version": SNAPSHOT_VERSION,
            "taken_at": timezone.now(),
            "period": {
                "kind": period.kind,
                "start": period.start,
                "end": period.end,
                "today": period.today,
                "next_review": period.next_review,
                # Taken before the period ends: an interim review, and it says so.
                "interim": interim_text(period.start, period.today, period.end),
                "label": period_label(
                    period.kind, period.start, period.end, client.fiscal_year_start_month
                ),
            },
            "client": {"name": client.name, "currency": client.currency},
            "figures": figs,
            "health": health_of([client.pk], period.today)[client.pk],
            "sections": sections,
        }
    )
