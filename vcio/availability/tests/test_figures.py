"""Client figures the availability app publishes through the registry."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vcio.availability.tests.factories import MonitorFactory, OutageFactory, ServiceFactory
from vcio.core.fiscal import quarter_of
from vcio.core.registry import compute_figures, figures
from vcio.core.tests.factories import ClientFactory

KEYS = [
    "availability.sla_pct_quarter",
    "availability.services_in_breach",
    "availability.outages_30d",
]
UTC = datetime.UTC


def test_every_figure_is_registered_with_its_direction():
    found = {key: figures.get(key) for key in KEYS}
    assert {k: f.better for k, f in found.items()} == {
        "availability.sla_pct_quarter": "higher",
        "availability.services_in_breach": "lower",
        "availability.outages_30d": "lower",
    }
    assert found["availability.sla_pct_quarter"].unit == "%"
    assert all(f.app == "availability" and f.description for f in found.values())


def quarter_start() -> datetime.datetime:
    """Start of the current fiscal quarter of a UTC client whose year starts in January."""
    first = quarter_of(timezone.now().date(), 1).start
    return datetime.datetime.combine(first, datetime.time(0), tzinfo=UTC)


@pytest.mark.django_db
def test_figures_of_clients_with_and_without_services(acme, globex):
    now = timezone.now()
    ago = lambda minutes: now - datetime.timedelta(minutes=minutes)  # noqa: E731
    # The ERP promises 100 %: any downtime is a breach. The website promises 0 %.
    erp = ServiceFactory(client=acme, name="ERP", sla_target=Decimal("100"))
    web, db = MonitorFactory(service=erp), MonitorFactory(service=erp)
    spans = [(ago(70), ago(10)), (ago(40), ago(20)), (ago(40 * 1440), ago(40 * 1440 - 30))]
    for monitor, (start, end) in zip((web, db, web), spans, strict=True):
        OutageFactory(monitor=monitor, started_at=start, ended_at=end)
    MonitorFactory(service=ServiceFactory(client=acme, name="Website", sla_target=Decimal("0")))
    quiet = ClientFactory(slug="quiet")
    MonitorFactory(service=ServiceFactory(client=quiet))
    unwatched = ClientFactory(slug="unwatched")
    ServiceFactory(client=unwatched)  # no monitor: nothing measured, not "100 %"

    values = compute_figures([acme.pk, globex.pk, quiet.pk, unwatched.pk], KEYS)

    # The quarter so far, and the ERP's downtime in it (the two monitors' outages merged).
    begin = quarter_start()
    measured = (now - begin).total_seconds()
    downtime = sum(max(0.0, (end - max(start, begin)).total_seconds()) for start, end in spans[::2])
    assert values["availability.sla_pct_quarter"][acme.pk] == pytest.approx(
        100 * (measured - downtime) / measured, abs=0.001
    )
    assert values["availability.services_in_breach"] == {
        acme.pk: 1,
        globex.pk: None,
        quiet.pk: 0,
        unwatched.pk: 0,
    }
    # The 40-day-old outage is out of the last 30 days; the overlapping two count once.
    assert values["availability.outages_30d"] == {
        acme.pk: 1,
        globex.pk: None,
        quiet.pk: 0,
        unwatched.pk: 0,
    }
    assert values["availability.sla_pct_quarter"][quiet.pk] == 100
    assert values["availability.sla_pct_quarter"][globex.pk] is None
    assert values["availability.sla_pct_quarter"][unwatched.pk] is None


@pytest.mark.django_db
def test_figures_run_the_same_queries_for_one_client_or_many(acme, globex):
    clients = [acme, globex, *(ClientFactory() for _ in range(3))]
    for client in clients:
        OutageFactory(monitor=MonitorFactory(service=ServiceFactory(client=client)))

    def queries(client_ids: list[int]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            compute_figures(client_ids, KEYS)
        return len(ctx.captured_queries)

    assert queries([acme.pk]) == queries([c.pk for c in clients]) == 3 * 5
