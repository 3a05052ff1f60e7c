"""Evidence rules the availability app answers assessment items with.

Each rule judges every client given in a fixed number of queries, as of the
end of the day ``at`` in each client's time zone (``None``: now). Wording
and thresholds (shares of the records judged):

* ``availability.critical_monitored``: business services of criticality
  "Business critical" with at least one enabled monitor. Aligned when all
  are, partly from 50 % (half the critical services watched is a start, not
  a control), else not aligned; no critical service: no data.
* ``availability.sla_met``: business services whose availability over the
  90 days to ``at`` (within their SLA hours, outside maintenance, as
  :mod:`vcio.availability.sla` measures it) reached their SLA target.
  A service with no monitored time in those days is not judged but named;
  aligned when all judged met it, partly from 75 %; none judged: no data.
* ``availability.backup_monitors``: the app has no kind or tag for backups,
  so a *backup monitor* is a monitor whose name, or whose service's name,
  contains "backup" (any case). One is green when it is enabled, its last
  state is up and no outage of it is open at the end of ``at``. Aligned when
  all are green, partly from 50 %. No backup monitor at all is a finding,
  not a lack of data: not aligned, "no monitor watches a backup". The
  monitor's state has no history: for a past ``at`` the state read is
  today's, the open outages those of that day.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from vcio.availability import sla
from vcio.availability.models import BusinessService, Criticality, Monitor, MonitorState, Outage
from vcio.core.evidence import grade, named, plural, rows_of, share_result, verb
from vcio.core.registry import EvidenceResult, EvidenceRow, EvidenceRule, evidence_rules

SLA_DAYS = 90
Results = dict[int, EvidenceResult]


def _clients(client_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Slug, time zone and fiscal start of each client: one query."""
    from vcio.core.models import Client

    rows = Client.objects.filter(pk__in=client_ids).values(
        "id", "slug", "time_zone", "fiscal_year_start_month"
    )
    return {row["id"]: row for row in rows}


def end_of(at: datetime.date | None, time_zone: str, now: datetime.datetime) -> datetime.datetime:
    """The last instant of ``at`` in ``time_zone``, never later than ``now`` (``now`` for None)."""
    if at is None:
        return now
    end = datetime.datetime.combine(
        at + datetime.timedelta(days=1), datetime.time(), tzinfo=sla.zone(time_zone)
    ) - datetime.timedelta(microseconds=1)
    return min(end, now)


def _service_url(slug: str, pk: int) -> str:
    return reverse("availability:service_detail", kwargs={"client": slug, "pk": pk})


# Critical services monitored ---------------------------------------------------------------


def critical_monitored(client_ids: list[int], at: datetime.date | None = None) -> Results:
    """Business-critical services with at least one enabled monitor (2 queries).

    Monitors have no history: ``at`` is not used.
    """
    clients = _clients(client_ids)
    services: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        BusinessService.objects.filter(
            client_id__in=list(clients), criticality=Criticality.CRITICAL
        )
        .annotate(active=Count("monitors", filter=Q(monitors__enabled=True)))
        .order_by("name", "id")
        .values("id", "client_id", "name", "active")
    ):
        services[row["client_id"]].append(row)
    result: Results = {}
    for cid in client_ids:
        found = services.get(cid, [])
        if not found:
            result[cid] = EvidenceResult(
                "no_data", "No business service is marked critical.", counts={"total": 0}
            )
            continue
        result[cid] = _monitored_result(found, clients[cid]["slug"])
    return result


def _monitored_result(services: list[dict[str, Any]], slug: str) -> EvidenceResult:
    bad, good = [], []
    for s in services:
        url = _service_url(slug, s["id"])
        if s["active"]:
            detail = f"{plural(s['active'], 'active monitor')}"
            good.append(EvidenceRow(s["name"], detail, url, ok=True))
        else:
            bad.append(EvidenceRow(s["name"], "no active monitor", url))
    total = len(services)
    head = (
        f"{len(good)} of {plural(total, 'critical service')} "
        f"{verb(len(good), 'is', 'are')} watched by an active monitor"
    )
    return share_result(good, bad, head, ("is", "are"), 1.0, 0.5)


# SLA met -------------------------------------------------------------------------------------


def sla_met(client_ids: list[int], at: datetime.date | None = None) -> Results:
    """Services whose availability over the 90 days to ``at`` met their target (6 queries)."""
    clients = _clients(client_ids)
    services = list(
        BusinessService.objects.filter(client_id__in=list(clients)).order_by(
            "-criticality", "name", "id"
        )
    )
    real_now = timezone.now()

    def last_90_days(client: dict[str, Any], now: datetime.datetime) -> list[sla.Period]:
        end = end_of(at, client["time_zone"], now)
        return [(end - datetime.timedelta(days=SLA_DAYS), end, f"{SLA_DAYS} days")]

    reports = sla.services_reports(services, last_90_days, real_now)
    by_client: dict[int, list[tuple[BusinessService, sla.SlaReport]]] = defaultdict(list)
    for service in services:
        by_client[service.client_id].append((service, reports[service.pk][0]))
    result: Results = {}
    for cid in client_ids:
        found = by_client.get(cid, [])
        if not found:
            result[cid] = EvidenceResult(
                "no_data", "No business service is recorded.", counts={"total": 0}
            )
            continue
        result[cid] = _sla_result(found, clients[cid]["slug"])
    return result


def _pct(value: float | Any) -> str:
    return f"{float(value):.3f}".rstrip("0").rstrip(".") + " %"


