"""The checker: claiming due monitors, the up/down state machine, outages, rollups, retention.

Checks run for real against a local HTTP server the test switches up and
down; time moves by making a monitor due again (``next_run_at``), not by
waiting out its interval.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from vcio.availability import claiming, engine
from vcio.availability.checks import CheckOutcome
from vcio.availability.models import (
    AlertChannel,
    AlertDelivery,
    CheckResult,
    HourlyRollup,
    Monitor,
    MonitorState,
    Outage,
)
from vcio.availability.recording import next_run, prune_results, record
from vcio.availability.tests.factories import MonitorFactory
from vcio.core.registry import periodic_jobs, worker_services


class Target:
    """A local HTTP server the test switches between up (200) and down (503).

    ``delay`` seconds are slept before each answer (an in-flight check).
    """

    def __init__(self) -> None:
        self.up = True
        self.delay = 0.0
        self.hits = 0
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                target.hits += 1
                if target.delay:
                    threading.Event().wait(target.delay)
                body = b"all good" if target.up else b"maintenance"
                self.send_response(200 if target.up else 503)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def target() -> Iterator[Target]:
    server = Target()
    yield server
    server.close()


def make_due(*monitors: Monitor) -> None:
    Monitor.objects.filter(pk__in=[m.pk for m in monitors]).update(next_run_at=timezone.now())


def one_pass(monitor: Monitor, owner: str = "w1") -> CheckResult:
    """Make the monitor due and run one pass of checks; returns its new result."""
    make_due(monitor)
    results = [r for r in engine.check_due(owner) if r.monitor_id == monitor.pk]
    assert len(results) == 1, results
    return results[0]


@pytest.fixture
def web(db, target: Target) -> Monitor:
    return MonitorFactory(
        target=target.url, failures_to_down=2, timeout_s=2, interval_s=30, monitored_since=False
    )


# The state machine and outages ------------------------------------------------


def alerts_queued(monitor: Monitor) -> list[str]:
    return list(
        AlertDelivery.objects.filter(outage__monitor=monitor)
        .order_by("id")
        .values_list("event", flat=True)
    )


def test_a_server_going_down_opens_one_outage_from_first_failure_to_first_success(web, target):
    AlertChannel.objects.create(service=web.service, target="ops@acme.test")
    assert one_pass(web).ok
    target.up = False
    first_failure = one_pass(web)
    assert not first_failure.ok and "503" in first_failure.cause
    assert not Outage.objects.exists()  # one failure is not an outage yet
    one_pass(web)
    web.refresh_from_db()
    assert web.state == MonitorState.DOWN and web.consecutive_failures == 2
    outage = Outage.objects.get()
    assert outage.started_at == first_failure.at and outage.ended_at is None
    assert outage.service_id == web.service_id and "503" in outage.cause
    assert alerts_queued(web) == ["down"]
    one_pass(web)  # still down: the same outage goes on, no second alert
    assert alerts_queued(web) == ["down"]
    target.up = True
    recovery = one_pass(web)
    outage = Outage.objects.get()
    assert outage.ended_at == recovery.at
    web.refresh_from_db()
    assert web.state == MonitorState.UP and web.state_changed_at == recovery.at
    assert web.consecutive_failures == 0 and web.last_ok is True
    assert alerts_queued(web) == ["down", "up"]


def test_a_single_failed_check_opens_no_outage(web, target):
    AlertChannel.objects.create(service=web.service, target="ops@acme.test")
    one_pass(web)
    target.up = False
    one_pass(web)
    target.up = True
    one_pass(web)
    web.refresh_from_db()
    assert not Outage.objects.exists() and not AlertDelivery.objects.exists()
    assert web.state == MonitorState.UP and web.consecutive_failures == 0


def test_a_monitor_failing_from_its_first_check_goes_down_from_unknown(web, target):
    target.up = False
    first = one_pass(web)
    web.refresh_from_db()
    assert web.state == MonitorState.UNKNOWN
    one_pass(web)
    web.refresh_from_db()
    assert web.state == MonitorState.DOWN
    assert Outage.objects.get().started_at == first.at


def test_results_add_up_in_the_hours_rollup(web, target):
    one_pass(web)
    target.up = False
    one_pass(web)
    rollups = list(HourlyRollup.objects.filter(monitor=web))
    assert sum(r.checks for r in rollups) == 2 and sum(r.failures for r in rollups) == 1
    assert all(r.latency_max_ms is not None for r in rollups)
    assert sum(r.latency_sum_ms for r in rollups) > 0


def test_rollups_add_up_checks_failures_and_the_slowest_latency(web):
    hour = datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.UTC)
    for minute, outcome in [
        (1, CheckOutcome(ok=True, latency_ms=5.0)),
        (2, CheckOutcome(ok=True, latency_ms=9.0)),
        (3, CheckOutcome(ok=False, cause="connection refused")),
        (61, CheckOutcome(ok=True, latency_ms=4.0)),  # the next hour
    ]:
        record(web.pk, None, outcome, None, at=hour + datetime.timedelta(minutes=minute))
    first, second = HourlyRollup.objects.filter(monitor=web).order_by("hour")
    assert (first.hour, first.checks, first.failures) == (hour, 3, 1)
    assert (first.latency_sum_ms, first.latency_max_ms) == (14.0, 9.0)
    assert (second.checks, second.failures, second.latency_max_ms) == (1, 0, 4.0)


def test_recording_moves_the_schedule_by_the_interval_from_the_slot(web):
    slot = timezone.now() - datetime.timedelta(seconds=5)
    Monitor.objects.filter(pk=web.pk).update(next_run_at=slot)
    [claimed] = claiming.claim("w1", 10)
    assert claimed.slot == slot
    record(web.pk, claimed.slot, CheckOutcome(ok=True, latency_ms=3.0), "w1")
    web.refresh_from_db()
    assert web.next_run_at == slot + datetime.timedelta(seconds=30)
    assert web.lease_until is None and web.claimed_by == ""


def test_missed_slots_are_skipped_not_run_back_to_back():
    slot = datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.UTC)
    now = slot + datetime.timedelta(seconds=95)
    assert next_run(slot, 30, now) == slot + datetime.timedelta(seconds=120)
    assert next_run(slot, 30, slot + datetime.timedelta(seconds=3)) == slot + datetime.timedelta(
        seconds=30
    )
    assert next_run(None, 30, now) == now + datetime.timedelta(seconds=30)


# Claiming ---------------------------------------------------------------------


def test_a_claimed_monitor_is_not_claimed_by_another_worker(web):
    make_due(web)
    assert claiming.claim_due("w1", 10) == [web.pk]
    assert claiming.claim_due("w2", 10) == []
    web.refresh_from_db()
    assert web.claimed_by == "w1"
    # the lease covers the check's timeout plus the margin to record it
    assert web.lease_until > timezone.now() + datetime.timedelta(seconds=2)


def test_monitors_not_due_or_disabled_are_not_claimed(db):
    later = MonitorFactory(next_run_at=timezone.now() + datetime.timedelta(minutes=1))
    MonitorFactory(enabled=False, next_run_at=None)
    never_run = MonitorFactory(next_run_at=None)
    assert claiming.claim_due("w1", 10) == [never_run.pk]
    assert 55 < claiming.seconds_until_due() <= 60
    assert later.pk not in claiming.claim_due("w1", 10)


def test_an_expired_lease_is_taken_over_and_the_old_worker_cannot_record(web):
    make_due(web)
    [old] = claiming.claim("w1", 10)
    Monitor.objects.filter(pk=web.pk).update(
        lease_until=timezone.now() - datetime.timedelta(seconds=1)
    )  # w1 crashed, or hangs past its lease
    [new] = claiming.claim("w2", 10)
    assert new.slot == old.slot
    refused = record(web.pk, old.slot, CheckOutcome(ok=False, cause="stale"), "w1")
    assert refused is None
    web.refresh_from_db()
    assert web.claimed_by == "w2" and web.last_checked_at is None
    assert not CheckResult.objects.exists()
    assert record(web.pk, new.slot, CheckOutcome(ok=True, latency_ms=1.0), "w2") is not None
    web.refresh_from_db()
    assert web.claimed_by == "" and web.state == MonitorState.UP


# Check now, retention, registration -------------------------------------------


def test_check_now_records_a_result_and_leaves_the_schedule_alone(web, target):
    due = timezone.now() + datetime.timedelta(minutes=5)
    Monitor.objects.filter(pk=web.pk).update(next_run_at=due)
    result = engine.check_now(web.pk)
    assert result.pk and result.ok and result.status_code == 200
    web.refresh_from_db()
    assert web.next_run_at == due and web.state == MonitorState.UP


def test_a_refused_connection_is_a_failed_check_with_its_cause(db):
    monitor = MonitorFactory(target="http://127.0.0.1:9/", timeout_s=2)
    result = engine.check_now(monitor.pk)
    assert not result.ok and result.cause


def test_retention_deletes_old_results_and_keeps_rollups(web, settings):
    settings.VCIO_CHECK_RETENTION_DAYS = 30
    now = timezone.now()
    # Two old checks a minute apart inside one hour (at :10 and :11), whatever the clock
    # says when the test runs: at 04:00 they once straddled two hourly rollups.
    old = (now - datetime.timedelta(days=31)).replace(minute=10)
    for at in (old, old + datetime.timedelta(minutes=1), now - datetime.timedelta(days=29)):
        record(web.pk, None, CheckOutcome(ok=True, latency_ms=2.0), None, at=at)
    assert prune_results(now, batch=1) == 2
    assert list(CheckResult.objects.values_list("at", flat=True)) == [
        now - datetime.timedelta(days=29)
    ]
    assert HourlyRollup.objects.filter(monitor=web).count() == 2
    assert sum(HourlyRollup.objects.values_list("checks", flat=True)) == 3


def test_the_checker_and_the_retention_job_are_registered():
    assert "availability.checker" in worker_services
    assert "availability.prune_results" in periodic_jobs


def test_a_server_down_then_up_gives_exactly_the_expected_sla_figures(web, target):
    """Down for a known stretch: the SLA of the hour around it is exactly that downtime."""
    from decimal import Decimal

    from vcio.availability.sla import service_sla

    first_check = one_pass(web)
    assert first_check.ok
    target.up = False
    first_failure = one_pass(web)
    one_pass(web)
    target.up = True
    recovery = one_pass(web)
    outage = Outage.objects.get()
    down_s = (recovery.at - first_failure.at).total_seconds()
    assert (outage.started_at, outage.ended_at) == (first_failure.at, recovery.at)
    start = first_failure.at - datetime.timedelta(minutes=30)
    end = recovery.at + datetime.timedelta(minutes=30)
    report = service_sla(web.service, start, end, now=end)
    # Only monitored time counts: from the hour of the monitor's first check.
    began = first_check.at.replace(minute=0, second=0, microsecond=0)
    measured_s = (end - max(start, began)).total_seconds()
    assert report.outages == 1
    assert report.downtime_s == pytest.approx(down_s)
    assert report.availability_pct == pytest.approx(100 * (measured_s - down_s) / measured_s)
    assert report.mttr_s == pytest.approx(down_s)
    budget_s = measured_s * float(100 - web.service.sla_target) / 100
    assert report.breach == (Decimal(str(down_s)) > Decimal(str(budget_s)))
