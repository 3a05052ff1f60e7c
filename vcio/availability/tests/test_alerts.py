"""Alerts on down and recovery: queued once per state change, delivered by email or webhook.

Webhooks go to real HTTP servers on 127.0.0.1; email goes through Django's
locmem backend. Time is moved by passing ``now`` to ``deliver_due`` (or by
setting ``next_attempt_at`` in the past), never by sleeping.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection

from vcio.availability import alerts
from vcio.availability.alerts import BACKOFF_S, MAX_ATTEMPTS, deliver_due, queue_alerts
from vcio.availability.models import BusinessService, Monitor, Outage
from vcio.availability.models.alerts import AlertChannel, AlertDelivery
from vcio.core.registry import periodic_jobs

DOWN_AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


class Receiver(ThreadingHTTPServer):
    """A webhook receiver: records each POST (path, JSON) and answers the queued codes."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[tuple[str, dict]] = []
        self.codes: list[int] = []  # answered in order; 200 once exhausted
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server: Receiver = self.server  # type: ignore[assignment]
        with server.lock:
            server.received.append((self.path, json.loads(body)))
            code = server.codes.pop(0) if server.codes else 200
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:  # keep the test output quiet
        pass


@pytest.fixture
def receiver():
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 nobody listens on (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def erp(acme) -> BusinessService:
    return BusinessService.objects.create(client=acme, name="ERP", sla_target="99.9")


@pytest.fixture
def outage(erp) -> Outage:
    monitor = Monitor.objects.create(
        service=erp, name="ERP login page", target="https://erp.acme.test/login"
    )
    return Outage.objects.create(
        monitor=monitor, service=erp, started_at=DOWN_AT, cause="HTTP 503 from the login page"
    )


@pytest.fixture
def mail(settings, mailoutbox):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return mailoutbox


def channel(service, kind="email", target="it@acme.test", enabled=True) -> AlertChannel:
    return AlertChannel.objects.create(service=service, kind=kind, target=target, enabled=enabled)


def recover(outage: Outage, minutes: float) -> Outage:
    outage.ended_at = outage.started_at + timedelta(minutes=minutes)
    outage.save()
    return outage


def delivery(outage: Outage, event: str = "down") -> AlertDelivery:
    return AlertDelivery.objects.get(outage=outage, event=event)


# Queueing ----------------------------------------------------------------------


@pytest.mark.django_db
def test_one_alert_per_state_change_even_when_queued_twice(erp, outage):
    channel(erp)
    channel(erp, "webhook", "http://127.0.0.1:9/hook")

    assert queue_alerts(outage, "down") == 2
    assert queue_alerts(outage, "down") == 0
    assert queue_alerts(outage, "up") == 2
    assert AlertDelivery.objects.filter(outage=outage).count() == 4
    assert set(AlertDelivery.objects.values_list("status", flat=True)) == {"pending"}


@pytest.mark.django_db
def test_disabled_channels_and_other_services_get_nothing(acme, erp, outage):
    channel(erp, enabled=False)
    other = BusinessService.objects.create(client=acme, name="Email")
    channel(other)

    assert queue_alerts(outage, "down") == 0
    assert not AlertDelivery.objects.exists()


@pytest.mark.django_db
def test_disabling_a_channel_stops_its_queued_alerts(erp, outage, mail):
    email = channel(erp)
    queue_alerts(outage, "down")
    email.enabled = False
    email.save()

    assert deliver_due()["failed"] == 1
    assert not mail
    assert delivery(outage).last_error == "the channel was disabled before this alert went out"


@pytest.mark.django_db
def test_an_unknown_event_is_refused(erp, outage):
    with pytest.raises(ValueError, match="'sideways'"):
        queue_alerts(outage, "sideways")


# Email -------------------------------------------------------------------------


@pytest.mark.django_db
def test_down_email_tells_what_is_down_and_why(acme, erp, outage, mail):
    acme.time_zone = "Europe/Paris"
    acme.save()
    channel(erp, target="it@acme.test, boss@acme.test")
    queue_alerts(outage, "down")

    assert deliver_due() == {"sent": 1, "retrying": 0, "failed": 0}

    (message,) = mail
    assert message.subject == "[vcio] DOWN: ERP (Acme Corp)"
    assert message.to == ["it@acme.test", "boss@acme.test"]
    assert "ERP (Acme Corp) is down." in message.body
    assert "ERP login page" in message.body
    assert "HTTP 503 from the login page" in message.body
    assert "Fri 27 Nov 2026, 10:00 (Europe/Paris)" in message.body
    # VCIO_BASE_URL unset in tests: the trial fallback, still a full address.
    assert f"Details: http://localhost:8000/clients/acme/services/{erp.pk}/" in message.body
    assert "SLA this month so far: " in message.body
    sent = delivery(outage)
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 1, "")
    assert sent.sent_at is not None


