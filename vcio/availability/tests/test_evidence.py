"""The availability app's evidence rules, as a CIO reads them, as of 30 June 2026.

The factories' monitors have watched since 2025, so the 90 days to 30 June
are fully measured: 2,160 hours, of which a 99.9 % target allows 2.16 hours
down. A one-hour outage meets it, a three-hour one does not.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.availability import evidence
from vcio.availability.models import BusinessService, Criticality, MonitorState
from vcio.availability.tests.factories import MonitorFactory, OutageFactory, ServiceFactory
from vcio.core.registry import evidence_rules
from vcio.core.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db
AT = datetime.date(2026, 6, 30)
UTC = datetime.UTC
KEYS = [
    "availability.critical_monitored",
    "availability.sla_met",
    "availability.backup_monitors",
]


def june(day: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(2026, 6, day, hour, tzinfo=UTC)


def evaluate(key: str, *clients) -> dict:
    return evidence_rules.get(key).evaluate([c.pk for c in clients], AT)


def test_every_rule_is_registered_under_its_key():
    for key in KEYS:
        rule = evidence_rules.get(key)
        assert rule.app == "availability" and rule.label and rule.description
    assert evidence_rules.get("availability.sla_met").evaluate is evidence.sla_met


# Critical services monitored ----------------------------------------------------------------


def critical(client, name: str, **kw) -> BusinessService:
    return ServiceFactory(client=client, name=name, criticality=Criticality.CRITICAL, **kw)


def test_critical_monitored_names_the_unwatched_critical_services(acme, globex):
    erp = critical(acme, "ERP")
    MonitorFactory(service=erp)
    MonitorFactory(service=erp, enabled=False)
    MonitorFactory(service=critical(acme, "Email"))
    payroll = critical(acme, "Payroll")
    MonitorFactory(service=payroll, enabled=False)  # paused: not active
    ServiceFactory(client=acme, name="Intranet", criticality=Criticality.HIGH)  # not critical
    ServiceFactory(client=globex, name="Website", criticality=Criticality.LOW)

    got = evaluate("availability.critical_monitored", acme, globex)

    watched = BusinessService.objects.filter(
        client=acme, criticality=Criticality.CRITICAL, monitors__enabled=True
    ).distinct()
    assert got[acme.pk].counts == {"ok": watched.count(), "total": 3}
    assert got[acme.pk].status == "partly"  # 2 of 3: at least half
    assert got[acme.pk].sentence == (
        "2 of 3 critical services are watched by an active monitor; "
        "1 is not: Payroll (no active monitor)."
    )
    assert got[acme.pk].rows[0].url == f"/clients/acme/services/{payroll.pk}/"
    assert [r.ok for r in got[acme.pk].rows] == [False, True, True]
    assert got[globex.pk].status == "no_data"
    assert got[globex.pk].sentence == "No business service is marked critical."


# SLA met ------------------------------------------------------------------------------------


def test_sla_met_over_the_90_days_to_the_day(acme, globex):
    ok_monitor = MonitorFactory(service=ServiceFactory(client=acme, name="ERP"))
    OutageFactory(monitor=ok_monitor, started_at=june(10), ended_at=june(10, 13))
    bad_monitor = MonitorFactory(service=ServiceFactory(client=acme, name="Email"))
    OutageFactory(monitor=bad_monitor, started_at=june(11), ended_at=june(11, 15))
    # Long before the 90 days: not counted.
    OutageFactory(monitor=ok_monitor, started_at=june(1) - datetime.timedelta(days=120))
    MonitorFactory(service=ServiceFactory(client=acme, name="Website", sla_target=Decimal("99")))
    ServiceFactory(client=acme, name="Fax")  # no monitor: not measured
    ServiceFactory(client=globex, name="Portal")  # nothing measured at all

    got = evaluate("availability.sla_met", acme, globex)

    hours = 90 * 24
    erp_pct = round(100 * (1 - 1 / hours), 3)
    email_pct = round(100 * (1 - 3 / hours), 3)
    assert (erp_pct, email_pct) == (99.954, 99.861)
    assert got[acme.pk].counts == {"ok": 2, "total": 3, "unmeasured": 1}
    assert got[acme.pk].status == "not_aligned"  # 2 / 3 < 75 %
    assert got[acme.pk].sentence == (
        "2 of 3 services met their SLA target over the last 90 days; "
        f"1 did not: Email ({email_pct} % against 99.9 %); "
        "1 more service was not monitored: Fax (not monitored in the period)."
    )
    assert [(r.label, r.ok) for r in got[acme.pk].rows] == [
        ("Email", False),
        ("Fax", False),
        ("ERP", True),
        ("Website", True),
    ]
    assert got[globex.pk].status == "no_data"
    assert got[globex.pk].sentence == (
        "No business service was monitored in the last 90 days: "
        "Portal (not monitored in the period)."
    )


def test_sla_met_is_no_data_without_services(acme):
    got = evaluate("availability.sla_met", acme)[acme.pk]
    assert (got.status, got.sentence) == ("no_data", "No business service is recorded.")


# Backup monitors -----------------------------------------------------------------------------


def test_backup_monitors_must_exist_and_be_up(acme):
    nas = ServiceFactory(client=acme, name="NAS backups")
    MonitorFactory(service=nas, name="Veeam job", state=MonitorState.UP)  # by its service's name
    down = MonitorFactory(service=nas, name="Offsite copy", state=MonitorState.UP)
    OutageFactory(monitor=down, started_at=june(29, 22), ended_at=None, cause="HTTP 500")
    erp = ServiceFactory(client=acme, name="ERP")
    MonitorFactory(service=erp, name="ERP BACKUP share", state=MonitorState.UP)
    MonitorFactory(service=erp, name="Nightly backup", state=MonitorState.UP, enabled=False)
    MonitorFactory(service=erp, name="ERP login", state=MonitorState.DOWN)  # not a backup

    got = evaluate("availability.backup_monitors", acme)[acme.pk]

    assert got.counts == {"ok": 2, "total": 4}
    assert got.status == "partly"  # 2 of 4: half
    assert got.sentence == (
        "2 of 4 backup monitors are up; 2 are not: "
        "Nightly backup (paused), Offsite copy (down since 2026-06-29 22:00 UTC: HTTP 500)."
    )
    assert [(r.label, r.ok) for r in got.rows] == [
        ("Nightly backup", False),
        ("Offsite copy", False),
        ("ERP BACKUP share", True),
        ("Veeam job", True),
    ]


def test_an_outage_ended_before_the_day_ends_leaves_the_monitor_green(acme):
    monitor = MonitorFactory(
        service=ServiceFactory(client=acme, name="Backups"), name="Job", state=MonitorState.UP
    )
    OutageFactory(monitor=monitor, started_at=june(30, 1), ended_at=june(30, 2))
    got = evaluate("availability.backup_monitors", acme)[acme.pk]
    assert (got.status, got.sentence) == ("aligned", "1 of 1 backup monitor is up.")


def test_no_backup_monitor_is_a_finding_not_a_lack_of_data(acme):
    MonitorFactory(service=ServiceFactory(client=acme, name="ERP"), name="Login page")
    got = evaluate("availability.backup_monitors", acme)[acme.pk]
    assert (got.status, got.sentence) == ("not_aligned", "No monitor watches a backup.")


# Query counts -------------------------------------------------------------------------------


def _client_with_everything():
    client = ClientFactory()
    erp = critical(client, "ERP")
    monitor = MonitorFactory(service=erp, name="ERP backup", state=MonitorState.UP)
    OutageFactory(monitor=monitor, started_at=june(10), ended_at=None)
    critical(client, "Mail")
    return client


@pytest.mark.parametrize("key", KEYS)
def test_queries_do_not_grow_with_the_number_of_clients(key):
    clients = [_client_with_everything() for _ in range(5)]
    rule = evidence_rules.get(key)
    with CaptureQueriesContext(connection) as one:
        rule.evaluate([clients[0].pk], AT)
    with CaptureQueriesContext(connection) as five:
        got = rule.evaluate([c.pk for c in clients], AT)
    # As of each client's own today too (no day given).
    assert set(rule.evaluate([c.pk for c in clients], None)) == {c.pk for c in clients}
    assert len(five) == len(one)
    assert {cid: r.status for cid, r in got.items()} == {
        c.pk: got[clients[0].pk].status for c in clients
    }
