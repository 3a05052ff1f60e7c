"""The scheduler loop behind ``vcio worker``.

Several workers may run at once (on one machine or many sharing a
PostgreSQL database): each job is claimed with a conditional UPDATE of its
row before it runs, so exactly one worker runs it, and a worker that dies
mid-job loses its lease after ``PeriodicJob.lease`` seconds.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import traceback
from datetime import timedelta

from django.db import close_old_connections
from django.db.models import F, Q
from django.utils import timezone

from vcio.core.models import JobRun
from vcio.core.registry import PeriodicJob, WorkerService, periodic_jobs, worker_services

log = logging.getLogger("vcio.worker")


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def ensure_job_rows() -> None:
    """A row per registered job, due now when new."""
    existing = set(JobRun.objects.values_list("name", flat=True))
    now = timezone.now()
    JobRun.objects.bulk_create(
        [
            JobRun(name=job.name, next_run_at=now)
            for job in periodic_jobs
            if job.name not in existing
        ],
        ignore_conflicts=True,
    )


def claim(job: PeriodicJob, owner: str) -> bool:
    """Take the job if it is due and nobody holds it; True when this worker got it."""
    now = timezone.now()
    taken = (
        JobRun.objects.filter(name=job.name, next_run_at__lte=now)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(
            lease_until=now + timedelta(seconds=job.lease),
            leased_by=owner,
            last_started_at=now,
        )
    )
    return taken == 1


def run_job(job: PeriodicJob, owner: str) -> str:
    """Run a claimed job, record the outcome and release the lease."""
    status, error = "ok", ""
    try:
        job.run()
    except Exception:  # a failing job must not stop the worker
        status, error = "error", traceback.format_exc(limit=20)
        log.exception("job %s failed", job.name)
    finished = timezone.now()
    JobRun.objects.filter(name=job.name, leased_by=owner).update(
        next_run_at=finished + timedelta(seconds=job.interval),
        lease_until=None,
        leased_by="",
        last_finished_at=finished,
        last_status=status,
        last_error=error,
        run_count=F("run_count") + 1,
    )
    return status


def run_due_jobs(owner: str, stop: threading.Event | None = None) -> list[str]:
    """One pass: claim and run every due job; returns the names that ran."""
    ran = []
    for job in periodic_jobs:
        if stop is not None and stop.is_set():
            break
        if claim(job, owner):
            log.info("running %s", job.name)
            run_job(job, owner)
            ran.append(job.name)
    return ran


def serve_forever(tick: float, stop: threading.Event | None = None) -> None:
    """Loop until SIGTERM/SIGINT; the job in progress finishes first."""
    stop = stop or threading.Event()

    def _stop(signum, _frame) -> None:
        log.info("signal %s: finishing the current job, then exiting", signum)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    owner = worker_id()
    ensure_job_rows()
    threads = [start_service(service, stop) for service in worker_services]
    log.info(
        "worker %s started with %d job(s) and %d service(s)",
        owner,
        len(periodic_jobs),
        len(threads),
    )
    while not stop.is_set():
        close_old_connections()
        run_due_jobs(owner, stop)
        stop.wait(tick)
    for thread in threads:
        thread.join()  # each finishes what it has in hand
    log.info("worker %s stopped", owner)


def start_service(service: WorkerService, stop: threading.Event) -> threading.Thread:
    """Run one registered service in its own thread until ``stop`` is set."""

    def run() -> None:
        try:
            service.run(stop)
        except Exception:  # a broken service is logged; the jobs go on
            log.exception("service %s stopped with an error", service.key)
        finally:
            close_old_connections()

    thread = threading.Thread(target=run, name=f"vcio-{service.key}", daemon=True)
    thread.start()
    return thread
