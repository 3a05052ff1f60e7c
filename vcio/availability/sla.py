"""SLA of business services: availability, downtime, MTTR, MTBF and error budget per period.

Pure interval arithmetic first (no ORM), then thin wrappers that load a
service's outages and maintenance windows in a fixed number of queries.

Definitions (all durations in seconds, all instants aware and in UTC):

* **SLA time** of a period: the service's SLA hours (24×7, or its business
  days and hours in the CLIENT's time zone) inside the period, minus its
  maintenance windows, and never beyond ``now``: a period that is not over
  yet is measured up to now (``SlaReport.partial`` says so).
* **Only measured time counts.** Nothing is known of a service before its
  monitoring began, so SLA time starts at ``monitored_from``: the start of
  the hour of its first check (hourly rollups are kept for good, so the
  figure never moves when raw results are pruned), or its first outage if
  older. A period that began before that is ``partial`` too; a service
  never checked has no SLA time at all (availability None, not 100 %).
* **Downtime**: the UNION of the outages of the service's monitors (two
  monitors down at once count once), open outages counted up to now,
  intersected with SLA time. An outage spanning two periods is split
  between them.
* **Outages**: the merged outages that overlap SLA time; one spanning two
  periods counts in each.
* **Availability %** = 100 × (SLA time − downtime) / SLA time; None when
  no SLA time was measured.
* **MTTR** (mean time to repair) = mean downtime within SLA time of the
  outages that have ended; None when none has.
* **MTBF** (mean time between failures) = uptime within SLA time / number
  of outages; None without outages.
* **Error budget** = SLA time × (100 − target) / 100; what is left of it
  is budget − downtime (negative when breached), also as a % of the budget
  (None when the budget is zero). **Breach**: availability below target.
"""

from __future__ import annotations

import bisect
import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from vcio.core.fiscal import FiscalQuarter, add_months, quarter_of

if TYPE_CHECKING:
    from vcio.availability.models import BusinessService, MaintenanceWindow

UTC = datetime.UTC
Interval = tuple[datetime.datetime, datetime.datetime]
ONE_SECOND = datetime.timedelta(seconds=1)
# A time zone: a ZoneInfo or its name (blank or unknown names mean UTC).
Tz = zoneinfo.ZoneInfo | str | None


class ServiceLike(Protocol):
    sla_hours: str
    business_days: str
    business_start: datetime.time
    business_end: datetime.time


class WindowLike(Protocol):
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    recurrence: str
    until: datetime.date | None


