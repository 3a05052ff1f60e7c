"""The availability checker inside ``vcio worker``: claim due monitors, check them, record.

One asyncio loop per worker. Each pass claims due monitors with a
conditional UPDATE (a lease of the check's timeout plus a margin), so two
workers never run the same check and a crashed worker's monitors are taken
again once their leases expire. It claims no more than it has free slots
(VCIO_CHECK_CONCURRENCY), so a claimed check starts at once and its lease
never ticks away in a queue. Finished checks are recorded in batches
(:mod:`vcio.availability.recording`). All database work runs on one
dedicated thread, off the event loop.

With ``VCIO_QUEUE=celery`` the claimed checks are meant to go to Celery
workers instead: :func:`dispatch` is that seam, and :func:`run_claimed` what
a Celery task runs.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import close_old_connections, connections
from django.db.models import F, Min, Q
from django.utils import timezone

from vcio.availability.checks import (
    SPEC_FIELDS,
    CheckOutcome,
    CheckSession,
    CheckSpec,
    run_check,
    spec_of,
    spec_of_row,
)
from vcio.availability.models import CheckResult, Monitor
from vcio.availability.recording import Finished, prune_results, record, record_batch
from vcio.core.registry import PeriodicJob, WorkerService, periodic_jobs, worker_services
from vcio.core.worker import worker_id

log = logging.getLogger("vcio.availability")

T = TypeVar("T")

# Seconds a lease outlasts the check's timeout: time to record the result.
LEASE_MARGIN_S = 5
# Seconds a check may overrun its own timeout before the engine gives up on it.
CHECK_GRACE_S = 5.0
# Longest sleep between looks for due monitors (bounds the scheduling lag).
MAX_SLEEP_S = 1.0
# Monitors claimed by one UPDATE.
CLAIM_BATCH = 500


@dataclass(frozen=True)
class Claim:
    """A monitor this worker holds, and the slot (due time) its check is for."""

    monitor_id: int
    slot: datetime


# Claiming ---------------------------------------------------------------------


def _claimable(now: datetime) -> Any:
    """Enabled monitors that are due (NULL: never run) and whose lease is free or expired."""
    return Monitor.objects.filter(
        Q(next_run_at__isnull=True) | Q(next_run_at__lte=now),
        Q(lease_until__isnull=True) | Q(lease_until__lt=now),
        enabled=True,
    )


def claim(
    owner: str, limit: int, now: datetime | None = None, exclude: frozenset[int] = frozenset()
) -> list[Claim]:
    """Claim up to ``limit`` due monitors for ``owner``, oldest due first.

    One conditional UPDATE per batch repeats the due-and-free conditions, so
    a monitor another worker took in between is skipped (row by row, on
    SQLite and PostgreSQL alike); reading back the exact lease written tells
    which ones this worker got. ``exclude``: monitors this worker is still
    checking, never claimed twice.
    """
    now = now or timezone.now()
    claimable = _claimable(now).exclude(pk__in=exclude) if exclude else _claimable(now)
    candidates = list(
        claimable.order_by(F("next_run_at").asc(nulls_first=True), "pk").values_list(
            "pk", "timeout_s"
        )[: max(0, limit)]
    )
    by_lease: dict[int, list[int]] = defaultdict(list)
    for pk, timeout_s in candidates:
        by_lease[math.ceil(timeout_s) + LEASE_MARGIN_S].append(pk)
    claims = []
    for lease_s, ids in by_lease.items():
        for start in range(0, len(ids), CLAIM_BATCH):
            batch = ids[start : start + CLAIM_BATCH]
            until = now + timedelta(seconds=lease_s)
            _claimable(now).filter(pk__in=batch).update(lease_until=until, claimed_by=owner)
            got = Monitor.objects.filter(pk__in=batch, claimed_by=owner, lease_until=until)
            got = got.order_by().values_list("pk", "next_run_at")  # no join for Meta.ordering
            claims += [Claim(pk, slot or now) for pk, slot in got]
    return sorted(claims, key=lambda c: (c.slot, c.monitor_id))


def claim_due(owner: str, limit: int, now: datetime | None = None) -> list[int]:
    """The ids of the monitors claimed for ``owner`` (see :func:`claim`)."""
    return [c.monitor_id for c in claim(owner, limit, now)]


def seconds_until_due(now: datetime | None = None, exclude: frozenset[int] = frozenset()) -> float:
    """Seconds until the next monitor (not leased, not in ``exclude``) falls due; 0 if one is."""
    now = now or timezone.now()
    free = Monitor.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now), enabled=True
    )
    if exclude:
        free = free.exclude(pk__in=exclude)
    if free.filter(next_run_at__isnull=True).exists():
        return 0.0
    earliest = free.aggregate(at=Min("next_run_at"))["at"]
    if earliest is None:
        return math.inf
    return max(0.0, (earliest - now).total_seconds())


def _claim_specs(
    owner: str, limit: int, exclude: frozenset[int]
) -> tuple[list[tuple[Claim, CheckSpec]], float]:
    """Claim due monitors and build their specs; also the seconds until the next is due."""
    claims = claim(owner, limit, exclude=exclude)
    rows = Monitor.objects.filter(pk__in=[c.monitor_id for c in claims]).values("pk", *SPEC_FIELDS)
    specs = {row["pk"]: spec_of_row(row) for row in rows}
    pairs = [(c, specs[c.monitor_id]) for c in claims if c.monitor_id in specs]
    busy = exclude | {c.monitor_id for c in claims}
    if len(claims) == limit:
        return pairs, 0.0  # more may be due right now
    # A floor when nothing was claimed, so a race lost to another worker is no busy loop.
    return pairs, max(seconds_until_due(exclude=busy), 0.0 if claims else 0.05)


# Checking ---------------------------------------------------------------------


async def check_once(spec: CheckSpec, session: CheckSession) -> tuple[datetime, CheckOutcome]:
    """Run one check; returns when it started and its outcome. Never raises.

    The check enforces its own timeout; the engine's bound on top only
    catches a check that overruns it, so SIGTERM waits a bounded time.
    """
    at = timezone.now()
    try:
        outcome = await asyncio.wait_for(run_check(spec, session), spec.timeout_s + CHECK_GRACE_S)
    except TimeoutError:
        outcome = CheckOutcome(ok=False, cause=f"no answer within {spec.timeout_s:g} s")
    except Exception as exc:  # the contract says checks never raise; a bug must not stop the loop
        log.exception("check of monitor %s raised", spec.monitor_id)
        outcome = CheckOutcome(ok=False, cause=f"internal error in the check: {exc}")
    return at, outcome


async def _check_claimed(claimed: Claim, spec: CheckSpec, session: CheckSession) -> Finished:
    at, outcome = await check_once(spec, session)
    return Finished(claimed.monitor_id, claimed.slot, at, outcome)


class _Database:
    """Runs the loop's database work on one dedicated thread, off the event loop."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="vcio-checker-db")
        self._refreshed = 0.0

    async def __call__(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._run, fn, args)

    def _run(self, fn: Callable[..., T], args: tuple) -> T:
        # Drop a broken or expired connection now and then (a restarted database).
        if time.monotonic() - self._refreshed > 30:
            close_old_connections()
            self._refreshed = time.monotonic()
        try:
            return fn(*args)
        except Exception:
            self._refreshed = 0.0  # look at the connection again before the next call
            raise

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._pool, connections.close_all)
        self._pool.shutdown()


