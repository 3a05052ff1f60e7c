"""Live evidence on a schedule: the worker refreshes open assessments every hour."""

from __future__ import annotations

from vcio.core.registry import PeriodicJob, periodic_jobs


def refresh_open_assessments() -> int:
    from vcio.assessments.live import refresh_all

    return refresh_all()


JOB = PeriodicJob(
    "assessments.refresh_evidence",
    refresh_open_assessments,
    interval=3600,
    description="Run the evidence rules over every open assessment (live answers follow the data).",
)


def register() -> None:
    periodic_jobs.register(JOB)
