"""Server-side SVG charts: one picture for the web pages and the PDF reports.

Each function returns a complete ``<svg>`` element as a safe string, ready
to drop into a template (``{{ chart }}``) or into the HTML that WeasyPrint
turns into a PDF. No JavaScript and no CSS classes are needed to draw them:
colours and fonts are attributes, so the PDF renderer (which ignores the
site's stylesheet) draws the same thing as the browser.

Accessibility: the ``<svg>`` has ``role="img"`` and is labelled by its
``<title>`` and ``<desc>``; every bar carries its own ``<title>`` (a tooltip
and what a screen reader announces when it walks the shapes). Pages should
still show the numbers as a table next to the chart for those who cannot
see it. Every piece of text is XML-escaped here, so labels taken from user
data (a department named ``<R&D>``) cannot break or inject markup.

Sizes are in viewBox units; the SVG scales to its container's width.
"""

from __future__ import annotations

import datetime
import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe

from vcio.core.numbers import format_number

Number = int | float | Decimal
Formatter = Callable[[float], str]

# Colour-blind-safe palette (Okabe–Ito), darkened where needed for contrast on white.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#7f7f00", "#555555")
HIGHLIGHT = "#d55e00"
TEXT = "#1f2933"
MUTED = "#5f6b7a"
GRID = "#d9dee4"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


@dataclass(frozen=True)
class Series:
    """One series of a bar chart: a value per category (stacked over earlier series)."""

    name: str
    values: Sequence[Number | None]
    color: str | None = None


def compact_number(value: float) -> str:
    """``1234`` → ``"1.2k"``, ``2500000`` → ``"2.5M"``; small values as integers or 1 decimal."""
    sign = "-" if value < 0 else ""
    value = abs(float(value))
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= limit:
            scaled = value / limit
            text = (
                format_number(scaled, 1, grouping=False).rstrip("0").rstrip(".")
                if scaled < 100
                else format_number(scaled, 0, grouping=False)
            )
            return f"{sign}{text}{suffix}"
    if value == int(value):
        return f"{sign}{int(value)}"
    return f"{sign}{format_number(value, 1, grouping=False)}"


def nice_ceiling(value: float, ticks: int = 4, integer: bool = False) -> tuple[float, float]:
    """A round axis maximum ≥ ``value`` and the step between ``ticks`` grid lines.

    Steps are 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten: labels read
    well without leaving most of the chart empty.
    ``integer`` keeps steps whole (for counts). Returns ``(maximum, step)``;
    an empty or zero series gets ``(1, 0.25)``.
    """
    if integer and value <= ticks:
        return float(ticks), 1.0  # counts: never a grid line at 0.25 of a device
    if value <= 0 or not math.isfinite(value):
        return 1.0, 1.0 / ticks
    raw = value / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        step = factor * power
        if step * ticks >= value:
            return step * ticks, step
    return 10 * power * ticks, 10 * power  # unreachable: factor 10 always fits


def _chart_id(kind: str, title: str, payload: str) -> str:
    # Deterministic, so the same data renders the same bytes (cacheable, testable),
    # yet distinct for two charts on one page: ids must be unique in a document.
    digest = hashlib.blake2s(f"{kind}|{title}|{payload}".encode(), digest_size=4).hexdigest()
    return f"chart-{kind}-{digest}"


def _text(
    x: float, y: float, text: str, *, anchor: str = "middle", size: float = 11, **attrs: str
) -> str:
    """A ``<text>`` element; ``text`` may hold ``\\n`` for extra lines below the first."""
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(str(v))}" for k, v in attrs.items())
    lines = text.split("\n")
    if len(lines) == 1:
        body = escape(text)
    else:
        body = "".join(
            f'<tspan x="{x:.1f}" dy="{0 if i == 0 else size * 1.2:.1f}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}"'
        f"{extra}>{body}</text>"
    )


def _shorten(label: str, max_chars: int) -> str:
    """Each line of ``label`` cut to ``max_chars`` with an ellipsis (the bar's title has it all)."""
    return "\n".join(
        line if len(line) <= max_chars else line[: max(1, max_chars - 1)] + "…"
        for line in label.split("\n")
    )


def _open_svg(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}" '
        f'font-family="{FONT}" style="height:auto;display:block">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _axis(
    left: float,
    right: float,
    top: float,
    bottom: float,
    maximum: float,
    step: float,
    fmt: Formatter,
) -> list[str]:
    """Horizontal grid lines with their value labels on the left."""
    parts = ['<g aria-hidden="true">']
    count = round(maximum / step)
    for i in range(count + 1):
        value = step * i
        y = bottom - (bottom - top) * value / maximum
        parts.append(
            f'<line x1="{left:.1f}" x2="{right:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID if i else MUTED}" stroke-width="1"/>'
        )
        parts.append(_text(left - 6, y + 4, fmt(value), anchor="end", size=10, fill=MUTED))
    parts.append("</g>")
    return parts


