"""The practice's demo: a year of fees and time, Initech unprofitable, safe to load twice."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from vcio.core.demo import load_core
from vcio.core.models import Client
from vcio.practice import economics
from vcio.practice.demo import load_practice
from vcio.practice.models import FeeChange, PersonRate, TimeEntry


def load() -> dict:
    ctx: dict = {}
    load_core(ctx, lambda line: None)
    load_practice(ctx, lambda line: None)
    return ctx


def test_initech_costs_more_than_it_pays_and_the_others_are_profitable(db):
    load()
    clients = list(Client.objects.order_by("slug"))
    rows = {r.client.slug: r for r in economics.client_economics(clients)}
    acme, globex, initech = rows["acme"], rows["globex"], rows["initech"]
    assert acme.margin_percent > 60 and not acme.flags
    assert globex.margin_percent > 60 and not globex.flags
    # Initech pays in GBP: its margin is not computed at a guessed rate, but its cost
    # (USD) is more than its fee revenue (GBP) would be at any plausible exchange rate.
    assert initech.note == f"fee in GBP, costs in {settings.VCIO_PRACTICE_CURRENCY}: not compared"
    assert initech.cost > initech.revenue * Decimal("1.4")
    assert initech.rate < Decimal("70")  # £ an hour, against ~£330/h at Acme
    # Acme's fee changed during the year and the client shows the current one.
    assert Client.objects.get(slug="acme").monthly_fee == Decimal("4500.00")
    assert FeeChange.objects.filter(client__slug="acme").count() == 2


def test_loading_twice_adds_nothing(db):
    load()
    before = (TimeEntry.objects.count(), FeeChange.objects.count(), PersonRate.objects.count())
    load()
    assert before[0] > 100
    assert (
        TimeEntry.objects.count(),
        FeeChange.objects.count(),
        PersonRate.objects.count(),
    ) == before
