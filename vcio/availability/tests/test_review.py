"""The SLA section of a review and the availability part of the health score."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vcio.availability import review, sla
from vcio.availability.models import Criticality
from vcio.availability.tests.factories import (
    MaintenanceWindowFactory,
    MonitorFactory,
    OutageFactory,
    ServiceFactory,
)
from vcio.core.fiscal import quarter_of
from vcio.core.registry import ReviewPeriod
from vcio.core.tests.factories import ClientFactory
from vcio.reviews import snapshot

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
D = datetime.date


def t(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=UTC)


def down(service, start, minutes: int) -> None:
    monitor = service.monitors.first() or MonitorFactory(service=service)
    OutageFactory(
        monitor=monitor, started_at=start, ended_at=start + datetime.timedelta(minutes=minutes)
    )


def march(client, **extra) -> ReviewPeriod:
    """The monthly review of March 2026, held on 5 April."""
    return ReviewPeriod(
        client_id=client.pk,
        kind=extra.pop("kind", "monthly"),
        start=extra.pop("start", D(2026, 3, 1)),
        end=D(2026, 3, 31),
        today=D(2026, 4, 5),
        next_review=D(2026, 5, 10),
    )


@pytest.fixture
def world(acme):
    """Acme's ERP misses 99.9 % in March (3 h 28 min in 2 outages); the website meets it.

    A third ERP outage falls inside a maintenance window and must not count.
    """
    erp = ServiceFactory(client=acme, name="ERP", criticality=Criticality.CRITICAL)
    down(erp, t(3, 10, 9), 120)
    down(erp, t(3, 20, 14), 88)
    MaintenanceWindowFactory(service=erp, starts_at=t(3, 15, 1), ends_at=t(3, 15, 5))
    down(erp, t(3, 15, 2), 60)  # planned: excluded from the SLA
    site = ServiceFactory(client=acme, name="Website", criticality=Criticality.MEDIUM)
    down(site, t(3, 12, 3), 10)
    return {"erp": erp, "site": site}


def section(data: dict) -> dict:
    """The data as the report reads it back from the snapshot's JSON."""
    return snapshot.jsonable(data)


def test_collect_measures_each_service_over_the_period(world, acme):
    data = review.collect(march(acme))
    erp, site = data["services"]
    assert (erp["name"], erp["criticality_label"], erp["target_text"]) == (
        "ERP",
        "Business critical",
        "99.9 %",
    )
    # 208 minutes down of 31 days: 99.534 %, shown truncated.
    assert (erp["downtime_min"], erp["outages"], erp["availability_text"]) == (208, 2, "99.53 %")
    assert erp["downtime_text"] == "3 h 28 min" and erp["mttr_text"] == "1 h 44 min"
    assert erp["breach"] and erp["budget_left_min"] < 0
    assert site["breach"] is False and site["outages"] == 1
    assert data["breached"] == 1 and data["period_label"] == "March 2026"
    assert data["months"] == []
    # Evidence: the breaching service's outages, longest first; not the website's, nor the
    # one during planned maintenance.
    assert [(o["service"], o["start_text"], o["duration_text"]) for o in data["evidence"]] == [
        ("ERP", "10 Mar 2026 09:00", "2 h"),
        ("ERP", "20 Mar 2026 14:00", "1 h 28 min"),
    ]


def test_a_qbr_shows_each_month_of_the_quarter(world, acme):
    data = review.collect(march(acme, kind="qbr", start=D(2026, 1, 1)))
    assert data["months"] == ["Jan 2026", "Feb 2026", "Mar 2026"]
    erp = data["services"][0]
    assert [m["availability_text"] for m in erp["months"]] == ["100.00 %", "100.00 %", "99.53 %"]
    assert [m["breach"] for m in erp["months"]] == [False, False, True]
    # A quarter of 90 days allows 129.6 minutes: the quarter is breached too.
    assert erp["breach"] and erp["availability_text"] == "99.83 %"


