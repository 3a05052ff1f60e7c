"""A client's fee over time, the current fee kept in step, and MRR per currency."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from vcio.core.fiscal import add_months
from vcio.core.tests.factories import ClientFactory
from vcio.practice import fees
from vcio.practice.models import FeeChange

D = datetime.date


def test_the_fee_on_a_day_is_the_latest_change_started_by_then(acme, globex):
    FeeChange.objects.create(client=acme, monthly_fee=Decimal("1000"), starts_on=D(2025, 1, 1))
    FeeChange.objects.create(client=acme, monthly_fee=Decimal("1500"), starts_on=D(2025, 7, 1))
    globex.monthly_fee = Decimal("800")
    globex.save()
    ids = [acme.pk, globex.pk]
    assert fees.fee_at(ids, D(2024, 12, 31)) == {acme.pk: 0, globex.pk: Decimal("800")}
    assert fees.fee_at(ids, D(2025, 6, 30))[acme.pk] == Decimal("1000")
    assert fees.fee_at(ids, D(2025, 7, 1))[acme.pk] == Decimal("1500")


def test_a_client_without_changes_pays_its_fee_from_its_contract_start(acme):
    acme.monthly_fee, acme.contract_start = Decimal("900"), D(2025, 3, 15)
    acme.save()
    assert fees.fee_at([acme.pk], D(2025, 3, 14)) == {acme.pk: 0}
    assert fees.fee_at([acme.pk], D(2025, 3, 15)) == {acme.pk: Decimal("900")}


def test_fee_at_runs_two_queries_whatever_the_number_of_clients(db, django_assert_num_queries):
    ids = [ClientFactory(monthly_fee=Decimal(i)).pk for i in range(12)]
    with django_assert_num_queries(2):
        found = fees.fee_at(ids, D(2026, 1, 1))
    assert sorted(found.values()) == [Decimal(i) for i in range(12)]


def test_recording_a_started_change_updates_the_clients_current_fee(acme, alice):
    acme.monthly_fee, acme.contract_start = Decimal("4000"), D(2024, 1, 1)
    acme.save()
    started = timezone.localdate() - datetime.timedelta(days=10)
    fees.record_fee_change(acme, Decimal("4500"), started, "scope grew", alice)
    acme.refresh_from_db()
    assert acme.monthly_fee == Decimal("4500")
    # The old fee is kept as the fee before the change, from the contract start.
    assert list(FeeChange.objects.filter(client=acme).values_list("starts_on", "monthly_fee")) == [
        (D(2024, 1, 1), Decimal("4000")),
        (started, Decimal("4500")),
    ]
    assert fees.fee_at([acme.pk], D(2024, 6, 1))[acme.pk] == Decimal("4000")


def test_a_future_change_leaves_the_current_fee_until_it_starts(acme, alice):
    acme.monthly_fee = Decimal("4000")
    acme.save()
    later = timezone.localdate() + datetime.timedelta(days=40)
    fees.record_fee_change(acme, Decimal("5000"), later, "", alice)
    acme.refresh_from_db()
    assert acme.monthly_fee == Decimal("4000")
    assert fees.fee_at([acme.pk], later)[acme.pk] == Decimal("5000")
    # Correcting the same day's change replaces it rather than adding one.
    fees.record_fee_change(acme, Decimal("4800"), later, "negotiated", alice)
    assert fees.fee_at([acme.pk], later)[acme.pk] == Decimal("4800")
    assert FeeChange.objects.filter(client=acme, starts_on=later).count() == 1


def test_mrr_is_summed_per_currency_never_across(acme, globex):
    this_month = timezone.localdate().replace(day=1)
    first = add_months(this_month, -2)
    acme.monthly_fee = Decimal("1000")  # USD, always
    acme.save()
    globex.currency, globex.monthly_fee = "EUR", Decimal("700")
    globex.save()
    late = ClientFactory(currency="USD", monthly_fee=Decimal("300"), contract_start=this_month)
    FeeChange.objects.create(client=acme, monthly_fee=Decimal("1000"), starts_on=D(2020, 1, 1))
    FeeChange.objects.create(
        client=acme, monthly_fee=Decimal("1200"), starts_on=add_months(first, 1)
    )
    rows = fees.mrr_by_month([acme.pk, globex.pk, late.pk], first, 3)
    # By hand: month 1: 1000 USD + 700 EUR; month 2: 1200 USD + 700 EUR;
    # this month: 1200 + 300 USD, 700 EUR.
    assert rows == [
        (first, {"EUR": Decimal("700"), "USD": Decimal("1000")}),
        (add_months(first, 1), {"EUR": Decimal("700"), "USD": Decimal("1200")}),
        (this_month, {"EUR": Decimal("700"), "USD": Decimal("1500")}),
    ]
