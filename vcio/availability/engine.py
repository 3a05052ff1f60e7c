"""The availability checker inside ``vcio worker``: claim due monitors, check them, record.

One asyncio loop per worker. Each pass claims due monitors
(:mod:`vcio.availability.claiming`: a lease of the check's timeout plus a
margin, so two workers never run the same check and a crashed worker's
monitors are taken again once their leases expire). VCIO_CHECK_CONCURRENCY worker coroutines
run the claimed checks; the loop claims a quarter more than that, so a
worker that finishes takes the next check at once instead of waiting for
a claim, and a check whose lease would run out before it ends is dropped
rather than started (its lease lapses and it is claimed again). Finished
checks are recorded in batches (:mod:`vcio.availability.recording`) by a
writer thread with a bounded queue; claims run on a second database
thread, so neither waits for the other and the event loop for neither.

With ``VCIO_QUEUE=celery`` the claimed checks are meant to go to Celery
workers instead: :func:`dispatch` is that seam, and :func:`run_claimed` what
a Celery task runs.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone

from vcio.availability.checks import CheckOutcome, CheckSession, CheckSpec, run_check, spec_of
from vcio.availability.claiming import CLAIM_BATCH, Claim, claim, claim_rows
from vcio.availability.models import CheckResult, Monitor
from vcio.availability.recording import (
    Finished,
    prune_results,
    record,
    record_batch,
    record_checks,
)
from vcio.core.registry import PeriodicJob, WorkerService, periodic_jobs, worker_services
from vcio.core.worker import worker_id

log = logging.getLogger("vcio.availability")

T = TypeVar("T")

# Seconds a check may overrun its own timeout before the engine gives up on it.
CHECK_GRACE_S = 5.0
# Longest sleep between looks for due monitors (bounds the scheduling lag).
MAX_SLEEP_S = 1.0
# Seconds the loop waits after a check finishes, so those finishing together share a batch.
GATHER_S = 0.01
# Checks claimed ahead of the free workers, as a share of the concurrency.
PREFETCH_SHARE = 0.25
# Batches of finished checks waiting for the writer thread before the loop stops claiming.
MAX_PENDING_WRITES = 2


@dataclass
class EngineStats:
    """Where one :func:`run` spent its time, for the bench's per-check figures."""

    checks: int = 0  # checks recorded
    batches: int = 0  # batches of finished checks recorded (one transaction each)
    passes: int = 0  # trips to the database threads (a claim or a batch recorded)
    db_s: float = 0.0  # wall-clock seconds the database threads spent on those trips
    db_cpu_s: float = 0.0  # CPU seconds of the database threads (Python and the driver)
    cpu_s: float = 0.0  # CPU seconds of the whole process during the run
    last_recorded_at: float = 0.0  # time.time() when the last batch was committed
    claim_wait_s: float = 0.0  # seconds the loop waited for claims (checks already running ran on)
    write_wait_s: float = 0.0  # seconds the loop waited for the writer's queue (back-pressure)


def _claim_specs(
    owner: str, limit: int, exclude: frozenset[int]
) -> tuple[list[tuple[Claim, CheckSpec]], float]:
    """Claim due monitors and build their specs; also the seconds until the next is due."""
    if limit <= 0:
        return [], MAX_SLEEP_S
    claims, wait = claim_rows(owner, limit, timezone.now(), exclude, True)
    return [(c, spec) for c, spec in claims if spec is not None], wait


def _record_finished(finished: list[Finished], owner: str, stats: EngineStats | None) -> int:
    """Record a batch of finished checks; returns how many were accepted.

    A failed recording is logged, not raised: the unrecorded checks' leases
    lapse and they are checked again, late but not lost.
    """
    try:
        recorded = len(record_checks(finished, owner))
    except Exception:
        log.exception("could not record %d check(s)", len(finished))
        return 0
    if stats is not None:
        stats.last_recorded_at = time.time()
    return recorded


# Checking ---------------------------------------------------------------------


