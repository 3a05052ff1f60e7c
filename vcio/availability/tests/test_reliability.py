"""The checker under stress: concurrent workers, SIGTERM, ``kill -9`` mid-run.

These tests need the database seen by several threads and by ``vcio worker``
subprocesses. On PostgreSQL that is the test database itself (committed
data, ``transaction=True``). On SQLite pytest-django's test database lives
in memory, so :func:`shared_db` copies it to a file (``VACUUM INTO``) and
points this process at the copy for the test's duration.
"""

from __future__ import annotations

import asyncio
import datetime
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connections, transaction
from django.utils import timezone

from vcio.availability import claiming, engine
from vcio.availability.models import CheckResult, Monitor
from vcio.availability.tests.factories import MonitorFactory, ServiceFactory
from vcio.availability.tests.test_engine import Target


@pytest.fixture
def target() -> Iterator[Target]:
    server = Target()
    yield server
    server.close()


def _database_url(settings_dict: dict) -> str:
    """A DATABASE_URL naming the PostgreSQL test database this process uses."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(settings_dict.get("HOST") or "", safe="")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgresql://{credentials}{host}{port}/{quote(settings_dict['NAME'], safe='')}"


@pytest.fixture
def shared_db(transactional_db, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The test database, visible to threads and subprocesses; yields the subprocesses' env."""
    conn = connections["default"]
    env = {**os.environ, "VCIO_DATA_DIR": str(tmp_path), "VCIO_LOG_LEVEL": "INFO"}
    if conn.vendor == "postgresql":
        env["DATABASE_URL"] = _database_url(conn.settings_dict)
        yield env
        return
    copy = tmp_path / "shared.sqlite3"
    with conn.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(copy)])
    in_memory_name, in_memory = conn.settings_dict["NAME"], conn.connection
    # Set aside, not closed: the in-memory database lives while a connection to it does.
    conn.connection = None
    conn.settings_dict["NAME"] = str(copy)  # shared by every thread's connection
    env["DATABASE_URL"] = f"sqlite:///{copy}"
    try:
        yield env
    finally:
        conn.close()
        conn.settings_dict["NAME"] = in_memory_name
        conn.connection = in_memory


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.1)


def make_monitors(count: int, url: str, **fields) -> list[Monitor]:
    service = ServiceFactory()
    fields.setdefault("next_run_at", timezone.now())
    return [
        MonitorFactory(service=service, target=url, interval_s=30, **fields) for _ in range(count)
    ]


def results_per_monitor() -> Counter:
    return Counter(CheckResult.objects.values_list("monitor_id", flat=True))


# Threads in this process --------------------------------------------------------


def test_two_workers_claiming_at_once_never_get_the_same_monitor(shared_db):
    monitors = make_monitors(60, "http://127.0.0.1:9/")
    start = threading.Barrier(2)
    got: dict[str, list[int]] = {"w1": [], "w2": []}

    def worker(owner: str) -> None:
        try:
            start.wait()
            while ids := claiming.claim_due(owner, 7):
                got[owner] += ids
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(owner,)) for owner in got]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not set(got["w1"]) & set(got["w2"])
    assert sorted(got["w1"] + got["w2"]) == sorted(m.pk for m in monitors)


@pytest.mark.skipif(
    not connections["default"].features.has_select_for_update_skip_locked,
    reason="SQLite has no row locks: one writer at a time, so claims cannot deadlock there",
)
def test_a_claim_skips_monitors_another_worker_has_locked_instead_of_waiting(shared_db):
    """Two workers' claims once deadlocked on PostgreSQL; now a locked row is skipped.

    Another transaction holds one due monitor's row lock until the claim is
    over (or 30 s). Had the claim waited for that lock, it would have got
    the monitor once the lock was released; it gets every other one instead.
    """
    locked, *others = make_monitors(5, "http://127.0.0.1:9/")
    holding, done = threading.Event(), threading.Event()

    def hold_lock() -> None:
        try:
            with transaction.atomic():
                Monitor.objects.select_for_update().get(pk=locked.pk)
                holding.set()
                done.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert holding.wait(30), "the other transaction never took its lock"
        claimed = claiming.claim_due("w1", 10)
    finally:
        done.set()
        holder.join(60)
    assert sorted(claimed) == sorted(m.pk for m in others)
    assert claiming.claim_due("w2", 10) == [locked.pk]  # free again once the lock is gone


