"""Capacity forecast: when will a resource's used share cross a threshold ("days until full")?

Pure NumPy/SciPy, no Django. The input is one resource's *maxima per period*
of a used fraction (0..1: a filesystem's used share, memory used share):
``when`` (the periods) and ``values``. Daily maxima are the intended input
(one point per calendar day); hourly maxima work the same way (see "Daily or
hourly maxima?" below). Pass the maxima, not the raw samples: capacity runs
out at the peaks.

Time: ``when`` is a sequence of ``datetime.date`` or ``datetime.datetime``
(naive, read as wall-clock), a NumPy ``datetime64`` array, or floats that are
proleptic Gregorian day ordinals (``date.toordinal()``, fractions allowed).
"Today" is the day of the last observation; every horizon is counted in days
from the last observation.

Model, in order:

1. NaN values are dropped; more than ``MAX_POINTS`` points are thinned evenly.
2. **Step detection** (a disk extended, data deleted or bulk-added): the split
   that best explains the series as two straight lines (least squares over
   every split with at least ``MIN_LEFT`` points before, ``MIN_RIGHT`` after and
   ``STEP_MIN_DAYS`` days' worth on each side, so hourly maxima need 3 days
   before a burst counts as a new level) is a level shift when the two parts'
   medians, along one slope fitted to pairs that do not straddle the split,
   differ by more than ``STEP_SIGMAS`` robust standard deviations (1.4826 ×
   MAD) of the part's residuals (the smaller part's when both have
   ``MIN_LEFT`` points, so an earlier step cannot hide a later one). An
   accepted split drops everything before it and the search repeats on the
   rest, so the *last* shift wins.
3. **Slope**: Theil–Sen (median of pairwise slopes) since the last shift, with
   its 80 % interval; consecutive maxima are correlated, so the interval is
   widened by ``sqrt((1 + r) / (1 - r))``, ``r`` the residuals' lag-1
   autocorrelation (the effective-sample-size correction). A slope its own
   interval cannot tell from zero is shrunk toward zero by ``1 - (half-width /
   slope)²``: a chance tilt must not become a crossing date.
4. **Level today**: the median of the last day's points (at least
   ``LOCAL_POINTS``, i.e. a week of daily maxima) carried along the slope to
   the last observation. The recent level, not the line's, is what the next
   days start from (in the backtest this beats the line's level by ~40 % at
   one day ahead).
5. **80 % prediction interval** at ``h`` days ahead: level + slope × h ± the
   root-sum-square of (a) the conformal 10 %/90 % quantiles of the in-sample
   one-day-ahead errors of that same local-level forecast (day-to-day spread
   and level drift), times ``h ** g`` with ``g`` measured from how the 1-, 2-,
   4-, 8-, 16-day errors widen, clipped to 0.3..0.5 (0.5 is a random walk's
   √h; the floor because in-sample errors understate out-of-sample drift), and
   (b) the slope interval times the distance from the fit's pivot (its median
   time) to the target. On plain noise around a line the band is cautious
   (~99 % of future days inside); on a drifting level ~85 %; on the NAB
   backtest 75 %.
6. **Crossings**: on the grid of whole days from today to ``HORIZON_DAYS``
   ahead, ``crossing`` is the first day whose central forecast is at or above
   the threshold; ``crossing_early`` the first day the upper band is,
   ``crossing_late`` the first day the lower band is. ``None`` means "not
   within a year" (or the trend is flat or falling).

Daily or hourly maxima? Both were backtested (``bench/capacity_forecast.py``,
21 NAB server series, 202 forecasts at 1, 7 and 30 days). On hourly maxima
(target: the next hour's maximum) the median error is 0.40 IQR against
predict_linear's 1.11 and the last value's 0.40, 75 % inside the band; on
daily maxima (target: the day's maximum) 0.72 against 3.59 and 0.72, 79 %
inside. Neither beats the last value on these trendless CPU/network series
beyond a day; both beat predict_linear at every horizon. Pass **daily maxima**
once a resource has two weeks of history (a year is 365 points, and crossings
are days); hourly maxima for younger resources, since 7 days must follow the
last step either way.

Fewer than ``MIN_DAYS`` distinct days since the last shift gives a Forecast
with ``reason == NOT_ENOUGH_DATA`` and no crossing; never an exception. A last
value (or fitted level) at or above the threshold gives ``days_left == 0``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

THRESHOLD = 0.9  # default "full": 90 % used
HORIZON_DAYS = 365  # crossings further out are reported as "not within a year"
INTERVAL = 0.8  # the prediction band covers 80 % of future maxima
MIN_DAYS = 7  # distinct days needed after the last step
MIN_LEFT = 7  # points needed before a candidate step (to fit the line it breaks)
MIN_RIGHT = 3  # points needed after one (a step 3 days ago must still be caught)
STEP_MIN_DAYS = 3  # and days' worth on each side (hourly maxima: 72 points, not 3 hours)
STEP_SIGMAS = 5.0  # how far the later points must sit off the earlier line
LOCAL_POINTS = 7  # today's level: the median of the last day, at least this many points
MIN_ERRORS = 5  # one-day-ahead errors needed before they, not the residuals, set the band
MAX_GROWTH = 0.5  # the spread grows at most like a random walk's, as sqrt(days ahead)
# In-sample errors understate how far a level drifts out of sample (the slope has seen those
# days): below 0.3 the NAB backtest's 7- and 30-day coverage falls under 70 %.
MIN_GROWTH = 0.3
GROWTH_LAGS = (1, 2, 4, 8, 16)  # days ahead at which in-sample errors measure that growth
MAX_POINTS = 2000  # Theil–Sen is O(n²) in memory; longer inputs are thinned evenly

NOT_ENOUGH_DATA = "not enough data"
ALREADY_FULL = "already full"
FLAT_OR_FALLING = "flat or falling"
NOT_WITHIN_HORIZON = "not within a year"

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Forecast:
    """One resource's forecast. Levels are used fractions (0..1); slopes are fraction per day.

    ``today`` is the day of the last observation; ``fitted_since`` the first
    day the trend was fitted on (after step detection); ``points`` how many
    points that fit used. ``crossing``/``crossing_early``/``crossing_late``
    are dates (``None``: not within ``HORIZON_DAYS`` or never); ``days_left``
    is ``crossing - today`` in days. ``reason`` says why there is no crossing
    (or ``ALREADY_FULL``); it is ``None`` when a crossing was forecast.
    """

    today: date | None
    threshold: float
    slope: float
    level: float
    fitted_since: date | None
    points: int
    crossing: date | None
    crossing_early: date | None
    crossing_late: date | None
    days_left: int | None
    reason: str | None
    # Band parameters (see the module docstring, step 5); all in fraction or fraction/day.
    pivot_days: float = 0.0  # the fit's pivot, in days relative to the last observation (≤ 0)
    slope_low: float = math.nan
    slope_high: float = math.nan
    spread_low: float = math.nan  # how far below 10 % of one-day-ahead errors fall (≥ 0)
    spread_high: float = math.nan  # how far above 10 % fall (≥ 0)
    spread_growth: float = MAX_GROWTH  # the spread grows as (days ahead) ** this

    @property
    def enough_data(self) -> bool:
        return self.reason != NOT_ENOUGH_DATA

    def band(self, days: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
        """The 80 % band ``(mid, low, high)`` at ``days`` after the last observation.

        Values are used fractions, not clipped to 0..1 (a chart may clip).
        All NaN when there was not enough data to fit.
        """
        h = np.asarray(days, dtype=float)
        mid = self.level + self.slope * h
        lever = h - self.pivot_days  # distance from where the line is best known
        grow = np.maximum(np.abs(h), 1.0) ** self.spread_growth
        up = np.hypot(self.spread_high * grow, (self.slope_high - self.slope) * lever)
        down = np.hypot(self.spread_low * grow, (self.slope - self.slope_low) * lever)
        return mid, mid - down, mid + up


def to_days(when: Sequence[date] | ArrayLike) -> FloatArray:
    """Day ordinals (``date.toordinal()``, fractional for times of day) as floats."""
    arr = np.asarray(when)
    if arr.dtype.kind == "M":
        seconds = arr.astype("datetime64[s]").astype(np.int64).astype(float)
        return seconds / 86400.0 + _EPOCH_ORDINAL
    if arr.dtype.kind in "fiu":
        return arr.astype(float)
    out = np.empty(len(arr), dtype=float)
    for i, item in enumerate(arr):
        out[i] = item.toordinal()
        if isinstance(item, datetime):
            since_midnight = item.hour * 3600 + item.minute * 60 + item.second
            out[i] += (since_midnight + item.microsecond / 1e6) / 86400.0
    return out


def forecast(
    when: Sequence[date] | ArrayLike,
    values: ArrayLike,
    threshold: float = THRESHOLD,
    horizon_days: int = HORIZON_DAYS,
) -> Forecast:
    """Forecast when ``values`` (maxima per period, used fraction 0..1) reach ``threshold``.

    ``when`` as in the module docstring. Never raises on short or NaN-ridden
    input (it returns a Forecast whose ``reason`` says why); raises
    ``ValueError`` only when ``when`` and ``values`` differ in length.
    """
    x = to_days(when)
    y = np.asarray(values, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"when and values differ in length: {x.shape} vs {y.shape}")
    keep = ~(np.isnan(y) | np.isnan(x))
    x, y = x[keep], y[keep]
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    if len(x) == 0:
        return _no_fit(None, None, 0, threshold, NOT_ENOUGH_DATA)
    today = date.fromordinal(int(math.floor(x[-1])))
    if len(x) > MAX_POINTS:  # thin evenly; the line and the spread barely move
        idx = np.linspace(0, len(x) - 1, MAX_POINTS).round().astype(int)
        x, y = x[idx], y[idx]
    start = last_step(x, y)
    x, y = x[start:], y[start:]
    since = date.fromordinal(int(math.floor(x[0])))
    if len(np.unique(np.floor(x))) < MIN_DAYS:
        fc = _no_fit(today, since, len(x), threshold, NOT_ENOUGH_DATA)
    else:
        fc = _fit(x, y, today, since, threshold, horizon_days)
    # Observed full beats any trend; the fit (and its band, for charts) is kept when there is one.
    return _already_full(fc, x, y) if y[-1] >= threshold else fc


def last_step(x: FloatArray, y: FloatArray) -> int:
    """Index of the first point after the last level shift (0 when there is none)."""
    start = 0
    per_day = _per_day(x)
    left = max(MIN_LEFT, math.ceil(STEP_MIN_DAYS * per_day))
    right = max(MIN_RIGHT, math.ceil(STEP_MIN_DAYS * per_day))
    while len(x) - start >= left + right:
        split = _best_split(x[start:], y[start:], left, right)
        if split is None:
            break
        start += split
    return start


def _per_day(x: FloatArray) -> float:
    """Points per day: 1 for daily maxima, 24 for hourly (from the median spacing)."""
    gaps = np.diff(x)
    gaps = gaps[gaps > 0]  # two points on one day must not divide by zero
    return 1.0 / float(np.median(gaps)) if len(gaps) else 1.0


def _best_split(x: FloatArray, y: FloatArray, min_left: int, min_right: int) -> int | None:
    """The split into two least-squares lines with the least total squared error, if a shift.

    ``min_left``/``min_right``: the fewest points allowed before and after the split.
    """
    n = len(x)
    ks = np.arange(min_left, n - min_right + 1)
    sse = _prefix_sse(x, y)
    sse_rev = _prefix_sse(x[::-1], y[::-1])
    total = sse[ks] + sse_rev[n - ks]  # left part [0, k), right part [k, n)
    k = int(ks[np.argmin(total)])
    # Size the shift with one slope for both parts, from pairs that do not straddle the
    # split: a short part's own slope, extrapolated, would turn noise into a "shift".
    slope = _within_slope(x, y, k)
    left, right = y[:k] - slope * x[:k], y[k:] - slope * x[k:]
    shift = float(np.median(right) - np.median(left))
    sigma = _robust_sd(left)
    if len(right) >= min_left:
        # The smaller of the two: an earlier step inside one part must not hide this one.
        sigma = min(sigma, _robust_sd(right))
    # A floor on sigma so an exactly linear history does not call rounding noise a step.
    floor = 1e-6 * max(1.0, float(np.max(np.abs(y))))
    return k if abs(shift) > STEP_SIGMAS * max(sigma, floor) else None


def _robust_sd(a: FloatArray) -> float:
    """1.4826 × the median absolute deviation: the standard deviation, unmoved by outliers."""
    return 1.4826 * float(np.median(np.abs(a - np.median(a))))


def _within_slope(x: FloatArray, y: FloatArray, k: int) -> float:
    """Median slope over the pairs of points on the same side of index ``k``."""
    i, j = np.triu_indices(len(x), 1)
    same = (j < k) | (i >= k)
    i, j = i[same], j[same]
    dx = x[j] - x[i]
    ok = dx > 0
    return float(np.median((y[j][ok] - y[i][ok]) / dx[ok])) if ok.any() else 0.0


def _prefix_sse(x: FloatArray, y: FloatArray) -> FloatArray:
    """``out[m]``: squared error of the least-squares line through the first ``m`` points."""
    x = x - x[0]  # centre for numerical stability of the running sums
    m = np.arange(len(x) + 1, dtype=float)
    sx, sy = _cumsum0(x), _cumsum0(y)
    sxx, sxy, syy = _cumsum0(x * x), _cumsum0(x * y), _cumsum0(y * y)
    with np.errstate(divide="ignore", invalid="ignore"):
        vxx = sxx - sx * sx / m
        vxy = sxy - sx * sy / m
        vyy = syy - sy * sy / m
        out = vyy - np.where(vxx > 1e-12, vxy * vxy / vxx, 0.0)
    out[:2] = 0.0
    return np.maximum(np.nan_to_num(out), 0.0)


def _cumsum0(a: FloatArray) -> FloatArray:
    return np.concatenate(([0.0], np.cumsum(a)))


def _fit(
    x: FloatArray, y: FloatArray, today: date, since: date, threshold: float, horizon_days: int
) -> Forecast:
    """Theil–Sen slope, today's level, the 80 % band and the crossings on the daily grid."""
    slope, intercept, s_low, s_high = stats.theilslopes(y, x, alpha=INTERVAL)
    widen = _autocorrelation_widening(y - (intercept + slope * x))
    below, above = (slope - s_low) * widen, (s_high - slope) * widen
    slope = _shrunk(float(slope), (below + above) / 2.0)
    last = float(x[-1])
    window = _local_window(x)
    recent = slice(len(x) - window, None)
    level = float(np.median(y[recent] - slope * (x[recent] - last)))
    spread_low, spread_high, growth = _spread(x, y, slope, window)
    fc = Forecast(
        today=today,
        threshold=threshold,
        slope=slope,
        level=level,
        fitted_since=since,
        points=len(x),
        crossing=None,
        crossing_early=None,
        crossing_late=None,
        days_left=None,
        reason=None,
        pivot_days=float(np.median(x)) - last,
        slope_low=float(slope - below),
        slope_high=float(slope + above),
        spread_low=spread_low,
        spread_high=spread_high,
        spread_growth=growth,
    )
    return _with_crossings(fc, last, threshold, horizon_days)


