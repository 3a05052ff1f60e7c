"""Demo availability: business services, monitors on the local demo target, 90 days of history.

For each demo client (acme, globex, initech): three or four business
services with SLA targets, one HTTP monitor each aimed at ``vcio
demo_target`` on 127.0.0.1 (one per client on ``/flaky/``, which goes down
now and then), a monthly maintenance window, an email alert channel on the
most critical service, and 90 days of generated history — hourly rollups
with a daily latency pattern and a handful of outages per service, one of
them long enough for Acme's ERP to miss its SLA in one month. No outage
falls inside a maintenance window.

Deterministic (one generator seeded by client and service) and idempotent:
services and monitors are upserted on (client, name) and (service, name);
history is generated only for monitors that have no rollups yet. Monitors
are due at once, so ``make run``'s worker checks them as soon as it starts.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from vcio.assets.models import Asset
from vcio.availability.demo_target import APPS, demo_target_port
from vcio.availability.models import (
    AlertChannel,
    BusinessService,
    HourlyRollup,
    MaintenanceWindow,
    Monitor,
    Outage,
)
from vcio.availability.models import Criticality as C
from vcio.availability.models import SlaHours as H
from vcio.availability.models.services import Recurrence
from vcio.core.models import Client, Department
from vcio.core.registry import DemoLoader, demo_loaders

HISTORY_DAYS = 90
HOUR = datetime.timedelta(hours=1)
ZERO = datetime.timedelta(0)
WEEK = datetime.timedelta(days=7)
# Outages never come closer than this to a maintenance window: SLA code may
# repeat a monthly window in UTC or in local time, an hour apart across DST.
MAINTENANCE_MARGIN = datetime.timedelta(hours=2)


@dataclass(frozen=True)
class ServiceSpec:
    """A demo business service and how its generated history behaves."""

    name: str
    department: str
    criticality: int
    sla_target: str  # percent
    sla_hours: str
    path: str  # on the demo target
    description: str
    latency_ms: float  # typical off-peak response time
    short_outages: int  # how many in 90 days
    short_minutes: tuple[int, int]  # shortest and longest, in minutes
    business_days: str = "12345"
    business_hours: tuple[int, int] = (8, 18)  # local hours, start and end


@dataclass(frozen=True)
class Maintenance:
    """A monthly maintenance window: day of the month, local start hour, length in hours."""

    service: str
    title: str
    day: int
    hour: int
    hours: int


SERVICES: dict[str, list[ServiceSpec]] = {
    "acme": [
        ServiceSpec("ERP (Epicor Kinetic)", "Finance", C.CRITICAL, "99.9", H.BUSINESS, "/erp/",
                    "Orders, purchasing, inventory and finance for both plants.", 220, 3, (1, 3)),
        ServiceSpec("Customer portal", "Sales", C.HIGH, "99.5", H.ALWAYS, "/portal/",
                    "Distributors place orders and track shipments.", 260, 5, (3, 15)),
        ServiceSpec("Email (Microsoft 365)", "IT", C.HIGH, "99.9", H.ALWAYS, "/mail/",
                    "Exchange Online mail and calendars.", 120, 4, (2, 8)),
        ServiceSpec("Plant-floor MES", "Production", C.HIGH, "99.5", H.ALWAYS, "/flaky/",
                    "Work orders and line status on the Dayton and Toledo floors.", 90, 10, (2, 6)),
    ],
    "globex": [
        ServiceSpec("EHR (eClinicalWorks)", "Clinical", C.CRITICAL, "99.9", H.BUSINESS, "/ehr/",
                    "Charts, orders and e-prescribing in all three clinics.", 250, 3, (1, 3),
                    business_days="123456", business_hours=(7, 19)),
        ServiceSpec("Patient portal", "Front desk", C.HIGH, "99.5", H.ALWAYS, "/portal/",
                    "Appointments, messages and results for patients.", 280, 5, (3, 15)),
        ServiceSpec("Email (Microsoft 365)", "Administration", C.HIGH, "99.9", H.ALWAYS, "/mail/",
                    "Exchange Online mail and calendars.", 120, 4, (2, 8)),
        ServiceSpec("Fax gateway", "Front desk", C.MEDIUM, "99.0", H.ALWAYS, "/flaky/",
                    "Referrals and records requests still arrive by fax.", 150, 10, (2, 6)),
    ],
    "initech": [
        ServiceSpec("Document management (NetDocuments)", "Partners", C.CRITICAL, "99.9",
                    H.BUSINESS, "/docs/", "Matter workspaces, documents and email filing.",
                    180, 3, (1, 3)),
        ServiceSpec("Time and billing", "Office", C.HIGH, "99.5", H.BUSINESS, "/billing/",
                    "Timesheets, invoices and matter accounts.", 200, 4, (2, 8)),
        ServiceSpec("Email (Microsoft 365)", "Office", C.HIGH, "99.9", H.ALWAYS, "/mail/",
                    "Exchange Online mail and calendars.", 130, 4, (2, 8)),
        ServiceSpec("Client extranet", "Partners", C.MEDIUM, "99.0", H.ALWAYS, "/flaky/",
                    "Shares documents with clients and counsel.", 160, 10, (2, 6)),
    ],
}  # fmt: skip
MAINTENANCE: dict[str, Maintenance] = {
    "acme": Maintenance("ERP (Epicor Kinetic)", "Monthly ERP and Windows patching", 12, 20, 3),
    "globex": Maintenance("Patient portal", "Monthly portal upgrade", 5, 1, 2),
    "initech": Maintenance("Time and billing", "Monthly billing system updates", 20, 19, 3),
}
ALERT_TO: dict[str, tuple[str, str]] = {  # service alerted on, address
    "acme": ("ERP (Epicor Kinetic)", "tom.becker@acme.example"),
    "globex": ("EHR (eClinicalWorks)", "luis.ortega@globex-health.example"),
    "initech": ("Document management (NetDocuments)", "sophie.clarke@initech-legal.example"),
}
ASSETS: dict[tuple[str, str], list[str]] = {  # linked when the assets demo made them
    ("acme", "ERP (Epicor Kinetic)"): ["ACME-ERP01", "ACME-ERP-LEGACY", "ACME-SQL01"],
}
# The one long outage: Acme's ERP, on a weekday this many days ago, during business hours.
BREACH = ("acme", "ERP (Epicor Kinetic)")
BREACH_DAYS_AGO = 45
BREACH_START = datetime.time(9, 40)
BREACH_LENGTH = datetime.timedelta(hours=3, minutes=10)
CAUSES = [
    "HTTP 503 Service Unavailable",
    "HTTP 502 Bad Gateway",
    "timed out after 10 s",
    "connection refused",
    "HTTP 500 Internal Server Error",
]
Span = tuple[datetime.datetime, datetime.datetime]


def history_span(now: datetime.datetime) -> Span:
    """The 90 days of generated history: whole UTC hours, ending at the start of ``now``'s hour."""
    end = now.astimezone(datetime.UTC).replace(minute=0, second=0, microsecond=0)
    return end - datetime.timedelta(days=HISTORY_DAYS), end


