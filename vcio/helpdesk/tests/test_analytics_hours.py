"""Business hours between instants, checked against a count minute by minute."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import numpy as np
import pytest

from vcio.helpdesk.analytics.hours import BusinessHours, business_hours_between, hours_for_clients
from vcio.helpdesk.models import HelpdeskPolicy

UTC = dt.UTC


def u(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def minute_by_minute(start: dt.datetime, end: dt.datetime, hours: BusinessHours) -> float:
    """The independent count: every UTC minute read on the local clock, kept if inside hours."""
    zone = zoneinfo.ZoneInfo(hours.time_zone)
    minutes, t = 0, start
    while t < end:
        local = t.astimezone(zone)
        working = str(local.isoweekday()) in hours.days and local.date() not in hours.holidays
        if working and hours.start <= local.time() < hours.end:
            minutes += 1
        t += dt.timedelta(minutes=1)
    return minutes / 60


CASES = [
    # Friday 16:00 to Monday 10:00 in New York: 2 h Friday + 2 h Monday.
    ("America/New_York", u(2026, 3, 6, 21, 0), u(2026, 3, 9, 14, 0)),
    # Across the spring-forward weekend (8 March 2026): local 17:30 Fri to 08:45 Mon (EDT).
    ("America/New_York", u(2026, 3, 6, 22, 30), u(2026, 3, 9, 12, 45)),
    # Across the autumn change in Paris (25 October 2026), a whole week.
    ("Europe/Paris", u(2026, 10, 22, 5, 0), u(2026, 10, 29, 19, 7)),
    # Opened on a Saturday, answered the same Saturday: no business time.
    ("UTC", u(2026, 5, 2, 9, 0), u(2026, 5, 2, 15, 0)),
    # Inside one day, before and after hours.
    ("Asia/Tokyo", u(2026, 5, 4, 22, 0), u(2026, 5, 5, 10, 13)),
]


@pytest.mark.parametrize(("zone", "start", "end"), CASES)
def test_business_hours_match_a_minute_by_minute_count(zone, start, end):
    hours = BusinessHours(time_zone=zone)
    got = business_hours_between([start], [end], hours)
    assert got[0] == pytest.approx(minute_by_minute(start, end, hours))


def test_a_six_day_desk_with_short_hours():
    hours = BusinessHours("Europe/London", "123456", dt.time(9, 30), dt.time(13, 0))
    start = u(2026, 3, 27, 10, 0)  # Friday, before the clocks change
    end = u(2026, 4, 1, 11, 0)
    assert business_hours_between([start], [end], hours)[0] == pytest.approx(
        minute_by_minute(start, end, hours)
    )


def test_holidays_stop_the_clock_like_a_weekend():
    # Christmas Eve 2026 is a Thursday; the desk closes on the 25th (Friday) and the 28th.
    holidays = (dt.date(2026, 12, 25), dt.date(2026, 12, 28))
    hours = BusinessHours("Europe/Berlin", holidays=holidays)
    start = u(2026, 12, 24, 16, 0)  # 17:00 in Berlin: 1 h left on the 24th
    end = u(2026, 12, 29, 9, 30)  # 10:30 on Tuesday the 29th: 2.5 h
    got = business_hours_between([start], [end], hours)[0]
    assert got == pytest.approx(minute_by_minute(start, end, hours))
    assert got == pytest.approx(3.5)
    # Without the holidays the 25th and 28th would add two 10-hour days.
    assert business_hours_between([start], [end], BusinessHours("Europe/Berlin"))[0] == 23.5


def test_many_tickets_at_once_missing_and_backwards_times():
    hours = BusinessHours()
    s = u(2026, 6, 1, 8, 0)  # Monday 08:00
    got = business_hours_between(
        [s, s, None, s], [s + dt.timedelta(hours=3), None, s, s - dt.timedelta(hours=1)], hours
    )
    assert got[0] == 3
    assert np.isnan(got[1]) and np.isnan(got[2])
    assert got[3] == 0  # a response before the opening (a clock error) is not negative


def test_clients_read_their_policy_or_the_defaults(acme, globex):
    acme.time_zone = "Europe/Paris"
    acme.save()
    HelpdeskPolicy.objects.create(
        client=globex,
        business_days="1234567",
        business_start=dt.time(0, 0),
        business_end=dt.time(23, 59),
    )
    HelpdeskPolicy.objects.filter(client=globex).update(holidays="2026-12-25,\n 2026-01-01")
    found = hours_for_clients([acme.pk, globex.pk])
    assert found[acme.pk] == BusinessHours("Europe/Paris", "12345", dt.time(8), dt.time(18))
    assert found[globex.pk].days == "1234567"
    assert found[globex.pk].holidays == (dt.date(2026, 1, 1), dt.date(2026, 12, 25))
