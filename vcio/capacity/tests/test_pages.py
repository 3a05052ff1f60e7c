"""The capacity pages: overview heat map, a machine's page, sources, tokens; scoping and counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vcio.assets.tests.factories import AssetFactory
from vcio.capacity.models import DailyRollup, IngestToken, PromConnector, ScrapeTarget, Series
from vcio.capacity.views.common import today_utc
from vcio.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def url(name: str, client, **kwargs) -> str:
    return reverse(f"capacity:{name}", kwargs={"client": client.slug, **kwargs})


def series(asset, metric, labels="", days=90, mean=0.3, p95=0.5, high=0.6, grow=0.0):
    """A series with a daily rollup for each of the ``days`` up to today; ``grow`` per day."""
    s = Series.objects.create(client=asset.client, asset=asset, metric=metric, labels=labels)
    end = today_utc()
    DailyRollup.objects.bulk_create(
        DailyRollup(
            series=s,
            day=end - timedelta(days=days - 1 - i),
            min=0,
            mean=min(mean + grow * i, 1),
            p95=min(p95 + grow * i, 1),
            max=min(high + grow * i, 1),
            count=1440,
        )
        for i in range(days)
    )
    return s


def machine(client, name, cpu=0.5, mem=0.5, disk_grow=0.0):
    asset = AssetFactory(client=client, name=name)
    series(asset, "cpu", mean=cpu / 2, p95=cpu, high=cpu)
    series(asset, "mem", mean=mem / 2, p95=mem, high=mem)
    series(asset, "fs", "mountpoint=/srv", mean=0.4, p95=0.4, high=0.4, grow=disk_grow)
    return asset


def test_the_overview_shows_each_machine_with_its_p95s_class_and_forecast(login, bob, acme):
    machine(acme, "APP01", cpu=0.05, mem=0.2)
    machine(acme, "DB01", cpu=0.95, mem=0.5, disk_grow=0.004)
    page = login(bob).get(url("overview", acme)).content.decode()
    assert "APP01" in page and "DB01" in page
    assert "heat-hot" in page and "95 %" in page
    assert "Idle" in page and "Saturated" in page and "CPU p95 95%" in page
    assert "Disk /srv full on" in page  # DB01's disk grows 0.4 % a day
    assert "not within a year" in page  # APP01's disk is flat


def test_the_overview_filters_by_class_and_changes_window(login, bob, acme):
    machine(acme, "APP01", cpu=0.05, mem=0.2)
    machine(acme, "DB01", cpu=0.95)
    http = login(bob)
    page = http.get(url("overview", acme) + "?class=idle&window=7").content.decode()
    assert "APP01" in page and "DB01" not in page
    assert "over the last 7 days" in page


def test_a_bad_window_is_a_400_naming_it(login, bob, acme):
    r = login(bob).get(url("overview", acme) + "?window=12")
    assert r.status_code == 400
    assert "12 is not one of the available choices" in r.content.decode()


def test_the_overview_sorts_by_a_column(login, bob, acme):
    machine(acme, "AAA", cpu=0.9)
    machine(acme, "ZZZ", cpu=0.1)
    page = login(bob).get(url("overview", acme) + "?sort=cpu").content.decode()
    assert page.index("ZZZ") < page.index("AAA")
    page = login(bob).get(url("overview", acme) + "?sort=-cpu").content.decode()
    assert page.index("AAA") < page.index("ZZZ")


def test_the_overview_runs_the_same_queries_for_3_and_12_machines(login, bob, acme):
    http = login(bob)
    for i in range(3):
        machine(acme, f"M{i:02}")
    http.get(url("overview", acme))  # warm the session and caches
    with CaptureQueriesContext(connection) as three:
        assert http.get(url("overview", acme)).status_code == 200
    for i in range(3, 12):
        machine(acme, f"M{i:02}")
    with CaptureQueriesContext(connection) as twelve:
        page = http.get(url("overview", acme)).content.decode()
    assert "M11" in page
    assert len(twelve.captured_queries) == len(three.captured_queries)


def test_the_capacity_tab_is_shown_and_marked(login, bob, acme):
    page = login(bob).get(url("overview", acme)).content.decode()
    assert 'aria-current="page"' in page and ">Capacity<" in page


def test_the_machine_page_charts_each_resource_with_forecast_and_links_the_asset(login, bob, acme):
    asset = machine(acme, "DB01", disk_grow=0.004)
    page = login(bob).get(url("machine", acme, pk=asset.pk)).content.decode()
    assert page.count("<svg") == 3  # CPU, memory, disk /srv
    assert "Disk /srv: daily mean and max" in page
    assert "Forecast" in page and "80 % low" in page and "Full at 90%" in page
    assert "Last 7 days" in page and "Last 90 days" in page
    assert reverse("assets:asset_detail", kwargs={"client": acme.slug, "pk": asset.pk}) in page


def test_a_machine_without_metrics_says_so(login, bob, acme):
    asset = AssetFactory(client=acme, name="QUIET")
    page = login(bob).get(url("machine", acme, pk=asset.pk)).content.decode()
    assert "QUIET reports no metrics yet" in page


def test_another_clients_pages_are_404(login, dave, gina, acme):
    asset = machine(acme, "ACME-DB")
    target = ScrapeTarget.objects.create(client=acme, name="t", url="http://127.0.0.1:9/metrics")
    for user in (dave, gina):
        http = login(user)
        assert http.get(url("overview", acme)).status_code == 404
        assert http.get(url("machine", acme, pk=asset.pk)).status_code == 404
        assert http.get(url("sources", acme)).status_code == 404
        assert http.post(url("target_test", acme, pk=target.pk)).status_code == 404


def test_an_executive_reads_the_overview_but_not_the_sources(login, carol, acme):
    machine(acme, "DB01")
    http = login(carol)
    page = http.get(url("overview", acme)).content.decode()
    assert "DB01" in page and "Sources and agents" not in page
    assert http.get(url("sources", acme)).status_code == 403
    assert http.post(url("token_issue", acme), {"name": "x"}).status_code == 403
    assert not IngestToken.objects.exists()


def test_a_consultant_adds_edits_and_deletes_a_target_audited(login, bob, acme):
    http = login(bob)
    r = http.post(
        url("target_create", acme),
        {"name": "FS01", "url": "http://fs01:9100/metrics", "kind": "node", "interval": 60,
         "enabled": "on"},
    )  # fmt: skip
    assert r.status_code == 302
    target = ScrapeTarget.objects.get(client=acme)
    assert AuditEvent.objects.filter(action="create", object_id=str(target.pk)).exists()
    page = http.get(url("sources", acme)).content.decode()
    assert "FS01" in page and "http://fs01:9100/metrics" in page
    r = http.post(
        url("target_update", acme, pk=target.pk),
        {"name": "FS01 box", "url": "http://fs01:9100/metrics", "kind": "node", "interval": 120},
    )
    assert r.status_code == 302
    target.refresh_from_db()
    assert (target.name, target.interval, target.enabled) == ("FS01 box", 120, False)
    assert http.post(url("target_delete", acme, pk=target.pk)).status_code == 302
    assert not ScrapeTarget.objects.exists()
    assert AuditEvent.objects.filter(action="delete", object_id=str(target.pk)).exists()


@pytest.mark.parametrize("bad", ["ftp://fs01/metrics", "fs01:9100", "http://"])
def test_a_target_url_that_is_not_http_is_refused_naming_the_field(login, bob, acme, bad):
    r = login(bob).post(
        url("target_create", acme), {"name": "x", "url": bad, "kind": "node", "interval": 60}
    )
    assert r.status_code == 400
    assert "Metrics URL:" in r.content.decode()
    assert not ScrapeTarget.objects.exists()


def test_test_now_on_a_forbidden_address_shows_the_refusal(login, bob, acme, settings):
    settings.VCIO_MONITOR_ALLOW_LOCAL = False
    target = ScrapeTarget.objects.create(client=acme, name="meta", url="http://169.254.169.254/")
    r = login(bob).post(url("target_test", acme, pk=target.pk), follow=True)
    page = r.content.decode()
    assert "“meta”:" in page and "169.254.169.254" in page
    target.refresh_from_db()
    assert target.last_error


def test_connector_secrets_are_never_shown_back_and_blank_keeps_them(login, bob, acme):
    http = login(bob)
    data = {"name": "Prom", "base_url": "http://prom:9090", "selector": "",
            "bearer_token": "s3cr3t-T0KEN", "username": "", "password": "", "interval": 3600,
            "enabled": "on"}  # fmt: skip
    assert http.post(url("connector_create", acme), data).status_code == 302
    connector = PromConnector.objects.get()
    assert connector.bearer_token == "s3cr3t-T0KEN"
    assert "s3cr3t-T0KEN" not in http.get(url("sources", acme)).content.decode()
    edit = http.get(url("connector_update", acme, pk=connector.pk)).content.decode()
    assert "s3cr3t-T0KEN" not in edit and "leave blank to keep it" in edit
    data.update(name="Prom 2", bearer_token="")
    assert http.post(url("connector_update", acme, pk=connector.pk), data).status_code == 302
    connector.refresh_from_db()
    assert (connector.name, connector.bearer_token) == ("Prom 2", "s3cr3t-T0KEN")
    assert AuditEvent.objects.filter(action="create", object_id=str(connector.pk)).exists()


def test_a_token_key_is_shown_once_with_the_agent_command(login, bob, acme):
    http = login(bob)
    r = http.post(url("token_issue", acme), {"name": "FS01 agent"})
    token = IngestToken.objects.get()
    assert r.status_code == 302 and r["Location"] == url("token_issued", acme, pk=token.pk)
    page = http.get(r["Location"]).content.decode()
    assert token.prefix in page and "fusioninventory-agent --server" in page
    assert f"/ingest/agent/{token.prefix}" in page and "tasks = inventory" in page
    again = http.get(r["Location"]).content.decode()
    assert token.prefix + "" in again and "is not kept" in again
    assert "fusioninventory-agent --server" not in again
    listed = http.get(url("sources", acme)).content.decode()
    assert "FS01 agent" in listed and "not kept" in listed


def test_a_token_is_revoked_audited(login, bob, acme):
    token, _ = IngestToken.issue(acme, "old agent", bob)
    assert login(bob).post(url("token_revoke", acme, pk=token.pk)).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="update", object_id=str(token.pk)).exists()


def test_a_blank_token_name_is_a_400(login, bob, acme):
    r = login(bob).post(url("token_issue", acme), {"name": "  "})
    assert r.status_code == 400 and "Name" in r.content.decode()


def test_the_asset_page_links_to_its_capacity(login, bob, acme):
    asset = AssetFactory(client=acme, name="DB01")
    page = login(bob).get(reverse("assets:asset_detail", kwargs={"client": "acme", "pk": asset.pk}))
    assert url("machine", acme, pk=asset.pk) in page.content.decode()


def test_sync_now_makes_a_connector_due(login, bob, acme):
    connector = PromConnector.objects.create(client=acme, name="Prom", base_url="http://p:9090")
    r = login(bob).post(url("connector_sync", acme, pk=connector.pk), follow=True)
    assert "“Prom”: due now" in r.content.decode()
    connector.refresh_from_db()
    assert connector.next_run_at is not None


def test_test_now_on_a_connector_shows_why_it_failed(login, bob, acme):
    connector = PromConnector.objects.create(
        client=acme, name="Prom", base_url="http://no-such-host.invalid:9090"
    )
    r = login(bob).post(url("connector_test", acme, pk=connector.pk), follow=True)
    assert "“Prom”:" in r.content.decode() and "does not resolve" in r.content.decode()
