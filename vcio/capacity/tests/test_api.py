"""The capacity API: targets, connectors (secrets write-only), ingest tokens, series, machines."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.capacity.models import IngestToken, PromConnector, ScrapeTarget, Series
from vcio.capacity.tests.test_pages import machine
from vcio.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def post(http, path: str, data: dict | None = None):
    return http.post(path, data or {}, format="json")


def test_a_target_with_a_bad_url_is_a_400_naming_url(api, bob, acme):
    r = post(api(bob), "/api/capacity/targets/", {"client": "acme", "name": "x", "url": "fs01"})
    assert r.status_code == 400
    assert "url" in r.json() and "not an http:// or https:// URL" in r.json()["url"][0]
    assert not ScrapeTarget.objects.exists()


def test_a_consultant_creates_a_target_audited_and_tests_it(api, bob, acme, settings):
    http = api(bob)
    r = post(http, "/api/capacity/targets/",
             {"client": "acme", "name": "FS01", "url": "http://fs01:9100/metrics"})  # fmt: skip
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["client"], body["kind"], body["interval"]) == ("acme", "node", 60)
    assert AuditEvent.objects.filter(action="create", object_id=str(body["id"])).exists()
    settings.VCIO_MONITOR_ALLOW_LOCAL = False
    target = ScrapeTarget.objects.get()
    target.url = "http://169.254.169.254/metrics"
    target.save()
    r = post(http, f"/api/capacity/targets/{target.pk}/test/")
    assert r.status_code == 200
    assert r.json()["ok"] is False and "169.254.169.254" in r.json()["message"]


def test_a_duplicate_target_url_is_a_400_naming_url(api, bob, acme):
    ScrapeTarget.objects.create(client=acme, name="a", url="http://fs01:9100/metrics")
    r = post(api(bob), "/api/capacity/targets/",
             {"client": "acme", "name": "b", "url": "http://fs01:9100/metrics"})  # fmt: skip
    assert r.status_code == 400 and "already scrapes" in r.json()["url"][0]


def test_connectors_never_return_their_secrets(api, bob, acme):
    http = api(bob)
    r = post(http, "/api/capacity/connectors/",
             {"client": "acme", "name": "Prom", "base_url": "http://prom:9090",
              "bearer_token": "s3cr3t-T0KEN", "password": "hunter2"})  # fmt: skip
    assert r.status_code == 201, r.json()
    connector = PromConnector.objects.get()
    assert connector.bearer_token == "s3cr3t-T0KEN"
    for body in (r.json(), http.get(f"/api/capacity/connectors/{connector.pk}/").json(),
                 http.get("/api/capacity/connectors/").json()):  # fmt: skip
        text = str(body)
        assert "s3cr3t-T0KEN" not in text and "hunter2" not in text
    detail = http.get(f"/api/capacity/connectors/{connector.pk}/").json()
    assert detail["has_bearer_token"] is True and "bearer_token" not in detail


def test_a_connector_with_a_bad_base_url_is_a_400_naming_it(api, bob, acme):
    r = post(api(bob), "/api/capacity/connectors/",
             {"client": "acme", "name": "P", "base_url": "prom:9090"})  # fmt: skip
    assert r.status_code == 400 and "base_url" in r.json()


def test_a_token_key_is_returned_once_and_never_listed(api, bob, acme):
    http = api(bob)
    r = post(http, "/api/capacity/ingest-tokens/", {"client": "acme", "name": "FS01 agent"})
    assert r.status_code == 201, r.json()
    key = r.json()["key"]
    assert key.startswith(r.json()["prefix"])
    token = IngestToken.objects.get()
    listed = http.get("/api/capacity/ingest-tokens/").json()
    one = http.get(f"/api/capacity/ingest-tokens/{token.pk}/").json()
    assert key not in str(listed) and key not in str(one) and "key" not in one
    assert [t["name"] for t in listed["results"]] == ["FS01 agent"]
    assert AuditEvent.objects.filter(action="create", object_id=str(token.pk)).exists()


def test_a_token_is_revoked(api, bob, acme):
    token, _ = IngestToken.issue(acme, "old", bob)
    r = post(api(bob), f"/api/capacity/ingest-tokens/{token.pk}/revoke/")
    assert r.status_code == 200 and r.json()["active"] is False
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_token_without_a_name_is_a_400_naming_it(api, bob, acme):
    r = post(api(bob), "/api/capacity/ingest-tokens/", {"client": "acme"})
    assert r.status_code == 400 and "name" in r.json()


def test_an_executive_sees_no_sources_and_cannot_issue_tokens(api, carol, acme):
    ScrapeTarget.objects.create(client=acme, name="t", url="http://fs01:9100/metrics")
    IngestToken.issue(acme, "agent")
    http = api(carol)
    assert http.get("/api/capacity/targets/").json()["results"] == []
    assert http.get("/api/capacity/ingest-tokens/").json()["results"] == []
    r = post(http, "/api/capacity/ingest-tokens/", {"client": "acme", "name": "x"})
    assert r.status_code == 403
    assert IngestToken.objects.count() == 1


def test_another_clients_sources_are_invisible(api, gina, acme):
    target = ScrapeTarget.objects.create(client=acme, name="t", url="http://fs01:9100/metrics")
    token, _ = IngestToken.issue(acme, "agent")
    http = api(gina)
    assert http.get("/api/capacity/targets/").json()["results"] == []
    assert http.get(f"/api/capacity/targets/{target.pk}/").status_code == 404
    assert post(http, f"/api/capacity/targets/{target.pk}/test/").status_code == 404
    assert post(http, f"/api/capacity/ingest-tokens/{token.pk}/revoke/").status_code == 404
    r = post(http, "/api/capacity/ingest-tokens/", {"client": "acme", "name": "x"})
    assert r.status_code == 400 and "client" in r.json()


def test_series_are_filtered_by_asset_and_metric(api, bob, gina, acme):
    asset = machine(acme, "DB01")
    machine(acme, "APP01")
    body = api(bob).get(f"/api/capacity/series/?asset={asset.pk}&metric=mem").json()
    assert [(s["asset"], s["metric"]) for s in body["results"]] == [(asset.pk, "mem")]
    assert api(gina).get("/api/capacity/series/").json()["results"] == []
    r = api(bob).get("/api/capacity/series/?metric=nope")
    assert r.status_code == 400 and "metric" in r.json()


def test_machines_give_the_assessment_per_client(api, bob, carol, gina, acme):
    machine(acme, "APP01", cpu=0.05, mem=0.2)
    machine(acme, "DB01", cpu=0.95, disk_grow=0.004)
    body = api(carol).get("/api/capacity/machines/?client=acme&window=7").json()
    rows = {m["name"]: m for m in body["results"]}
    assert rows["APP01"]["efficiency"] == "idle" and rows["DB01"]["efficiency"] == "saturated"
    assert rows["DB01"]["cpu_p95"] == pytest.approx(0.95) and rows["DB01"]["window"] == 7
    assert rows["DB01"]["full"].startswith("Disk /srv full on")
    disk = rows["DB01"]["resources"][2]
    assert disk["label"] == "Disk /srv" and disk["forecast"]["crossing"]
    idle = api(bob).get("/api/capacity/machines/?class=idle").json()
    assert [m["name"] for m in idle["results"]] == ["APP01"]
    assert api(gina).get("/api/capacity/machines/").json()["results"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [("window=12", "window"), ("class=busy", "class"), ("client=globex", "client")],
)
def test_a_bad_machines_query_is_a_400_naming_the_field(api, bob, acme, query, field):
    r = api(bob).get(f"/api/capacity/machines/?{query}")
    assert r.status_code == 400 and field in r.json()


def test_machines_run_the_same_queries_for_3_and_12(api, bob, acme):
    http = api(bob)
    for i in range(3):
        machine(acme, f"M{i:02}")
    http.get("/api/capacity/machines/")
    with CaptureQueriesContext(connection) as three:
        http.get("/api/capacity/machines/")
    for i in range(3, 12):
        machine(acme, f"M{i:02}")
    with CaptureQueriesContext(connection) as twelve:
        assert len(http.get("/api/capacity/machines/").json()["results"]) == 12
    assert len(twelve.captured_queries) == len(three.captured_queries)
    assert Series.objects.count() == 36
