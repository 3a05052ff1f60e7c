"""The availability demo: services, monitors on the demo target and 90 days of history."""

from __future__ import annotations

import datetime
import random
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count, Max, Min
from django.utils import timezone

from vcio.availability import demo
from vcio.availability.models import (
    AlertChannel,
    BusinessService,
    HourlyRollup,
    MaintenanceWindow,
    Monitor,
    Outage,
    SlaHours,
)
from vcio.core.demo import load_core
from vcio.core.registry import demo_loaders

pytestmark = pytest.mark.django_db

SLUGS = ("acme", "globex", "initech")


def quiet(msg: str) -> None:
    pass


@pytest.fixture
def loaded(monkeypatch):
    """The core demo practice with the availability demo loaded once (default port)."""
    monkeypatch.delenv("VCIO_DEMO_TARGET_PORT", raising=False)
    load_core({}, quiet)
    demo.load_availability({}, quiet)


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (BusinessService, Monitor, HourlyRollup, Outage, MaintenanceWindow)
    ) + (AlertChannel.objects.count(),)


def monthly_occurrences(window: MaintenanceWindow, tz: ZoneInfo, months: int = 6):
    """The window's starts and ends (UTC), repeated on the same local day each month."""
    first = window.starts_at.astimezone(tz)
    length = window.ends_at - window.starts_at
    found = []
    for k in range(months):
        year, month = first.year + (first.month - 1 + k) // 12, (first.month - 1 + k) % 12 + 1
        begins = first.replace(year=year, month=month)
        found.append((begins, begins + length))
    return found


def test_runs_between_the_assets_and_the_strategy_demo():
    orders = {loader.name: loader.order for loader in demo_loaders}
    assert orders["assets"] < orders["availability"] < orders["strategy"]


def test_each_client_has_monitored_services_one_of_them_flaky(loaded):
    for slug in SLUGS:
        services = BusinessService.objects.filter(client__slug=slug)
        assert 3 <= services.count() <= 4
        monitors = Monitor.objects.filter(service__client__slug=slug)
        assert monitors.count() == services.count()
        assert all(m.target.startswith("http://127.0.0.1:8790/") for m in monitors)
        assert sum(m.target.endswith("/flaky/") for m in monitors) == 1
        assert MaintenanceWindow.objects.filter(service__client__slug=slug).count() == 1
        assert AlertChannel.objects.filter(service__client__slug=slug, kind="email").exists()
    erp = BusinessService.objects.get(client__slug="acme", name="ERP (Epicor Kinetic)")
    assert erp.sla_hours == SlaHours.BUSINESS
    assert erp.monitors.get().keyword == "Welcome"


def test_monitors_are_due_at_once(loaded):
    assert not Monitor.objects.filter(next_run_at__isnull=True).exists()
    assert not Monitor.objects.filter(next_run_at__gt=timezone.now()).exists()


def test_monitors_aim_at_the_configured_port(monkeypatch):
    monkeypatch.setenv("VCIO_DEMO_TARGET_PORT", "8799")
    load_core({}, quiet)
    demo.load_availability({}, quiet)
    assert Monitor.objects.exclude(target__startswith="http://127.0.0.1:8799/").count() == 0


def test_every_monitor_has_90_days_of_hourly_rollups(loaded):
    start, end = demo.history_span(timezone.now())
    per_monitor = Monitor.objects.annotate(
        n=Count("rollups"), first=Min("rollups__hour"), last=Max("rollups__hour")
    )
    for monitor in per_monitor:
        assert monitor.n == 90 * 24
        assert monitor.first == start
        assert monitor.last == end - datetime.timedelta(hours=1)
    for rollup in HourlyRollup.objects.filter(failures=0).select_related("monitor")[:2000]:
        assert rollup.checks == 3600 // rollup.monitor.interval_s
        assert 80 <= rollup.latency_sum_ms / rollup.checks <= 400


def test_outages_are_few_closed_and_show_in_the_rollups(loaded):
    now = timezone.now()
    for service in BusinessService.objects.all():
        outages = list(service.outages.all())
        assert 3 <= len(outages) <= 11, service.name
        assert all(o.ended_at is not None and o.ended_at < now for o in outages)
        for outage in outages:
            hour = outage.started_at.replace(minute=0, second=0, microsecond=0)
            rollup = HourlyRollup.objects.get(monitor=outage.monitor, hour=hour)
            assert rollup.failures >= 1


def test_no_outage_falls_inside_a_maintenance_window(loaded):
    for window in MaintenanceWindow.objects.select_related("service__client"):
        assert window.recurrence == "monthly"
        tz = ZoneInfo(window.service.client.time_zone)
        for begins, ends in monthly_occurrences(window, tz):
            overlapping = window.service.outages.filter(started_at__lt=ends, ended_at__gt=begins)
            assert not overlapping.exists(), (window, begins)


def test_acme_erp_misses_its_sla_in_one_month(loaded):
    erp = BusinessService.objects.get(client__slug="acme", name="ERP (Epicor Kinetic)")
    long = [
        o for o in erp.outages.all() if o.ended_at - o.started_at >= datetime.timedelta(hours=2)
    ]
    assert len(long) == 1
    tz = ZoneInfo(erp.client.time_zone)
    begins, ends = long[0].started_at.astimezone(tz), long[0].ended_at.astimezone(tz)
    # Inside business hours on a business day, so all of it counts against the SLA...
    assert str(begins.isoweekday()) in erp.business_days
    assert erp.business_start <= begins.time() and ends.time() <= erp.business_end
    # ...and it alone is more than a month of business hours allows at 99.9 %.
    budget_min = 31 * 10 * 60 * (100 - float(erp.sla_target)) / 100
    assert (ends - begins).total_seconds() / 60 > budget_min
    # Every other month stays within budget: the short outages last minutes.
    assert all(
        o.ended_at - o.started_at < datetime.timedelta(minutes=4)
        for o in erp.outages.all()
        if o != long[0]
    )


def test_loading_again_adds_nothing(loaded, django_assert_max_num_queries):
    before = counts()
    with django_assert_max_num_queries(150):
        demo.load_availability({}, quiet)
    assert counts() == before


def test_loads_in_few_queries(django_assert_max_num_queries):
    load_core({}, quiet)
    # Bulk inserts: the query count does not grow with the 26,000 rollups.
    with django_assert_max_num_queries(450):
        demo.load_availability({}, quiet)
    assert HourlyRollup.objects.count() == 12 * 90 * 24


def test_history_is_the_same_for_the_same_seed():
    spec = demo.SERVICES["acme"][1]
    span = demo.history_span(datetime.datetime(2026, 3, 15, 12, 30, tzinfo=datetime.UTC))
    first = demo.plan_outages(spec, random.Random("seed"), span, [], None)
    again = demo.plan_outages(spec, random.Random("seed"), span, [], None)
    assert first == again
    assert len(first) == spec.short_outages


def test_sla_pages_show_exactly_one_breached_month(loaded):
    from vcio.availability import sla

    # Whole months only: early in the current month a few minutes down can
    # exceed the little budget measured so far, and that depends on the date.
    breaches = {
        (service.client.slug, service.name, report.label)
        for service in BusinessService.objects.select_related("client")
        for report in sla.monthly(service, 4)
        if report.breach and not report.partial
    }
    assert len(breaches) == 1
    assert next(iter(breaches))[:2] == ("acme", "ERP (Epicor Kinetic)")