# Interval arithmetic ------------------------------------------------------------


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of ``intervals``: sorted, disjoint, empty ones dropped; touching ones joined."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """The time in both ``a`` and ``b``, as sorted disjoint intervals."""
    left, right = merge(a), merge(b)
    result: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i][0], right[j][0])
        end = min(left[i][1], right[j][1])
        if start < end:
            result.append((start, end))
        # Advance whichever ends first: it cannot overlap anything further.
        if left[i][1] <= right[j][1]:
            i += 1
        else:
            j += 1
    return result


def subtract(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """The time in ``a`` but not in ``b``, as sorted disjoint intervals."""
    holes = merge(b)
    result: list[Interval] = []
    for start, end in merge(a):
        cursor = start
        # Holes sorted by start: only the one before ``start`` and later ones can cut in.
        for hole_start, hole_end in holes[max(0, bisect.bisect_left(holes, (start,)) - 1) :]:
            if hole_start >= end:
                break
            if hole_end > cursor:
                if hole_start > cursor:
                    result.append((cursor, hole_start))
                cursor = max(cursor, hole_end)
        if cursor < end:
            result.append((cursor, end))
    return result


def clip(
    intervals: Iterable[Interval], start: datetime.datetime, end: datetime.datetime
) -> list[Interval]:
    """``intervals`` cut to [start, end), merged."""
    return intersect(intervals, [(start, end)])


def total_seconds(intervals: Iterable[Interval]) -> float:
    """Seconds covered by ``intervals`` (overlaps counted once)."""
    return sum((end - start) / ONE_SECOND for start, end in merge(intervals))


# SLA hours and maintenance windows -----------------------------------------------


def zone(tz: Tz) -> zoneinfo.ZoneInfo:
    """A ZoneInfo for ``tz`` (a name or a zone); UTC for a blank or unknown name."""
    if isinstance(tz, zoneinfo.ZoneInfo):
        return tz
    try:
        return zoneinfo.ZoneInfo(tz or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _local(day: datetime.date, at: datetime.time, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    """The UTC instant of wall-clock ``at`` on ``day`` in ``tz`` (zoneinfo resolves DST)."""
    return datetime.datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def _days(
    start: datetime.datetime, end: datetime.datetime, tz: zoneinfo.ZoneInfo
) -> Iterator[datetime.date]:
    """Every local date in ``tz`` that [start, end) touches, plus one either side."""
    day = start.astimezone(tz).date() - datetime.timedelta(days=1)
    last = end.astimezone(tz).date() + datetime.timedelta(days=1)
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


def service_hours(
    service: ServiceLike, start: datetime.datetime, end: datetime.datetime, tz: Tz
) -> list[Interval]:
    """The service's SLA hours within [start, end): all of it for 24×7, else business hours.

    Business hours are wall-clock times in the client's time zone ``tz``, so
    they stay 08:00–18:00 local on both sides of a DST change.
    """
    if service.sla_hours != "business":
        return clip([(start, end)], start, end)
    tz = zone(tz)
    days = {int(d) for d in service.business_days}
    hours = [
        (_local(day, service.business_start, tz), _local(day, service.business_end, tz))
        for day in _days(start, end, tz)
        if day.isoweekday() in days
    ]
    return clip(hours, start, end)


def _nth(window: WindowLike, n: int, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    """Start of the ``n``-th occurrence (0 = the first), repeated in local wall-clock time."""
    first = window.starts_at.astimezone(tz)
    if window.recurrence == "daily":
        day = first.date() + datetime.timedelta(days=n)
    elif window.recurrence == "weekly":
        day = first.date() + datetime.timedelta(weeks=n)
    else:  # monthly: same day of the month, the month's last day when it is shorter
        day = add_months(first.date(), n)
    return _local(day, first.time(), tz)


def _skip(window: WindowLike, start: datetime.datetime, tz: zoneinfo.ZoneInfo) -> int:
    """An occurrence number safely before the first one that can overlap ``start``."""
    first = window.starts_at.astimezone(tz).date()
    span = window.ends_at - window.starts_at
    days = (start.astimezone(tz).date() - first).days - span.days - 2
    if days <= 0:
        return 0
    per = {"daily": 1, "weekly": 7}.get(window.recurrence)
    return days // per if per else max(0, days // 31 - 1)


def window_occurrences(
    window: WindowLike, start: datetime.datetime, end: datetime.datetime, tz: Tz = "UTC"
) -> list[Interval]:
    """The occurrences of a maintenance window that overlap [start, end), cut to it.

    A recurring window repeats at the same wall-clock time in ``tz`` (the
    client's zone) daily, weekly or monthly — on the same day of the month,
    or the month's last day when the month is shorter (a window on the 31st
    falls on 30 April and 28 February) — as long as an occurrence starts no
    later than the local date ``until`` (None: forever).
    """
    if window.recurrence not in ("daily", "weekly", "monthly"):
        return clip([(window.starts_at, window.ends_at)], start, end)
    tz = zone(tz)
    span = window.ends_at - window.starts_at
    found: list[Interval] = []
    n = _skip(window, start, tz)
    while True:
        begin = _nth(window, n, tz)
        if begin >= end or (window.until and begin.astimezone(tz).date() > window.until):
            break
        if begin + span > start:
            found.append((begin, begin + span))
        n += 1
    return clip(found, start, end)


def sla_time(
    service: ServiceLike,
    start: datetime.datetime,
    end: datetime.datetime,
    tz: Tz,
    windows: Iterable[WindowLike] = (),
) -> list[Interval]:
    """The time the SLA is measured over in [start, end): SLA hours minus maintenance windows."""
    planned = [o for w in windows for o in window_occurrences(w, start, end, tz)]
    return subtract(service_hours(service, start, end, tz), planned)


# The report ---------------------------------------------------------------------


@dataclass(frozen=True)
class SlaReport:
    """A service's SLA over one period [start, end); durations in seconds, percentages 0–100.

    ``measured_s`` is the SLA time, ``outages`` the merged outages touching
    it, ``mttr_s``/``mtbf_s`` as defined in the module doc, ``budget_s`` the
    downtime the target allows over the measured time and ``budget_left_s``
    what remains of it (negative when breached). ``partial`` is True when
    the period ends after ``now``: only the time up to now was measured (a
    current or future period). ``ongoing``: one of those outages is still open.
    """

    label: str
    start: datetime.datetime
    end: datetime.datetime
    measured_s: float
    downtime_s: float
    availability_pct: float | None
    outages: int
    mttr_s: float | None
    mtbf_s: float | None
    budget_s: float
    budget_left_s: float
    budget_left_pct: float | None
    breach: bool
    target_pct: float
    partial: bool
    ongoing: bool  # an outage that touched SLA time is still open (current period)
    # When the service's monitoring began (None: never, or unknown to a bare compute()).
    monitored_from: datetime.datetime | None = None

    @property
    def unmonitored_start(self) -> bool:
        """True when part of the period passed before monitoring began (not counted)."""
        return self.monitored_from is not None and self.monitored_from > self.start

    @property
    def partial_note(self) -> str:
        """Why the period is partial, for people: "" when it is not.

        "not monitored", "monitored from 3 Sep 2026 20:00 UTC" or "so far".
        """
        if self.monitored_from is not None and self.monitored_from >= self.end:
            return "not monitored"
        if self.unmonitored_start:
            since = self.monitored_from.astimezone(UTC).strftime("%-d %b %Y %H:%M UTC")
            return f"monitored from {since}"
        return "so far" if self.partial else ""

    @property
    def downtime_min(self) -> float:
        """Downtime in minutes."""
        return self.downtime_s / 60

    @property
    def budget_left_min(self) -> float:
        """Error budget left in minutes (negative when breached)."""
        return self.budget_left_s / 60


OutageSpan = tuple[datetime.datetime, datetime.datetime | None]


def compute(
    outages: Iterable[OutageSpan],
    sla_intervals: Iterable[Interval],
    target_pct: float | Decimal,
    now: datetime.datetime,
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    label: str = "",
    monitored_from: datetime.datetime | None = None,
) -> SlaReport:
    """The SLA report of a period [start, end) from outages and SLA time (see the module doc).

    ``monitored_from``: SLA time before it is not counted and the period is
    marked partial.

    ``outages`` are (started_at, ended_at or None for still open) pairs of
    any of the service's monitors; ``sla_intervals`` is the SLA time
    (``sla_time``), cut here to the period and to ``now``.
    """
    until = min(end, now)
    begin = max(start, monitored_from) if monitored_from else start
    sla = clip(sla_intervals, begin, until) if until > begin else []
    down = _merge_outages(outages, now)
    per_outage = _overlap_each([(s, e) for s, e, _open in down], sla)
    hit = [(sec, not still) for sec, (_s, _e, still) in zip(per_outage, down, strict=True) if sec]
    measured = total_seconds(sla)
    downtime = sum(sec for sec, _ in hit)
    repaired = [sec for sec, done in hit if done]
    target = Decimal(str(target_pct))
    # Decimal, so a downtime exactly equal to the budget is not a breach by rounding.
    budget = Decimal(repr(measured)) * (100 - target) / 100
    left = budget - Decimal(repr(downtime))
    return SlaReport(
        label=label,
        start=start,
        end=end,
        measured_s=measured,
        downtime_s=downtime,
        availability_pct=100 * (measured - downtime) / measured if measured else None,
        outages=len(hit),
        mttr_s=sum(repaired) / len(repaired) if repaired else None,
        mtbf_s=(measured - downtime) / len(hit) if hit else None,
        budget_s=float(budget),
        budget_left_s=float(left),
        budget_left_pct=float(100 * left / budget) if budget else None,
        breach=left < 0,
        target_pct=float(target),
        partial=end > now or (monitored_from is not None and monitored_from > start),
        # Open now and the period is the current one: an outage in progress.
        ongoing=end > now and any(not done for _sec, done in hit),
        monitored_from=monitored_from,
    )


def _merge_outages(
    outages: Iterable[OutageSpan], now: datetime.datetime
) -> list[tuple[datetime.datetime, datetime.datetime, bool]]:
    """Union of the outages as (start, end, still open); open ones (and the future) end at now."""
    merged: list[tuple[datetime.datetime, datetime.datetime, bool]] = []
    spans = sorted((s, min(e, now) if e else now, e is None or e > now) for s, e in outages)
    for start, end, still in spans:
        if start >= now:
            continue
        if merged and start <= merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2] or still)
        else:
            merged.append((start, end, still))
    return merged


def _overlap_each(outages: list[Interval], sla: list[Interval]) -> list[float]:
    """Seconds of each (merged, sorted) outage that fall in SLA time."""
    starts = [s for s, _ in sla]
    result = []
    for o_start, o_end in outages:
        i = max(0, bisect.bisect_right(starts, o_start) - 1)
        seconds = 0.0
        while i < len(sla) and sla[i][0] < o_end:
            overlap = min(o_end, sla[i][1]) - max(o_start, sla[i][0])
            seconds += max(0.0, overlap / ONE_SECOND)
            i += 1
        result.append(seconds)
    return result


# Loading from the database --------------------------------------------------------

Period = tuple[datetime.datetime, datetime.datetime, str]  # start, end (exclusive), label


def month_period(year: int, month: int, tz: Tz) -> Period:
    """Calendar month ``year``-``month`` in the client's zone ``tz``, labelled e.g. "2026-03"."""
    first = datetime.date(year, month, 1)
    midnight = datetime.time(0, 0)
    start = _local(first, midnight, zone(tz))
    return start, _local(add_months(first, 1), midnight, zone(tz)), f"{year}-{month:02d}"


