"""The availability pages: status board, service page, forms, "Check now", scoping."""

from __future__ import annotations

import datetime
import html
import http.server
import re
import socket
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from vcio.availability import engine
from vcio.availability.models import (
    AlertChannel,
    BusinessService,
    HourlyRollup,
    MaintenanceWindow,
    Monitor,
    MonitorState,
    Outage,
)
from vcio.availability.tests.factories import MonitorFactory, OutageFactory, ServiceFactory
from vcio.availability.tests.isolation import availability_rows_for
from vcio.core.models import AuditEvent, Department

pytestmark = pytest.mark.django_db


def board_url(client) -> str:
    return reverse("availability:status_board", kwargs={"client": client.slug})


def service_url(service) -> str:
    return reverse(
        "availability:service_detail", kwargs={"client": service.client.slug, "pk": service.pk}
    )


def url(name: str, client, pk: int | None = None) -> str:
    kwargs = {"client": client.slug} | ({"pk": pk} if pk is not None else {})
    return reverse(f"availability:{name}", kwargs=kwargs)


@pytest.fixture
def local_http():
    """A web server on 127.0.0.1 answering 200 "hello" to every GET; yields its base URL."""

    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 — the name http.server calls
            body = b"hello"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def down_monitor(service: BusinessService, name: str = "web") -> Monitor:
    """A monitor counted down since an hour ago, with its open outage."""
    started = timezone.now() - datetime.timedelta(hours=1)
    monitor = MonitorFactory(
        service=service, name=name, state=MonitorState.DOWN, last_ok=False, last_cause="refused"
    )
    Outage.objects.create(
        monitor=monitor, service=service, started_at=started, cause="connection refused"
    )
    return monitor


# The status board -----------------------------------------------------------------


def test_the_board_shows_each_service_with_its_state_target_and_open_outage(login, bob, acme):
    ServiceFactory(client=acme, name="Payroll", sla_target=Decimal("99.5"))
    MonitorFactory(service__client=acme, service__name="Intranet", state=MonitorState.UP)
    erp = ServiceFactory(client=acme, name="ERP", sla_target=Decimal("99.9"))
    down_monitor(erp)
    page = login(bob).get(board_url(acme))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Payroll" in text and "Intranet" in text and "ERP" in text
    assert "99.5 %" in text
    assert "down for 1 h 0 min" in text
    assert 'class="badge state-down"' in text and 'class="badge state-up"' in text
    # An hour down this month is far below 99.9 %: the row is highlighted.
    assert 'class="breach"' in text
    assert ">1</span>" in text.split('id="count-breach"')[1][:20]


def test_the_board_runs_the_same_queries_for_2_and_10_services(
    login, bob, acme, django_assert_num_queries
):
    http = login(bob)

    def make(n: int) -> None:
        for i in range(n):
            service = ServiceFactory(client=acme, name=f"S{BusinessService.objects.count()}-{i}")
            down_monitor(service)
            MonitorFactory(service=service, state=MonitorState.UP)

    make(2)
    http.get(board_url(acme))  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as two:
        assert http.get(board_url(acme)).status_code == 200
    make(8)
    with django_assert_num_queries(len(two.captured_queries)):
        page = http.get(board_url(acme))
    assert page.content.decode().count('class="badge state-down"') == 10


def test_another_clients_board_is_a_404(login, gina, acme):
    assert login(gina).get(board_url(acme)).status_code == 404


def test_the_availability_tab_is_marked_on_the_board_and_service_pages(login, bob, acme):
    service = ServiceFactory(client=acme)
    http = login(bob)
    for page in (board_url(acme), service_url(service), url("monitor_create", acme, service.pk)):
        text = http.get(page).content.decode()
        # The Performance group's menu and its second row both mark Availability, nothing else.
        assert set(re.findall(r'aria-current="page">([^<]+)</a>', text)) == {"Availability"}
        assert 'aria-current="true">Performance</summary>' in text


# The service page -----------------------------------------------------------------


