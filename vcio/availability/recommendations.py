"""Recommendations the availability app derives from repeated SLA breaches.

A service that missed its SLA target in at least 2 of the last 3 complete
calendar months (in its client's time zone) gets one recommendation: find
out why it keeps failing. The key is stable per service
("availability.sla_breach.<service id>"), so a re-run updates the same
recommendation, and it resolves itself once the service keeps its promise.

One generator, batched over many clients in three queries whatever their
number: services with their clients, outages, maintenance windows. The SLA
arithmetic is ``sla``'s own (``sla_time`` and ``compute``), so the figures
quoted here are the ones the service page shows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from vcio.availability import sla
from vcio.availability.models import (
    BusinessService,
    Criticality,
    MaintenanceWindow,
    Outage,
    SlaHours,
)
from vcio.core.fiscal import add_months
from vcio.core.registry import (
    RecommendationDraft,
    RecommendationGenerator,
    recommendation_generators,
)

MONTHS = 3  # complete months looked at
MIN_BREACHES = 2  # of those, how many missed months make it a pattern
MAX_EVIDENCE_OUTAGES = 20
# Person-days for a root-cause review: logs, monitors, vendor tickets, a written
# report with the fix and its cost. A practice estimate, not a quote.
REVIEW_DAYS = Decimal("5")
RISK_OF = {Criticality.CRITICAL: "critical", Criticality.HIGH: "high"}


@dataclass(frozen=True)
class Month:
    """One complete month of a service: its SLA report and the SLA time it was measured over."""

    report: sla.SlaReport
    sla_intervals: list[sla.Interval]


def _months(tz: sla.Tz, now: datetime.datetime) -> tuple[list[sla.Period], datetime.date]:
    """The last ``MONTHS`` complete months in ``tz``, oldest first, and the first of this month."""
    this_month = now.astimezone(sla.zone(tz)).date().replace(day=1)
    firsts = [add_months(this_month, -n) for n in range(MONTHS, 0, -1)]
    return [sla.month_period(d.year, d.month, tz) for d in firsts], this_month


def _services(client_ids: list[int]) -> list[BusinessService]:
    """The clients' services, with their client (slug and time zone): one query."""
    return list(
        BusinessService.objects.filter(client_id__in=client_ids)
        .select_related("client")
        .order_by("client_id", "id")
    )


def _load(
    ids: list[int], first: datetime.datetime, last: datetime.datetime
) -> tuple[dict[int, list[Outage]], dict[int, list[MaintenanceWindow]]]:
    """The services' outages and maintenance windows touching [first, last): two queries."""
    outages: dict[int, list[Outage]] = defaultdict(list)
    for outage in (
        Outage.objects.filter(service_id__in=ids, started_at__lt=last)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=first))
        .order_by("started_at", "id")
    ):
        outages[outage.service_id].append(outage)
    windows: dict[int, list[MaintenanceWindow]] = defaultdict(list)
    # A recurring window that started long ago may still repeat in the range.
    for window in (
        MaintenanceWindow.objects.filter(service_id__in=ids, starts_at__lt=last)
        .filter(Q(ends_at__gt=first) | ~Q(recurrence="none"))
        .order_by()
    ):
        windows[window.service_id].append(window)
    return outages, windows


def _measure(
    service: BusinessService,
    periods: list[sla.Period],
    outages: list[Outage],
    windows: list[MaintenanceWindow],
    now: datetime.datetime,
) -> list[Month]:
    """The service's SLA in each of ``periods`` (complete months, so none is partial)."""
    tz = sla.zone(service.client.time_zone)
    spans = [(o.started_at, o.ended_at) for o in outages]
    found = []
    for start, end, label in periods:
        intervals = sla.sla_time(service, start, end, tz, windows)
        report = sla.compute(
            spans, intervals, service.sla_target, now, start=start, end=end, label=label
        )
        found.append(Month(report, intervals))
    return found


def sla_breach_drafts(
    client_ids: list[int], now: datetime.datetime | None = None
) -> list[RecommendationDraft]:
    """One draft per service that missed its SLA in 2 of the last 3 complete months.

    Months are calendar months in each client's time zone; a service created
    after the first of them has no full history yet and is skipped. Three
    queries whatever the number of clients and services (one when none has a
    service). ``now`` (aware; default the current time) fixes "last months".
    """
    now = now or timezone.now()
    services = _services(list(client_ids))
    if not services:
        return []
    periods: dict[int, list[sla.Period]] = {}
    this_month: dict[int, datetime.date] = {}
    for service in services:
        found, first_of_month = _months(service.client.time_zone, now)
        # Too new: a month it did not exist in would count as a month it kept its promise.
        if service.created_at <= found[0][0]:
            periods[service.pk] = found
            this_month[service.pk] = first_of_month
    if not periods:
        return []
    spans = [p for ps in periods.values() for p in ps]
    outages, windows = _load(list(periods), min(p[0] for p in spans), max(p[1] for p in spans))
    drafts = []
    for service in services:
        if service.pk not in periods:
            continue
        months = _measure(
            service, periods[service.pk], outages[service.pk], windows[service.pk], now
        )
        if sum(m.report.breach for m in months) >= MIN_BREACHES:
            counted = _counted(outages[service.pk], months, now)
            drafts.append(_draft(service, months, counted, this_month[service.pk], now))
    return drafts