async def run(stop_event: threading.Event, owner: str, concurrency: int | None = None) -> None:
    """Claim, check and record due monitors until ``stop_event`` is set.

    Then stops claiming, lets the checks in flight finish (each bounded by
    its timeout), records them and returns.
    """
    concurrency = concurrency or settings.VCIO_CHECK_CONCURRENCY
    db = _Database()
    in_flight: dict[int, asyncio.Task[Finished]] = {}
    try:
        async with CheckSession(concurrency=concurrency) as session:
            while not stop_event.is_set():
                wait = await _pass(db, owner, concurrency, session, in_flight)
                await _pause(stop_event, wait, in_flight)
            if in_flight:
                log.info("stopping: finishing %d check(s) in flight", len(in_flight))
                await asyncio.wait(list(in_flight.values()))
            await _record_done(db, owner, in_flight)
    finally:
        await db.close()


async def _pass(
    db: _Database,
    owner: str,
    concurrency: int,
    session: CheckSession,
    in_flight: dict[int, asyncio.Task[Finished]],
) -> float:
    """Record what finished, start what is due; returns the seconds until more is due."""
    await _record_done(db, owner, in_flight)
    free = concurrency - len(in_flight)
    if free <= 0:
        return MAX_SLEEP_S
    try:
        pairs, wait = await db(_claim_specs, owner, min(free, CLAIM_BATCH), frozenset(in_flight))
    except Exception:  # a locked or restarted database: try again shortly
        log.exception("could not claim due monitors")
        return MAX_SLEEP_S
    for claimed, spec in pairs:
        in_flight[claimed.monitor_id] = asyncio.create_task(_check_claimed(claimed, spec, session))
    return wait


async def _record_done(
    db: _Database, owner: str, in_flight: dict[int, asyncio.Task[Finished]]
) -> None:
    """Record the finished checks in one batch and forget them."""
    done = [pk for pk, task in in_flight.items() if task.done()]
    finished = [in_flight.pop(pk).result() for pk in done]
    if not finished:
        return
    try:
        await db(record_batch, finished, owner)
    except Exception:
        # The leases lapse and the monitors are checked again: late, but not lost.
        log.exception("could not record %d check(s)", len(finished))


async def _pause(
    stop_event: threading.Event, wait: float, in_flight: dict[int, asyncio.Task[Finished]]
) -> None:
    """Sleep until more is due (at most MAX_SLEEP_S), waking early when a check finishes."""
    wait = min(wait, MAX_SLEEP_S)
    if stop_event.is_set() or wait <= 0:
        await asyncio.sleep(0)  # let the checks just started make progress
        return
    if in_flight:
        await asyncio.wait(
            list(in_flight.values()), timeout=wait, return_when=asyncio.FIRST_COMPLETED
        )
        await asyncio.sleep(0.01)  # gather the checks finishing together into one batch
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
