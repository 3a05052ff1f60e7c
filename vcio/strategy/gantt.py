"""The roadmap as a Gantt-like SVG: one row per initiative, one column per fiscal quarter.

Drawn on the server like :mod:`vcio.core.charts` (attributes, not CSS), so
the page and a PDF report show the same picture. Bars are coloured by
status; a bar running past the last quarter ends in an arrow; the quarter
holding today is shaded. Every text is XML-escaped.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe

from vcio.core.charts import FONT, GRID, MUTED, TEXT
from vcio.core.fiscal import FiscalQuarter

# Status → bar colour (Okabe–Ito, as the other charts); proposed items are outlined only.
STATUS_COLORS = {
    "proposed": "#ffffff",
    "approved": "#56b4e9",
    "scheduled": "#0072b2",
    "in_progress": "#e69f00",
    "done": "#009e73",
    "deferred": "#bbbbbb",
    "declined": "#bbbbbb",
}
LABEL_W = 260
ROW_H = 26
HEAD_H = 34


@dataclass(frozen=True)
class Bar:
    """One initiative on the timeline; quarters are indexes into the chart's columns."""

    title: str
    status: str
    status_label: str
    first: int  # may be < 0 when it started before the first column
    last: int  # may be ≥ the number of columns
    mandatory: bool = False
    url: str = ""


def _shorten(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def gantt(
    quarters: list[FiscalQuarter],
    bars: list[Bar],
    *,
    today: datetime.date,
    title: str = "Roadmap",
    width: int = 960,
) -> SafeString:
    """An accessible SVG timeline of ``bars`` over ``quarters`` (empty rows are not drawn)."""
    n = max(1, len(quarters))
    col_w = (width - LABEL_W) / n
    height = HEAD_H + ROW_H * max(1, len(bars)) + 8
    desc = f"{len(bars)} initiatives from {quarters[0].label} to {quarters[-1].label}."
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gantt" viewBox="0 0 {width} {height}" '
        f'role="img" '
        f'aria-labelledby="gantt-t gantt-d" style="width:100%;height:auto" '
        f'font-family="{escape(FONT)}">',
        f'<title id="gantt-t">{escape(title)}</title><desc id="gantt-d">{escape(desc)}</desc>',
    ]
    for i, q in enumerate(quarters):
        x = LABEL_W + i * col_w
        if q.start <= today <= q.end:
            out.append(
                f'<rect x="{x:.1f}" y="0" width="{col_w:.1f}" height="{height}" fill="#fff4d6"/>'
            )
        out.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height}" stroke="{GRID}"/>')
        out.append(
            f'<text x="{x + col_w / 2:.1f}" y="20" text-anchor="middle" font-size="12" '
            f'fill="{TEXT}">{escape(q.label)}</text>'
        )
    for row, bar in enumerate(bars):
        out.extend(_bar(bar, row, n, col_w))
    if not bars:
        out.append(
            f'<text x="{width / 2:.0f}" y="{HEAD_H + 17}" text-anchor="middle" font-size="13" '
            f'fill="{MUTED}">Nothing is scheduled in these quarters.</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def _bar(bar: Bar, row: int, n: int, col_w: float) -> list[str]:
    y = HEAD_H + row * ROW_H
    first, last = max(bar.first, 0), min(bar.last, n - 1)
    x = LABEL_W + first * col_w + 3
    w = max(col_w * (last - first + 1) - 6, 4)
    fill = STATUS_COLORS.get(bar.status, "#cccccc")
    label = _shorten(bar.title, 38) + (" *" if bar.mandatory else "")
    tip = f"{bar.title}: {bar.status_label}"
    parts = [
        f'<text x="8" y="{y + 17}" font-size="12" fill="{TEXT}">{escape(label)}</text>',
        f'<rect x="{x:.1f}" y="{y + 5}" width="{w:.1f}" height="{ROW_H - 10}" rx="4" '
        f'fill="{fill}" stroke="#0072b2" stroke-width="1.2"><title>{escape(tip)}</title></rect>',
    ]
    if bar.last >= n:  # runs on past the chart
        tip_x = x + w
        parts.append(
            f'<path d="M{tip_x:.1f},{y + 5} l8,{(ROW_H - 10) / 2} l-8,{(ROW_H - 10) / 2} z" '
            f'fill="{fill}" stroke="#0072b2"/>'
        )
    if bar.url:
        return [f"<a href={quoteattr(bar.url)}>", *parts, "</a>"]
    return parts