def test_the_service_page_shows_uptime_bars_latency_outages_and_sla(login, bob, acme):
    service = ServiceFactory(client=acme, name="ERP")
    monitor = MonitorFactory(
        service=service,
        name="ERP web",
        state=MonitorState.UP,
        last_ok=True,
        last_latency_ms=42.0,
        last_checked_at=timezone.now(),
        monitored_since=datetime.datetime(2026, 3, 10, tzinfo=datetime.UTC),
    )
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    for back in range(3):
        HourlyRollup.objects.create(
            monitor=monitor,
            hour=hour - datetime.timedelta(hours=back),
            checks=60,
            failures=6 if back == 1 else 0,
            latency_sum_ms=60 * 40.0,
        )
    OutageFactory(monitor=monitor, cause="HTTP 503 from the ERP")
    MaintenanceWindow.objects.create(
        service=service,
        title="Patch night",
        starts_at=hour,
        ends_at=hour + datetime.timedelta(hours=2),
    )
    AlertChannel.objects.create(service=service, target="it@acme.test")
    page = login(bob).get(service_url(service))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Uptime of ERP, last 90 days" in text and text.count("<rect") >= 90
    assert "Mean response time per hour" in text and "40 ms" in text
    assert "HTTP 503 from the ERP" in text and "1 h 0 min" in text
    assert "Patch night" in text and "it@acme.test" in text
    assert "in 42 ms" in text
    sla_table = text.split('id="sla-by-month"')[1].split("</table>")[0]
    # From the month of the outage on 10 March 2026 to this one, at most 12.
    this_month = timezone.now().strftime("%Y-%m")
    assert this_month in sla_table and sla_table.count("<tr") <= 13
    assert ("2026-03" in sla_table) == (this_month < "2027-03")
    assert "2026-02" not in sla_table


def test_the_service_page_runs_the_same_queries_for_2_and_10_monitors(login, bob, acme):
    service = ServiceFactory(client=acme)
    http = login(bob)

    def make(n: int) -> None:
        for _ in range(n):
            monitor = down_monitor(service, name=f"m{Monitor.objects.count()}")
            HourlyRollup.objects.create(
                monitor=monitor, hour=timezone.now().replace(minute=0), checks=10, failures=1
            )
            channel = AlertChannel.objects.create(service=service, target="a@acme.test")
            channel.deliveries.create(
                outage=monitor.outages.get(), event="down", status="failed", attempts=3
            )

    make(2)
    http.get(service_url(service))
    with CaptureQueriesContext(connection) as two:
        assert http.get(service_url(service)).status_code == 200
    make(8)
    with CaptureQueriesContext(connection) as ten:
        page = http.get(service_url(service))
    assert page.content.decode().count("still down") == 10
    assert len(ten.captured_queries) == len(two.captured_queries)


def test_window_times_are_the_clients_local_times(login, bob, acme):
    acme.time_zone = "America/New_York"
    acme.save()
    service = ServiceFactory(client=acme)
    r = login(bob).post(
        url("window_create", acme, service.pk),
        {
            "title": "Upgrade",
            "starts_at": "2026-05-01T22:00",
            "ends_at": "2026-05-02T01:00",
            "recurrence": "none",
        },
    )
    assert r.status_code == 302
    window = MaintenanceWindow.objects.get()
    assert window.starts_at == datetime.datetime(2026, 5, 2, 2, 0, tzinfo=datetime.UTC)
    assert "2026-05-01 22:00" in login(bob).get(service_url(service)).content.decode()


def test_the_service_page_lists_failed_alert_deliveries(login, bob, acme):
    service = availability_rows_for(acme, "MARK")
    text = login(bob).get(service_url(service)).content.decode()
    assert "MARK mail server refused" in text and "gave up" in text


def test_another_clients_service_is_a_404(login, gina, acme):
    service = ServiceFactory(client=acme)
    assert login(gina).get(service_url(service)).status_code == 404


# Forms --------------------------------------------------------------------------


def test_a_consultant_creates_a_service_audited(login, bob, acme):
    dept = Department.objects.filter(client=acme).first()
    r = login(bob).post(
        url("service_create", acme),
        {
            "name": "CRM",
            "owner_department": dept.pk,
            "criticality": 3,
            "sla_target": "99.5",
            "sla_hours": "24x7",
            "business_days": "12345",
            "business_start": "08:00",
            "business_end": "18:00",
        },
    )
    service = BusinessService.objects.get(client=acme, name="CRM")
    assert r.status_code == 302 and r["Location"] == service_url(service)
    assert AuditEvent.objects.filter(action="create", object_repr="CRM").exists()