def _sla_result(found: list[tuple[BusinessService, sla.SlaReport]], slug: str) -> EvidenceResult:
    bad, good, unmeasured = [], [], []
    for service, report in found:
        url = _service_url(slug, service.pk)
        target = _pct(service.sla_target)
        if report.availability_pct is None:
            unmeasured.append(EvidenceRow(service.name, "not monitored in the period", url))
        elif report.breach:
            detail = f"{_pct(report.availability_pct)} against {target}"
            bad.append(EvidenceRow(service.name, detail, url))
        else:
            detail = f"{_pct(report.availability_pct)}, target {target}"
            good.append(EvidenceRow(service.name, detail, url, ok=True))
    judged = len(bad) + len(good)
    counts = {"ok": len(good), "total": judged, "unmeasured": len(unmeasured)}
    tail = ""
    if unmeasured:
        tail = (
            f"; {plural(len(unmeasured), 'more service')} "
            f"{verb(len(unmeasured), 'was', 'were')} not monitored: {named(unmeasured)}"
        )
    if not judged:
        sentence = f"No business service was monitored in the last {SLA_DAYS} days"
        return EvidenceResult("no_data", f"{sentence}: {named(unmeasured)}.",
                              rows_of(unmeasured, []), counts)  # fmt: skip
    sentence = (
        f"{len(good)} of {plural(judged, 'service')} met {'its' if judged == 1 else 'their'} "
        f"SLA target over the last {SLA_DAYS} days"
    )
    if bad:
        sentence += f"; {len(bad)} did not: {named(bad)}"
    return EvidenceResult(grade(len(good), judged, 1.0, 0.75), sentence + tail + ".",
                          rows_of(bad + unmeasured, good), counts)  # fmt: skip


# Backup monitors ------------------------------------------------------------------------------


BACKUP_WORD = "backup"


def backup_monitors(client_ids: list[int], at: datetime.date | None = None) -> Results:
    """Monitors watching a backup (by name), green at the end of ``at`` (at most 3 queries)."""
    clients = _clients(client_ids)
    real_now = timezone.now()
    ends = {cid: end_of(at, c["time_zone"], real_now) for cid, c in clients.items()}
    monitors: dict[int, list[Monitor]] = defaultdict(list)
    for monitor in (
        Monitor.objects.filter(service__client_id__in=list(clients))
        .filter(Q(name__icontains=BACKUP_WORD) | Q(service__name__icontains=BACKUP_WORD))
        .select_related("service")
        .order_by("name", "id")
    ):
        monitors[monitor.service.client_id].append(monitor)
    open_at = _open_outages([m for found in monitors.values() for m in found], ends)
    result: Results = {}
    for cid in client_ids:
        found = monitors.get(cid, [])
        if not found:
            result[cid] = EvidenceResult(
                "not_aligned", "No monitor watches a backup.", counts={"ok": 0, "total": 0}
            )
            continue
        result[cid] = _backup_result(found, open_at, clients[cid]["slug"])
    return result


def _open_outages(monitors: list[Monitor], ends: dict[int, datetime.datetime]) -> dict[int, Outage]:
    """The outage of each monitor open at its client's end instant: one query (none if empty)."""
    if not monitors:
        return {}
    latest = max(ends.values())
    earliest = min(ends.values())
    found: dict[int, Outage] = {}
    for outage in (
        Outage.objects.filter(monitor__in=monitors, started_at__lte=latest)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=earliest))
        .select_related("service")
        .order_by("started_at")
    ):
        end = ends[outage.service.client_id]
        if outage.started_at <= end and (outage.ended_at is None or outage.ended_at > end):
            found[outage.monitor_id] = outage
    return found


def _backup_problem(monitor: Monitor, outage: Outage | None) -> str:
    if not monitor.enabled:
        return "paused"
    if outage is not None:
        since = outage.started_at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        return f"down since {since}" + (f": {outage.cause}" if outage.cause else "")
    if monitor.state == MonitorState.DOWN:
        return "down" + (f": {monitor.last_cause}" if monitor.last_cause else "")
    if monitor.state != MonitorState.UP:
        return "not checked yet"
    return ""


def _backup_result(monitors: list[Monitor], open_at: dict[int, Outage], slug: str):
    bad, good = [], []
    for m in monitors:
        url = _service_url(slug, m.service_id)
        problem = _backup_problem(m, open_at.get(m.pk))
        if problem:
            bad.append(EvidenceRow(m.name, problem, url))
        else:
            good.append(EvidenceRow(m.name, f"up, watching {m.service.name}", url, ok=True))
    total = len(monitors)
    head = f"{len(good)} of {plural(total, 'backup monitor')} {verb(len(good), 'is', 'are')} up"
    return share_result(good, bad, head, ("is", "are"), 1.0, 0.5)


RULES = [
    EvidenceRule(
        "availability.critical_monitored",
        "Business-critical services are monitored",
        critical_monitored,
        app="availability",
        description="Business services marked business critical that at least one enabled "
        "monitor watches. Aligned when all are, partly from half.",
    ),
    EvidenceRule(
        "availability.sla_met",
        "Services meet their availability target",
        sla_met,
        app="availability",
        description=f"Business services whose availability over the last {SLA_DAYS} days, "
        "within their SLA hours and outside planned maintenance, reached their SLA target. "
        "Aligned when all monitored services did, partly from 75 %.",
    ),
    EvidenceRule(
        "availability.backup_monitors",
        "Backups are monitored and succeeding",
        backup_monitors,
        app="availability",
        description='Monitors whose name or service name contains "backup" exist and are '
        "up. No such monitor is not aligned: nobody would know a backup stopped.",
    ),
]


def register() -> None:
    for rule in RULES:
        evidence_rules.register(rule)
