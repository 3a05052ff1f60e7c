"""One row of every availability model for a client, for core's isolation and no-500 walkers."""

from __future__ import annotations

import datetime

from django.utils import timezone

from vcio.availability.models import (
    AlertChannel,
    AlertDelivery,
    BusinessService,
    CheckResult,
    HourlyRollup,
    MaintenanceWindow,
    Monitor,
    MonitorState,
    Outage,
)
from vcio.core.models import Client


def availability_rows_for(client: Client, marker: str) -> BusinessService:
    """A service with a window, a monitor (one result, one rollup, one outage), a channel
    and a failed alert delivery, each carrying ``marker`` in a text field.

    The monitor aims at a closed port on 127.0.0.1, so a walker pressing
    "Check now" gets a fast, readable failure and never leaves the machine.
    Returns the service.
    """
    now = timezone.now().replace(microsecond=0)
    service = BusinessService.objects.create(
        client=client, name=f"{marker} ERP", description=f"{marker} service description"
    )
    MaintenanceWindow.objects.create(
        service=service,
        title=f"{marker} patch night",
        starts_at=now + datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=1, hours=2),
    )
    monitor = Monitor.objects.create(
        service=service,
        name=f"{marker} web front",
        target="http://127.0.0.1:9/",
        state=MonitorState.DOWN,
        last_checked_at=now,
        last_ok=False,
        last_cause=f"{marker} connection refused",
    )
    CheckResult.objects.create(
        monitor=monitor, at=now, ok=False, cause=f"{marker} connection refused"
    )
    HourlyRollup.objects.create(
        monitor=monitor,
        hour=now.replace(minute=0, second=0),
        checks=1,
        failures=1,
        latency_sum_ms=12.5,
    )
    outage = Outage.objects.create(
        monitor=monitor,
        service=service,
        started_at=now - datetime.timedelta(minutes=5),
        cause=f"{marker} connection refused",
    )
    channel = AlertChannel.objects.create(
        service=service, kind=AlertChannel.Kind.EMAIL, target=f"{marker}@example.com"
    )
    AlertDelivery.objects.create(
        channel=channel,
        outage=outage,
        event=AlertDelivery.Event.DOWN,
        status=AlertDelivery.Status.FAILED,
        attempts=5,
        last_error=f"{marker} mail server refused",
    )
    return service
