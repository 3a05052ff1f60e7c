"""The availability app's practice-dashboard panel: services missing their SLA this month.

Four queries whatever the number of clients and services: the services,
then (``sla``) their clients, outages and maintenance windows at once.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from vcio.availability import sla
from vcio.availability.models import BusinessService
from vcio.core.models import Client
from vcio.core.periods import current_period_name
from vcio.core.registry import DashboardPanel, dashboard_panels


def _this_month(client: dict[str, Any], now: datetime.datetime) -> list[sla.Period]:
    """The client's current calendar month, in its own time zone (what its SLA is read over)."""
    today = now.astimezone(sla.zone(client["time_zone"])).date()
    return [sla.month_period(today.year, today.month, client["time_zone"])]


def month_breaches(
    services: list[BusinessService], now: datetime.datetime | None = None
) -> list[tuple[BusinessService, sla.SlaReport]]:
    """The services whose availability this month so far is below their SLA target.

    Worst first (lowest availability). Three queries for all the services.
    """
    # sla's multi-period loader: each client's month is cut in its own time zone.
    reports = sla.services_reports(services, _this_month, now)
    found = [(s, reports[s.pk][0]) for s in services if reports.get(s.pk)]
    breached = [(s, r) for s, r in found if r.breach]
    return sorted(breached, key=lambda sr: (sr[1].availability_pct or 0.0, sr[0].name))


def breaches_context(clients: list[Client], user: Any) -> dict[str, Any]:
    """The panel's rows: client, service, availability, target and downtime this month."""
    by_id = {c.pk: c for c in clients}
    services = list(
        BusinessService.objects.for_user(user).filter(client_id__in=list(by_id)).order_by()
    )
    rows = []
    for service, report in month_breaches(services, timezone.now()):
        client = by_id[service.client_id]
        rows.append(
            {
                "client": client,
                "service": service,
                "url": reverse(
                    "availability:service_detail", kwargs={"client": client.slug, "pk": service.pk}
                ),
                "report": report,
            }
        )
    return {
        "rows": rows,
        "services": len(services),
        # Named, so "meets its SLA this month" never seems to contradict the client
        # table's "in breach this quarter" (a bad October can sink the quarter).
        "month": current_period_name(clients, "month"),
        "quarter": current_period_name(clients, "quarter"),
    }


PANEL = DashboardPanel(
    key="availability.breaches",
    title="SLA breaches this month",
    template="availability/panel_breaches.html",
    context=breaches_context,
    order=20,
    app="availability",
)


def register() -> None:
    dashboard_panels.register(PANEL)
