"""Recommendations from repeated SLA breaches: 2 of the last 3 complete months missed."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vcio.availability.models import BusinessService, Criticality
from vcio.availability.recommendations import sla_breach_drafts
from vcio.availability.tests.factories import MonitorFactory, OutageFactory, ServiceFactory
from vcio.core.fiscal import add_months
from vcio.core.registry import recommendation_generators
from vcio.core.tests.factories import ClientFactory
from vcio.strategy.models import Recommendation
from vcio.strategy.recommend import sync_recommendations

UTC = datetime.UTC
# Mid-April 2026: the last three complete months are January, February and March.
NOW = datetime.datetime(2026, 4, 10, 12, 0, tzinfo=UTC)
LONG_AGO = datetime.datetime(2025, 6, 1, tzinfo=UTC)


def at(month: int, day: int = 10, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=UTC)


def service(client, created_at: datetime.datetime = LONG_AGO, **fields) -> BusinessService:
    """A service whose history starts at ``created_at`` (auto_now_add, so set it after)."""
    made = ServiceFactory(client=client, **fields)
    BusinessService.objects.filter(pk=made.pk).update(created_at=created_at)
    made.refresh_from_db()
    return made


def down(svc: BusinessService, start: datetime.datetime, minutes: float, cause: str = "HTTP 502"):
    """An outage of ``minutes`` on the service's (single) monitor."""
    monitor = svc.monitors.first() or MonitorFactory(service=svc)
    end = start + datetime.timedelta(minutes=minutes)
    return OutageFactory(monitor=monitor, started_at=start, ended_at=end, cause=cause)


def test_the_generator_is_registered():
    generator = recommendation_generators.get("availability.sla_breaches")
    assert generator.app == "availability"
    assert generator.generate is sla_breach_drafts


@pytest.mark.django_db
def test_two_missed_months_of_three_make_one_recommendation(acme):
    erp = service(acme, name="ERP (Epicor Kinetic)", criticality=Criticality.CRITICAL)
    # 99.9 % of January allows 44.6 min down: one hour misses it.
    down(erp, at(1), 60, "connection refused")
    down(erp, at(2), 10)  # February is met
    down(erp, at(3, 10, 8), 180, "HTTP 502")
    down(erp, at(3, 20), 20, "timeout")
    down(erp, datetime.datetime(2025, 12, 20, tzinfo=UTC), 600)  # before the window
    down(erp, at(4, 2), 600)  # this month: not complete yet

    [draft] = sla_breach_drafts([acme.id], now=NOW)

    assert draft.key == f"availability.sla_breach.{erp.pk}"
    assert draft.client_id == acme.id
    assert draft.title == (
        "Make the ERP (Epicor Kinetic) reliable: it missed its 99.9 % SLA in 2 of the last 3 months"
    )
    assert draft.category == "availability" and draft.source_app == "availability"
    assert draft.risk == "critical"
    assert draft.evidence_url == f"/clients/acme/services/{erp.pk}/"
    assert draft.effort_days == Decimal("5") and draft.one_time_cost == 0
    assert draft.due_date == datetime.date(2026, 5, 31)
    months = draft.evidence["months"]
    assert [m["month"] for m in months] == ["2026-01", "2026-02", "2026-03"]
    assert [m["downtime_min"] for m in months] == [60, 10, 200]
    assert [m["outages"] for m in months] == [1, 1, 2]
    assert [m["breach"] for m in months] == [True, False, True]
    assert months[0]["availability_pct"] == round(100 * (1 - 60 / (31 * 24 * 60)), 3)
    assert [o["cause"] for o in draft.evidence["outages"]] == [
        "connection refused",
        "HTTP 502",
        "HTTP 502",
        "timeout",
    ]
    assert draft.evidence["outages"][0] == {
        "started_at": "2026-01-10T12:00:00+00:00",
        "ended_at": "2026-01-10T13:00:00+00:00",
        "cause": "connection refused",
    }
    assert json.loads(json.dumps(draft.evidence)) == draft.evidence
    assert "missed it in 2 of the last 3 months" in draft.why
    assert "January 2026: 99.87 % (60 min down in 1 outage, missed); February" in draft.why
    assert "The longest outage lasted 3 h, from 10 March 2026 08:00 (HTTP 502)" in draft.why
    assert "business critical" in draft.why
    assert "unknown until then" in draft.why


@pytest.mark.django_db
def test_one_missed_month_of_three_is_not_a_pattern(acme):
    email = service(acme, name="Email", criticality=Criticality.HIGH)
    down(email, at(3), 120)
    down(email, at(2), 30)  # within February's 40.3 min

    assert sla_breach_drafts([acme.id], now=NOW) == []


