"""SLA arithmetic, without the database: hand-computed figures for each rule."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

import pytest

from vcio.availability import sla

UTC = datetime.UTC
HOUR = 3600
MINUTE = datetime.timedelta(minutes=1)
DAY = 86400
MARCH_S = 31 * DAY  # March 2026, 24×7, in seconds
APRIL_S = 30 * DAY


def t(day: int, hour: int = 0, minute: int = 0, month: int = 3) -> datetime.datetime:
    """An instant of 2026 in UTC (March unless told)."""
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Service:
    sla_hours: str = "24x7"
    business_days: str = "12345"
    business_start: datetime.time = datetime.time(8, 0)
    business_end: datetime.time = datetime.time(18, 0)


@dataclass
class Window:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    recurrence: str = "none"
    until: datetime.date | None = None


MARCH = (t(1), t(1, month=4))
LATER = t(1, month=6)  # "now" for reports of past periods
APRIL = (t(1, month=4), t(1, month=5))


def report(outages, *, period=MARCH, now=LATER, target=99.9, hours=None, tz="UTC"):
    """The report of ``period`` for a 24×7 service (or ``hours`` intervals) at ``now``."""
    start, end = period
    hours = sla.sla_time(Service(), start, end, tz) if hours is None else hours
    return sla.compute(outages, hours, target, now, start=start, end=end, label="test")


# Interval arithmetic


def test_merge_joins_overlapping_and_touching_intervals_and_drops_empty_ones():
    assert sla.merge([(t(2), t(3)), (t(1), t(2)), (t(5), t(5)), (t(2, 12), t(4))]) == [(t(1), t(4))]


def test_intersect_and_subtract():
    a = [(t(1), t(10))]
    b = [(t(2), t(3)), (t(5), t(6)), (t(9), t(12))]
    assert sla.intersect(a, b) == [(t(2), t(3)), (t(5), t(6)), (t(9), t(10))]
    assert sla.subtract(a, b) == [(t(1), t(2)), (t(3), t(5)), (t(6), t(9))]
    assert sla.subtract([(t(4), t(8))], [(t(1), t(5))]) == [(t(5), t(8))]
    assert sla.total_seconds([(t(1), t(2)), (t(1, 12), t(3))]) == 2 * DAY


def test_interval_arithmetic_agrees_with_counting_minutes():
    rng = random.Random(5)

    def intervals() -> list[sla.Interval]:
        found = []
        for _ in range(rng.randint(0, 6)):
            a, b = sorted(rng.sample(range(120), 2))
            found.append((t(1) + a * MINUTE, t(1) + b * MINUTE))
        return found

    def minutes(found: list[sla.Interval]) -> set[int]:
        return {m for s, e in found for m in range(120) if s <= t(1) + m * MINUTE < e}

    for _ in range(300):
        a, b = intervals(), intervals()
        assert minutes(sla.merge(a)) == minutes(a)
        assert minutes(sla.intersect(a, b)) == minutes(a) & minutes(b)
        assert minutes(sla.subtract(a, b)) == minutes(a) - minutes(b)
        assert sla.total_seconds(a) == 60 * len(minutes(a))


# Downtime


def test_outages_of_two_monitors_at_the_same_time_count_once():
    # Monitor A down 10:00–11:00, monitor B 10:30–11:30: 90 minutes, one outage.
    r = report([(t(10, 10), t(10, 11)), (t(10, 10, 30), t(10, 11, 30))])
    assert r.downtime_s == 90 * 60
    assert r.outages == 1
    assert r.measured_s == MARCH_S
    assert r.availability_pct == pytest.approx(100 * (MARCH_S - 5400) / MARCH_S)
    assert r.mttr_s == 5400
    assert r.mtbf_s == MARCH_S - 5400


def test_an_outage_spanning_two_months_is_split_between_them():
    outage = [(t(31, 23), t(1, 1, month=4))]
    march, april = report(outage), report(outage, period=APRIL)
    assert (march.downtime_s, april.downtime_s) == (HOUR, HOUR)
    assert (march.outages, april.outages) == (1, 1)
    # Each month's MTTR counts the part of the outage that fell in it.
    assert (march.mttr_s, april.mttr_s) == (HOUR, HOUR)


def test_an_open_outage_counts_up_to_now_in_the_current_month():
    now = t(10, 14)
    r = report([(t(10, 12), None)], now=now)
    assert r.partial and r.ongoing
    assert r.measured_s == 9 * DAY + 14 * HOUR  # 1 March 00:00 to now
    assert r.downtime_s == 2 * HOUR
    assert r.outages == 1
    assert r.mttr_s is None  # not repaired yet
    assert r.mtbf_s == 9 * DAY + 12 * HOUR


def test_an_open_outage_counts_up_to_the_end_of_a_past_month():
    r = report([(t(28, 23, month=2), None)], period=(t(1, month=2), t(1)), now=t(10))
    assert not r.partial and not r.ongoing
    assert r.downtime_s == HOUR
    assert r.mttr_s is None


def test_a_future_period_measures_nothing_and_says_so():
    r = report([(t(2), None)], period=APRIL, now=t(10))
    assert r.partial
    assert r.measured_s == 0 and r.downtime_s == 0
    assert r.availability_pct is None
    assert not r.breach


def test_an_outage_ended_by_a_later_monitor_is_not_repaired_while_another_is_still_down():
    r = report([(t(10, 10), t(10, 11)), (t(10, 10, 30), None)], now=t(10, 12))
    assert r.outages == 1
    assert r.downtime_s == 2 * HOUR
    assert r.mttr_s is None and r.ongoing


# SLA hours


def test_business_hours_follow_the_clients_clock_across_a_dst_change():
    # New York moves to summer time on Sunday 8 March 2026: 08:00 local is
    # 13:00 UTC on Friday the 6th and 12:00 UTC on Monday the 9th.
    ny = Service(sla_hours="business")
    hours = sla.service_hours(ny, t(6), t(10), "America/New_York")
    assert hours == [(t(6, 13), t(6, 23)), (t(9, 12), t(9, 22))]
    # The same 12:00–13:00 UTC outage each day is downtime only on Monday.
    outages = [(t(6, 12), t(6, 13)), (t(9, 12), t(9, 13))]
    r = sla.compute(outages, hours, 99.9, t(20), start=t(6), end=t(10))
    assert r.measured_s == 20 * HOUR
    assert r.downtime_s == HOUR
    assert r.outages == 1


def test_business_hours_of_a_month_in_the_clients_zone():
    start, end, label = sla.month_period(2026, 3, "America/New_York")
    assert (start, end, label) == (t(1, 5), t(1, 4, month=4), "2026-03")
    hours = sla.sla_time(Service(sla_hours="business"), start, end, "America/New_York")
    assert sla.total_seconds(hours) == 22 * 10 * HOUR  # 22 weekdays of 10 hours


def test_an_overnight_outage_in_business_hours_is_one_outage():
    # Down from Tuesday 17:00 to Wednesday 09:00 UTC: 1 h on each business day.
    hours = sla.service_hours(Service(sla_hours="business"), t(1), t(1, month=4), "UTC")
    r = report([(t(3, 17), t(4, 9))], hours=hours)
    assert r.downtime_s == 2 * HOUR
    assert r.outages == 1
    assert r.mttr_s == 2 * HOUR


# Maintenance windows


def test_a_weekly_maintenance_window_is_excluded_from_time_and_downtime():
    # Sundays 02:00–04:00 UTC from 1 March: 5 Sundays in March 2026.
    window = Window(t(1, 2), t(1, 4), "weekly")
    hours = sla.sla_time(Service(), *MARCH, "UTC", [window])
    assert sla.total_seconds(hours) == MARCH_S - 5 * 2 * HOUR
    # Down 01:00–03:00 on Sunday the 8th: only the hour before the window counts.
    r = report([(t(8, 1), t(8, 3))], hours=hours)
    assert r.measured_s == MARCH_S - 10 * HOUR
    assert r.downtime_s == HOUR


def test_an_outage_entirely_in_maintenance_is_not_an_outage():
    window = Window(t(15, 2), t(15, 4))
    hours = sla.sla_time(Service(), *MARCH, "UTC", [window])
    r = report([(t(15, 2, 30), t(15, 3))], hours=hours)
    assert (r.outages, r.downtime_s, r.availability_pct) == (0, 0, 100)


def test_a_monthly_window_on_the_31st_falls_on_the_last_day_of_shorter_months():
    window = Window(t(31, 22, month=1), t(31, 23, month=1), "monthly")
    found = sla.window_occurrences(window, t(1, month=2), t(1, month=6))
    assert [start for start, _ in found] == [
        t(28, 22, month=2),
        t(31, 22, month=3),
        t(30, 22, month=4),
        t(31, 22, month=5),
    ]
    assert all(end - start == datetime.timedelta(hours=1) for start, end in found)


def test_a_recurring_window_stops_after_its_until_date():
    window = Window(t(1, 2), t(1, 4), "weekly", until=datetime.date(2026, 3, 15))
    found = sla.window_occurrences(window, *MARCH)
    assert found == [(t(1, 2), t(1, 4)), (t(8, 2), t(8, 4)), (t(15, 2), t(15, 4))]


def test_a_daily_window_keeps_its_local_time_across_a_dst_change():
    # 01:30 London time: 01:30 UTC in winter, 00:30 UTC once summer time starts (29 March).
    window = Window(t(1, 1, 30, month=1), t(1, 2, 30, month=1), "daily")
    found = sla.window_occurrences(window, t(28), t(31), "Europe/London")
    assert (t(28, 1, 30), t(28, 2, 30)) in found
    assert (t(30, 0, 30), t(30, 1, 30)) in found


# Targets and error budget


def test_no_outages_is_100_percent_with_the_whole_budget_left():
    r = report([])
    assert r.availability_pct == 100
    assert r.outages == 0 and r.mttr_s is None and r.mtbf_s is None
    assert r.budget_s == pytest.approx(MARCH_S * 0.001)
    assert r.budget_left_pct == 100
    assert not r.breach


def test_below_target_is_a_breach_with_a_negative_budget_left():
    # April, 99.9 %: a budget of 43.2 minutes; one hour down overspends it by 16.8.
    r = report([(t(10, 12, month=4), t(10, 13, month=4))], period=APRIL)
    assert r.budget_s == pytest.approx(2592)
    assert r.budget_left_s == pytest.approx(-1008)
    assert r.budget_left_min == pytest.approx(-16.8)
    assert r.budget_left_pct == pytest.approx(-38.888, abs=0.001)
    assert r.availability_pct == pytest.approx(100 * (APRIL_S - HOUR) / APRIL_S)
    assert r.breach


def test_downtime_exactly_equal_to_the_budget_is_not_a_breach():
    outage = [(t(10, 12, month=4), t(10, 12, month=4) + datetime.timedelta(seconds=2592))]
    r = report(outage, period=APRIL, target=Decimal("99.9"))
    assert r.budget_left_s == 0
    assert not r.breach


def test_mttr_and_mtbf():
    r = report([(t(2, 10), t(2, 10, 10)), (t(20, 10), t(20, 10, 20))])
    assert r.outages == 2
    assert r.mttr_s == 15 * 60
    assert r.mtbf_s == (MARCH_S - 30 * 60) / 2
    assert r.downtime_min == 30


def test_a_100_percent_target_has_no_budget_to_express_a_share_of():
    r = report([(t(2, 10), t(2, 10, 1))], target=100)
    assert r.budget_s == 0 and r.budget_left_s == -60
    assert r.budget_left_pct is None
    assert r.breach