def _end(outage: Outage, now: datetime.datetime) -> datetime.datetime:
    """When the outage ended, or ``now`` while it is still open."""
    return min(outage.ended_at, now) if outage.ended_at else now


def _counted(outages: list[Outage], months: list[Month], now: datetime.datetime) -> list[Outage]:
    """The outages that cost SLA time in ``months`` (not those at night for business hours)."""
    measured = [i for m in months for i in m.sla_intervals]
    return [
        o
        for o in outages
        if o.started_at < now and sla.intersect([(o.started_at, _end(o, now))], measured)
    ]


def _duration(seconds: float) -> str:
    """A length a reader takes in at a glance: "45 min", "4 h 10 min", "2 days 3 h"."""
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} day{'s' if days > 1 else ''} {hours} h" if hours else f"{days} days"


def _pct(target: Decimal) -> str:
    """An SLA target without trailing zeros: Decimal("99.900") → "99.9"."""
    return f"{target.normalize():f}"


def _month_line(month: Month) -> str:
    """ "January 2026: 99.87 % (60 min down in 1 outage, missed)"."""
    r = month.report
    name = _month_name(r.label)
    if r.availability_pct is None:
        return f"{name}: not measured"
    verdict = "missed" if r.breach else "met"
    if not r.outages:
        return f"{name}: {r.availability_pct:.2f} % ({verdict})"
    plural = "s" if r.outages > 1 else ""
    return (
        f"{name}: {r.availability_pct:.2f} % "
        f"({r.downtime_min:.0f} min down in {r.outages} outage{plural}, {verdict})"
    )


def _month_name(label: str) -> str:
    """ "2026-03" → "March 2026"."""
    return datetime.date(int(label[:4]), int(label[5:7]), 1).strftime("%B %Y")


def _why(
    service: BusinessService, months: list[Month], counted: list[Outage], now: datetime.datetime
) -> str:
    """A paragraph a CEO understands: what was promised, what happened, what it means."""
    missed = sum(m.report.breach for m in months)
    hours = (
        "during business hours" if service.sla_hours == SlaHours.BUSINESS else "around the clock"
    )
    lines = "; ".join(_month_line(m) for m in months)
    why = (
        f"The {service.name} is promised {_pct(service.sla_target)} % availability {hours} "
        f"and missed it in {missed} of the last {MONTHS} months. {lines}."
    )
    if counted:
        longest = max(counted, key=lambda o: _end(o, now) - o.started_at)
        local = longest.started_at.astimezone(sla.zone(service.client.time_zone))
        cause = f" ({longest.cause})" if longest.cause else ""
        length = _duration((_end(longest, now) - longest.started_at).total_seconds())
        why += f" The longest outage lasted {length}, from {local:%d %B %Y %H:%M}{cause}."
    if service.criticality == Criticality.CRITICAL:
        why += " It is business critical: while it is down, work stops."
    else:
        why += f" Its criticality is {service.get_criticality_display().lower()}."
    return why + (
        f" A root-cause review (about {REVIEW_DAYS} person-days) finds what keeps failing and "
        "what the fix costs; that cost is unknown until then, so none is estimated here."
    )


def _evidence(
    service: BusinessService, months: list[Month], counted: list[Outage], now: datetime.datetime
) -> dict[str, Any]:
    """JSON-able proof: each month's figures and the outages behind them (the longest 20)."""
    shown = sorted(counted, key=lambda o: _end(o, now) - o.started_at)
    shown = sorted(shown[-MAX_EVIDENCE_OUTAGES:], key=lambda o: (o.started_at, o.pk))
    return {
        "service_id": service.pk,
        "sla_target_pct": _pct(service.sla_target),
        "months": [
            {
                "month": m.report.label,
                "availability_pct": (
                    round(m.report.availability_pct, 3)
                    if m.report.availability_pct is not None
                    else None
                ),
                "downtime_min": round(m.report.downtime_min, 1),
                "outages": m.report.outages,
                "breach": m.report.breach,
            }
            for m in months
        ],
        "outages_total": len(counted),
        "outages": [
            {
                "started_at": o.started_at.isoformat(),
                "ended_at": o.ended_at.isoformat() if o.ended_at else None,
                "cause": o.cause,
            }
            for o in shown
        ],
    }


def _draft(
    service: BusinessService,
    months: list[Month],
    counted: list[Outage],
    this_month: datetime.date,
    now: datetime.datetime,
) -> RecommendationDraft:
    missed = sum(m.report.breach for m in months)
    slug = service.client.slug
    return RecommendationDraft(
        key=f"availability.sla_breach.{service.pk}",
        client_id=service.client_id,
        title=(
            f"Make the {service.name} reliable: it missed its {_pct(service.sla_target)} % SLA "
            f"in {missed} of the last {MONTHS} months"
        ),
        why=_why(service, months, counted, now),
        category="availability",
        source_app="availability",
        risk=RISK_OF.get(service.criticality, "medium"),
        evidence_url=reverse(
            "availability:service_detail", kwargs={"client": slug, "pk": service.pk}
        ),
        evidence=_evidence(service, months, counted, now),
        effort_days=REVIEW_DAYS,
        # The end of next month: long enough for a review, soon enough to matter.
        due_date=add_months(this_month, 2) - datetime.timedelta(days=1),
    )


GENERATOR = RecommendationGenerator(
    "availability.sla_breaches",
    "Services that repeatedly missed their SLA",
    sla_breach_drafts,
    app="availability",
)


def register() -> None:
    recommendation_generators.register(GENERATOR)
