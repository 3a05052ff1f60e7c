"""Figures the availability app publishes about each client through the registry.

Each function takes many client ids and runs a fixed number of queries
(services, then clients, outages and maintenance windows for all of them at
once), so the practice dashboard can show them for 500 clients. ``None``
means the client has no business service (or none measured yet). ``at``
(a date) computes a figure as of the end of that day in each client's time
zone; ``None``, as of now.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable

from django.utils import timezone

from vcio.availability import sla
from vcio.availability.models import BusinessService
from vcio.core.models import Client
from vcio.core.numbers import round_float
from vcio.core.registry import Figure, Number, figures

Result = dict[int, Number | None]


def _services(client_ids: list[int]) -> list[BusinessService]:
    return list(BusinessService.objects.filter(client_id__in=client_ids).order_by())


def _as_of(
    services: list[BusinessService],
    at: datetime.date | None,
    report: Callable[[list[BusinessService], datetime.datetime], dict[int, sla.SlaReport]],
) -> dict[int, sla.SlaReport]:
    """``report(services, now)`` with ``now`` the end of ``at`` in each client's zone.

    ``at=None`` is one call as of now. Otherwise one call per time zone among
    the clients (not per client), never later than now: time not yet lived
    cannot count as up.
    """
    real_now = timezone.now()
    if at is None or not services:
        return report(services, real_now)
    zones = dict(
        Client.objects.filter(pk__in={s.client_id for s in services}).values_list("id", "time_zone")
    )
    by_zone: dict[str, list[BusinessService]] = defaultdict(list)
    for service in services:
        by_zone[zones[service.client_id]].append(service)
    found: dict[int, sla.SlaReport] = {}
    for tz, group in by_zone.items():
        # The last instant of ``at``: midnight itself would fall in the next day
        # (and, on a quarter's last day, in the next quarter).
        end = datetime.datetime.combine(
            at + datetime.timedelta(days=1), datetime.time(), tzinfo=sla.zone(tz)
        ) - datetime.timedelta(microseconds=1)
        found.update(report(group, min(end, real_now)))
    return found


def _by_client(
    services: list[BusinessService], reports: dict[int, sla.SlaReport]
) -> dict[int, list[sla.SlaReport]]:
    found: dict[int, list[sla.SlaReport]] = defaultdict(list)
    for service in services:
        found[service.client_id].append(reports[service.pk])
    return found


def sla_pct_quarter(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """The lowest availability % of the client's services this fiscal quarter (to ``at``).

    The lowest, not an average: one critical application failing its
    promise is what a business leader must hear about, and an average —
    even weighted by criticality — lets a dozen healthy minor services hide
    it. None when no service has measured time yet.
    """
    services = _services(client_ids)
    reports = _by_client(services, _as_of(services, at, sla.this_quarter))
    result: Result = dict.fromkeys(client_ids)
    for client_id, found in reports.items():
        measured = [r.availability_pct for r in found if r.availability_pct is not None]
        result[client_id] = round_float(min(measured), 3) if measured else None
    return result


def services_in_breach(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """Services whose availability this fiscal quarter (to ``at``) is below their SLA target."""
    services = _services(client_ids)
    reports = _by_client(services, _as_of(services, at, sla.this_quarter))
    result: Result = dict.fromkeys(client_ids)
    result.update({cid: sum(r.breach for r in found) for cid, found in reports.items()})
    return result


def outages_30d(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """Outages of the client's services in the 30 days to ``at``, counted as the SLA counts them."""

    def last_30_days(found: list[BusinessService], now: datetime.datetime):
        start = now - datetime.timedelta(days=30)
        return sla.services_sla(found, start, now, now, "last 30 days")

    services = _services(client_ids)
    reports = _by_client(services, _as_of(services, at, last_30_days))
    result: Result = dict.fromkeys(client_ids)
    result.update({cid: sum(r.outages for r in found) for cid, found in reports.items()})
    return result


FIGURES = [
    Figure(
        "availability.sla_pct_quarter",
        "Lowest service availability, this quarter",
        sla_pct_quarter,
        unit="%",
        period="quarter",
        better="higher",
        app="availability",
        summary=True,
        description="The availability of the client's least available business service "
        "this fiscal quarter so far, within its SLA hours and outside planned maintenance. "
        "The worst service rather than an average, so one failing application is not "
        "hidden by healthy ones.",
    ),
    Figure(
        "availability.services_in_breach",
        "Services in breach of their SLA, this quarter",
        services_in_breach,
        better="lower",
        period="quarter",
        app="availability",
        summary=True,
        description="Business services whose availability this fiscal quarter so far is "
        "below the SLA target promised to the business.",
    ),
    Figure(
        "availability.outages_30d",
        "Outages in the last 30 days",
        outages_30d,
        better="lower",
        app="availability",
        description="Outages of the client's business services in the last 30 days that "
        "touched SLA hours outside planned maintenance; monitors of one service down at the "
        "same time count as one outage.",
    ),
]


def register() -> None:
    for figure in FIGURES:
        figures.register(figure)
