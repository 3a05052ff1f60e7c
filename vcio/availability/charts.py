"""The service page's pictures: 90-day uptime bars and the latency line, as server-side SVG.

Built like :mod:`vcio.core.charts` (which draws the latency line): a
complete ``<svg>`` with ``role="img"``, a ``<title>`` and ``<desc>``, every
bar its own ``<title>`` (the tooltip, and what a screen reader reads), all
text escaped, colours as attributes so a PDF renderer draws the same.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

from vcio.core import charts

# Colours by level, dark enough on white; "no data" is a pale grey, not red.
GOOD = "#009e73"  # ≥ 99.9 %
FAIR = "#e69f00"  # ≥ 99 %
POOR = "#d55e00"  # below 99 %
NO_DATA = "#d9dee4"


@dataclass(frozen=True)
class DayUptime:
    """One day of a service: the share of its checks that succeeded (None: no checks)."""

    day: datetime.date
    checks: int
    failures: int

    @property
    def pct(self) -> float | None:
        """Successful checks in % (0–100), or None when nothing was checked that day."""
        if not self.checks:
            return None
        return 100.0 * (self.checks - self.failures) / self.checks


def level_colour(pct: float | None) -> str:
    """The bar colour of a day's uptime %: green, amber, red, or grey without data."""
    if pct is None:
        return NO_DATA
    if pct >= 99.9:
        return GOOD
    if pct >= 99.0:
        return FAIR
    return POOR


def pct_text(pct: float | None) -> str:
    """``99.95`` → ``"99.95 %"``; 100 stays ``"100 %"``; None → ``"no checks"``."""
    if pct is None:
        return "no checks"
    if pct >= 100:
        return "100 %"
    return f"{min(pct, 99.99):.2f} %"  # never round a failed check up to 100


def uptime_bars(days: Sequence[DayUptime], *, title: str, width: int = 720) -> SafeString:
    """One bar per day (oldest left), coloured by level, each titled "2026-03-01: 99.95 %".

    Bars have equal height (the colour is the figure, as on status pages);
    the ``<desc>`` sums the period up for screen readers.
    """
    height, bar_h, gap = 48, 34, 2
    n = max(len(days), 1)
    step = width / n
    payload = repr([(d.day.isoformat(), d.checks, d.failures) for d in days])
    chart_id = charts._chart_id("uptime", title, payload)
    parts = charts._open_svg(chart_id, width, height, title, describe(days))
    for i, d in enumerate(days):
        pct = d.pct
        x = i * step
        label = f"{d.day.isoformat()}: {pct_text(pct)}"
        if d.checks:
            label += f" ({d.failures} failed of {d.checks} checks)"
        parts.append(
            f'<rect x="{x:.1f}" y="0" width="{max(step - gap, 1):.1f}" height="{bar_h}" '
            f'rx="1.5" fill="{level_colour(pct)}"><title>{escape(label)}</title></rect>'
        )
    if days:
        parts.append('<g aria-hidden="true">')
        parts.append(
            charts._text(
                0, height - 2, days[0].day.isoformat(), anchor="start", size=10, fill=charts.MUTED
            )
        )
        parts.append(
            charts._text(width, height - 2, "today", anchor="end", size=10, fill=charts.MUTED)
        )
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every piece of text above is escaped


def describe(days: Sequence[DayUptime]) -> str:
    """A plain-text summary: overall uptime, and the days below 99.9 % (at most ten named)."""
    checks = sum(d.checks for d in days)
    if not checks:
        return f"No checks in the last {len(days)} days."
    failures = sum(d.failures for d in days)
    overall = pct_text(100.0 * (checks - failures) / checks)
    bad = [d for d in days if d.pct is not None and d.pct < 99.9]
    text = f"{overall} of checks succeeded over {len(days)} days."
    if bad:
        named = ", ".join(f"{d.day.isoformat()} {pct_text(d.pct)}" for d in bad[:10])
        more = f" and {len(bad) - 10} more" if len(bad) > 10 else ""
        text += f" Days below 99.9 %: {named}{more}."
    return text
