"""The machine page's pictures: thin adapters over :mod:`vcio.core.charts` (no drawing here).

A resource's daily mean and max over 90 days; for memory and disks also the
forecast line, its 80 % band (from :meth:`Forecast.band`) and the "full"
threshold, drawn ahead of today.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.safestring import SafeString

from vcio.capacity.assess import Resource
from vcio.core import charts

MEAN, HIGH, FORECAST, BAND = "#0072b2", "#009e73", "#cc79a7", "#e3b8d2"
AHEAD_DAYS = 90  # how far ahead a forecast is drawn (the table gives the crossing itself)
# Daily, like the history: the x labels then fall evenly in time, and past MAX_MARKERS points
# the lines carry no dot per value.
AHEAD_STEP = 1


def percent(value: float) -> str:
    return f"{value:.0%}"


def _clip(values) -> list[float]:
    return [min(max(float(v), 0.0), 1.0) for v in values]


def resource_chart(resource: Resource, rows: list[tuple[date, float, float]]) -> SafeString:
    """Daily mean and max of ``resource`` from ``rows`` (day, mean, max), oldest first.

    With a forecast that has enough data the x axis runs on past today: the
    fitted line, the low and high ends of its 80 % band, and the threshold.
    """
    days = [r[0] for r in rows]
    means: list[float | None] = [r[1] for r in rows]
    highs: list[float | None] = [r[2] for r in rows]
    f = resource.forecast
    series = [charts.Series("Daily mean", means, MEAN), charts.Series("Daily max", highs, HIGH)]
    target = None
    if f is not None and f.enough_data and f.today is not None and days:
        ahead = list(range(AHEAD_STEP, AHEAD_DAYS + 1, AHEAD_STEP))
        mid, low, high = (_clip(v) for v in f.band([0, *ahead]))
        future = [f.today + timedelta(days=d) for d in ahead]
        blank: list[float | None] = [None] * len(future)
        past: list[float | None] = [None] * (len(days) - 1)
        series = [
            charts.Series("Daily mean", means + blank, MEAN),
            charts.Series("Daily max", highs + blank, HIGH),
            charts.Series("Forecast", [*past, *mid], FORECAST),
            charts.Series("80 % low", [*past, *low], BAND),
            charts.Series("80 % high", [*past, *high], BAND),
        ]
        days = days + future
        target = f.threshold
    return charts.line_chart(
        days,
        series,
        title=f"{resource.label}: daily mean and max",
        target=target,
        target_label="Full at",
        value_format=percent,
    )
