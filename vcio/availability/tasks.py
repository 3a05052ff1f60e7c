"""Celery tasks of the availability app: run checks that ``vcio worker`` claimed.

With VCIO_QUEUE=celery the worker's checker service claims due monitors
exactly as it does in-process, then sends them here in batches. A task runs
its batch's checks concurrently in one event loop and records them with the
claiming worker's name, so a check whose lease was meanwhile taken over by
another worker is not recorded twice (:func:`recording.record_batch`
refuses it).
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import threading

from celery import shared_task
from django.conf import settings
from django.db import close_old_connections

from vcio.availability.checks import CheckSession, spec_of
from vcio.availability.models import Monitor

log = logging.getLogger("vcio.availability")
# Checks per task: big enough to share connections, small enough to spread over workers.
BATCH = 50


@shared_task(name="availability.check_monitors", ignore_result=True)
def check_monitors(claims: list[tuple[int, str]], owner: str) -> int:
    """Run and record claimed checks: ``claims`` are (monitor id, slot ISO time) pairs.

    Returns how many were recorded (refused ones, whose claim lapsed, are not).
    """
    from vcio.availability.engine import Claim, _check_claimed
    from vcio.availability.recording import record_batch

    close_old_connections()
    wanted = [Claim(pk, datetime.datetime.fromisoformat(slot)) for pk, slot in claims]
    monitors = Monitor.objects.in_bulk([c.monitor_id for c in wanted])
    pairs = [(c, spec_of(monitors[c.monitor_id])) for c in wanted if c.monitor_id in monitors]

    async def run_all() -> list:
        size = max(1, min(len(pairs), settings.VCIO_CHECK_CONCURRENCY))
        async with CheckSession(concurrency=size) as session:
            return list(await asyncio.gather(*(_check_claimed(c, s, session) for c, s in pairs)))

    finished = asyncio.run(run_all()) if pairs else []
    return len(record_batch(finished, owner))


def dispatch(claims: list, owner: str) -> None:
    """Send claimed checks to the Celery workers, ``BATCH`` to a task."""
    from vcio.celery import app  # configured from the settings (VCIO_REDIS_URL)

    payload = [(c.monitor_id, c.slot.isoformat()) for c in claims]
    for start in range(0, len(payload), BATCH):
        app.send_task(check_monitors.name, args=[payload[start : start + BATCH], owner])


def serve_celery(stop: threading.Event, owner: str) -> None:
    """The checker service in Celery mode: claim what is due and dispatch it until ``stop``."""
    from vcio.availability import claiming, engine

    log.info("availability checks dispatched to Celery at %s", settings.VCIO_REDIS_URL)
    while not stop.is_set():
        close_old_connections()
        claims = claiming.claim(owner, claiming.CLAIM_BATCH)
        if claims:
            dispatch(claims, owner)
            continue
        stop.wait(min(engine.MAX_SLEEP_S, max(0.05, claiming.seconds_until_due())))
