"""``vcio worker``: the loop that runs every app's periodic jobs."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from vcio.core.registry import periodic_jobs
from vcio.core.worker import ensure_job_rows, run_due_jobs, serve_forever, worker_id


class Command(BaseCommand):
    help = "Run registered periodic jobs until SIGTERM (safe to run several at once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Run due jobs once and exit.")
        parser.add_argument(
            "--tick", type=float, default=None, help="Seconds between looks for due jobs."
        )
        parser.add_argument("--list", action="store_true", help="List the registered jobs.")

    def handle(self, *args, once: bool = False, tick: float | None = None, **options) -> None:
        if options["list"]:
            for job in periodic_jobs:
                self.stdout.write(f"{job.name}  every {job.interval}s  {job.description}")
            return
        if once:
            ensure_job_rows()
            ran = run_due_jobs(worker_id())
            self.stdout.write(f"ran {len(ran)} job(s): {', '.join(ran) or 'none due'}")
            return
        serve_forever(tick or settings.WORKER_TICK_SECONDS)
