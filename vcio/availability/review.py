"""What the availability app brings to a review: the SLA section and the availability score.

The section reads outages and maintenance windows (the rollup of raw check
results), never the check results themselves, through :mod:`sla`, which
measures many services over many periods in three queries. Everything a
report shows is computed here and stored as plain JSON, so a finalised
review reads the same a year later.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from typing import Any

from django.utils import timezone

from vcio.availability import sla
from vcio.availability.models import BusinessService
from vcio.core.fiscal import add_months, quarter_of
from vcio.core.numbers import round_float
from vcio.core.registry import (
    Change,
    HealthComponent,
    ReportSection,
    ReviewPeriod,
    SubScore,
    health_components,
    report_sections,
)

SECTION = "availability.sla"
EVIDENCE_OUTAGES = 10


# Words and numbers as a leader reads them ------------------------------------------


def pct_text(value: float | None) -> str:
    """ "99.52 %": truncated, not rounded, so a miss never reads as the target ("99.90 %")."""
    if value is None:
        return "–"
    # Rounded to 6 places first: float noise (100 * m / m can be 99.99999999999999)
    # must not cut a clean 100 % to 99.99 %.
    return f"{math.floor(round(value * 100, 6)) / 100:.2f} %"


def target_text(target: Any) -> str:
    """A target as it was promised: "99.9 %", "99.95 %", "100 %"."""
    text = f"{float(target):.3f}".rstrip("0").rstrip(".")
    return f"{text} %"


def duration_text(minutes: float | None) -> str:
    """ "3 h 28 min", "45 min", "2 d 4 h"; "–" when unknown."""
    if minutes is None:
        return "–"
    total = round(minutes)
    if total < 60:
        return f"{total} min"
    hours, mins = divmod(total, 60)
    if hours < 24:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def period_text(start: datetime.date, end: datetime.date, fiscal_month: int) -> str:
    """ "October 2026" for a calendar month, "FY2026 Q3" for a fiscal quarter, else the dates."""
    quarter = quarter_of(start, fiscal_month)
    if quarter.start == start and quarter.end == end:
        return quarter.label
    if start.day == 1 and start.month == end.month and (end + datetime.timedelta(days=1)).day == 1:
        return f"{start:%B %Y}"
    return f"{start:%d %b %Y} – {end:%d %b %Y}"


def _midnight(day: datetime.date, tz: Any) -> datetime.datetime:
    """Local midnight starting ``day`` in the client's zone, as a UTC instant."""
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=tz).astimezone(datetime.UTC)


# Collecting -------------------------------------------------------------------------