async def check_once(spec: CheckSpec, session: CheckSession) -> tuple[datetime, CheckOutcome]:
    """Run one check; returns when it started and its outcome. Never raises.

    The check enforces its own timeout; the engine's bound on top only
    catches a check that overruns it, so SIGTERM waits a bounded time.
    (``asyncio.timeout``, not ``wait_for``: no second task per check.)
    """
    at = timezone.now()
    try:
        async with asyncio.timeout(spec.timeout_s + CHECK_GRACE_S):
            outcome = await run_check(spec, session)
    except TimeoutError:
        outcome = CheckOutcome(ok=False, cause=f"no answer within {spec.timeout_s:g} s")
    except Exception as exc:  # the contract says checks never raise; a bug must not stop the loop
        log.exception("check of monitor %s raised", spec.monitor_id)
        outcome = CheckOutcome(ok=False, cause=f"internal error in the check: {exc}")
    return at, outcome


async def _check_claimed(claimed: Claim, spec: CheckSpec, session: CheckSession) -> Finished:
    at, outcome = await check_once(spec, session)
    return Finished(claimed.monitor_id, claimed.slot, at, outcome)


def _time_left(claimed: Claim, spec: CheckSpec) -> bool:
    """Whether the claim's lease outlasts the longest the check may take."""
    if claimed.lease_until is None:
        return True
    left = (claimed.lease_until - timezone.now()).total_seconds()
    return left >= spec.timeout_s + CHECK_GRACE_S


class _InFlight:
    """The checks claimed and not yet recorded: queued, running, or finished.

    ``concurrency`` long-lived worker coroutines take claimed checks from a
    queue and run them, as a bare client loop would: no task per check, and
    a finished check is reported by appending it to ``finished`` (no scan
    of the running checks per pass) and waking the loop.
    """

    def __init__(self, session: CheckSession) -> None:
        self.session = session
        self.queue: asyncio.Queue[tuple[Claim, CheckSpec]] = asyncio.Queue()
        self.leases: dict[int, datetime | None] = {}  # monitor id: its lease, until recorded
        self.finished: list[Finished] = []
        self.wake = asyncio.Event()

    def __len__(self) -> int:
        return len(self.leases)

    @property
    def unfinished(self) -> int:
        """Checks queued or running."""
        return len(self.leases) - len(self.finished)

    def start(self, claimed: Claim, spec: CheckSpec) -> None:
        self.leases[claimed.monitor_id] = claimed.lease_until
        self.queue.put_nowait((claimed, spec))

    async def worker(self) -> None:
        """Run queued checks one after another, forever (cancelled at the end of the run)."""
        while True:
            claimed, spec = await self.queue.get()
            if not _time_left(claimed, spec):
                self.leases.pop(claimed.monitor_id, None)  # its lease lapses: claimed again
                continue
            at, outcome = await check_once(spec, self.session)  # never raises
            self.finished.append(Finished(claimed.monitor_id, claimed.slot, at, outcome))
            self.wake.set()

    def take_finished(self) -> list[Finished]:
        """The checks finished since the last call; they no longer count as claimed."""
        finished, self.finished = self.finished, []
        self.wake.clear()
        for f in finished:
            self.leases.pop(f.monitor_id, None)
        return finished

    async def wait_all(self) -> None:
        """Until every check queued or running has finished."""
        while self.unfinished:
            self.wake.clear()
            await self.wake.wait()

    def expiring(self, now: datetime) -> frozenset[int]:
        """Claimed monitors whose lease has (nearly) run out: a claim could take them again."""
        soon = now + timedelta(seconds=1)
        return frozenset(pk for pk, until in self.leases.items() if until is None or until < soon)


class _Database:
    """Runs database work on one dedicated thread (with its own connection), off the event loop."""

    def __init__(self, name: str, stats: EngineStats | None = None) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix=f"vcio-checker-{name}")
        self._refreshed = 0.0
        self.stats = stats

    def submit(self, fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """Start ``fn(*args)`` on the thread; the future is its result."""
        return asyncio.get_running_loop().run_in_executor(self._pool, self._run, fn, args)

    async def __call__(self, fn: Callable[..., T], *args: Any) -> T:
        return await self.submit(fn, *args)

    def _run(self, fn: Callable[..., T], args: tuple) -> T:
        started, cpu = time.perf_counter(), time.thread_time()
        # Drop a broken or expired connection now and then (a restarted database).
        if started - self._refreshed > 30:
            close_old_connections()
            self._refreshed = time.perf_counter()
        try:
            return fn(*args)
        except Exception:
            self._refreshed = 0.0  # look at the connection again before the next call
            raise
        finally:
            if self.stats is not None:
                self.stats.passes += 1
                self.stats.db_s += time.perf_counter() - started
                self.stats.db_cpu_s += time.thread_time() - cpu

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._pool, connections.close_all)
        self._pool.shutdown()


