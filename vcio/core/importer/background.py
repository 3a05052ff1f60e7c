"""Big imports run in ``vcio worker``, not in the web request; the pages poll their progress.

A request that uploads more than ``VCIO_IMPORT_BACKGROUND_MB`` (or asks for
the background through the API) stores the files, marks its
:class:`~vcio.core.models.ImportRun` ``queued`` and answers at once. The
worker's ``core.imports`` service claims queued runs with a conditional
UPDATE (a lease, renewed as the import makes progress, so a run whose
worker died is taken again once the lease lapses; an import is atomic, so
running it again is safe), runs the same :func:`engine.preview` a small
upload runs in the request, and writes its progress on the row, which the
preview and detail pages and ``GET /api/imports/<id>/`` show.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.db.models import Q
from django.utils import timezone

from vcio.core.bookkeeping import write_quietly
from vcio.core.importer import engine, uploads
from vcio.core.importer.base import Problem
from vcio.core.importer.report import problem_json
from vcio.core.models import ImportRun
from vcio.core.registry import WorkerService, worker_services

log = logging.getLogger("vcio.imports")

Job = ImportRun.Job
# Renewed at every progress write; a run nobody renews for this long is taken again.
LEASE = timedelta(minutes=5)
# The import's own transaction hides progress writes until it commits, so a
# lease cannot be renewed while the rows are saved: a run's lease covers the
# whole import of its files at this pessimistic speed (a seventh of the
# ~360 KB/s the import bench measures), or a second worker would take over a
# long save that is still going and import the file twice.
SLOWEST_BYTES_PER_S = 50 * 1024
# Progress is written at most this often: a row a second is plenty for a page polling every 2 s.
PROGRESS_EVERY_S = 1.0
IDLE_WAIT_S = 1.0
MB = 1024 * 1024


def is_big(sizes: Iterable[int | None]) -> bool:
    """True when files of these sizes (bytes) should be imported in the background."""
    return sum(size or 0 for size in sizes) > settings.VCIO_IMPORT_BACKGROUND_MB * MB


def queue(run: ImportRun, *, commit: bool, **options: Any) -> None:
    """Hand ``run`` (its files already stored) to the worker.

    ``options``: ``preset``, ``mapping`` and ``format`` as :func:`engine.preview` takes them.
    """
    run.job = Job.QUEUED
    run.job_options = {"commit": commit, **{k: v for k, v in options.items() if v}}
    run.progress = {"stage": "queued", "done": 0, "total": None}
    run.lease_until, run.leased_by = None, ""
    run.save(update_fields=["job", "job_options", "progress", "lease_until", "leased_by"])


def _claimable(now) -> Q:
    return Q(job=Job.QUEUED) | Q(job=Job.RUNNING, lease_until__lt=now)


def claim_next(owner: str) -> ImportRun | None:
    """Take the oldest queued import (or one whose worker's lease lapsed); None when none is."""
    now = timezone.now()
    candidates = ImportRun.objects.filter(_claimable(now)).order_by("started_at", "pk")
    for pk in candidates.values_list("pk", flat=True)[:10]:
        taken = (
            ImportRun.objects.filter(_claimable(now), pk=pk)
            .update(job=Job.RUNNING, leased_by=owner, lease_until=now + LEASE)
        )  # fmt: skip
        if taken:
            return ImportRun.objects.select_related("client", "user").get(pk=pk)
    return None


def lease_for(size: int) -> timedelta:
    """How long a worker holds an import of files of ``size`` bytes without renewing it."""
    return max(LEASE, timedelta(seconds=size / SLOWEST_BYTES_PER_S))


class _Progress:
    """The engine's progress callback: writes it on the run (at most once a second)."""

    def __init__(self, run_id: int, owner: str, lease: timedelta = LEASE) -> None:
        self.run_id, self.owner, self.lease = run_id, owner, lease
        self.written, self.stage = 0.0, ""

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if stage == self.stage and time.monotonic() - self.written < PROGRESS_EVERY_S:
            return  # a new stage is always shown
        self.written, self.stage = time.monotonic(), stage
        progress = {"stage": stage, "done": done, "total": total}
        # Bookkeeping: a busy database must not stop the import itself.
        write_quietly(
            f"import {self.run_id} progress",
            lambda: ImportRun.objects.filter(pk=self.run_id, leased_by=self.owner).update(
                progress=progress, lease_until=timezone.now() + self.lease
            ),
        )


def run_job(run: ImportRun, owner: str) -> None:
    """Run a claimed import to its end and release it; never raises."""
    options = run.job_options or {}
    commit = bool(options.get("commit"))
    stored = uploads.stored_files(run.pk, list(run.file_names)) if run.files_kept else None
    try:
        if stored is None:
            _fail(run, "the uploaded files are no longer kept: upload them again")
        else:
            engine.preview(
                run.target,
                run.client,
                stored,
                user=run.user,
                preset=options.get("preset") or run.preset or None,
                mapping=options.get("mapping") or None,
                dry_run=not commit,
                atomic=run.atomic,
                format=options.get("format") or None,
                sheet=run.sheet or None,
                progress=_Progress(
                    run.pk, owner, lease_for(sum(p.stat().st_size for _, p in stored))
                ),
                import_run=run,
            )
    except Exception as exc:  # one broken import must not stop the worker
        log.exception("import %s failed", run.pk)
        _fail(run, f"the import stopped: {exc}")
    finally:
        done = {"job": Job.NONE, "lease_until": None, "leased_by": "", "progress": {}}
        if commit:
            uploads.delete_uploads(run.pk)
            done["files_kept"] = False
        ImportRun.objects.filter(pk=run.pk, leased_by=owner).update(**done)


def _fail(run: ImportRun, message: str) -> None:
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.FAILED,
        finished_at=timezone.now(),
        problem_count=1,
        problems=[problem_json(Problem(message))],
    )


def run_pending(owner: str, stop: threading.Event | None = None) -> int:
    """Run queued imports one after the other until none is left; returns how many ran."""
    ran = 0
    while stop is None or not stop.is_set():
        run = claim_next(owner)
        if run is None:
            break
        log.info("import %s (%s) started", run.pk, run.target)
        run_job(run, owner)
        ran += 1
    return ran


def serve(stop: threading.Event) -> None:
    """The ``core.imports`` worker service: run queued imports until ``stop``."""
    from vcio.core.worker import worker_id

    owner = worker_id()
    while not stop.is_set():
        close_old_connections()
        try:
            ran = run_pending(owner, stop)
        except Exception:  # a locked or restarted database: look again shortly
            log.exception("could not claim an import")
            ran = 0
        if not ran:
            stop.wait(IDLE_WAIT_S)


def progress_text(run: ImportRun) -> str:
    """What the page says about a background import: "Reading the file: 40 % …"."""
    if run.job == Job.QUEUED:
        return "Waiting for the worker to start the import."
    progress = run.progress or {}
    stage, done, total = progress.get("stage"), progress.get("done") or 0, progress.get("total")
    if stage == "reading":
        # The CSV reader reports bytes read of the file's size; others count rows.
        if total:
            return f"Reading the file: {min(100, 100 * done // total)} %."
        return f"Reading the file: {done:,} rows so far."
    if stage == "checking":
        return "Checking the rows against each other and against vcio's data."
    if stage == "saving":
        return (
            "Saving the rows." if run.job_options.get("commit") else "Counting what would change."
        )
    return "Starting."


def register() -> None:
    worker_services.register(
        WorkerService(
            "core.imports",
            serve,
            "Runs imports too big for a web request (VCIO_IMPORT_BACKGROUND_MB).",
        )
    )
