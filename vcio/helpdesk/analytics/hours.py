"""Business hours between instants, for many tickets at once, in a client's time zone.

The clock runs on the client's business days between its start and end
times (``HelpdeskPolicy``; Monday to Friday, 08:00–18:00 when it has none),
read on the wall clock of its time zone, so a day of business is the same
length in summer and winter time. The policy's holidays (public holidays,
a closure) count as days off.

The count is a difference of a cumulative function: ``minutes_before(t)``
is the number of business minutes from a fixed epoch to ``t``, computed for
a whole array with ``numpy.busday_count``; the business time between two
instants is the difference of their values.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

EPOCH = np.datetime64("2000-01-03", "D")  # a Monday, before any ticket


@dataclass(frozen=True)
class BusinessHours:
    """When a client's help desk works: ISO weekdays (1 = Monday), hours, time zone."""

    time_zone: str = "UTC"
    days: str = "12345"
    start: datetime.time = datetime.time(8, 0)
    end: datetime.time = datetime.time(18, 0)
    holidays: tuple[datetime.date, ...] = ()

    @property
    def weekmask(self) -> str:
        """NumPy's weekmask, Monday first: "1111100" for Monday to Friday."""
        return "".join("1" if str(d) in self.days else "0" for d in range(1, 8))

    @property
    def day_minutes(self) -> int:
        """Business minutes in one business day."""
        return _minute_of_day(self.end) - _minute_of_day(self.start)


def _minute_of_day(t: datetime.time) -> int:
    return t.hour * 60 + t.minute


def local_minutes(instants: Sequence[datetime.datetime | None], time_zone: str) -> np.ndarray:
    """Aware instants as local wall-clock minutes (``datetime64[m]``); None becomes NaT."""
    zone = zoneinfo.ZoneInfo(time_zone)
    values = [
        np.datetime64(t.astimezone(zone).replace(tzinfo=None), "m") if t is not None else None
        for t in instants
    ]
    return np.array(values, dtype="datetime64[m]")


def minutes_before(local: np.ndarray, hours: BusinessHours) -> np.ndarray:
    """Business minutes from :data:`EPOCH` to each local wall-clock minute (float; NaT → NaN)."""
    valid = ~np.isnat(local)
    out = np.full(local.shape, np.nan)
    if not valid.any():
        return out
    stamps = local[valid]
    days = stamps.astype("datetime64[D]")
    off = np.array(hours.holidays, dtype="datetime64[D]")
    whole = np.busday_count(EPOCH, days, weekmask=hours.weekmask, holidays=off)
    minute = (stamps - days).astype("timedelta64[m]").astype(np.int64)
    start, end = _minute_of_day(hours.start), _minute_of_day(hours.end)
    today = np.clip(minute, start, end) - start
    today = np.where(np.is_busday(days, weekmask=hours.weekmask, holidays=off), today, 0)
    out[valid] = whole * hours.day_minutes + today
    return out


def business_hours_between(
    starts: Sequence[datetime.datetime | None],
    ends: Sequence[datetime.datetime | None],
    hours: BusinessHours,
) -> np.ndarray:
    """Business hours from each start to its end (float hours; NaN where either is missing).

    An end before its start (a source's clock error) counts as 0 hours.
    """
    a = minutes_before(local_minutes(starts, hours.time_zone), hours)
    b = minutes_before(local_minutes(ends, hours.time_zone), hours)
    with np.errstate(invalid="ignore"):
        return np.maximum(b - a, 0) / 60.0


def hours_for_clients(client_ids: list[int]) -> dict[int, BusinessHours]:
    """Each client's business hours: its policy, else the defaults, in its time zone (2 queries)."""
    from vcio.core.models import Client
    from vcio.helpdesk.models import HelpdeskPolicy
    from vcio.helpdesk.models.policy import holiday_dates

    zones = dict(Client.objects.filter(pk__in=client_ids).values_list("id", "time_zone"))
    found = {cid: BusinessHours(time_zone=tz or "UTC") for cid, tz in zones.items()}
    for p in HelpdeskPolicy.objects.filter(client_id__in=client_ids):
        found[p.client_id] = BusinessHours(
            zones.get(p.client_id) or "UTC",
            p.business_days,
            p.business_start,
            p.business_end,
            holiday_dates(p.holidays),
        )
    return found