class _Writer:
    """Records finished checks on its own database thread while the loop goes on claiming.

    Claiming waits for no recording, so a slot freed by a finished check is
    filled at once. The queue is bounded: with MAX_PENDING_WRITES batches
    waiting, the loop waits for the oldest before claiming more (back-pressure
    when the database is slower than the checks).
    """

    def __init__(self, owner: str, stats: EngineStats | None) -> None:
        self.owner = owner
        self.db = _Database("writer", stats)
        self.pending: collections.deque[asyncio.Future[int]] = collections.deque()
        self.stats = stats

    async def write(self, finished: list[Finished]) -> None:
        """Queue ``finished`` for recording; waits while the queue is full."""
        while self.pending and self.pending[0].done():
            self._count(self.pending.popleft())
        if finished:
            recording = self.db.submit(_record_finished, finished, self.owner, self.stats)
            self.pending.append(recording)
            if self.stats is not None:
                self.stats.batches += 1
        started = time.perf_counter()
        while len(self.pending) > MAX_PENDING_WRITES:
            await asyncio.wait([self.pending[0]])
            self._count(self.pending.popleft())
        if self.stats is not None:
            self.stats.write_wait_s += time.perf_counter() - started

    async def drain(self) -> None:
        """Wait until everything queued is recorded."""
        while self.pending:
            await asyncio.wait([self.pending[0]])
            self._count(self.pending.popleft())

    def _count(self, done: asyncio.Future[int]) -> None:
        if done.exception() is not None:  # the thread failed before recording: leases lapse
            log.error("could not record a batch of checks", exc_info=done.exception())
        elif self.stats is not None:
            self.stats.checks += done.result()

    async def close(self) -> None:
        await self.drain()
        await self.db.close()


async def run(
    stop_event: threading.Event,
    owner: str,
    concurrency: int | None = None,
    stats: EngineStats | None = None,
) -> None:
    """Claim, check and record due monitors until ``stop_event`` is set.

    Then stops claiming, lets the checks in flight finish (each bounded by
    its timeout), records them and returns. ``stats``, when given, adds up
    where the time went.
    """
    concurrency = concurrency or settings.VCIO_CHECK_CONCURRENCY
    claimer, writer = _Database("claimer", stats), _Writer(owner, stats)
    cpu = time.process_time()
    try:
        async with CheckSession(concurrency=concurrency) as session:
            checks = _InFlight(session)
            workers = [asyncio.create_task(checks.worker()) for _ in range(concurrency)]
            try:
                while not stop_event.is_set():
                    wait = await _pass(claimer, writer, concurrency, checks)
                    await _pause(stop_event, wait, checks)
                if checks.unfinished:
                    log.info("stopping: finishing %d check(s) in flight", checks.unfinished)
                    await checks.wait_all()
                await writer.write(checks.take_finished())
            finally:
                for worker in workers:
                    worker.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
    finally:
        await writer.close()
        await claimer.close()
        if stats is not None:
            stats.cpu_s += time.process_time() - cpu


async def _pass(claimer: _Database, writer: _Writer, concurrency: int, checks: _InFlight) -> float:
    """Queue what finished for recording, start what is due; returns the seconds until more is.

    Claims first when slots are free, so new checks start while the finished
    ones are being recorded on the other thread.
    """
    finished = checks.take_finished()
    prefetch = math.ceil(concurrency * PREFETCH_SHARE)
    free = min(concurrency + prefetch - len(checks), CLAIM_BATCH)
    wait = MAX_SLEEP_S
    # Claims in batches of at least half the prefetch while workers still have checks queued.
    if free > 0 and (free * 2 >= prefetch or checks.queue.empty()):
        started = time.perf_counter()
        try:
            pairs, wait = await claimer(
                _claim_specs, writer.owner, free, checks.expiring(timezone.now())
            )
        except Exception:  # a locked or restarted database: try again shortly
            log.exception("could not claim due monitors")
            pairs = []
        if claimer.stats is not None:
            claimer.stats.claim_wait_s += time.perf_counter() - started
        for claimed, spec in pairs:
            checks.start(claimed, spec)
    await writer.write(finished)
    return wait