def test_a_service_cannot_belong_to_another_clients_department(login, bob, acme, globex):
    other = Department.objects.get(client=globex)
    r = login(bob).post(
        url("service_create", acme),
        {"name": "CRM", "owner_department": other.pk, "criticality": 2, "sla_target": "99"},
    )
    assert r.status_code == 400
    assert "Choose one of Acme Corp's departments." in html.unescape(r.content.decode())
    assert not BusinessService.objects.filter(name="CRM").exists()


def monitor_data(**changes) -> dict:
    data = {
        "name": "Web",
        "kind": "http",
        "target": "http://127.0.0.1:9/",
        "enabled": "on",
        "interval_s": "60",
        "failures_to_down": "3",
        "timeout_s": "5",
        "http_method": "GET",
        "expected_status": "200-399",
        "follow_redirects": "on",
        "tls_warn_days": "14",
        "dns_record_type": "A",
    }
    return data | changes


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"target": "http://169.254.169.254/latest/meta-data/"},
            "Target: address 169.254.169.254, in the denied network 169.254.0.0/16",
        ),
        ({"expected_status": "2xx"}, "Expected status: “2xx”"),
        ({"interval_s": "10"}, "Interval: 10 s is out of range"),
        ({"interval_s": "100000"}, "Interval: 100000 s is out of range"),
        ({"target": "not a url"}, "Target:"),
    ],
)
def test_a_bad_monitor_is_refused_naming_the_field(login, bob, acme, changes, message):
    service = ServiceFactory(client=acme)
    r = login(bob).post(url("monitor_create", acme, service.pk), monitor_data(**changes))
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not Monitor.objects.exists()


def test_check_now_shows_the_first_result(login, bob, acme, local_http):
    service = ServiceFactory(client=acme)
    http = login(bob)
    r = http.post(url("monitor_create", acme, service.pk), monitor_data(target=local_http))
    assert r.status_code == 302
    monitor = Monitor.objects.get(service=service)
    assert AuditEvent.objects.filter(action="create", object_repr="Web").exists()
    r = http.post(url("monitor_check", acme, monitor.pk), follow=True)
    text = r.content.decode()
    # The request only asks: the check runs in the worker, and the page polls for it.
    assert "Check of “Web” requested: the result appears here within seconds." in text
    assert "check requested, waiting for the worker" in text
    assert 'hx-trigger="every 2s"' in text
    assert monitor.results.count() == 0
    engine.check_due("test-worker")  # what vcio worker's checker does within a second
    page = http.get(url("service_detail", acme, service.pk)).content.decode()
    assert "waiting for the worker" not in page and 'hx-trigger="every 2s"' not in page
    assert "OK in" in page
    monitor.refresh_from_db()
    assert monitor.last_ok is True and monitor.results.count() == 1


def test_check_now_answers_at_once_even_for_a_target_that_never_answers(login, bob, acme):
    # A listening socket that never accepts: a check would wait for its whole timeout.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(0)
    port = silent.getsockname()[1]
    monitor = MonitorFactory(
        service__client=acme,
        name="Silent",
        kind="tcp",
        target=f"127.0.0.1:{port}",
        timeout_s=60,
        next_run_at=timezone.now() + datetime.timedelta(hours=1),
    )
    try:
        r = login(bob).post(url("monitor_check", acme, monitor.pk), follow=True)
    finally:
        silent.close()
    assert r.status_code == 200
    assert "Check of “Silent” requested" in r.content.decode()
    monitor.refresh_from_db()
    assert monitor.results.count() == 0
    assert monitor.next_run_at <= timezone.now()  # due now: the worker takes it next


def test_check_now_is_limited_per_user(login, bob, acme, settings):
    settings.VCIO_CHECK_NOW_PER_USER = 2
    monitors = [MonitorFactory(service__client=acme, name=f"M{n}") for n in range(3)]
    http = login(bob)
    for m in monitors[:2]:
        http.post(url("monitor_check", acme, m.pk))
    again = http.post(url("monitor_check", acme, monitors[0].pk), follow=True).content.decode()
    assert "(it was already waiting)" in again  # asking twice for one monitor costs nothing
    third = http.post(url("monitor_check", acme, monitors[2].pk), follow=True).content.decode()
    assert "You already have 2 checks waiting for the worker" in third
    monitors[2].refresh_from_db()
    assert monitors[2].check_requested_at is None