def test_two_checker_loops_check_each_due_monitor_once(shared_db, target):
    monitors = make_monitors(30, target.url, timeout_s=2)
    slots = dict(Monitor.objects.values_list("pk", "next_run_at"))
    stop = threading.Event()

    def loop(owner: str) -> None:
        asyncio.run(engine.run(stop, owner, concurrency=8))

    loops = [threading.Thread(target=loop, args=(owner,)) for owner in ("w1", "w2")]
    for thread in loops:
        thread.start()
    try:
        wait_for(lambda: len(results_per_monitor()) == len(monitors), 30, "every monitor checked")
    finally:
        stop.set()
        for thread in loops:
            thread.join(30)
    assert set(results_per_monitor().values()) == {1}  # each slot checked once, by one loop
    for pk, next_run_at, claimed_by in Monitor.objects.values_list(
        "pk", "next_run_at", "claimed_by"
    ):
        assert next_run_at == slots[pk] + datetime.timedelta(seconds=30)
        assert claimed_by == ""


# `vcio worker` subprocesses ---------------------------------------------------


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "vcio.cli", "worker", "--tick", "0.2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def owner_of(proc: subprocess.Popen) -> str:
    return f"{socket.gethostname()}:{proc.pid}"


def test_sigterm_finishes_the_checks_in_flight_and_exits_0(shared_db, target, tmp_path):
    target.delay = 1.5  # every check is still in flight when the signal comes
    monitors = make_monitors(4, target.url, timeout_s=5)
    log = tmp_path / "worker.log"
    proc = start_worker(shared_db, log)
    try:
        owner = owner_of(proc)
        wait_for(
            lambda: Monitor.objects.filter(claimed_by=owner).count() == len(monitors),
            30,
            "the worker to claim every monitor",
        )
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, log.read_text()
    finally:
        proc.kill()
    assert results_per_monitor() == {m.pk: 1 for m in monitors}, log.read_text()
    assert all(CheckResult.objects.values_list("ok", flat=True))
    assert not Monitor.objects.exclude(claimed_by="").exists()


def test_kill_9_mid_run_loses_no_monitor(shared_db, tmp_path):
    fast, slow = Target(), Target()
    try:
        slow.delay = 3.0
        quick = make_monitors(3, fast.url, timeout_s=4)
        stuck = make_monitors(3, slow.url, timeout_s=4)
        log = tmp_path / "worker.log"
        first = start_worker(shared_db, log)
        try:
            owner = owner_of(first)
            wait_for(
                lambda: (
                    set(results_per_monitor()) == {m.pk for m in quick}
                    and Monitor.objects.filter(claimed_by=owner).count() == len(stuck)
                ),
                30,
                "the quick monitors checked while the slow ones are in flight",
            )
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        killed_at = timezone.now()
        slow.delay = 0
        # The quick ones' next slot is 30 s away: bring it forward instead of waiting.
        Monitor.objects.filter(claimed_by="").update(next_run_at=killed_at)
        leases = dict(Monitor.objects.filter(claimed_by=owner).values_list("pk", "lease_until"))
        assert set(leases) == {m.pk for m in stuck}

        second = start_worker(shared_db, log)
        try:
            lease_s = 4 + claiming.LEASE_MARGIN_S
            wait_for(
                lambda: (
                    CheckResult.objects.filter(at__gt=killed_at)
                    .values("monitor_id")
                    .distinct()
                    .count()
                    == 6
                ),
                lease_s + 30,
                "every monitor checked again",
            )
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(30)
    finally:
        fast.close()
        slow.close()
    # Each check of the dead worker's monitors came after its lease ran out, and only once.
    for pk, lease_until in leases.items():
        [again] = CheckResult.objects.filter(monitor_id=pk, at__gt=killed_at)
        assert again.at >= lease_until and again.ok, log.read_text()
    assert results_per_monitor() == {
        **{m.pk: 2 for m in quick},
        **{m.pk: 1 for m in stuck},
    }