@pytest.mark.django_db
def test_recovery_email_says_how_long_it_lasted(erp, outage, mail):
    channel(erp)
    recover(outage, 14)
    queue_alerts(outage, "up")

    deliver_due()

    (message,) = mail
    assert message.subject == "[vcio] RECOVERED: ERP (Acme Corp) after 14 min"
    assert "is back up after 14 min" in message.body
    assert "Downtime:   14 min" in message.body


@pytest.mark.django_db
def test_a_bad_address_is_given_up_at_once(erp, outage, mail):
    channel(erp, target="it@acme.test, not-an-address")
    queue_alerts(outage, "down")

    assert deliver_due()["failed"] == 1

    assert not mail
    failed = delivery(outage)
    assert failed.status == "failed"
    assert "'not-an-address' is not an email address" in failed.last_error


@pytest.mark.django_db
def test_an_unreachable_mail_server_is_retried(erp, outage, settings, closed_port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port
    settings.EMAIL_USE_TLS = False
    channel(erp)
    queue_alerts(outage, "down")

    assert deliver_due()["retrying"] == 1
    retrying = delivery(outage)
    assert retrying.last_error == f"connection refused by the mail server 127.0.0.1:{closed_port}"
    assert retrying.status == "pending"


def test_durations_read_like_a_person_would_say_them():
    took = alerts.seconds_text
    assert took(40) == "40 s"
    assert took(14 * 60 + 10) == "14 min"
    assert took(2 * 3600 + 5 * 60) == "2 h 5 min"
    assert took(3 * 86400 + 4 * 3600) == "3 d 4 h"


# Webhooks ----------------------------------------------------------------------


@pytest.mark.django_db
def test_webhook_receives_down_then_up_as_json(erp, outage, receiver):
    channel(erp, "webhook", receiver.url)
    queue_alerts(outage, "down")
    deliver_due()
    recover(outage, 14)
    queue_alerts(outage, "up")
    deliver_due()

    (path, down), (_, up) = receiver.received
    assert path == "/hook"
    assert down == {
        "event": "down",
        "client": "acme",
        "service": "ERP",
        "monitor": "ERP login page",
        "started_at": "2026-11-27T09:00:00+00:00",
        "ended_at": None,
        "duration_s": None,
        "cause": "HTTP 503 from the login page",
        "url": f"http://localhost:8000/clients/acme/services/{erp.pk}/",
    }
    assert up["event"] == "up"
    assert up["ended_at"] == "2026-11-27T09:14:00+00:00"
    assert up["duration_s"] == 14 * 60


@pytest.mark.django_db
def test_a_failed_webhook_is_retried_after_a_backoff(erp, outage, receiver):
    receiver.codes = [500]
    channel(erp, "webhook", receiver.url)
    queue_alerts(outage, "down")
    now = datetime.now(UTC)

    assert deliver_due(now=now) == {"sent": 0, "retrying": 1, "failed": 0}
    retrying = delivery(outage)
    assert (retrying.status, retrying.attempts) == ("pending", 1)
    assert retrying.last_error == f"HTTP 500 from {receiver.url}"
    assert retrying.next_attempt_at == now + timedelta(seconds=BACKOFF_S[0])

    assert deliver_due(now=now + timedelta(seconds=5)) == {"sent": 0, "retrying": 0, "failed": 0}
    assert deliver_due(now=now + timedelta(seconds=31)) == {"sent": 1, "retrying": 0, "failed": 0}
    assert len(receiver.received) == 2
    sent = delivery(outage)
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 2, "")


