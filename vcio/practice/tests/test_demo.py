"""The practice's demo: a year of fees and time, Globex unprofitable, safe to load twice."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils import timezone

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


def test_globex_loses_money_and_is_flagged_while_acme_is_profitable(db):
    load()
    clients = list(Client.objects.order_by("slug"))
    rows = {r.client.slug: r for r in economics.client_economics(clients)}
    acme, globex, initech = rows["acme"], rows["globex"], rows["initech"]
    assert acme.margin_percent > 60 and not acme.flags
    # Globex, by hand: a full month is 4 h × 110 + 16 h × 90 + 24 h × 55 = 3,200 USD of
    # cost against a 2,800 USD fee. Over the page's period, from the rows kept:
    period = economics.default_period(timezone.localdate())
    rate = {"alice": 110, "frank": 90, "tess": 55}
    cost = sum(
        e.hours * rate[e.person.username]
        for e in TimeEntry.objects.filter(
            client__slug="globex", date__range=(period.first, period.last)
        ).select_related("person")
    )
    assert globex.cost == cost
    assert globex.margin == globex.revenue - globex.cost < 0
    assert globex.flags
    # Initech pays in GBP: its margin is not computed at a guessed exchange rate.
    assert initech.note == f"fee in GBP, costs in {settings.VCIO_PRACTICE_CURRENCY}: not compared"
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