def bar_chart(
    categories: Sequence[str],
    series: Sequence[Series] | Sequence[Number | None],
    *,
    title: str,
    desc: str = "",
    value_format: Formatter = compact_number,
    notes: Sequence[str] | None = None,
    highlight: Sequence[bool] | None = None,
    y_label: str = "",
    integer_axis: bool = False,
    width: int = 720,
    height: int = 300,
) -> SafeString:
    """Vertical bars, one per category; several series stack in one bar.

    ``series`` is a list of :class:`Series` or plain numbers (one series).
    Above each bar: its total, formatted by ``value_format``; under it, the
    category label (``\\n`` starts a second line) and, when given, its
    ``notes`` entry (e.g. "12 devices"). ``highlight[i]`` draws bar ``i``
    with a dashed outline (e.g. a quarter holding overdue replacements).
    A legend appears when there is more than one series. ``None`` counts as 0.
    ``integer_axis`` keeps the grid at whole values (counts, whole currency).
    """
    if series and not isinstance(series[0], Series):
        series = [Series(title, list(series))]  # type: ignore[arg-type]
    series = list(series)  # type: ignore[assignment]
    n = len(categories)
    for s in series:
        if len(s.values) != n:
            raise ValueError(f"series {s.name!r} has {len(s.values)} values for {n} categories")
    totals = [sum(float(s.values[i] or 0) for s in series) for i in range(n)]
    maximum, step = nice_ceiling(max(totals, default=0), integer=integer_axis)
    has_legend = len(series) > 1
    label_lines = max((c.count("\n") + 1 for c in categories), default=1) + (1 if notes else 0)
    left, right = 56.0, width - 12.0
    legend_at = _legend_positions([s.name for s in series], left, right) if has_legend else []
    top = legend_at[-1][1] + 16 if legend_at else 16.0
    top += 14 if y_label else 0
    bottom = height - 10.0 - 13.0 * label_lines
    chart_id = _chart_id("bar", title, repr((list(categories), [list(s.values) for s in series])))
    parts = _open_svg(chart_id, width, height, title, desc or _describe_bars(categories, totals))
    if y_label:
        parts.append(_text(left - 50, top - 18, y_label, anchor="start", size=10, fill=MUTED))
    parts += _axis(left, right, top, bottom, maximum, step, value_format)
    slot = (right - left) / max(n, 1)
    bar_w = max(2.0, min(56.0, slot * 0.66))
    max_chars = max(3, int(slot / 6))
    colors = [s.color or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]
    for i, category in enumerate(categories):
        x = left + slot * i + (slot - bar_w) / 2
        cx = x + bar_w / 2
        y = bottom
        label = category.replace("\n", " ")
        pieces = [f"{value_format(totals[i])}"]
        if has_legend:
            pieces += [f"{s.name} {value_format(float(s.values[i] or 0))}" for s in series]
        if notes:
            pieces.append(notes[i])
        parts.append(f"<g><title>{escape(label)}: {escape(', '.join(pieces))}</title>")
        for s, color in zip(series, colors, strict=True):
            value = float(s.values[i] or 0)
            h = (bottom - top) * value / maximum if maximum else 0
            if h <= 0:
                continue
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{color}"/>'
            )
        if highlight and highlight[i]:
            parts.append(
                f'<rect x="{x - 2:.1f}" y="{min(y, bottom - 4) - 2:.1f}" width="{bar_w + 4:.1f}" '
                f'height="{bottom - min(y, bottom - 4) + 2:.1f}" fill="none" stroke="{HIGHLIGHT}" '
                f'stroke-width="2" stroke-dasharray="4 2"/>'
            )
        if totals[i]:
            parts.append(_text(cx, y - 4, value_format(totals[i]), size=10, fill=TEXT))
        parts.append(_text(cx, bottom + 14, _shorten(category, max_chars), size=10, fill=TEXT))
        if notes:
            note_y = bottom + 14 + 12 * (category.count("\n") + 1)
            parts.append(_text(cx, note_y, _shorten(notes[i], max_chars), size=10, fill=MUTED))
        parts.append("</g>")
    if has_legend:
        parts += _legend(series, colors, left, 12, positions=legend_at)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every piece of text above is escaped