@pytest.mark.django_db
def test_recovery_waits_until_the_down_alert_is_out(erp, outage, receiver):
    receiver.codes = [500]
    channel(erp, "webhook", receiver.url)
    queue_alerts(outage, "down")
    recover(outage, 3)
    queue_alerts(outage, "up")
    now = datetime.now(UTC)

    deliver_due(now=now)  # "down" fails; "up" must not overtake it
    assert [p["event"] for _, p in receiver.received] == ["down"]
    assert delivery(outage, "up").attempts == 0

    deliver_due(now=now + timedelta(minutes=1))  # "down" goes out; "up" goes in the next run
    deliver_due(now=now + timedelta(minutes=1, seconds=15))
    assert [p["event"] for _, p in receiver.received] == ["down", "down", "up"]


@pytest.mark.django_db
def test_gives_up_after_the_last_attempt_with_the_reason(erp, outage, closed_port):
    url = f"http://127.0.0.1:{closed_port}/hook"
    channel(erp, "webhook", url)
    queue_alerts(outage, "down")
    now = datetime.now(UTC)

    waits = []
    for _ in range(MAX_ATTEMPTS):
        row = delivery(outage)
        assert row.status == "pending"
        deliver_due(now=row.next_attempt_at)
        after = delivery(outage)
        if after.next_attempt_at:
            waits.append((after.next_attempt_at - row.next_attempt_at).total_seconds())

    given_up = delivery(outage)
    assert (given_up.status, given_up.attempts) == ("failed", MAX_ATTEMPTS)
    assert given_up.last_error == f"connection refused by {url}"
    assert waits == [30, 120, 600, 1800, 7200]
    assert deliver_due(now=now + timedelta(days=1)) == {"sent": 0, "retrying": 0, "failed": 0}


@pytest.mark.django_db
def test_an_unknown_host_is_a_readable_failure(erp, outage):
    channel(erp, "webhook", "http://alerts.vcio-test.invalid/hook")
    queue_alerts(outage, "down")

    assert deliver_due()["retrying"] == 1
    assert "alerts.vcio-test.invalid" in delivery(outage).last_error


@pytest.mark.django_db
def test_a_webhook_outside_the_allowed_networks_is_refused(erp, outage):
    pytest.importorskip("vcio.availability.safety")
    channel(erp, "webhook", "http://169.254.169.254/latest/meta-data/")
    queue_alerts(outage, "down")

    assert deliver_due()["failed"] == 1
    refused = delivery(outage)
    assert refused.attempts == 1
    assert refused.last_error.startswith("webhook refused: address 169.254.169.254")


@pytest.mark.django_db
def test_a_non_http_url_is_refused(erp, outage):
    channel(erp, "webhook", "ftp://files.acme.test/hook")
    queue_alerts(outage, "down")

    assert deliver_due()["failed"] == 1
    assert "is not an http(s) URL" in delivery(outage).last_error


# Two workers -------------------------------------------------------------------


# Two workers at once. On SQLite they are two processes on a file copy of the
# test database (threads cannot share the in-memory test database without
# "table is locked" errors, and real workers are processes anyway): each
# loads Django, waits for the other at a barrier, then delivers what is due.
# On PostgreSQL two threads share the test database directly.
WORKER = """
import json, pathlib, sys, time
import django
django.setup()
from vcio.availability.alerts import deliver_due
barrier = pathlib.Path(sys.argv[1])
(barrier / sys.argv[2]).touch()
deadline = time.monotonic() + 60
while len(list(barrier.iterdir())) < 2 and time.monotonic() < deadline:
    time.sleep(0.01)
print(json.dumps(deliver_due()))
"""


