"""The needs app's periodic jobs for ``vcio worker``: survey reminders (hourly)."""

from __future__ import annotations

from vcio.core.registry import periodic_jobs
from vcio.needs.sending import reminder_job


def register() -> None:
    periodic_jobs.register(reminder_job())