def quarter_period(quarter: FiscalQuarter, tz: Tz) -> Period:
    """A fiscal quarter, local midnight to local midnight in ``tz``, labelled e.g. "FY2026 Q1"."""
    midnight = datetime.time(0, 0)
    end_day = quarter.end + datetime.timedelta(days=1)
    start = _local(quarter.start, midnight, zone(tz))
    return start, _local(end_day, midnight, zone(tz)), quarter.label


def _clients(services: list[BusinessService]) -> dict[int, dict[str, Any]]:
    """Time zone and fiscal start month of the services' clients: one query."""
    from vcio.core.models import Client

    ids = {s.client_id for s in services}
    rows = Client.objects.filter(pk__in=ids).values("id", "time_zone", "fiscal_year_start_month")
    return {row["id"]: row for row in rows}


def load_spans(
    ids: list[int], first: datetime.datetime, last: datetime.datetime
) -> tuple[dict[int, list[OutageSpan]], dict[int, list[MaintenanceWindow]]]:
    """The services' outages and maintenance windows touching [first, last): two queries."""
    from django.db.models import Q

    from vcio.availability.models import MaintenanceWindow, Outage

    outages: dict[int, list[OutageSpan]] = defaultdict(list)
    for service_id, started, ended in (
        Outage.objects.filter(service_id__in=ids, started_at__lt=last)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=first))
        .order_by()
        .values_list("service_id", "started_at", "ended_at")
    ):
        outages[service_id].append((started, ended))
    windows: dict[int, list[MaintenanceWindow]] = defaultdict(list)
    # A recurring window that started long ago may still repeat in the range.
    for window in (
        MaintenanceWindow.objects.filter(service_id__in=ids, starts_at__lt=last)
        .filter(Q(ends_at__gt=first) | ~Q(recurrence="none"))
        .order_by()
    ):
        windows[window.service_id].append(window)
    return outages, windows