def _shrunk(slope: float, half_width: float) -> float:
    """The slope times ``1 - (half_width / slope)²`` (≥ 0): a tilt its interval can't confirm fades.

    A noisy window without a real trend still has a Theil–Sen slope; extrapolated
    a month it is most of the error (the backtest's 30-day error falls from 1.27 to
    0.85 IQR with this).
    A clear trend (half-width well under the slope) is barely touched.
    """
    if slope == 0.0:
        return 0.0
    return slope * max(0.0, 1.0 - (half_width / abs(slope)) ** 2)


def _local_window(x: FloatArray) -> int:
    """Points in the last day, at least ``LOCAL_POINTS`` (a week of daily maxima), at most all."""
    per_day = _per_day(x)
    return min(len(x), max(LOCAL_POINTS, math.ceil(per_day)))


def _spread(x: FloatArray, y: FloatArray, slope: float, window: int) -> tuple[float, float, float]:
    """The band's spread below and above (≥ 0) at one day ahead, and its growth exponent.

    Each point's local level (the median of the ``window`` points up to it, along
    the slope) forecasts the first point ``k`` days later. The conformal 10 %/90 %
    quantiles of the one-day errors are the spread; how the width of the k-day
    errors grows with ``k`` (a log-log least-squares slope: ~0 for noise around
    a trend, 0.5 (√k) for a drifting level), clipped to ``MIN_GROWTH..MAX_GROWTH``,
    is the growth. With too few one-day pairs the residuals stand in and the
    growth is the cautious ``MAX_GROWTH``.
    """
    detrended = y - slope * (x - x[-1])  # relative time keeps the products small
    widths: list[tuple[float, float]] = []
    low = high = math.nan
    for k in GROWTH_LAGS:
        errors = _errors_ahead(x, detrended, window, float(k))
        if len(errors) < MIN_ERRORS:
            break
        below, above = _conformal_tails(errors)
        if k == 1:
            low, high = below, above
        widths.append((math.log(k), math.log(max(below + above, 1e-12))))
    if not widths:
        low, high = _conformal_tails(detrended - np.median(detrended))
    if len(widths) < 2:
        return low, high, MAX_GROWTH
    lags, logw = np.array(widths).T
    growth = float(np.polyfit(lags, logw, 1)[0])
    return low, high, min(max(growth, MIN_GROWTH), MAX_GROWTH)