def _months(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The first day of every calendar month that [start, end] touches."""
    first, months = start.replace(day=1), []
    while first <= end:
        months.append(first)
        first = add_months(first, 1)
    return months


def _periods(period: ReviewPeriod, tz: Any) -> list[sla.Period]:
    """The whole review period first, then (for a QBR) each of its months cut to it."""
    begin, finish = _midnight(period.start, tz), _midnight(period.end + datetime.timedelta(1), tz)
    periods = [(begin, finish, "period")]
    if period.kind == "qbr":
        for first in _months(period.start, period.end):
            m_start, m_end, _ = sla.month_period(first.year, first.month, tz)
            periods.append((max(m_start, begin), min(m_end, finish), f"{first:%b %Y}"))
    return periods


def _now(period: ReviewPeriod, tz: Any) -> datetime.datetime:
    """Measure up to the end of the snapshot's day (or now, if sooner): demo and tests go back."""
    return min(timezone.now(), _midnight(period.today + datetime.timedelta(1), tz))


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _service_row(service: BusinessService, reports: list[sla.SlaReport]) -> dict[str, Any]:
    """One row of the SLA table: the whole period's report, then each month's (QBR)."""
    whole, months = reports[0], reports[1:]
    mttr_min = _round(whole.mttr_s / 60 if whole.mttr_s is not None else None, 1)
    return {
        "id": service.pk,
        "name": service.name,
        "criticality": service.criticality,
        "criticality_label": service.get_criticality_display(),
        "target": float(service.sla_target),
        "target_text": target_text(service.sla_target),
        "availability": _round(whole.availability_pct, 4),
        "availability_text": pct_text(whole.availability_pct),
        "downtime_min": round(whole.downtime_min, 1),
        "downtime_text": duration_text(whole.downtime_min),
        "outages": whole.outages,
        "mttr_min": mttr_min,
        "mttr_text": duration_text(mttr_min),
        "breach": whole.breach,
        "budget_left_min": round(whole.budget_left_min, 1),
        "budget_left_pct": _round(whole.budget_left_pct, 1),
        "partial": whole.partial,
        "partial_note": whole.partial_note,
        "months": [
            {
                "label": m.label,
                "availability_text": pct_text(m.availability_pct),
                "breach": m.breach,
            }
            for m in months
        ],
    }


def _evidence(
    breached: list[BusinessService],
    begin: datetime.datetime,
    finish: datetime.datetime,
    now: datetime.datetime,
    tz: Any,
) -> list[dict[str, Any]]:
    """The longest outages of the breaching services, as the SLA counted them (at most 10).

    Each monitor outage's downtime within SLA time (SLA hours, outside
    maintenance windows) in minutes, so an outage during planned maintenance
    is not quoted as evidence. Two queries (outages, windows) when any breached.
    """
    if not breached:
        return []
    until = min(finish, now)
    outages, windows = sla.load_spans([s.pk for s in breached], begin, until)
    rows = []
    for service in breached:
        counted = sla.sla_time(service, begin, until, tz, windows[service.pk])
        for started, ended in outages[service.pk]:
            span = (max(started, begin), min(ended or now, until))
            minutes = sla.total_seconds(sla.intersect([span], counted)) / 60
            if minutes > 0:
                rows.append((minutes, started, ended, service.name))
    rows.sort(key=lambda row: (-row[0], row[1]))
    return [
        {
            "service": name,
            "started_at": started.isoformat(),
            "start_text": started.astimezone(tz).strftime("%d %b %Y %H:%M"),
            "duration_min": round(minutes, 1),
            "duration_text": duration_text(minutes),
            "ongoing": ended is None or ended > now,
        }
        for minutes, started, ended, name in rows[:EVIDENCE_OUTAGES]
    ]


def collect(period: ReviewPeriod) -> dict[str, Any]:
    """The SLA of each of the client's services over the review period; ``{}`` without services.

    Availability in %, durations in minutes, each with a ready-to-read text;
    for a QBR also each month's availability. Six queries at most whatever
    the number of services and outages: services, then sla's three
    (clients, outages, maintenance windows), then the outages and windows
    of the services in breach (the evidence).
    """
    services = list(
        BusinessService.objects.filter(client_id=period.client_id).select_related("client")
    )
    if not services:
        return {}
    client = services[0].client
    tz = sla.zone(client.time_zone)
    periods = _periods(period, tz)
    now = _now(period, tz)
    reports = sla.services_reports(services, lambda _client, _now: periods, now)
    rows = [_service_row(s, reports[s.pk]) for s in services]
    breached = [s for s, row in zip(services, rows, strict=True) if row["breach"]]
    return {
        "period_label": period_text(period.start, period.end, client.fiscal_year_start_month),
        "months": [label for _s, _e, label in periods[1:]],
        "services": rows,
        "breached": len(breached),
        "evidence": _evidence(breached, periods[0][0], periods[0][1], now, tz),
    }


# What changed -----------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def changes(
    previous: dict[str, Any] | None, current: dict[str, Any], period: ReviewPeriod
) -> list[Change]:
    """One "worse" change per service in breach, one "better" per service back on target.

    A service counts as recovered when the previous review had it in breach
    and this one does not; on a first review only this period's breaches show.
    """
    found: list[Change] = []
    label = current.get("period_label", "this period")
    for row in current.get("services", []):
        if row["breach"]:
            found.append(
                Change(
                    section=SECTION,
                    kind="sla.breach",
                    direction="worse",
                    text=f"{row['name']} missed its {row['target_text']} SLA: "
                    f"{row['availability_text']} in {label} ({row['downtime_text']} down in "
                    f"{_plural(row['outages'], 'outage')}).",
                )
            )
    before = {row["id"]: row for row in (previous or {}).get("services", []) if row["breach"]}
    for row in current.get("services", []):
        if row["id"] in before and not row["breach"] and row["availability"] is not None:
            found.append(
                Change(
                    section=SECTION,
                    kind="sla.recovered",
                    direction="better",
                    text=f"{row['name']} met its {row['target_text']} SLA again: "
                    f"{row['availability_text']} in {label}, after missing it in "
                    f"{previous.get('period_label', 'the previous review')}.",
                )
            )
    return found