def deliver_in_two_processes(tmp_path) -> tuple[list[dict], list[str]]:
    """Each worker's counts, and the statuses of every delivery afterwards."""
    db_file = tmp_path / "workers.sqlite3"
    connection.ensure_connection()
    with closing(sqlite3.connect(db_file)) as copy:
        connection.connection.backup(copy)
        # WAL now, once: workers starting together would race to switch the journal
        # mode in their init_command, and the loser fails with "database is locked".
        copy.execute("PRAGMA journal_mode=WAL")
    (tmp_path / "barrier").mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vcio.settings",
        "DATABASE_URL": f"sqlite:///{db_file}",
        "VCIO_DATA_DIR": str(tmp_path),
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(tmp_path / "barrier"), name],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("w1", "w2")
    ]
    counts = []
    for worker in workers:
        out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
        counts.append(json.loads(out.strip().splitlines()[-1]))
    with closing(sqlite3.connect(db_file)) as copy:
        rows = copy.execute("SELECT status FROM availability_alertdelivery").fetchall()
    return counts, [status for (status,) in rows]


def deliver_in_two_threads() -> tuple[list[dict], list[str]]:
    """Each worker's counts, and the statuses of every delivery afterwards."""
    barrier = threading.Barrier(2)
    counts: list[dict] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            counts.append(deliver_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return counts, list(AlertDelivery.objects.values_list("status", flat=True))


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_alert(acme, receiver, tmp_path):
    erp = BusinessService.objects.create(client=acme, name="ERP")
    monitor = Monitor.objects.create(service=erp, name="ERP", target="https://erp.acme.test/")
    for n in range(12):
        channel(erp, "webhook", f"{receiver.url}/{n}")
    for n in range(3):
        queue_alerts(
            Outage.objects.create(monitor=monitor, service=erp, started_at=DOWN_AT, cause=str(n)),
            "down",
        )

    if connection.vendor == "sqlite":
        counts, statuses = deliver_in_two_processes(tmp_path)
    else:
        counts, statuses = deliver_in_two_threads()

    sent = [(path, payload["cause"]) for path, payload in receiver.received]
    assert len(sent) == 36
    assert len(set(sent)) == 36
    assert len(counts) == 2
    assert sum(c["sent"] for c in counts) == 36
    assert statuses == ["sent"] * 36


# For the UI and the worker -----------------------------------------------------


@pytest.mark.django_db
def test_failed_deliveries_of_a_client_in_one_query(
    acme, globex, erp, outage, django_assert_num_queries
):
    for n in range(3):
        channel(erp, "webhook", f"http://127.0.0.1:9/{n}")
    channel(erp)  # sent: not listed
    queue_alerts(outage, "down")
    hooks = AlertDelivery.objects.filter(channel__kind="webhook")
    hooks.filter(channel__target__endswith="/0").update(status="failed", attempts=6)
    hooks.filter(channel__target__endswith="/1").update(attempts=2, last_error="HTTP 502")
    AlertDelivery.objects.filter(channel__kind="email").update(status="sent", attempts=1)
    theirs = BusinessService.objects.create(client=globex, name="PACS")
    channel(theirs, "webhook", "http://127.0.0.1:9/x")
    their_outage = Outage.objects.create(
        monitor=Monitor.objects.create(service=theirs, name="PACS", target="pacs.test:104"),
        service=theirs,
        started_at=DOWN_AT,
    )
    queue_alerts(their_outage, "down")
    AlertDelivery.objects.filter(outage=their_outage).update(status="failed", attempts=6)

    with django_assert_num_queries(1):
        rows = list(alerts.failed_deliveries([acme.id]))
        shown = {(r.channel.target[-2:], r.status, r.outage.monitor.name) for r in rows}

    assert shown == {("/0", "failed", "ERP login page"), ("/1", "pending", "ERP login page")}
    assert len(alerts.failed_deliveries([acme.id, globex.id])) == 3


def test_delivery_runs_as_a_periodic_job():
    alerts.register()  # idempotent: the app registered it already
    job = periodic_jobs.get("availability.deliver_alerts")
    assert job.run is deliver_due
    assert job.interval == 15