def _errors_ahead(x: FloatArray, detrended: FloatArray, window: int, days: float) -> FloatArray:
    """In-sample errors of the local-level forecast ``days`` ahead (detrended units)."""
    if len(x) <= window:
        return np.empty(0)
    levels = np.median(np.lib.stride_tricks.sliding_window_view(detrended, window), axis=1)
    origin = np.arange(window - 1, len(x))
    target = np.searchsorted(x, x[origin] + days - 1e-9)
    ok = target < len(x)
    return detrended[target[ok]] - levels[ok]


def _conformal_tails(errors: FloatArray) -> tuple[float, float]:
    """How far below and above (≥ 0) the conformal 10 % and 90 % quantiles of ``errors`` lie."""
    m = len(errors)
    tail = (1.0 - INTERVAL) / 2.0
    level = min(1.0, math.ceil((m + 1) * (1.0 - tail)) / m)  # the conformal correction
    high = float(np.quantile(errors, level, method="higher"))
    low = float(np.quantile(errors, 1.0 - level, method="lower"))
    return max(0.0, -low), max(0.0, high)


def _autocorrelation_widening(resid: FloatArray) -> float:
    """``sqrt((1 + r) / (1 - r))`` for the lag-1 autocorrelation ``r`` of the residuals (≥ 1)."""
    centred = resid - resid.mean()
    denom = float(np.dot(centred, centred))
    if len(resid) < 3 or denom <= 0.0:
        return 1.0
    r = float(np.dot(centred[:-1], centred[1:])) / denom
    r = min(max(r, 0.0), 0.95)  # negative correlation would narrow; cap so it stays finite
    return math.sqrt((1.0 + r) / (1.0 - r))


