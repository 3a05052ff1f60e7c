"""A business service's page (uptime, latency, outages, SLA by month, monitors) and its forms."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Min, QuerySet
from django.urls import path, reverse
from django.utils import timezone
from django.views import generic

from vcio.availability import sla
from vcio.availability.charts import DayUptime, uptime_bars
from vcio.availability.forms import ServiceForm
from vcio.availability.models import (
    AlertChannel,
    AlertDelivery,
    BusinessService,
    HourlyRollup,
    MaintenanceWindow,
    Monitor,
    Outage,
)
from vcio.availability.views import CLIENT
from vcio.availability.views.common import (
    STATE_LABELS,
    InAvailabilityTab,
    duration_text,
    monitor_state,
    pct_text,
    service_state,
    service_url,
    target_text,
)
from vcio.core import charts
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.core.views.base import (
    ClientMixin,
    ClientScopedCreateView,
    ClientScopedDeleteView,
    ClientScopedUpdateView,
)

UPTIME_DAYS = 90
LATENCY_DAYS = 7
OUTAGES_SHOWN = 50
FAILED_DELIVERIES_SHOWN = 20


def service_of(view: ClientMixin, perm: Perm) -> BusinessService:
    """The service named by the URL's ``pk``, of this client only (404 otherwise)."""
    qs = BusinessService.objects.filter(client=view.client).select_related("owner_department")
    return get_for_user_or_404(qs, view.request.user, perm, pk=view.kwargs["pk"])


def daily_uptime(rollups: list[HourlyRollup], days: list[datetime.date], tz) -> list[DayUptime]:
    """The checks and failures of each day (in the client's zone) from hourly rollups."""
    checks: dict[datetime.date, int] = defaultdict(int)
    failures: dict[datetime.date, int] = defaultdict(int)
    for r in rollups:
        day = r.hour.astimezone(tz).date()
        checks[day] += r.checks
        failures[day] += r.failures
    return [DayUptime(d, checks[d], failures[d]) for d in days]