def test_check_now_on_a_paused_monitor_says_so(login, bob, acme):
    monitor = MonitorFactory(service__client=acme, name="Off", enabled=False)
    text = login(bob).post(url("monitor_check", acme, monitor.pk), follow=True).content.decode()
    assert "“Off” is paused: resume it to check it." in text


def test_monitor_update_and_delete_are_audited(login, bob, acme):
    monitor = MonitorFactory(service__client=acme, name="Web")
    http = login(bob)
    r = http.post(url("monitor_update", acme, monitor.pk), monitor_data(interval_s="120"))
    assert r.status_code == 302
    monitor.refresh_from_db()
    assert monitor.interval_s == 120
    r = http.post(url("monitor_delete", acme, monitor.pk))
    assert r.status_code == 302 and not Monitor.objects.exists()
    actions = set(AuditEvent.objects.filter(object_repr="Web").values_list("action", flat=True))
    assert actions == {"update", "delete"}


def test_windows_and_channels_are_added_and_deleted(login, bob, acme):
    service = ServiceFactory(client=acme)
    http = login(bob)
    r = http.post(
        url("window_create", acme, service.pk),
        {
            "title": "Upgrade",
            "starts_at": "2026-05-01T22:00",
            "ends_at": "2026-05-02T01:00",
            "recurrence": "none",
        },
    )
    assert r.status_code == 302
    window = MaintenanceWindow.objects.get(service=service)
    r = http.post(
        url("channel_create", acme, service.pk), {"kind": "email", "target": "a@acme.test"}
    )
    assert r.status_code == 302
    channel = AlertChannel.objects.get(service=service)
    assert http.post(url("window_delete", acme, window.pk)).status_code == 302
    assert http.post(url("channel_delete", acme, channel.pk)).status_code == 302
    assert not MaintenanceWindow.objects.exists() and not AlertChannel.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "email", "target": "it@acme.test, nobody"}, "“nobody” is not an email address"),
        ({"kind": "webhook", "target": "http://169.254.169.254/hook"}, "169.254.0.0/16"),
    ],
)
def test_a_bad_channel_is_refused_naming_the_target(login, bob, acme, data, message):
    service = ServiceFactory(client=acme)
    r = login(bob).post(url("channel_create", acme, service.pk), data)
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not AlertChannel.objects.exists()


def test_a_window_ending_before_it_starts_is_refused(login, bob, acme):
    service = ServiceFactory(client=acme)
    r = login(bob).post(
        url("window_create", acme, service.pk),
        {"title": "x", "starts_at": "2026-05-02T01:00", "ends_at": "2026-05-01T22:00"},
    )
    assert r.status_code == 400
    assert "must end after it starts" in r.content.decode()


# Scoping ------------------------------------------------------------------------


def test_another_clients_rows_are_404_to_every_form(login, gina, acme):
    service = availability_rows_for(acme, "X")
    monitor = service.monitors.get()
    http = login(gina)
    for name, pk in [
        ("service_update", service.pk),
        ("service_delete", service.pk),
        ("monitor_create", service.pk),
        ("monitor_update", monitor.pk),
        ("monitor_delete", monitor.pk),
        ("window_create", service.pk),
        ("window_delete", service.maintenance_windows.get().pk),
        ("channel_create", service.pk),
        ("channel_delete", service.alert_channels.get().pk),
    ]:
        assert http.get(url(name, acme, pk)).status_code == 404, name
    assert http.post(url("monitor_check", acme, monitor.pk)).status_code == 404


def test_an_executive_reads_but_may_not_change(login, carol, acme):
    service = availability_rows_for(acme, "X")
    monitor = service.monitors.get()
    http = login(carol)
    page = http.get(service_url(service))
    assert page.status_code == 200 and "Check now" not in page.content.decode()
    assert http.get(board_url(acme)).status_code == 200
    assert http.post(url("monitor_check", acme, monitor.pk)).status_code == 403
    assert http.post(url("service_delete", acme, service.pk)).status_code == 403
    assert http.post(url("monitor_create", acme, service.pk), monitor_data()).status_code == 403
    assert BusinessService.objects.filter(pk=service.pk).exists()
    assert Monitor.objects.count() == 1
