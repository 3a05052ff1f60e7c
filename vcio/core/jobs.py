"""Periodic jobs ``core`` registers for the worker."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.utils import timezone

from vcio.core.importer.uploads import purge_stale_uploads
from vcio.core.registry import PeriodicJob, periodic_jobs


def purge_expired_sessions() -> int:
    """Delete expired login sessions; returns how many were removed."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


def register() -> None:
    from vcio.core.importer import background

    background.register()
    periodic_jobs.register(
        PeriodicJob(
            "core.purge_expired_sessions",
            purge_expired_sessions,
            interval=6 * 3600,
            description="Remove expired login sessions from the database.",
        )
    )
    periodic_jobs.register(
        PeriodicJob(
            "core.purge_import_uploads",
            purge_stale_uploads,
            interval=3600,
            description="Delete uploaded import files nobody confirmed within a day.",
        )
    )