def latency_chart(rollups: list[HourlyRollup], monitors: list[Monitor], start, now, tz) -> str:
    """Mean latency per hour of each monitor over [start, now], as an SVG line chart.

    Hours are numbered from ``start`` so the axis is spaced by time (dates
    would collapse the hours of a day onto one point); an hour without
    checks breaks the line.
    """
    first = start.replace(minute=0, second=0, microsecond=0)
    hours = int((now - first).total_seconds() // 3600) + 1
    by_monitor: dict[int, list[float | None]] = {m.pk: [None] * hours for m in monitors}
    for r in rollups:
        i = int((r.hour - first).total_seconds() // 3600)
        if r.monitor_id in by_monitor and 0 <= i < hours and r.checks:
            by_monitor[r.monitor_id][i] = round(r.latency_sum_ms / r.checks, 1)
    series = [
        charts.Series(m.name, by_monitor[m.pk])
        for m in monitors
        if any(v is not None for v in by_monitor[m.pk])
    ]
    if not series:
        return ""

    def x_text(i) -> str:
        return (first + datetime.timedelta(hours=int(i))).astimezone(tz).strftime("%m-%d %H:00")

    return charts.line_chart(
        list(range(hours)),
        series,
        title=f"Mean response time per hour, last {LATENCY_DAYS} days",
        value_format=lambda v: f"{v:.0f} ms",
        x_format=x_text,
        y_label="ms",
        height=240,
    )


def measured_since(service: BusinessService) -> datetime.datetime:
    """When the service's history starts: its creation, or its first rollup or outage if older.

    Imported or generated history (the demo's 90 days) predates the row itself.
    """
    first_hour = HourlyRollup.objects.filter(monitor__service=service).aggregate(m=Min("hour"))
    first_outage = Outage.objects.filter(service=service).aggregate(m=Min("started_at"))
    known = [service.created_at, first_hour["m"], first_outage["m"]]
    return min(t for t in known if t is not None)


def sla_rows(service: BusinessService) -> list[dict]:
    """The SLA of the last 12 months since the service's history starts, newest first.

    Months that ended before anything was measured are left out: "100 %"
    for a month nobody watched would be a claim, not a figure.
    """
    since = measured_since(service)
    rows = []
    for report in reversed(sla.monthly(service, months=12)):
        if report.end <= since:
            continue
        rows.append(
            {
                "report": report,
                "availability": pct_text(report.availability_pct),
                "downtime": duration_text(report.downtime_s),
                "mttr": duration_text(report.mttr_s),
                "budget_left": duration_text(report.budget_left_s),
            }
        )
    return rows


class ServiceDetail(InAvailabilityTab, ClientMixin, generic.DetailView):
    """Everything about one service: is it up, how has it been, and who is told."""

    model = BusinessService
    template_name = "availability/service_detail.html"

    def get_object(self, queryset=None) -> BusinessService:
        return service_of(self, Perm.VIEW)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        service, user = self.object, self.request.user
        now = timezone.now()
        tz = sla.zone(self.client.time_zone)
        monitors = list(Monitor.objects.for_user(user).filter(service=service).order_by("name"))
        today = now.astimezone(tz).date()
        days = [today - datetime.timedelta(days=n) for n in range(UPTIME_DAYS - 1, -1, -1)]
        since = datetime.datetime.combine(days[0], datetime.time(0), tzinfo=tz)
        rollups = list(
            HourlyRollup.objects.for_user(user)
            .filter(monitor__service=service, hour__gte=since)
            .only("monitor_id", "hour", "checks", "failures", "latency_sum_ms")
            .order_by("hour")
        )
        uptime = daily_uptime(rollups, days, tz)
        latency_since = now - datetime.timedelta(days=LATENCY_DAYS)
        recent = [r for r in rollups if r.hour >= latency_since]
        state = service_state(monitors)
        ctx.update(
            now=now,
            state=state,
            state_label=STATE_LABELS[state],
            target_text=target_text(service.sla_target),
            monitors=[(m, monitor_state(m), STATE_LABELS[monitor_state(m)]) for m in monitors],
            checks_waiting=any(m.check_waiting for m in monitors),
            uptime_chart=uptime_bars(
                uptime, title=f"Uptime of {service.name}, last {UPTIME_DAYS} days"
            ),
            uptime_total=self._total(uptime),
            latency_chart=latency_chart(recent, monitors, latency_since, now, tz),
            outages=self._outages(service, now),
            sla_rows=sla_rows(service),
            windows=MaintenanceWindow.objects.for_user(user).filter(service=service),
            channels=AlertChannel.objects.for_user(user).filter(service=service),
            failed_deliveries=self._failed(service),
            assets=service.assets.order_by("name"),
        )
        return ctx

    @staticmethod
    def _total(days: list[DayUptime]) -> str:
        checks = sum(d.checks for d in days)
        failures = sum(d.failures for d in days)
        return pct_text(100.0 * (checks - failures) / checks) if checks else "—"

    def _outages(self, service: BusinessService, now: datetime.datetime) -> list[dict]:
        qs = (
            Outage.objects.for_user(self.request.user)
            .filter(service=service)
            .select_related("monitor")
            .order_by("-started_at", "-id")[:OUTAGES_SHOWN]
        )
        return [
            {
                "outage": o,
                "duration": duration_text(((o.ended_at or now) - o.started_at).total_seconds()),
            }
            for o in qs
        ]

    def _failed(self, service: BusinessService) -> QuerySet[AlertDelivery]:
        return (
            AlertDelivery.objects.for_user(self.request.user)
            .filter(channel__service=service, attempts__gt=0)
            .exclude(status=AlertDelivery.Status.SENT)
            .select_related("channel", "outage__monitor")
            .order_by("-created_at", "-id")[:FAILED_DELIVERIES_SHOWN]
        )


class _ServiceFormMixin(InAvailabilityTab):
    model = BusinessService
    form_class = ServiceForm
    template_name = "core/form.html"

    def get_success_url(self) -> str:
        return service_url(self.object, self.client.slug)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if getattr(self, "object", None) is not None:
            ctx["cancel_url"] = service_url(self.object, self.client.slug)
        else:
            ctx["cancel_url"] = reverse(
                "availability:status_board", kwargs={"client": self.client.slug}
            )
        return ctx


class ServiceCreate(_ServiceFormMixin, ClientScopedCreateView):
    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = "New business service"
        return ctx


class ServiceUpdate(_ServiceFormMixin, ClientScopedUpdateView):
    pass


class ServiceDelete(InAvailabilityTab, ClientScopedDeleteView):
    model = BusinessService
    template_name = "core/confirm_delete.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["warning"] = (
            "Its monitors, their results and outages, its maintenance windows and alert "
            "channels are deleted with it; its SLA history is lost."
        )
        ctx["cancel_url"] = service_url(self.object, self.client.slug)
        return ctx

    def get_success_url(self) -> str:
        return reverse("availability:status_board", kwargs={"client": self.client.slug})


urlpatterns = [
    path(f"{CLIENT}services/new/", ServiceCreate.as_view(), name="service_create"),
    path(f"{CLIENT}services/<int:pk>/", ServiceDetail.as_view(), name="service_detail"),
    path(f"{CLIENT}services/<int:pk>/edit/", ServiceUpdate.as_view(), name="service_update"),
    path(f"{CLIENT}services/<int:pk>/delete/", ServiceDelete.as_view(), name="service_delete"),
]