def test_the_period_runs_midnight_to_midnight_in_the_clients_zone(db):
    client = ClientFactory(slug="ny", time_zone="America/New_York")
    erp = ServiceFactory(client=client, name="ERP")
    down(erp, t(3, 1, 3), 60)  # 22:00 on 28 February in New York: February's outage
    march_ny = review.collect(march(client))["services"][0]
    assert (march_ny["outages"], march_ny["availability_text"]) == (0, "100.00 %")
    feb = ReviewPeriod(client.pk, "monthly", D(2026, 2, 1), D(2026, 2, 28), D(2026, 3, 5))
    assert review.collect(feb)["services"][0]["downtime_text"] == "1 h"


def test_collect_of_a_client_without_services_is_empty(globex):
    assert review.collect(march(globex)) == {}


def test_changes_report_breaches_and_recoveries(world, acme):
    period = march(acme)
    current = section(review.collect(period))
    first = review.changes(None, current, period)
    assert [(c.kind, c.direction, c.text) for c in first] == [
        (
            "sla.breach",
            "worse",
            "ERP missed its 99.9 % SLA: 99.53 % in March 2026 (3 h 28 min down in 2 outages).",
        )
    ]
    april = ReviewPeriod(acme.pk, "monthly", D(2026, 4, 1), D(2026, 4, 30), D(2026, 5, 5))
    later = section(review.collect(april))
    recovered = review.changes(current, later, april)
    assert [(c.kind, c.direction, c.text) for c in recovered] == [
        (
            "sla.recovered",
            "better",
            "ERP met its 99.9 % SLA again: 100.00 % in April 2026, after missing it in March 2026.",
        )
    ]


def test_the_report_counts_only_monitored_time_and_says_the_month_is_partial(acme):
    # Monitoring began on 21 March at 00:00 UTC; down 2 hours on 25 March.
    began = datetime.datetime(2026, 3, 21, tzinfo=UTC)
    erp = ServiceFactory(client=acme, name="ERP")
    MonitorFactory(service=erp, monitored_since=began)
    down(erp, t(3, 25, 10), 120)
    data = section(review.collect(march(acme)))
    [row] = data["services"]
    # By hand: 11 days measured (21–31 March), 2 hours down: 99.24 %, not 99.73 % over 31 days.
    assert row["availability"] == pytest.approx(100 * (11 * 24 - 2) / (11 * 24), abs=1e-4)
    assert row["partial"] and row["breach"]
    html = render_to_string(
        "availability/report_section.html",
        {"data": data, "period": {"label": "March 2026"}, "client": {"name": "Acme Corp"}},
    )
    assert "(partial: monitored from 21 Mar 2026 00:00 UTC)" in html


def test_the_template_shows_the_table_with_the_breach_marked(world, acme):
    data = section(review.collect(march(acme, kind="qbr", start=D(2026, 1, 1))))
    html = render_to_string(
        "availability/report_section.html",
        {"data": data, "period": {"label": "FY2026 Q1"}, "client": {"name": "Acme Corp"}},
    )
    for heading in ("Service", "Criticality", "Target", "Availability", "Downtime", "MTTR"):
        assert f"<th>{heading}</th>" in html or f'<th class="num">{heading}</th>' in html
    assert '<tr class="breach">' in html and "ERP" in html and "Website" in html
    assert "Mar 2026" in html and "99.53 %" in html
    assert "Longest outages" in html and "No data yet." not in html


def test_the_template_of_a_client_without_services_says_no_data(globex):
    html = render_to_string(
        "availability/report_section.html",
        {"data": section(review.collect(march(globex))), "period": {}, "client": {}},
    )
    assert "No data yet." in html and "<table" not in html


# Health ------------------------------------------------------------------------


def quarter_start(client) -> datetime.datetime:
    """Midnight starting the client's current fiscal quarter (UTC clients in these tests)."""
    today = timezone.now().date()
    start = quarter_of(today, client.fiscal_year_start_month).start
    return datetime.datetime.combine(start, datetime.time(0), tzinfo=UTC)


def half_down(service) -> None:
    """Down for half the quarter so far: a miss whatever day the test runs."""
    start = quarter_start(service.client)
    OutageFactory(
        monitor=MonitorFactory(service=service),
        started_at=start,
        ended_at=start + (timezone.now() - start) / 2,
    )