def _with_crossings(fc: Forecast, last: float, threshold: float, horizon_days: int) -> Forecast:
    """Fill the crossing dates from the band on whole days ``0..horizon_days`` ahead of today."""
    today_ord = fc.today.toordinal()  # type: ignore[union-attr]
    grid = np.arange(today_ord, today_ord + horizon_days + 1, dtype=float)
    mid, low, high = fc.band(grid - last)
    eps = 1e-9  # so a line that reaches the threshold exactly on a day counts on that day

    def first(curve: FloatArray) -> date | None:
        hit = np.flatnonzero(curve >= threshold - eps)
        return date.fromordinal(today_ord + int(hit[0])) if len(hit) else None

    crossing = first(mid)
    if crossing is not None and crossing == fc.today:
        reason: str | None = ALREADY_FULL
    elif crossing is not None:
        reason = None
    else:
        reason = FLAT_OR_FALLING if fc.slope <= 0 else NOT_WITHIN_HORIZON
    return replace(
        fc,
        crossing=crossing,
        crossing_early=first(high),
        crossing_late=first(low),
        days_left=None if crossing is None else (crossing - fc.today).days,  # type: ignore[operator]
        reason=reason,
    )


def _already_full(fc: Forecast, x: FloatArray, y: FloatArray) -> Forecast:
    """The last value is at or above the threshold: crossed on the first day of that run."""
    below = np.flatnonzero(y < fc.threshold)
    first_above = 0 if len(below) == 0 else int(below[-1]) + 1
    crossed = date.fromordinal(int(math.floor(x[first_above])))
    return replace(
        fc,
        level=float(y[-1]) if math.isnan(fc.level) else fc.level,
        crossing=crossed,
        crossing_early=crossed,
        crossing_late=crossed,
        days_left=0,
        reason=ALREADY_FULL,
    )


def _no_fit(
    today: date | None, since: date | None, points: int, threshold: float, reason: str
) -> Forecast:
    return Forecast(
        today=today,
        threshold=threshold,
        slope=math.nan,
        level=math.nan,
        fitted_since=since,
        points=points,
        crossing=None,
        crossing_early=None,
        crossing_late=None,
        days_left=None,
        reason=reason,
    )
