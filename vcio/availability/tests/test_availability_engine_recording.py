"""The engine's batched recording, checked against the raw results it wrote.

The loop records in batches on a writer thread (raw INSERTs, only the
changed monitor fields, one rollup upsert per batch). Whatever the batching,
each figure it keeps must equal what an independent recount of the raw
result rows gives, and each monitor's state must be its latest check's.
"""

from __future__ import annotations

import asyncio
import datetime
import threading
from collections import defaultdict
from collections.abc import Iterator

import pytest
from django.utils import timezone

from vcio.availability import engine
from vcio.availability.models import CheckResult, HourlyRollup, Monitor, MonitorState, Outage
from vcio.availability.tests.factories import MonitorFactory, ServiceFactory
from vcio.availability.tests.test_engine import Target
from vcio.availability.tests.test_reliability import shared_db, wait_for  # noqa: F401 (fixture)

# Every test runs the real loop, whose threads need the database shared (see test_reliability).
pytestmark = pytest.mark.usefixtures("shared_db")


@pytest.fixture
def target() -> Iterator[Target]:
    server = Target()
    yield server
    server.close()


def run_loops_until(count: int, owners: tuple[str, ...] = ("w1",)) -> None:
    """Run one engine loop per owner (threads) until ``count`` results are recorded."""
    stop = threading.Event()
    loops = [
        threading.Thread(target=lambda o=o: asyncio.run(engine.run(stop, o, concurrency=6)))
        for o in owners
    ]
    for thread in loops:
        thread.start()
    try:
        wait_for(lambda: CheckResult.objects.count() >= count, 60, f"{count} results recorded")
    finally:
        stop.set()
        for thread in loops:
            thread.join(60)


def recount(results: list[CheckResult]) -> dict[tuple[int, datetime.datetime], tuple]:
    """(checks, failures, latency sum, latency max) per monitor and UTC hour, from raw rows."""
    groups: dict[tuple[int, datetime.datetime], list[CheckResult]] = defaultdict(list)
    for r in results:
        hour = r.at.astimezone(datetime.UTC).replace(minute=0, second=0, microsecond=0)
        groups[(r.monitor_id, hour)].append(r)
    figures = {}
    for key, rows in groups.items():
        latencies = [r.latency_ms for r in rows if r.latency_ms is not None]
        figures[key] = (
            len(rows),
            sum(not r.ok for r in rows),
            pytest.approx(sum(latencies)),
            max(latencies) if latencies else None,
        )
    return figures


def due_monitor(target: Target, **fields) -> Monitor:
    """A monitor of ``target`` due now, checked every 30 s with a 2 s timeout."""
    defaults = {"interval_s": 30, "timeout_s": 2, "monitored_since": False}
    return MonitorFactory(target=target.url, next_run_at=timezone.now(), **{**defaults, **fields})


def test_rollups_and_monitor_state_equal_a_recount_of_the_raw_results(target):
    service = ServiceFactory()
    monitors = [due_monitor(target, service=service, failures_to_down=2) for _ in range(12)]
    # Up, then down twice (an outage opens), then up again (it closes): four slots each.
    for rounds, up in enumerate([True, False, False, True], start=1):
        target.up = up
        Monitor.objects.update(next_run_at=timezone.now())
        run_loops_until(rounds * len(monitors), owners=("w1", "w2"))

    results = list(CheckResult.objects.order_by("at", "pk"))
    assert len(results) == 4 * len(monitors)  # every slot once, by one of the two loops
    rollups = {
        (r.monitor_id, r.hour): (r.checks, r.failures, r.latency_sum_ms, r.latency_max_ms)
        for r in HourlyRollup.objects.all()
    }
    assert rollups == recount(results)

    for monitor in Monitor.objects.all():
        mine = [r for r in results if r.monitor_id == monitor.pk]
        assert [r.ok for r in mine] == [True, False, False, True]
        latest = mine[-1]
        assert (monitor.last_checked_at, monitor.last_ok) == (latest.at, True)
        assert monitor.last_latency_ms == pytest.approx(latest.latency_ms)
        assert (monitor.state, monitor.consecutive_failures, monitor.last_cause) == (
            MonitorState.UP,
            0,
            "",
        )
        assert (monitor.claimed_by, monitor.lease_until) == ("", None)
        assert monitor.next_run_at > latest.at
        [outage] = Outage.objects.filter(monitor=monitor)
        assert (outage.started_at, outage.ended_at) == (mine[1].at, mine[3].at)
        assert outage.cause == mine[1].cause == "HTTP 503, expected 200-399"
    assert {m.pk for m in monitors} == set(Monitor.objects.values_list("pk", flat=True))


def test_a_failing_check_writes_its_cause_and_a_recovery_clears_it(target):
    monitor = due_monitor(target, failures_to_down=3)
    target.up = False
    run_loops_until(1)
    monitor.refresh_from_db()
    assert (monitor.last_ok, monitor.consecutive_failures) == (False, 1)
    assert monitor.last_cause == "HTTP 503, expected 200-399"
    assert monitor.state == MonitorState.UNKNOWN  # one failure is no outage

    target.up = True
    Monitor.objects.update(next_run_at=timezone.now())
    run_loops_until(2)
    monitor.refresh_from_db()
    assert (monitor.last_ok, monitor.consecutive_failures, monitor.last_cause) == (True, 0, "")
    assert monitor.state == MonitorState.UP
    assert monitor.state_changed_at == CheckResult.objects.latest("at").at


def test_an_edited_monitor_is_checked_with_its_new_target_at_its_next_slot(target):
    monitor = due_monitor(target)
    run_loops_until(1)
    # The engine keeps the checks it built; an edit must still reach the next check.
    Monitor.objects.filter(pk=monitor.pk).update(
        target="http://127.0.0.1:9/", next_run_at=timezone.now()
    )
    run_loops_until(2)
    first, second = CheckResult.objects.order_by("at")
    assert first.ok and not second.ok
    assert second.cause == "connection refused"