def monitoring_started(ids: list[int]) -> dict[int, datetime.datetime]:
    """When each service's monitoring began (see the module doc); one query.

    Services never checked and never down are missing from the result.
    """
    from django.db.models import Min

    from vcio.availability.models import HourlyRollup, Outage

    hours = (
        HourlyRollup.objects.filter(monitor__service_id__in=ids)
        .order_by()
        .values_list("monitor__service_id")
        .annotate(first=Min("hour"))
    )
    downs = (
        Outage.objects.filter(service_id__in=ids)
        .order_by()
        .values_list("service_id")
        .annotate(first=Min("started_at"))
    )
    found: dict[int, datetime.datetime] = {}
    for service_id, first in hours.union(downs, all=True):
        if service_id not in found or first < found[service_id]:
            found[service_id] = first
    return found


# Stands for "never monitored": later than any period, so no SLA time is counted.
NEVER = datetime.datetime.max.replace(tzinfo=UTC)


def services_reports(
    services: Iterable[BusinessService],
    periods_of: Callable[[dict[str, Any], datetime.datetime], list[Period]],
    now: datetime.datetime | None,
) -> dict[int, list[SlaReport]]:
    """Each service's reports over the periods ``periods_of(client_row, now)`` gives it.

    Four queries whatever the number of services and periods: clients,
    outages and maintenance windows (over the span of all the periods), and
    when each service's monitoring began.
    """
    from django.utils import timezone

    services = list(services)
    now = now or timezone.now()
    if not services:
        return {}
    clients = _clients(services)
    periods = {s.pk: periods_of(clients[s.client_id], now) for s in services}
    spans = [p for ps in periods.values() for p in ps]
    if not spans:
        return {s.pk: [] for s in services}
    last = min(max(p[1] for p in spans), now)
    outages, windows = load_spans(list(periods), min(p[0] for p in spans), last)
    started = monitoring_started(list(periods))
    result: dict[int, list[SlaReport]] = {}
    for service in services:
        tz = zone(clients[service.client_id]["time_zone"])
        result[service.pk] = [
            compute(
                outages[service.pk],
                sla_time(service, start, min(end, now), tz, windows[service.pk]),
                service.sla_target,
                now,
                start=start,
                end=end,
                label=label,
                monitored_from=started.get(service.pk, NEVER),
            )
            for start, end, label in periods[service.pk]
        ]
    return result