@pytest.mark.django_db
def test_a_service_without_three_complete_months_is_skipped(acme):
    # Created mid-January: January is not a complete month of its history.
    new = service(acme, created_at=at(1, 15), name="New portal")
    for month in (1, 2, 3):
        down(new, at(month, 20), 120)
    old = service(acme, name="Old portal", criticality=Criticality.HIGH)
    for month in (1, 2, 3):
        down(old, at(month, 20), 120)

    drafts = sla_breach_drafts([acme.id], now=NOW)

    assert [d.key for d in drafts] == [f"availability.sla_breach.{old.pk}"]
    assert drafts[0].risk == "high"
    assert drafts[0].title.endswith("in 3 of the last 3 months")


@pytest.mark.django_db
def test_months_are_the_clients_own(acme):
    acme.time_zone = "America/New_York"
    acme.save(update_fields=["time_zone"])
    svc = service(acme, name="Website", criticality=Criticality.LOW)
    down(svc, at(1), 60)
    # 1 April 02:00 UTC is still 31 March in New York: it counts for March.
    down(svc, datetime.datetime(2026, 4, 1, 2, 0, tzinfo=UTC), 70)

    [draft] = sla_breach_drafts([acme.id], now=NOW)

    assert [m["breach"] for m in draft.evidence["months"]] == [True, False, True]
    assert draft.risk == "medium"
    assert "The longest outage lasted 1 h 10 min, from 31 March 2026 22:00" in draft.why


@pytest.mark.django_db
def test_only_the_clients_asked_for(acme, globex):
    for client in (acme, globex):
        svc = service(client)
        down(svc, at(1), 60)
        down(svc, at(2), 60)

    drafts = sla_breach_drafts([globex.id], now=NOW)

    assert [d.client_id for d in drafts] == [globex.id]


def breaching_clients(count: int) -> list[int]:
    ids = []
    for _ in range(count):
        client = ClientFactory()
        svc = service(client)
        down(svc, at(1), 60)
        down(svc, at(3), 60)
        ids.append(client.id)
    return ids


@pytest.mark.django_db
def test_queries_do_not_grow_with_clients_or_services():
    one, four = breaching_clients(1), breaching_clients(4)

    with CaptureQueriesContext(connection) as small:
        assert len(sla_breach_drafts(one, now=NOW)) == 1
    with CaptureQueriesContext(connection) as large:
        assert len(sla_breach_drafts(four, now=NOW)) == 4

    assert len(small) == len(large) == 3


@pytest.mark.django_db
def test_sync_stores_it_as_an_open_recommendation(acme):
    # sync_recommendations calls generators with client ids only, so "now" is real here.
    this_month = timezone.now().date().replace(day=1)
    first, _second, third = (add_months(this_month, -n) for n in (3, 2, 1))
    erp = service(
        acme,
        created_at=timezone.now() - datetime.timedelta(days=200),
        name="ERP",
        criticality=Criticality.CRITICAL,
    )
    for month in (first, third):
        down(erp, datetime.datetime(month.year, month.month, 10, 12, tzinfo=UTC), 120)

    result = sync_recommendations([acme.id])

    row = Recommendation.objects.get(client=acme, key=f"availability.sla_breach.{erp.pk}")
    assert result.created >= 1
    assert row.status == "open" and row.risk == "critical"
    assert row.title.startswith("Make the ERP reliable: it missed its 99.9 % SLA in 2 of")
    assert [m["downtime_min"] for m in row.evidence["months"]] == [120, 0, 120]
    assert len(row.evidence["outages"]) == 2
    assert row.due_date == add_months(this_month, 2) - datetime.timedelta(days=1)

    again = sync_recommendations([acme.id])
    assert Recommendation.objects.filter(client=acme, source_app="availability").count() == 1
    assert again.created == 0


@pytest.mark.django_db
def test_evidence_keeps_the_longest_twenty_outages_that_cost_sla_time(acme):
    erp = service(acme, name="ERP", sla_hours="business")  # Mon–Fri 08:00–18:00 UTC
    # 25 outages in January's business hours, 10 to 34 minutes long.
    weekdays = [d for d in range(1, 32) if datetime.date(2026, 1, d).isoweekday() <= 5]
    slots = [(day, hour) for day in weekdays for hour in (9, 14)][:25]
    for minutes, (day, hour) in enumerate(slots, start=10):
        down(erp, at(1, day, hour), minutes, f"{minutes} min")
    down(erp, at(3, 10, 9), 120)  # a Tuesday
    down(erp, at(3, 14, 9), 600, "Saturday")  # outside business hours: costs nothing

    [draft] = sla_breach_drafts([acme.id], now=NOW)

    assert draft.evidence["outages_total"] == 26
    causes = [o["cause"] for o in draft.evidence["outages"]]
    assert len(causes) == 20
    # The six shortest (10–15 min) make room for the longest, the 2 h one included.
    assert causes[0] == "16 min" and causes[-1] == "HTTP 502" and "Saturday" not in causes
    assert "during business hours" in draft.why
    assert "The longest outage lasted 2 h" in draft.why