# Health -----------------------------------------------------------------------------


def service_score(report: sla.SlaReport) -> float | None:
    """One service's 0–100 attainment: 100 on target, 50 down to 0 for a miss.

    A miss scores ``50 × (2 − used)`` where ``used`` is the share of the
    error budget consumed (just over 1 for a near miss: about 50; twice the
    budget or more: 0), so any breach costs at least half of the service's
    weight. ``None`` when no SLA time was measured.
    """
    if report.availability_pct is None:
        return None
    if not report.breach:
        return 100.0
    if report.budget_s <= 0:
        return 0.0  # a 100 % target: any downtime is a total miss
    used = report.downtime_s / report.budget_s
    return max(0.0, 50 * (2 - used))


def _explain(measured: list[tuple[BusinessService, sla.SlaReport]]) -> str:
    met = [s for s, r in measured if not r.breach]
    missed = sorted(
        ((s, r) for s, r in measured if r.breach),
        key=lambda sr: (-sr[0].criticality, sr[1].availability_pct),
    )
    if not missed:
        worst_s, worst_r = min(measured, key=lambda sr: sr[1].availability_pct)
        if len(measured) == 1:
            return (
                f"{worst_s.name} met its SLA this quarter: {pct_text(worst_r.availability_pct)} "
                f"against {target_text(worst_s.sla_target)}."
            )
        return (
            f"All {_plural(len(measured), 'service')} met their SLA this quarter; lowest: "
            f"{worst_s.name} at {pct_text(worst_r.availability_pct)}."
        )
    misses = "; ".join(
        f"{s.name} at {pct_text(r.availability_pct)} against {target_text(s.sla_target)}"
        for s, r in missed[:3]
    )
    return (
        f"{len(met)} of {_plural(len(measured), 'service')} met their SLA this quarter; {misses}."
    )


def health(client_ids: list[int], today: datetime.date | None = None) -> dict[int, SubScore]:
    """Each client's service availability this fiscal quarter to date, 0–100.

    ``today``: score as of the end of that day (the quarter it falls in, up
    to then); ``None``: now.

    The criticality-weighted mean (low 1 … business critical 4) of
    :func:`service_score` over the services measured so far. Clients with no
    service are left out (no data); four queries for any number of clients.
    """
    services = list(BusinessService.objects.filter(client_id__in=client_ids).order_by())
    now = None
    if today is not None:
        now = min(timezone.now(), _midnight(today + datetime.timedelta(1), datetime.UTC))
    reports = sla.this_quarter(services, now)
    by_client: dict[int, list[tuple[BusinessService, sla.SlaReport]]] = defaultdict(list)
    for service in services:
        by_client[service.client_id].append((service, reports[service.pk]))
    result: dict[int, SubScore] = {}
    for client_id, pairs in by_client.items():
        measured = [(s, r) for s, r in pairs if service_score(r) is not None]
        if not measured:
            result[client_id] = SubScore(None, "No SLA time measured yet this quarter.")
            continue
        weight = sum(s.criticality for s, _ in measured)
        score = sum(s.criticality * service_score(r) for s, r in measured) / weight
        result[client_id] = SubScore(round_float(score, 1), _explain(measured))
    return result


def register() -> None:
    report_sections.register(
        ReportSection(
            key=SECTION,
            title="Service availability (SLA)",
            collect=collect,
            changes=changes,
            template="availability/report_section.html",
            order=30,
            app="availability",
        )
    )
    health_components.register(
        HealthComponent(
            key="availability",
            label="Service availability",
            weight=30,
            compute=health,
            app="availability",
        )
    )