def _legend_positions(names: Sequence[str], left: float, right: float) -> list[tuple[float, float]]:
    """Where each legend entry goes: in a row from ``left``, wrapping before ``right``.

    Five series' names do not fit one row of a 760 px chart; cut off, the
    last entry (the practice's fee on the budget chart) lost its name.
    """
    positions, x, y = [], left, 12.0
    for name in names:
        width = 24 + 6.5 * len(name)
        if x > left and x + width - 10 > right:
            x, y = left, y + 14
        positions.append((x, y))
        x += width
    return positions


def _legend(
    series: Sequence[Series],
    colors: Sequence[str],
    x: float,
    y: float,
    positions: Sequence[tuple[float, float]] | None = None,
) -> list[str]:
    """The legend's entries, in one row from (x, y) unless ``positions`` places each."""
    if positions is None:
        positions = []
        for s in series:
            positions.append((x, y))
            x += 24 + 6.5 * len(s.name)
    parts = ['<g aria-hidden="true">']
    for s, color, (ex, ey) in zip(series, colors, positions, strict=True):
        parts.append(f'<rect x="{ex:.1f}" y="{ey - 9:.1f}" width="10" height="10" fill="{color}"/>')
        parts.append(_text(ex + 14, ey, s.name, anchor="start", size=10, fill=TEXT))
    parts.append("</g>")
    return parts


def _describe_bars(categories: Sequence[str], totals: Sequence[float]) -> str:
    """A plain-text summary of the data for ``<desc>`` (what a screen reader reads first)."""
    if not categories:
        return "No data."
    pairs = [
        f"{c.replace(chr(10), ' ')}: {compact_number(t)}"
        for c, t in zip(categories, totals, strict=True)
    ]
    return "; ".join(pairs) + "."


def histogram(
    bins: Sequence[tuple[str, Number]],
    *,
    title: str,
    desc: str = "",
    x_label: str = "",
    y_label: str = "",
    highlight_from: int | None = None,
    highlight_label: str = "",
    width: int = 720,
    height: int = 260,
) -> SafeString:
    """Adjacent bars for counts in consecutive bins (e.g. device age in years).

    ``bins`` is ``[(label, count), …]`` in order; the label sits under its
    bar. Bars from index ``highlight_from`` on are drawn in the warning
    colour (e.g. ages past the replacement policy); ``highlight_label``
    names them in a legend. Counts are shown above non-empty bars.
    """
    n = len(bins)
    counts = [float(c or 0) for _, c in bins]
    maximum, step = nice_ceiling(max(counts, default=0), integer=True)
    left, right = 56.0, width - 12.0
    top = 20.0 + (14 if y_label else 0)
    bottom = height - 24.0 - (16 if x_label else 0)
    chart_id = _chart_id("hist", title, repr(list(bins)))
    parts = _open_svg(
        chart_id, width, height, title, desc or _describe_bars([b for b, _ in bins], counts)
    )
    if y_label:
        parts.append(_text(left - 50, top - 10, y_label, anchor="start", size=10, fill=MUTED))
    parts += _axis(left, right, top, bottom, maximum, step, compact_number)
    slot = (right - left) / max(n, 1)
    max_chars = max(2, int(slot / 6))
    for i, (label, _) in enumerate(bins):
        count = counts[i]
        h = (bottom - top) * count / maximum
        x = left + slot * i + 1  # a hairline gap keeps neighbouring bins distinct
        color = HIGHLIGHT if highlight_from is not None and i >= highlight_from else PALETTE[0]
        parts.append(f"<g><title>{escape(label)}: {compact_number(count)}</title>")
        if h > 0:
            parts.append(
                f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{slot - 2:.1f}" '
                f'height="{h:.1f}" fill="{color}"/>'
            )
            parts.append(
                _text(x + (slot - 2) / 2, bottom - h - 4, compact_number(count), size=10, fill=TEXT)
            )
        parts.append(
            _text(x + (slot - 2) / 2, bottom + 14, _shorten(label, max_chars), size=10, fill=TEXT)
        )
        parts.append("</g>")
    if x_label:
        parts.append(_text((left + right) / 2, height - 6, x_label, size=10, fill=MUTED))
    if highlight_from is not None and highlight_label:
        x = right - 20 - 6.5 * len(highlight_label)
        parts += _legend([Series(highlight_label, [])], [HIGHLIGHT], x, 12)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every piece of text above is escaped


# Line charts -------------------------------------------------------------------

# Above this many points a line draws no dot per value: the dots would merge into a
# smear, and the page's table gives the numbers.
MAX_MARKERS = 60
DASHED = "6 4"


def _position(x: datetime.date | Number) -> float:
    """An x value as a number: dates as their ordinal day, so gaps in time show as gaps."""
    if isinstance(x, datetime.date):
        return float(x.toordinal())
    return float(x)