async def _pause(stop_event: threading.Event, wait: float, checks: _InFlight) -> None:
    """Sleep until more is due (at most MAX_SLEEP_S), waking early when a check finishes."""
    wait = min(wait, MAX_SLEEP_S)
    if stop_event.is_set() or wait <= 0:
        await asyncio.sleep(0)  # let the checks just started make progress
        return
    if checks.unfinished:
        try:
            async with asyncio.timeout(wait):
                await checks.wake.wait()
        except TimeoutError:
            return
        await asyncio.sleep(GATHER_S)  # gather the checks finishing together into one batch
    else:
        await asyncio.sleep(wait)


# Entry points -----------------------------------------------------------------


def serve(stop: threading.Event) -> None:
    """The ``availability.checker`` worker service: run the checks until ``stop``.

    With VCIO_QUEUE=celery this worker still claims what is due, and Celery
    workers run it (:mod:`vcio.availability.tasks`).
    """
    if settings.VCIO_QUEUE == "celery":
        from vcio.availability.tasks import serve_celery

        serve_celery(stop, worker_id())
        return
    concurrency = settings.VCIO_CHECK_CONCURRENCY
    log.info("availability checker started (concurrency %d)", concurrency)
    asyncio.run(run(stop, worker_id(), concurrency))
    log.info("availability checker stopped")


def dispatch(claims: list[Claim], owner: str) -> None:
    """Hand claimed checks to Celery workers (VCIO_QUEUE=celery).

    Each task gets plain values (monitor ids, slots, owner) and records only
    while ``owner`` still holds the claim.
    """
    from vcio.availability.tasks import dispatch as send

    send(claims, owner)


def run_claimed(monitor_id: int, owner: str, slot: datetime | None = None) -> CheckResult | None:
    """Run and record one claimed check (what a Celery task does); None when refused.

    ``slot`` defaults to the monitor's ``next_run_at``, which a claim leaves
    untouched until the check is recorded.
    """
    monitor = Monitor.objects.get(pk=monitor_id)
    at, outcome = asyncio.run(_check_alone(spec_of(monitor)))
    return record(monitor_id, slot or monitor.next_run_at or at, outcome, owner, at=at)


def check_now(monitor_id: int) -> CheckResult:
    """Run one monitor's check immediately and record it (the "check now" button).

    The schedule and any worker's claim are left alone. Returns the new
    CheckResult; raises Monitor.DoesNotExist for an unknown id.
    """
    monitor = Monitor.objects.get(pk=monitor_id)
    at, outcome = asyncio.run(_check_alone(spec_of(monitor)))
    result = record(monitor_id, None, outcome, owner=None, at=at)
    assert result is not None  # an unclaimed record is never refused
    return result


def check_due(owner: str, limit: int = CLAIM_BATCH) -> list[CheckResult]:
    """One synchronous pass on the caller's thread: claim, check and record what is due.

    Returns the results recorded. For tests and one-off runs; ``vcio
    worker`` uses :func:`run`.
    """
    claims = claim(owner, limit)
    monitors = Monitor.objects.in_bulk([c.monitor_id for c in claims])
    pairs = [(c, spec_of(monitors[c.monitor_id])) for c in claims if c.monitor_id in monitors]

    async def check_all() -> list[Finished]:
        async with CheckSession(concurrency=max(1, len(pairs))) as session:
            return list(await asyncio.gather(*(_check_claimed(c, s, session) for c, s in pairs)))

    return record_batch(asyncio.run(check_all()) if pairs else [], owner)


async def _check_alone(spec: CheckSpec) -> tuple[datetime, CheckOutcome]:
    async with CheckSession(concurrency=1) as session:
        return await check_once(spec, session)


def register() -> None:
    """Publish the checker service and the retention job to core's registries."""
    worker_services.register(
        WorkerService(
            "availability.checker",
            serve,
            "Runs the availability checks of due monitors (VCIO_CHECK_CONCURRENCY at once).",
        )
    )
    periodic_jobs.register(
        PeriodicJob(
            "availability.prune_results",
            prune_results,
            interval=3600,
            description="Deletes check results older than VCIO_CHECK_RETENTION_DAYS.",
        )
    )
