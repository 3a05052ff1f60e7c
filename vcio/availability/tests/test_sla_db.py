"""SLA of stored services: outages and maintenance windows loaded in a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.availability import sla
from vcio.availability.tests.factories import (
    MaintenanceWindowFactory,
    MonitorFactory,
    OutageFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
HOUR = 3600
DAY = 86400


def t(day: int, hour: int = 0, minute: int = 0, month: int = 3) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def erp(acme):
    """Acme's ERP, 24×7 at 99.9 %, watched by a web and a database monitor."""
    service = ServiceFactory(client=acme, name="ERP")
    MonitorFactory(service=service, name="web")
    MonitorFactory(service=service, name="database")
    return service


def down(service, name: str, start, end=None):
    return OutageFactory(monitor=service.monitors.get(name=name), started_at=start, ended_at=end)


def test_outages_of_the_services_monitors_are_merged(erp):
    down(erp, "web", t(10, 10), t(10, 11))
    down(erp, "database", t(10, 10, 30), t(10, 11, 30))
    r = sla.service_sla(erp, t(1), t(1, month=4), now=t(1, month=5), label="March")
    assert (r.label, r.downtime_s, r.outages) == ("March", 90 * 60, 1)
    assert r.measured_s == 31 * DAY
    assert r.breach  # 90 minutes is more than March's 44.6-minute budget


def test_another_services_outages_do_not_count(erp, acme):
    other = MonitorFactory(service=ServiceFactory(client=acme, name="Website"))
    OutageFactory(monitor=other, started_at=t(10, 10), ended_at=t(10, 11))
    r = sla.service_sla(erp, t(1), t(1, month=4), now=t(1, month=5))
    assert (r.outages, r.availability_pct) == (0, 100)


def test_monthly_splits_an_outage_at_the_month_boundary(erp):
    down(erp, "web", t(31, 23), t(1, 1, month=4))
    reports = sla.monthly(erp, months=3, now=t(10, 12, month=4))
    assert [r.label for r in reports] == ["2026-02", "2026-03", "2026-04"]
    assert [r.downtime_s for r in reports] == [0, HOUR, HOUR]
    assert [r.partial for r in reports] == [False, False, True]
    assert reports[2].measured_s == 9 * DAY + 12 * HOUR


def test_an_open_outage_counts_up_to_now(erp):
    down(erp, "web", t(10, 12), None)
    (r,) = sla.monthly(erp, months=1, now=t(10, 14))
    assert (r.downtime_s, r.ongoing, r.mttr_s) == (2 * HOUR, True, None)


def test_by_quarter_follows_the_clients_fiscal_year(erp, acme):
    # A fiscal year starting in July: January–March 2026 is FY2026 Q3.
    acme.fiscal_year_start_month = 7
    acme.save()
    down(erp, "web", t(2, 0, month=2), t(2, 3, month=2))
    q3, q4 = sla.by_quarter(erp, quarters=2, now=t(10, month=4))
    assert (q3.label, q3.start, q3.end) == ("FY2026 Q3", t(1, month=1), t(1, month=4))
    assert (q3.downtime_s, q3.measured_s) == (3 * HOUR, 90 * DAY)
    assert (q4.label, q4.partial, q4.downtime_s) == ("FY2026 Q4", True, 0)


def test_business_hours_are_in_the_clients_time_zone(acme):
    acme.time_zone = "America/New_York"
    acme.save()
    crm = ServiceFactory(client=acme, sla_hours="business")
    # 12:00–13:00 UTC is 07:00 EST before 8 March and 08:00 EDT after.
    for day in (6, 9):
        OutageFactory(monitor=MonitorFactory(service=crm), started_at=t(day, 12))
    march, _april = sla.monthly(crm, months=2, now=t(10, month=4))
    assert march.start == t(1, 5)  # midnight in New York
    assert march.measured_s == 22 * 10 * HOUR
    assert (march.downtime_s, march.outages) == (HOUR, 1)


def test_maintenance_windows_are_excluded_even_when_they_started_long_ago(erp):
    # Weekly on Sundays 02:00–04:00 since 2025; March 2026 has 5 Sundays.
    MaintenanceWindowFactory(
        service=erp, starts_at=t(5, 2, month=1).replace(year=2025), recurrence="weekly"
    )
    MaintenanceWindowFactory(service=erp, starts_at=t(18, 9), ends_at=t(18, 10))
    down(erp, "web", t(8, 1), t(8, 3))  # only 01:00–02:00 counts
    down(erp, "web", t(18, 9), t(18, 10))  # all of it in the one-off window
    r = sla.service_sla(erp, t(1), t(1, month=4), now=t(1, month=5))
    assert r.measured_s == 31 * DAY - 5 * 2 * HOUR - HOUR
    assert (r.downtime_s, r.outages) == (HOUR, 1)


def test_services_sla_runs_the_same_queries_for_2_or_10_services(acme, globex):
    def queries(n: int) -> int:
        services = []
        for i in range(n):
            service = ServiceFactory(client=acme if i % 2 else globex)
            OutageFactory(monitor=MonitorFactory(service=service), started_at=t(10, i))
            MaintenanceWindowFactory(service=service, recurrence="daily")
            services.append(service)
        with CaptureQueriesContext(connection) as ctx:
            reports = sla.services_sla(services, t(1), t(1, month=4), now=t(1, month=5))
        assert set(reports) == {s.pk for s in services}
        assert all(r.downtime_s == HOUR for r in reports.values())
        return len(ctx.captured_queries)

    assert queries(2) == queries(10) == 4


def test_monthly_runs_four_queries_for_twelve_months(erp):
    down(erp, "web", t(10, 12), t(10, 13))
    with CaptureQueriesContext(connection) as ctx:
        reports = sla.monthly(erp, now=t(10, month=4))
    assert len(reports) == 12 and len(ctx.captured_queries) == 4


# Only measured time counts ---------------------------------------------------------


def test_days_before_the_first_check_are_not_counted_as_up(acme):
    # Monitoring began 3 September 2026 at 20:00 UTC; down 1 hour on 10 September.
    began = datetime.datetime(2026, 9, 3, 20, tzinfo=UTC)
    service = ServiceFactory(client=acme, name="Payroll", sla_target=99)
    monitor = MonitorFactory(service=service, monitored_since=began)
    OutageFactory(monitor=monitor, started_at=t(10, 12, month=9), ended_at=t(10, 13, month=9))
    september = sla.service_sla(service, t(1, month=9), t(1, month=10), now=t(5, month=10))
    # By hand: 30 days minus 2 days 20 hours before monitoring = 27 days 4 hours measured.
    measured = (27 * 24 + 4) * HOUR
    assert september.measured_s == measured
    assert september.availability_pct == pytest.approx(100 * (measured - HOUR) / measured)
    assert september.partial and september.partial_note == "monitored from 3 Sep 2026 20:00 UTC"
    august = sla.service_sla(service, t(1, month=8), t(1, month=9), now=t(5, month=10))
    assert (august.measured_s, august.availability_pct) == (0, None)
    assert august.partial_note == "not monitored"
    october = sla.service_sla(service, t(1, month=10), t(1, month=11), now=t(5, month=10))
    assert october.partial_note == "so far"


def test_a_service_never_checked_is_not_reported_up(acme):
    service = ServiceFactory(client=acme, name="Fax")
    report = sla.service_sla(service, t(1), t(1, month=4), now=t(1, month=5))
    assert report.availability_pct is None and not report.breach