def _x_text(x: datetime.date | Number) -> str:
    if isinstance(x, datetime.date):
        return x.isoformat()
    return compact_number(float(x))


def _value_range(values: Sequence[float], integer: bool) -> tuple[float, float, float]:
    """``(low, high, step)`` of a round y axis holding every value and zero."""
    top, bottom = max(values, default=0.0), min(values, default=0.0)
    if bottom >= 0:
        high, step = nice_ceiling(top, integer=integer)
        return 0.0, high, step
    _, step = nice_ceiling(top - bottom, integer=integer)
    low = math.floor(bottom / step) * step
    high = max(low + step, math.ceil(top / step) * step)
    return low, high, step


def _axis_range(
    left: float,
    right: float,
    top: float,
    bottom: float,
    low: float,
    high: float,
    step: float,
    fmt: Formatter,
) -> list[str]:
    """Like :func:`_axis` but for a range that may start below zero (zero is the dark line)."""
    parts = ['<g aria-hidden="true">']
    for i in range(round((high - low) / step) + 1):
        value = low + step * i
        y = bottom - (bottom - top) * (value - low) / (high - low)
        colour = MUTED if abs(value) < step / 1000 else GRID
        parts.append(
            f'<line x1="{left:.1f}" x2="{right:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{colour}" stroke-width="1"/>'
        )
        parts.append(_text(left - 6, y + 4, fmt(value), anchor="end", size=10, fill=MUTED))
    parts.append("</g>")
    return parts


def _tick_indexes(n: int, most: int = 6) -> list[int]:
    """Which of ``n`` points get an x label: the first, the last and evenly spaced ones."""
    if n <= most:
        return list(range(n))
    return sorted({round(i * (n - 1) / (most - 1)) for i in range(most)})


def line_chart(
    xs: Sequence[datetime.date | Number],
    series: Sequence[Series] | Sequence[Number | None],
    *,
    title: str,
    desc: str = "",
    target: Number | None = None,
    target_label: str = "Target",
    value_format: Formatter = compact_number,
    x_format: Callable[[datetime.date | Number], str] = _x_text,
    y_label: str = "",
    integer_axis: bool = False,
    width: int = 720,
    height: int = 260,
) -> SafeString:
    """Values over time as lines, with an optional target drawn as a dashed line.

    ``xs`` are dates (or numbers) in increasing order, spaced on the axis by
    their distance (a missed month shows as a longer segment); ``series`` is
    a list of :class:`Series` or plain numbers (one series), a value per x.
    ``None`` breaks the line (no data that day) rather than dropping to 0.
    Each point carries its own ``<title>`` ("2026-01-01: 87.5"); up to
    :data:`MAX_MARKERS` points also get a dot. The y axis starts at zero
    (or below, for negative values) and reaches past the data and the target.
    """
    if series and not isinstance(series[0], Series):
        series = [Series(title, list(series))]  # type: ignore[arg-type]
    series = list(series)  # type: ignore[assignment]
    n = len(xs)
    for s in series:
        if len(s.values) != n:
            raise ValueError(f"series {s.name!r} has {len(s.values)} values for {n} points")
    numbers = [float(v) for s in series for v in s.values if v is not None]
    if target is not None:
        numbers.append(float(target))
    low, high, step = _value_range(numbers, integer_axis)
    has_legend = len(series) > 1 or target is not None
    left, right = 56.0, width - 16.0
    top = (28.0 if has_legend else 16.0) + (14 if y_label else 0)
    bottom = height - 24.0
    payload = repr(([str(x) for x in xs], [list(s.values) for s in series], target))
    chart_id = _chart_id("line", title, payload)
    parts = _open_svg(chart_id, width, height, title, desc or _describe_line(xs, series, target))
    if y_label:
        parts.append(_text(left - 50, top - 18, y_label, anchor="start", size=10, fill=MUTED))
    parts += _axis_range(left, right, top, bottom, low, high, step, value_format)

    positions = [_position(x) for x in xs]
    first, last = (positions[0], positions[-1]) if positions else (0.0, 0.0)

    def px(i: int) -> float:
        if last == first:
            return (left + right) / 2  # one point (or one day): centred
        return left + (right - left) * (positions[i] - first) / (last - first)

    def py(value: float) -> float:
        return bottom - (bottom - top) * (value - low) / (high - low)

    parts.append('<g aria-hidden="true">')
    for i in _tick_indexes(n):
        # The end labels are anchored inwards so they are not cut by the edge of the chart.
        anchor = "middle"
        if last != first and i in (0, n - 1):
            anchor = "start" if i == 0 else "end"
        parts.append(_text(px(i), bottom + 16, x_format(xs[i]), anchor=anchor, size=10, fill=TEXT))
    parts.append("</g>")
    if target is not None:
        parts += _target_line(
            float(target), left, right, py(float(target)), target_label, value_format
        )
    colors = [s.color or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]
    for s, color in zip(series, colors, strict=True):
        parts += _line(s, color, px, py, [x_format(x) for x in xs], value_format)
    if has_legend:
        parts += _line_legend(series, colors, target_label if target is not None else "", left)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every piece of text above is escaped