def services_sla(
    services: Iterable[BusinessService],
    start: datetime.datetime,
    end: datetime.datetime,
    now: datetime.datetime | None = None,
    label: str = "",
) -> dict[int, SlaReport]:
    """The SLA of many services over one range [start, end): ``{service_id: SlaReport}``.

    Three queries whatever the number of services (see ``_reports``).
    """
    reports = services_reports(services, lambda _client, _now: [(start, end, label)], now)
    return {pk: found[0] for pk, found in reports.items()}


def service_sla(
    service: BusinessService,
    start: datetime.datetime,
    end: datetime.datetime,
    now: datetime.datetime | None = None,
    label: str = "",
) -> SlaReport:
    """One service's SLA over [start, end) (a custom range)."""
    return services_sla([service], start, end, now, label)[service.pk]


def monthly(
    service: BusinessService, months: int = 12, now: datetime.datetime | None = None
) -> list[SlaReport]:
    """The last ``months`` calendar months in the client's zone, oldest first, this one last.

    Returns a list of SlaReport; the current month is ``partial``.
    """

    def periods(client: dict[str, Any], now: datetime.datetime) -> list[Period]:
        today = now.astimezone(zone(client["time_zone"])).date().replace(day=1)
        days = [add_months(today, -n) for n in range(months - 1, -1, -1)]
        return [month_period(d.year, d.month, client["time_zone"]) for d in days]

    return services_reports([service], periods, now)[service.pk]


def _quarters(count: int) -> Callable[[dict[str, Any], datetime.datetime], list[Period]]:
    """The last ``count`` fiscal quarters of a client, oldest first, the current one last."""

    def periods(client: dict[str, Any], now: datetime.datetime) -> list[Period]:
        today = now.astimezone(zone(client["time_zone"])).date()
        current = quarter_of(today, client["fiscal_year_start_month"])
        quarters = [current.shift(-n) for n in range(count - 1, -1, -1)]
        return [quarter_period(q, client["time_zone"]) for q in quarters]

    return periods


def by_quarter(
    service: BusinessService, quarters: int = 4, now: datetime.datetime | None = None
) -> list[SlaReport]:
    """The last ``quarters`` fiscal quarters of the service's client, oldest first.

    Returns a list of SlaReport; the current quarter is ``partial``.
    """
    return services_reports([service], _quarters(quarters), now)[service.pk]


def this_quarter(
    services: Iterable[BusinessService], now: datetime.datetime | None = None
) -> dict[int, SlaReport]:
    """Each service's SLA over its own client's current fiscal quarter: three queries."""
    return {pk: found[0] for pk, found in services_reports(services, _quarters(1), now).items()}
