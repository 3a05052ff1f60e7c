"""Each client's economics checked by hand on small fixtures, flags, and a fixed query count."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.core.models import Membership
from vcio.core.roles import Role
from vcio.core.tests.factories import ClientFactory
from vcio.practice import economics
from vcio.practice.models import FeeChange, Targets
from vcio.practice.tests.builders import entry, rate

D = datetime.date
PERIOD = economics.Period(D(2025, 1, 1), D(2025, 3, 31), 3)
TODAY = D(2025, 3, 31)


@pytest.fixture
def world(acme, globex, bob, tess):
    Membership.objects.create(user=bob, client=globex, role=Role.CONSULTANT)
    FeeChange.objects.create(client=acme, monthly_fee=Decimal("1000"), starts_on=D(2025, 1, 1))
    FeeChange.objects.create(client=acme, monthly_fee=Decimal("1300"), starts_on=D(2025, 3, 1))
    globex.currency, globex.monthly_fee = "EUR", Decimal("500")
    globex.save()
    rate(bob, "80")
    rate(tess, "50")
    entry(acme, bob, D(2025, 1, 20), 10)
    entry(acme, tess, D(2025, 2, 3), 4)
    entry(acme, bob, D(2025, 3, 25), 5)
    entry(acme, bob, D(2024, 12, 31), 20)  # before the period: last year's work
    entry(globex, bob, D(2025, 2, 14), 10)
    return acme, globex


def by_slug(rows):
    return {r.client.slug: r for r in rows}


def test_revenue_hours_cost_rate_and_margin_by_hand(world):
    acme, globex = world
    rows = by_slug(economics.client_economics([acme, globex], PERIOD, today=TODAY))
    a = rows["acme"]
    # By hand: fees 1000 + 1000 + 1300 = 3300; hours 10 + 4 + 5 = 19;
    # cost 15 h × 80 + 4 h × 50 = 1400; rate 3300 / 19 = 173.68; margin 1900 = 57.6 %.
    assert a.revenue == Decimal("3300")
    assert a.hours == Decimal("19")
    assert a.cost == Decimal("1400.00")
    assert a.rate == Decimal("173.68")
    assert a.margin == Decimal("1900.00")
    assert a.margin_percent == Decimal("57.6")
    assert a.current_fee == Decimal("1300")
    assert a.flags == []
    assert (a.last_contact, a.days_since_contact) == (D(2025, 3, 25), 6)


def test_a_client_billed_in_another_currency_gets_no_margin(world):
    acme, globex = world
    g = by_slug(economics.client_economics([acme, globex], PERIOD, today=TODAY))["globex"]
    assert g.revenue == Decimal("1500")  # 3 × 500 EUR
    assert g.rate == Decimal("150.00")  # EUR per hour
    assert g.cost == Decimal("800.00")  # USD
    assert (g.margin, g.margin_percent, g.flags) == (None, None, [])
    assert g.note == "fee in EUR, costs in USD: not compared"


def test_clients_below_the_targets_are_flagged(world, bob):
    acme, globex = world
    Targets.objects.create(margin_percent=Decimal("60"), hourly_rate=Decimal("200"))
    losing = ClientFactory(name="Initech", slug="initech", monthly_fee=Decimal("100"))
    Membership.objects.create(user=bob, client=losing, role=Role.CONSULTANT)
    entry(losing, bob, D(2025, 2, 1), 10)
    rows = by_slug(economics.client_economics([acme, globex, losing], PERIOD, today=TODAY))
    assert rows["acme"].flags == [
        "margin 57.6 % < target 60.0 %",
        "rate 173.68/h < target 200.00/h",
    ]
    # By hand: 3 × 100 = 300 revenue, 10 h × 80 = 800 cost: −500, −166.7 %.
    i = rows["initech"]
    assert (i.margin, i.margin_percent) == (Decimal("-500.00"), Decimal("-166.7"))
    assert i.flagged
    assert rows["globex"].flags == []  # not compared, so not flagged


def test_a_person_without_a_cost_rate_is_named(world, alice, acme, globex):
    Membership.objects.filter(user=alice).update(role=Role.OWNER)
    entry(acme, alice, D(2025, 3, 1), 2)
    a = by_slug(economics.client_economics([acme, globex], PERIOD, today=TODAY))["acme"]
    assert a.missing_rates == ["Alice"]
    assert a.cost == Decimal("1400.00")


def test_the_consultants_view_has_no_cost_margin_or_flags(world):
    acme, globex = world
    row = economics.redact(economics.client_economics([acme], PERIOD, today=TODAY)[0])
    assert (row.cost, row.margin, row.margin_percent, row.flags) == (None, None, None, [])
    assert row.rate == Decimal("173.68")


def test_sorting_puts_the_worst_first(world):
    acme, globex = world
    rows = economics.client_economics([acme, globex], PERIOD, today=TODAY)
    contact = [r.client.slug for r in economics.sort_rows(rows, "contact")]
    assert contact == ["globex", "acme"]  # globex last seen 2025-02-14, acme 2025-03-25


def query_count(n: int, bob, tess) -> int:
    clients = [ClientFactory() for _ in range(n)]
    for client in clients:
        FeeChange.objects.create(client=client, monthly_fee=Decimal("900"), starts_on=D(2025, 1, 1))
        entry(client, bob, D(2025, 2, 1), 3)
        entry(client, tess, D(2025, 2, 2), 1)
    with CaptureQueriesContext(connection) as ctx:
        rows = economics.client_economics(clients, PERIOD, today=TODAY)
    assert len(rows) == n and all(r.hours == Decimal("4") for r in rows)
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_the_number_of_clients(db, bob, tess):
    rate(bob, "80")
    few = query_count(3, bob, tess)
    many = query_count(30, bob, tess)
    assert few == many
