"""The status board: every business service of a client, its state now and its SLA so far.

One row per service: criticality, SLA target, state (from its monitors),
availability this month and this fiscal quarter against the target (a
breach is highlighted), and the outages still open with how long they have
lasted. A fixed number of queries whatever the number of services: the
monitors and open outages are prefetched, the SLA figures computed for all
services at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.urls import path
from django.utils import timezone
from django.views import generic

from vcio.availability import sla
from vcio.availability.models import BusinessService, Monitor, Outage
from vcio.availability.views import CLIENT
from vcio.availability.views.common import (
    DEGRADED,
    DOWN,
    STATE_LABELS,
    UNKNOWN,
    UP,
    pct_text,
    service_state,
    since_text,
    target_text,
)
from vcio.core.views.base import ClientMixin


@dataclass(frozen=True)
class OpenOutage:
    outage: Outage
    lasted: str


@dataclass(frozen=True)
class BoardRow:
    """One service as the board shows it."""

    service: BusinessService
    state: str
    state_label: str
    target_text: str
    month: sla.SlaReport | None
    quarter: sla.SlaReport | None
    month_text: str
    quarter_text: str
    open_outages: list[OpenOutage]

    @property
    def breach(self) -> bool:
        return bool((self.month and self.month.breach) or (self.quarter and self.quarter.breach))


def board_services(user, client) -> QuerySet[BusinessService]:
    """The client's services with their monitors and open outages, in three queries."""
    monitors = Monitor.objects.for_user(user).order_by("name", "id")
    open_outages = (
        Outage.objects.for_user(user)
        .filter(ended_at__isnull=True)
        .select_related("monitor")
        .order_by("started_at", "id")
    )
    return (
        BusinessService.objects.for_user(user)
        .filter(client=client)
        .select_related("owner_department")
        .prefetch_related(
            Prefetch("monitors", queryset=monitors),
            Prefetch("outages", queryset=open_outages, to_attr="open_outages"),
        )
    )


def board_rows(services: list[BusinessService], client) -> list[BoardRow]:
    """Each service with its state and this month's and this quarter's SLA."""
    now = timezone.now()
    local = now.astimezone(sla.zone(client.time_zone))
    start, end, label = sla.month_period(local.year, local.month, client.time_zone)
    months = sla.services_sla(services, start, end, now=now, label=label)
    quarters = sla.this_quarter(services, now=now)
    rows = []
    for service in services:
        state = service_state(service.monitors.all())
        # Without monitors nothing was measured: "100 %" would be a claim, not a figure.
        monitored = bool(service.monitors.all())
        month, quarter = months.get(service.pk), quarters.get(service.pk)
        rows.append(
            BoardRow(
                service=service,
                state=state,
                state_label=STATE_LABELS[state],
                target_text=target_text(service.sla_target),
                month=month,
                quarter=quarter,
                month_text=pct_text(month.availability_pct if monitored and month else None),
                quarter_text=pct_text(quarter.availability_pct if monitored and quarter else None),
                open_outages=[
                    OpenOutage(o, since_text(o.started_at, now)) for o in service.open_outages
                ],
            )
        )
    return rows


# Worst news first: what is down, then what is failing, then what nobody measures.
STATE_ORDER = {DOWN: 0, DEGRADED: 1, UNKNOWN: 2, UP: 3}


def board_order(row: BoardRow) -> tuple:
    """Sort key: most critical services first, within each the worst state, then by name."""
    return (-row.service.criticality, STATE_ORDER[row.state], row.service.name.lower())


class StatusBoard(ClientMixin, generic.TemplateView):
    """Every service of the client, worst news first within each criticality."""

    template_name = "availability/status_board.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        services = list(board_services(self.request.user, self.client))
        rows = sorted(board_rows(services, self.client), key=board_order)
        ctx["rows"] = rows
        ctx["counts"] = {state: sum(1 for r in rows if r.state == state) for state in STATE_LABELS}
        ctx["breaches"] = sum(1 for r in rows if r.breach)
        ctx["quarter_label"] = next((r.quarter.label for r in rows if r.quarter), "")
        return ctx


urlpatterns = [
    path(f"{CLIENT}availability/", StatusBoard.as_view(), name="status_board"),
]
