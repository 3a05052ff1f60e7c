"""The capacity forecast on synthetic series whose crossing is known by construction.

No database: ``forecast`` is pure NumPy/SciPy. Every expected date is worked
out by hand from the series' own slope and level, not by calling the model.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import numpy as np
import pytest

from vcio.capacity.forecast import (
    ALREADY_FULL,
    FLAT_OR_FALLING,
    NOT_ENOUGH_DATA,
    NOT_WITHIN_HORIZON,
    forecast,
    to_days,
)

D0 = date(2026, 1, 1)


def days(n: int, start: date = D0) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


def test_clean_linear_rise_crosses_on_the_hand_computed_day() -> None:
    t = np.arange(60)
    fc = forecast(days(60), 0.3 + 0.007 * t)
    # 0.3 + 0.007 t >= 0.9  <=>  t >= 85.71…, so day 86; today is day 59.
    assert fc.crossing == D0 + timedelta(days=86)
    assert fc.days_left == 86 - 59
    assert fc.today == D0 + timedelta(days=59)
    assert fc.fitted_since == D0
    assert fc.points == 60
    assert fc.slope == pytest.approx(0.007)
    assert fc.level == pytest.approx(0.3 + 0.007 * 59)
    # No noise: the band has no width, so all three dates agree.
    assert fc.crossing_early == fc.crossing == fc.crossing_late
    assert fc.reason is None and fc.enough_data


def test_other_threshold() -> None:
    t = np.arange(30)
    fc = forecast(days(30), 0.3 + 0.007 * t, threshold=0.5)
    assert fc.crossing == D0 + timedelta(days=29)  # 0.2 / 0.007 = 28.57…
    assert fc.days_left == 0  # the trend reaches it today


@pytest.mark.parametrize("seed", range(8))
def test_noise_and_weekly_pattern(seed: int) -> None:
    rng = np.random.default_rng(seed)
    t = np.arange(120)
    weekly = 0.015 * np.sin(2 * np.pi * t / 7)  # median zero over a week
    values = 0.4 + 0.003 * t + weekly + rng.normal(0, 0.01, len(t))
    fc = forecast(days(120), values)
    true_day = D0 + timedelta(days=167)  # 0.5 / 0.003 = 166.67…
    assert fc.crossing is not None
    assert abs((fc.crossing - true_day).days) <= 4
    assert fc.crossing_early <= true_day <= fc.crossing_late
    assert fc.crossing_early <= fc.crossing <= fc.crossing_late
    assert fc.fitted_since == D0  # the weekly swing is no step


def test_flat_is_not_within_a_year() -> None:
    rng = np.random.default_rng(1)
    fc = forecast(days(60), 0.5 + rng.normal(0, 0.005, 60))
    assert fc.crossing is None and fc.days_left is None
    assert fc.reason in (FLAT_OR_FALLING, NOT_WITHIN_HORIZON)
    assert fc.enough_data


def test_falling_is_never() -> None:
    fc = forecast(days(60), 0.8 - 0.002 * np.arange(60))
    assert fc.crossing is None and fc.crossing_early is None
    assert fc.reason == FLAT_OR_FALLING


def test_slow_rise_beyond_a_year() -> None:
    # 0.5 + 0.0005 t reaches 0.9 on day 800: 741 days after today (day 59).
    fc = forecast(days(60), 0.5 + 0.0005 * np.arange(60))
    assert fc.crossing is None
    assert fc.reason == NOT_WITHIN_HORIZON
    # With a longer horizon it is found, on the hand-computed day.
    fc = forecast(days(60), 0.5 + 0.0005 * np.arange(60), horizon_days=1000)
    assert fc.crossing == D0 + timedelta(days=800)


def stepped(noise: float, seed: int = 0) -> np.ndarray:
    """Rising 0.006/day; at day 40 the disk is extended: the share drops 0.30."""
    t = np.arange(80)
    values = 0.5 + 0.006 * t - np.where(t >= 40, 0.30, 0.0)
    return values + np.random.default_rng(seed).normal(0, noise, len(t))


def test_step_down_fits_only_after_the_drop() -> None:
    fc = forecast(days(80), stepped(0.0))
    assert fc.fitted_since == D0 + timedelta(days=40)
    assert fc.points == 40
    # After the drop: 0.2 + 0.006 t >= 0.9  <=>  t >= 116.67, so day 117.
    assert fc.crossing == D0 + timedelta(days=117)
    assert fc.days_left == 117 - 79


@pytest.mark.parametrize("seed", range(5))
def test_step_down_with_noise(seed: int) -> None:
    fc = forecast(days(80), stepped(0.005, seed))
    assert fc.fitted_since == D0 + timedelta(days=40)
    assert abs((fc.crossing - (D0 + timedelta(days=117))).days) <= 3


def test_without_step_detection_the_answer_would_be_wrong() -> None:
    # Guard for the test above: a single Theil–Sen line through both parts is far off.
    from scipy import stats

    slope, intercept, *_ = stats.theilslopes(stepped(0.0), np.arange(80))
    naive_day = math.ceil((0.9 - intercept) / slope)
    assert abs(naive_day - 117) > 10


def test_step_up_bulk_add_and_the_last_of_two_steps() -> None:
    t = np.arange(90)
    values = 0.3 + 0.002 * t
    values = values + np.where(t >= 30, 0.25, 0.0) - np.where(t >= 60, 0.2, 0.0)
    fc = forecast(days(90), values)
    assert fc.fitted_since == D0 + timedelta(days=60)
    # After day 60: 0.35 + 0.002 t >= 0.9  <=>  t >= 275.
    assert fc.crossing == D0 + timedelta(days=275)


def test_a_step_three_days_ago_means_not_enough_data() -> None:
    t = np.arange(50)
    values = 0.5 + 0.004 * t - np.where(t >= 47, 0.3, 0.0)
    fc = forecast(days(50), values)
    assert fc.fitted_since == D0 + timedelta(days=47)
    assert fc.reason == NOT_ENOUGH_DATA
    assert fc.crossing is None and fc.days_left is None


def test_a_single_spike_is_no_step() -> None:
    values = 0.3 + 0.007 * np.arange(60)
    values[30] += 0.3
    values[58] += 0.05  # near the end too
    fc = forecast(days(60), values)
    assert fc.fitted_since == D0
    assert fc.crossing == D0 + timedelta(days=86)


@pytest.mark.parametrize("n", [0, 1, 6])
def test_too_few_points(n: int) -> None:
    fc = forecast(days(n), 0.5 + 0.01 * np.arange(n))
    assert fc.reason == NOT_ENOUGH_DATA and not fc.enough_data
    assert fc.crossing is None and fc.days_left is None
    mid, low, high = fc.band([1, 7])
    assert np.isnan(mid).all()


def test_all_nan_is_not_enough_data() -> None:
    fc = forecast(days(30), [math.nan] * 30)
    assert fc.reason == NOT_ENOUGH_DATA and fc.points == 0


def test_nans_are_dropped() -> None:
    values = 0.3 + 0.007 * np.arange(60)
    values[[3, 10, 11, 40, 59]] = np.nan
    fc = forecast(days(60), values)
    assert fc.points == 55
    assert fc.crossing == D0 + timedelta(days=86)
    assert fc.today == D0 + timedelta(days=58)  # the last real value


def test_seven_days_with_gaps_must_be_seven_distinct_days() -> None:
    hours = [datetime(2026, 1, 1) + timedelta(hours=h) for h in range(6 * 24)]
    fc = forecast(hours, np.linspace(0.5, 0.6, len(hours)))
    assert fc.reason == NOT_ENOUGH_DATA  # 144 points, but only 6 days


def test_already_full() -> None:
    values = np.concatenate([np.linspace(0.7, 0.89, 20), [0.90, 0.91, 0.92]])
    fc = forecast(days(23), values)
    assert fc.days_left == 0
    assert fc.crossing == D0 + timedelta(days=20)  # first day of the run above 0.9
    assert fc.reason == ALREADY_FULL
    mid, low, high = fc.band([0, 7])  # the fit is kept, so a chart still has its band
    assert mid[1] > mid[0] and (low <= mid).all() and (mid <= high).all()


def test_already_full_with_few_points() -> None:
    fc = forecast(days(3), [0.85, 0.95, 0.97])
    assert fc.days_left == 0 and fc.reason == ALREADY_FULL
    assert fc.crossing == D0 + timedelta(days=1)
    assert fc.level == pytest.approx(0.97)


def test_two_values_on_one_day() -> None:
    when = [D0, D0, *days(20, D0 + timedelta(days=1))]
    fc = forecast(when, 0.3 + 0.007 * np.array([0, 0, *range(1, 21)]))
    assert fc.crossing == D0 + timedelta(days=86)


def test_hourly_maxima_as_datetimes() -> None:
    start = datetime(2026, 3, 1)
    hours = [start + timedelta(hours=h) for h in range(14 * 24)]
    elapsed = np.arange(len(hours)) / 24.0  # days since start
    fc = forecast(hours, 0.5 + 0.012 * elapsed)
    # 0.4 / 0.012 = 33.33 days: the first midnight at or above it is day 34.
    assert fc.crossing == date(2026, 3, 1) + timedelta(days=34)
    assert fc.today == date(2026, 3, 14)
    assert fc.slope == pytest.approx(0.012)


def test_to_days_accepts_dates_datetimes_datetime64_and_ordinals() -> None:
    expected = [D0.toordinal(), D0.toordinal() + 0.5]
    assert to_days([D0, datetime(2026, 1, 1, 12)]).tolist() == expected
    stamps = np.array(["2026-01-01T00:00", "2026-01-01T12:00"], dtype="datetime64[m]")
    assert to_days(stamps).tolist() == expected
    assert to_days(expected).tolist() == expected


def test_band_widens_with_horizon_and_brackets_the_line() -> None:
    rng = np.random.default_rng(3)
    fc = forecast(days(60), 0.3 + 0.004 * np.arange(60) + rng.normal(0, 0.01, 60))
    mid, low, high = fc.band(np.array([0.0, 30.0, 180.0]))
    assert (low < mid).all() and (mid < high).all()
    assert np.all(np.diff(high - low) > 0)
    assert mid[1] == pytest.approx(fc.level + 30 * fc.slope)


def coverage(drift: float, noise: float) -> float:
    """Share of 30 future days inside the band, over 40 series: a line, a drifting level, noise."""
    inside = total = 0
    for seed in range(40):
        rng = np.random.default_rng(100 + seed)
        t = np.arange(90)
        level = np.cumsum(rng.normal(0, drift, len(t))) if drift else 0.0
        values = 0.2 + 0.003 * t + level + rng.normal(0, noise, len(t))
        fc = forecast(days(60), values[:60])
        _, low, high = fc.band(t[60:] - 59.0)
        inside += int(np.sum((values[60:] >= low) & (values[60:] <= high)))
        total += 30
    return inside / total


def test_band_covers_about_eighty_percent_of_a_drifting_level() -> None:
    assert 0.7 <= coverage(drift=0.01, noise=0.01) <= 0.92


def test_band_is_never_too_narrow_for_plain_noise() -> None:
    # No drift at all: the band is cautious (it assumes some), not narrow.
    assert coverage(drift=0.0, noise=0.02) >= 0.8


def test_mismatched_lengths_raise() -> None:
    with pytest.raises(ValueError):
        forecast(days(3), [0.1, 0.2])
