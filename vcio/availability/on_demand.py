""" "Check now": the request makes the monitor due at once and returns; the worker checks it.

A check waits on the network for up to its timeout (a minute at most), so
running it inside a web request let ten requests against a target that
never answers hold every web thread. The button (and ``POST
/api/monitors/<id>/check/``) now only marks the monitor due now; ``vcio
worker``'s checker, which claims due monitors within a second, runs it
like any scheduled check and the service page shows the result.

Limits, so the button cannot be turned into load: a monitor has at most one
requested check waiting (asking again while it waits changes nothing), and
a user at most ``VCIO_CHECK_NOW_PER_USER`` waiting at once. A paused
monitor is not checked: resume it first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from vcio.availability.models import Monitor


class CheckRefused(Exception):
    """The check cannot be requested; the message says why, for the user."""

    def __init__(self, message: str, too_many: bool = False) -> None:
        super().__init__(message)
        self.too_many = too_many


@dataclass(frozen=True)
class CheckRequest:
    """A requested check: when it was asked for; ``new`` False when one was already waiting."""

    monitor_id: int
    requested_at: datetime
    new: bool


def waiting(monitors: QuerySet[Monitor]) -> QuerySet[Monitor]:
    """The monitors whose requested check has not been run yet."""
    return monitors.filter(check_requested_at__isnull=False).filter(
        Q(last_checked_at__isnull=True) | Q(last_checked_at__lt=F("check_requested_at"))
    )


def request_check(monitor: Monitor, user: Any) -> CheckRequest:
    """Make ``monitor`` due now for the worker; raises CheckRefused with the reason."""
    if not monitor.enabled:
        raise CheckRefused(f"“{monitor}” is paused: resume it to check it.")
    if monitor.check_waiting:
        return CheckRequest(monitor.pk, monitor.check_requested_at, new=False)
    limit = settings.VCIO_CHECK_NOW_PER_USER
    if waiting(Monitor.objects.filter(check_requested_by=user)).count() >= limit:
        raise CheckRefused(
            f"You already have {limit} {'check' if limit == 1 else 'checks'} waiting for the "
            "worker: "
            "wait for their results before asking for more.",
            too_many=True,
        )
    now = timezone.now()
    # Only ever earlier: a monitor already due keeps its place in the queue.
    Monitor.objects.filter(pk=monitor.pk, next_run_at__gt=now).update(next_run_at=now)
    Monitor.objects.filter(pk=monitor.pk).update(check_requested_at=now, check_requested_by=user)
    monitor.check_requested_at, monitor.check_requested_by = now, user
    return CheckRequest(monitor.pk, now, new=True)