def first_occurrence(m: Maintenance, tz: ZoneInfo, start: datetime.datetime) -> datetime.datetime:
    """The window's first start: its day of the month on or before ``start``, at its local hour."""
    local = start.astimezone(tz)
    year, month = (local.year, local.month) if local.day >= m.day else _previous(local)
    return datetime.datetime(year, month, m.day, m.hour, tzinfo=tz)


def _previous(d: datetime.datetime) -> tuple[int, int]:
    return (d.year, d.month - 1) if d.month > 1 else (d.year - 1, 12)


def occurrences(m: Maintenance, tz: ZoneInfo, span: Span) -> list[Span]:
    """Every start and end (UTC) of the monthly window that begins before ``span`` ends."""
    first = first_occurrence(m, tz, span[0])
    found, year, month = [], first.year, first.month
    while True:
        begins = datetime.datetime(year, month, m.day, m.hour, tzinfo=tz)
        if begins >= span[1]:
            return found
        found.append(
            (begins.astimezone(datetime.UTC), (begins + m.hours * HOUR).astimezone(datetime.UTC))
        )
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)


def _overlaps(a: Span, spans: list[Span], margin: datetime.timedelta) -> bool:
    return any(a[0] < b[1] + margin and b[0] < a[1] + margin for b in spans)