def test_health_weights_misses_by_criticality(acme):
    half_down(ServiceFactory(client=acme, name="ERP", criticality=Criticality.CRITICAL))
    MonitorFactory(
        service=ServiceFactory(client=acme, name="Website", criticality=Criticality.MEDIUM)
    )
    score = review.health([acme.pk])[acme.pk]
    # The ERP used hundreds of times its budget (0) and weighs 4; the website (100) weighs 2.
    assert score.score == pytest.approx(33.3, abs=0.1)
    assert score.explanation.startswith("1 of 2 services met their SLA this quarter; ERP at ")
    assert score.explanation.endswith(" against 99.9 %.")


def test_health_of_a_client_whose_services_all_meet_their_target(acme, globex):
    MonitorFactory(service=ServiceFactory(client=acme, name="ERP"))
    result = review.health([acme.pk, globex.pk])
    assert result[acme.pk].score == 100
    assert result[acme.pk].explanation == ("ERP met its SLA this quarter: 100.00 % against 99.9 %.")
    assert globex.pk not in result  # no services: no data, left out of the composite


def test_a_near_miss_costs_half_of_the_services_weight():
    report = sla.compute(
        [(t(3, 10), t(3, 10, 0, 45))],  # 45 minutes of a 44.64-minute budget
        [(t(3, 1), t(4, 1))],
        99.9,
        t(5, 1),
        start=t(3, 1),
        end=t(4, 1),
    )
    assert report.breach
    assert review.service_score(report) == pytest.approx(49.6, abs=0.1)


# Queries --------------------------------------------------------------------------


def add_services(client, n: int) -> None:
    """``n`` more services, each with two outages and a maintenance window in March."""
    first = client.business_services.count()
    for i in range(first, first + n):
        service = ServiceFactory(client=client, name=f"{client.slug}-svc-{i}")
        down(service, t(3, 3 + i, 8), 90)
        down(service, t(3, 4 + i, 8), 30)
        MaintenanceWindowFactory(service=service, starts_at=t(3, 6, 1), ends_at=t(3, 6, 3))


def test_collect_and_health_run_a_fixed_number_of_queries(acme):
    def count(fn) -> int:
        with CaptureQueriesContext(connection) as ctx:
            fn()
        return len(ctx.captured_queries)

    clients = [acme, ClientFactory(slug="second")]
    for client in clients:
        add_services(client, 2)
    ids = [c.pk for c in clients]
    small = (
        count(lambda: review.collect(march(acme, kind="qbr"))),
        count(lambda: review.health(ids)),
    )
    clients += [ClientFactory(slug="third"), ClientFactory(slug="fourth")]
    for client in clients:
        add_services(client, 2)
    ids = [c.pk for c in clients]
    big = (
        count(lambda: review.collect(march(acme, kind="qbr"))),
        count(lambda: review.health(ids)),
    )
    assert small == big


def test_a_whole_report_holds_the_sla_and_lifecycle_sections(world, acme, bob):
    from vcio.assets.tests.factories import AssetFactory
    from vcio.reviews import services
    from vcio.reviews.reports import render_report

    AssetFactory(client=acme, name="LAPTOP-014")
    qbr = services.create_review(acme, "qbr", D(2026, 1, 1), D(2026, 3, 31), bob)
    snap = services.report_snapshot(qbr, today=D(2026, 4, 5))
    html = render_report(qbr, snap)
    assert "Service availability (SLA)" in html and "Lifecycle and replacement plan" in html
    assert "ERP" in html and "99.83 %" in html
    assert any(c["kind"] == "sla.breach" and "ERP missed" in c["text"] for c in snap["changes"])
    assert "ERP missed its 99.9 % SLA" in html  # the what-changed list


def test_a_clean_100_percent_is_not_cut_to_99_99_by_float_noise():
    # 100 * (m - 0) / m is 99.99999999999999 for this many seconds measured.
    measured = 6238865.836138
    assert 100 * (measured - 0) / measured < 100
    assert review.pct_text(100 * (measured - 0) / measured) == "100.00 %"
    assert review.pct_text(99.9996) == "99.99 %"  # still cut, never rounded up
