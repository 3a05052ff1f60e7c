"""The availability API: scoping, bad input named, SLA, check now, query counts, audit."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vcio.assets.tests.factories import AssetFactory
from vcio.availability import engine
from vcio.availability.models import (
    AlertChannel,
    BusinessService,
    MaintenanceWindow,
    Monitor,
    MonitorState,
    Outage,
)
from vcio.availability.tests.factories import MonitorFactory, OutageFactory, ServiceFactory
from vcio.availability.tests.isolation import availability_rows_for
from vcio.core.models import AuditEvent, Department

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def api(client, user):
    client.force_login(user)
    return client


def post(http, path: str, data: dict):
    return http.post(path, data, content_type="application/json")


def test_services_list_only_the_users_clients_with_their_state(client, gina, acme, globex):
    MonitorFactory(service__client=acme, service__name="ACME ERP", state=MonitorState.DOWN)
    MonitorFactory(
        service__client=globex, service__name="Globex PACS", state=MonitorState.UP, last_ok=True
    )
    body = api(client, gina).get("/api/services/").json()
    assert [(r["name"], r["client"], r["state"]) for r in body["results"]] == [
        ("Globex PACS", "globex", "up")
    ]


def test_a_consultant_creates_a_service_audited(client, bob, acme):
    r = post(api(client, bob), "/api/services/", {"client": "acme", "name": "CRM"})
    assert r.status_code == 201, r.json()
    assert r.json()["state"] == "unknown"
    assert AuditEvent.objects.filter(action="create", object_repr="CRM").exists()


def test_a_service_of_another_clients_department_is_refused(client, bob, acme, globex):
    dept = Department.objects.get(client=globex)
    r = post(
        api(client, bob),
        "/api/services/",
        {"client": "acme", "name": "CRM", "owner_department": dept.pk},
    )
    assert r.status_code == 400
    assert "owner_department" in r.json()
    assert not BusinessService.objects.exists()


def test_another_clients_service_and_monitor_are_404(client, gina, acme):
    service = availability_rows_for(acme, "X")
    monitor = service.monitors.get()
    http = api(client, gina)
    assert http.get(f"/api/services/{service.pk}/").status_code == 404
    assert http.get(f"/api/services/{service.pk}/sla/").status_code == 404
    assert http.get(f"/api/monitors/{monitor.pk}/").status_code == 404
    assert post(http, f"/api/monitors/{monitor.pk}/check/", {}).status_code == 404
    r = post(http, "/api/monitors/", {"service": service.pk, "name": "x", "target": "x"})
    assert r.status_code in (400, 403)
    assert Monitor.objects.count() == 1


def test_an_executive_reads_but_may_not_write(client, carol, acme):
    service = availability_rows_for(acme, "X")
    monitor = service.monitors.get()
    http = api(client, carol)
    assert http.get(f"/api/monitors/{monitor.pk}/").status_code == 200
    assert post(http, f"/api/monitors/{monitor.pk}/check/", {}).status_code == 403
    assert http.delete(f"/api/services/{service.pk}/").status_code == 403
    r = post(http, "/api/alert-channels/", {"service": service.pk, "target": "a@acme.test"})
    assert r.status_code == 403
    assert monitor.results.count() == 1 and AlertChannel.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"target": "http://169.254.169.254/latest/"}, "target", "169.254.0.0/16"),
        ({"expected_status": "2xx"}, "expected_status", "“2xx”"),
        ({"interval_s": 5}, "interval_s", "interval_s: 5 is out of range"),
        ({"kind": "tcp", "target": "no-port"}, "target", "target:"),
    ],
)
def test_a_bad_monitor_is_a_400_naming_the_field(client, bob, acme, changes, field, text):
    service = ServiceFactory(client=acme)
    data = {"service": service.pk, "name": "Web", "target": "http://127.0.0.1:9/"} | changes
    r = post(api(client, bob), "/api/monitors/", data)
    assert r.status_code == 400
    assert text in " ".join(r.json()[field])
    assert not Monitor.objects.exists()


def test_check_now_answers_202_and_the_worker_runs_the_check(client, bob, acme):
    monitor = MonitorFactory(service__client=acme, name="Dead", target="http://127.0.0.1:9/")
    http = api(client, bob)
    r = post(http, f"/api/monitors/{monitor.pk}/check/", {})
    assert r.status_code == 202, r.content
    assert (r.json()["monitor"], r.json()["new"]) == (monitor.pk, True)
    assert monitor.results.count() == 0  # nothing ran inside the request
    engine.check_due("test-worker")
    body = http.get(f"/api/monitors/{monitor.pk}/").json()
    assert body["last_ok"] is False and body["last_checked_at"] is not None
    assert monitor.results.count() == 1


def test_check_now_over_the_per_user_limit_is_429(client, bob, acme, settings):
    settings.VCIO_CHECK_NOW_PER_USER = 1
    first, second = (MonitorFactory(service__client=acme, name=n) for n in ("A", "B"))
    http = api(client, bob)
    assert post(http, f"/api/monitors/{first.pk}/check/", {}).status_code == 202
    again = post(http, f"/api/monitors/{first.pk}/check/", {})
    assert again.status_code == 202 and again.json()["new"] is False
    r = post(http, f"/api/monitors/{second.pk}/check/", {})
    assert r.status_code == 429
    assert "You already have 1 check waiting for the worker" in r.json()["detail"]


def test_outages_filter_by_service_client_and_open(client, bob, acme):
    monitor = MonitorFactory(service__client=acme)
    OutageFactory(monitor=monitor)
    still = Outage.objects.create(
        monitor=monitor, service=monitor.service, started_at=timezone.now(), cause="refused"
    )
    http = api(client, bob)
    assert http.get(f"/api/outages/?service={monitor.service_id}").json()["count"] == 2
    assert http.get("/api/outages/?client=acme").json()["count"] == 2
    body = http.get("/api/outages/?open=true").json()
    assert [o["id"] for o in body["results"]] == [still.pk]
    assert body["results"][0]["duration_s"] is None
    assert post(http, "/api/outages/", {}).status_code == 405


def test_sla_over_a_custom_range(client, bob, acme):
    monitor = MonitorFactory(service__client=acme)
    OutageFactory(  # one hour down on 10 March 2026
        monitor=monitor, started_at=datetime.datetime(2026, 3, 10, 12, tzinfo=UTC)
    )
    http = api(client, bob)
    r = http.get(
        f"/api/services/{monitor.service_id}/sla/?start=2026-03-10T00:00:00Z"
        "&end=2026-03-11T00:00:00Z"
    )
    assert r.status_code == 200
    body = r.json()
    assert body["downtime_s"] == 3600 and body["outages"] == 1
    assert body["availability_pct"] == pytest.approx(100 * 23 / 24)
    assert body["breach"] is True
    assert http.get(f"/api/services/{monitor.service_id}/sla/?period=quarter").status_code == 200
    assert http.get(f"/api/services/{monitor.service_id}/sla/").json()["partial"] is True


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=2026-02-31&end=2026-03-01", "start"),
        ("start=2026-03-01", "end"),
        ("start=2026-03-02&end=2026-03-01", "end"),
        ("period=year", "period"),
    ],
)
def test_bad_sla_queries_are_400_naming_the_field(client, bob, acme, query, field):
    service = ServiceFactory(client=acme)
    r = api(client, bob).get(f"/api/services/{service.pk}/sla/?{query}")
    assert r.status_code == 400
    assert field in r.json()


def test_channels_check_their_target(client, bob, acme):
    service = ServiceFactory(client=acme)
    http = api(client, bob)
    r = post(http, "/api/alert-channels/", {"service": service.pk, "target": "it@acme.test, nope"})
    assert r.status_code == 400 and "“nope” is not an email address" in r.json()["target"][0]
    r = post(
        http,
        "/api/alert-channels/",
        {"service": service.pk, "kind": "webhook", "target": "http://169.254.169.254/"},
    )
    assert r.status_code == 400 and "169.254.0.0/16" in r.json()["target"][0]
    r = post(http, "/api/alert-channels/", {"service": service.pk, "target": "it@acme.test"})
    assert r.status_code == 201
    assert AlertChannel.objects.count() == 1


def test_windows_are_created_and_a_backwards_one_refused(client, bob, acme):
    service = ServiceFactory(client=acme)
    http = api(client, bob)
    window = {
        "service": service.pk,
        "title": "Upgrade",
        "starts_at": "2026-05-01T22:00:00Z",
        "ends_at": "2026-05-02T01:00:00Z",
    }
    assert post(http, "/api/maintenance-windows/", window).status_code == 201
    backwards = window | {"ends_at": "2026-05-01T21:00:00Z"}
    r = post(http, "/api/maintenance-windows/", backwards)
    assert r.status_code == 400 and "ends_at" in r.json()
    assert MaintenanceWindow.objects.count() == 1


@pytest.mark.parametrize(
    "path", ["/api/services/", "/api/monitors/", "/api/outages/", "/api/alert-channels/"]
)
def test_lists_run_the_same_queries_for_2_and_10_rows(client, bob, acme, path):
    http = api(client, bob)

    def make(n: int) -> None:
        for _ in range(n):
            monitor = MonitorFactory(service__client=acme)
            OutageFactory(monitor=monitor)
            AlertChannel.objects.create(service=monitor.service, target="a@acme.test")

    make(2)
    http.get(path)
    with CaptureQueriesContext(connection) as two:
        assert http.get(path).json()["count"] == 2
    make(8)
    with CaptureQueriesContext(connection) as ten:
        assert http.get(path).json()["count"] == 10
    assert len(ten.captured_queries) == len(two.captured_queries)


def test_a_service_links_its_clients_assets_only(client, bob, acme, globex):
    ours = AssetFactory(client=acme, name="erp-db-01")
    theirs = AssetFactory(client=globex)
    http = api(client, bob)
    r = post(http, "/api/services/", {"client": "acme", "name": "ERP", "assets": [ours.pk]})
    assert r.status_code == 201 and r.json()["assets"] == [ours.pk]
    r = post(http, "/api/services/", {"client": "acme", "name": "CRM", "assets": [theirs.pk]})
    assert r.status_code == 400 and "assets" in r.json()
    assert not BusinessService.objects.filter(name="CRM").exists()


def test_monitors_windows_and_channels_name_their_client(api, alice, acme, globex):
    from vcio.availability.tests.isolation import availability_rows_for

    availability_rows_for(acme, "a")
    availability_rows_for(globex, "g")
    http = api(alice)
    for collection in ("monitors", "maintenance-windows", "alert-channels"):
        rows = http.get(f"/api/{collection}/").json()["results"]
        assert sorted(row["client"] for row in rows) == ["acme", "globex"], collection
    monitors = http.get("/api/monitors/").json()["results"]
    assert {m["name"]: m["client"] for m in monitors} == {
        "a web front": "acme",
        "g web front": "globex",
    }