def _line(
    s: Series,
    color: str,
    px: Callable[[int], float],
    py: Callable[[float], float],
    labels: Sequence[str],
    fmt: Formatter,
) -> list[str]:
    """One series: a polyline per unbroken run of values, and a titled dot per value."""
    runs: list[list[str]] = [[]]
    for i, value in enumerate(s.values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append(f"{px(i):.1f},{py(float(value)):.1f}")
    parts = [f"<g><title>{escape(s.name)}</title>"]
    for run in runs:
        if len(run) > 1:
            parts.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{color}" '
                f'stroke-width="2" stroke-linejoin="round"/>'
            )
    shown = [i for i, v in enumerate(s.values) if v is not None]
    dots = len(shown) <= MAX_MARKERS
    for i in shown:
        # Past MAX_MARKERS only the latest value keeps a dot: "where it stands now".
        if dots or i == shown[-1]:
            value = float(s.values[i])  # type: ignore[arg-type]
            parts.append(
                f'<circle cx="{px(i):.1f}" cy="{py(value):.1f}" r="3.5" fill="{color}">'
                f"<title>{escape(labels[i])}: {escape(fmt(value))}</title></circle>"
            )
    parts.append("</g>")
    return parts


def _target_line(
    value: float, left: float, right: float, y: float, label: str, fmt: Formatter
) -> list[str]:
    text = f"{label} {fmt(value)}"
    return [
        f"<g><title>{escape(text)}</title>",
        f'<line x1="{left:.1f}" x2="{right:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="{HIGHLIGHT}" '
        f'stroke-width="2" stroke-dasharray="{DASHED}"/>',
        _text(right, y - 5, text, anchor="end", size=10, fill=HIGHLIGHT),
        "</g>",
    ]


def _line_legend(
    series: Sequence[Series], colors: Sequence[str], target: str, x: float
) -> list[str]:
    """Swatches for the series and, when drawn, the dashed target."""
    parts = ['<g aria-hidden="true">']
    y = 12.0
    for s, color in zip(series, colors, strict=True):
        parts.append(
            f'<line x1="{x:.1f}" x2="{x + 14:.1f}" y1="{y - 4:.1f}" y2="{y - 4:.1f}" '
            f'stroke="{color}" stroke-width="2"/>'
        )
        parts.append(_text(x + 18, y, s.name, anchor="start", size=10, fill=TEXT))
        x += 30 + 6.5 * len(s.name)
    if target:
        parts.append(
            f'<line x1="{x:.1f}" x2="{x + 14:.1f}" y1="{y - 4:.1f}" y2="{y - 4:.1f}" '
            f'stroke="{HIGHLIGHT}" stroke-width="2" stroke-dasharray="4 2"/>'
        )
        parts.append(_text(x + 18, y, target, anchor="start", size=10, fill=TEXT))
    parts.append("</g>")
    return parts


def _describe_line(
    xs: Sequence[datetime.date | Number], series: Sequence[Series], target: Number | None
) -> str:
    """A plain-text summary for ``<desc>``: each value when few, else first, last and range."""
    if not xs:
        return "No data." + (
            f" Target: {compact_number(float(target))}." if target is not None else ""
        )
    pieces = []
    for s in series:
        known = [(x, float(v)) for x, v in zip(xs, s.values, strict=True) if v is not None]
        if not known:
            pieces.append(f"{s.name}: no values.")
        elif len(known) <= 12:
            pairs = "; ".join(f"{_x_text(x)}: {compact_number(v)}" for x, v in known)
            pieces.append(f"{s.name}: {pairs}.")
        else:
            values = [v for _, v in known]
            pieces.append(
                f"{s.name}: {len(known)} values from {_x_text(known[0][0])} "
                f"({compact_number(known[0][1])}) to {_x_text(known[-1][0])} "
                f"({compact_number(known[-1][1])}), lowest {compact_number(min(values))}, "
                f"highest {compact_number(max(values))}."
            )
    if target is not None:
        pieces.append(f"Target: {compact_number(float(target))}.")
    return " ".join(pieces)
