"""factory_boy factories for the availability app's models, shared by its tests.

Times default to fixed instants in 2026 (UTC), so a test states the ones it
relies on and nothing depends on when it runs.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from vcio.availability.models import (
    BusinessService,
    HourlyRollup,
    MaintenanceWindow,
    Monitor,
    MonitorKind,
    Outage,
)
from vcio.core.tests.factories import ClientFactory

UTC = datetime.UTC
# When the factories' monitors began checking (one rollup): before any instant the tests use.
MONITORED_SINCE = datetime.datetime(2025, 1, 1, tzinfo=UTC)


class ServiceFactory(factory.django.DjangoModelFactory):
    """A 24×7 business service with a 99.9 % target."""

    class Meta:
        model = BusinessService

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    sla_target = Decimal("99.9")


class MonitorFactory(factory.django.DjangoModelFactory):
    """An HTTP monitor of a service, pointing at a local address."""

    class Meta:
        model = Monitor

    service = factory.SubFactory(ServiceFactory)
    name = factory.Sequence(lambda n: f"Monitor {n}")
    kind = MonitorKind.HTTP
    target = "http://127.0.0.1:9/"

    @factory.post_generation
    def monitored_since(self, create: bool, extracted: datetime.datetime | None, **kwargs) -> None:
        """Its first check, as an hourly rollup: the SLA counts only time after it.

        By default the monitor has watched since ``MONITORED_SINCE``, before every
        fixed 2026 instant the tests use; ``monitored_since=None``-like values are
        not accepted, pass ``monitored_since=False`` for a monitor never checked.
        """
        if not create or extracted is False:
            return
        HourlyRollup.objects.create(monitor=self, hour=extracted or MONITORED_SINCE, checks=1)


class OutageFactory(factory.django.DjangoModelFactory):
    """A one-hour outage of a monitor; ``service`` follows the monitor's."""

    class Meta:
        model = Outage

    monitor = factory.SubFactory(MonitorFactory)
    service = factory.LazyAttribute(lambda o: o.monitor.service)
    started_at = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    ended_at = factory.LazyAttribute(lambda o: o.started_at + datetime.timedelta(hours=1))
    cause = "connection refused"


class MaintenanceWindowFactory(factory.django.DjangoModelFactory):
    """A one-off two-hour maintenance window of a service."""

    class Meta:
        model = MaintenanceWindow

    service = factory.SubFactory(ServiceFactory)
    title = factory.Sequence(lambda n: f"Maintenance {n}")
    starts_at = datetime.datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    recurrence = "none"