def breach_outage(tz: ZoneInfo, span: Span) -> Span:
    """The long outage (UTC): the first weekday on or before BREACH_DAYS_AGO, in the morning."""
    day = (span[1] - datetime.timedelta(days=BREACH_DAYS_AGO)).astimezone(tz).date()
    while day.isoweekday() > 5:
        day -= datetime.timedelta(days=1)
    begins = datetime.datetime.combine(day, BREACH_START, tzinfo=tz).astimezone(datetime.UTC)
    return begins, begins + BREACH_LENGTH


def plan_outages(
    spec: ServiceSpec, rng: random.Random, span: Span, blocked: list[Span], long: Span | None
) -> list[tuple[datetime.datetime, datetime.datetime, str]]:
    """The service's outages (UTC start, end, cause), clear of ``blocked`` and of each other.

    All have ended a day before ``span`` ends, so the live worker starts from "up".
    """
    while long and _overlaps(long, blocked, MAINTENANCE_MARGIN):
        long = (long[0] - WEEK, long[1] - WEEK)  # same weekday and hours, a week earlier
    planned: list[Span] = [long] if long else []
    latest = (span[1] - span[0]).total_seconds() - 86400
    attempts = 0
    while len(planned) < spec.short_outages + (1 if long else 0) and attempts < 1000:
        attempts += 1
        begins = span[0] + datetime.timedelta(seconds=rng.uniform(0, latest))
        begins = begins.replace(microsecond=0)
        minutes = rng.uniform(*spec.short_minutes)
        outage = (begins, begins + datetime.timedelta(minutes=minutes))
        if not _overlaps(outage, blocked, MAINTENANCE_MARGIN) and not _overlaps(
            outage, planned, HOUR
        ):
            planned.append(outage)
    causes = [("connection refused" if o == long else rng.choice(CAUSES)) for o in planned]
    return sorted((s, e, cause) for (s, e), cause in zip(planned, causes, strict=True))


def _busyness(spec: ServiceSpec, local: datetime.datetime) -> float:
    """How loaded the service is in a local hour: 1 at work, less in the evening, 0 at night."""
    start, end = spec.business_hours
    if str(local.isoweekday()) not in spec.business_days:
        return 0.1
    if start <= local.hour < end:
        return 1.0
    return 0.3 if end <= local.hour < 22 else 0.0


def rollup_rows(
    spec: ServiceSpec,
    monitor: Monitor,
    rng: random.Random,
    span: Span,
    tz: ZoneInfo,
    outages: list[Span],
) -> list[HourlyRollup]:
    """One rollup per hour of ``span``: checks, failed checks during outages, latency in ms.

    Latency follows the working day (80–400 ms on average); ``latency_sum_ms``
    adds the successful checks only, and ``latency_max_ms`` is None when none was.
    """
    interval = datetime.timedelta(seconds=monitor.interval_s)
    per_hour = int(HOUR / interval)
    rows, hour = [], span[0]
    while hour < span[1]:
        down = sum((max(ZERO, min(e, hour + HOUR) - max(s, hour)) for s, e in outages), ZERO)
        failures = min(per_hour, -(-down // interval))  # any downtime in the hour fails a check
        mean = spec.latency_ms * (1 + 0.6 * _busyness(spec, hour.astimezone(tz)))
        mean = min(400.0, max(80.0, mean * rng.uniform(0.85, 1.2)))
        peak = mean * rng.uniform(1.3, 2.2)
        if spec.path == "/portal/" and rng.random() < 0.08:
            peak = rng.uniform(1100, 1900)  # the portal's slow moments (slow_ms is 1000)
        ok = per_hour - failures
        rows.append(
            HourlyRollup(
                monitor=monitor,
                hour=hour,
                checks=per_hour,
                failures=failures,
                latency_sum_ms=round(mean * ok, 1),
                latency_max_ms=round(peak, 1) if ok else None,
            )
        )
        hour += HOUR
    return rows


def _upsert_service(
    client: Client, spec: ServiceSpec, depts: dict[str, Department]
) -> BusinessService:
    start, end = spec.business_hours
    service, _ = BusinessService.objects.update_or_create(
        client=client,
        name=spec.name,
        defaults={
            "description": spec.description,
            "owner_department": depts.get(spec.department),
            "criticality": spec.criticality,
            "sla_target": Decimal(spec.sla_target),
            "sla_hours": spec.sla_hours,
            "business_days": spec.business_days,
            "business_start": datetime.time(start),
            "business_end": datetime.time(end),
        },
    )
    names = ASSETS.get((client.slug, spec.name))
    if names:
        service.assets.add(*Asset.objects.filter(client=client, name__in=names))
    return service


def _upsert_monitor(
    service: BusinessService, spec: ServiceSpec, port: int, now: datetime.datetime
) -> Monitor:
    flaky = spec.path == "/flaky/"
    monitor, _ = Monitor.objects.update_or_create(
        service=service,
        name=f"{spec.name.split(' (')[0]} web check",
        defaults={
            "kind": "http",
            "target": f"http://127.0.0.1:{port}{spec.path}",
            "keyword": APPS[spec.path].keyword,
            # /flaky/ is down two minutes at a time: check every 30 s and call it
            # down after two failures, so each dip becomes a short outage.
            "interval_s": 30 if flaky else 60,
            "failures_to_down": 2 if flaky else 3,
            "slow_ms": 1000 if spec.path == "/portal/" else None,
        },
    )
    if monitor.next_run_at is None:
        Monitor.objects.filter(pk=monitor.pk).update(next_run_at=now)
    return monitor


def load_client(client: Client, now: datetime.datetime, port: int) -> tuple[int, int, int]:
    """The client's demo services, monitors and history; (services, rollups, outages) created."""
    tz = ZoneInfo(client.time_zone or "UTC")
    span = history_span(now)
    depts = {d.name: d for d in Department.objects.filter(client=client)}
    maint = MAINTENANCE[client.slug]
    rollups: list[HourlyRollup] = []
    outages: list[Outage] = []
    specs = SERVICES[client.slug]
    pairs = []
    for spec in specs:
        service = _upsert_service(client, spec, depts)
        pairs.append((spec, service, _upsert_monitor(service, spec, port, now)))
    has_history = set(
        HourlyRollup.objects.filter(monitor__in=[m for _, _, m in pairs])
        .values_list("monitor_id", flat=True)
        .distinct()
    )
    for spec, service, monitor in pairs:
        blocked: list[Span] = []
        if spec.name == maint.service:
            first = first_occurrence(maint, tz, span[0])
            MaintenanceWindow.objects.get_or_create(
                service=service,
                title=maint.title,
                defaults={
                    "starts_at": first,
                    "ends_at": first + maint.hours * HOUR,
                    "recurrence": Recurrence.MONTHLY,
                },
            )
            blocked = occurrences(maint, tz, span)
        if ALERT_TO[client.slug][0] == spec.name:
            AlertChannel.objects.get_or_create(
                service=service, kind=AlertChannel.Kind.EMAIL, target=ALERT_TO[client.slug][1]
            )
        if monitor.pk in has_history:
            continue
        rng = random.Random(f"vcio-demo:{client.slug}:{spec.name}")
        long = breach_outage(tz, span) if (client.slug, spec.name) == BREACH else None
        planned = plan_outages(spec, rng, span, blocked, long)
        outages += [
            Outage(monitor=monitor, service=service, started_at=s, ended_at=e, cause=cause)
            for s, e, cause in planned
        ]
        rollups += rollup_rows(spec, monitor, rng, span, tz, [(s, e) for s, e, _ in planned])
    HourlyRollup.objects.bulk_create(rollups, batch_size=1000)
    Outage.objects.bulk_create(outages, batch_size=500)
    return len(specs), len(rollups), len(outages)


def load_availability(ctx: dict[str, Any], log: Callable[[str], None]) -> None:
    now = timezone.now()
    port = demo_target_port()
    for client in Client.objects.filter(slug__in=list(SERVICES)).order_by("name"):
        with transaction.atomic():
            services, rollups, outages = load_client(client, now, port)
        log(
            f"{client.name}: {services} business services monitored on 127.0.0.1:{port}, "
            f"{rollups} hourly rollups and {outages} outages of history added"
        )


def register() -> None:
    demo_loaders.register(DemoLoader("availability", load_availability, order=35))
