"""Replacement forecast by the client's fiscal quarter, with counts and cost."""

from __future__ import annotations

import datetime
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.assets.forecast import replacement_forecast, total_cost
from vcio.assets.models import Asset, AssetKind, AssetStatus, LifecyclePolicy
from vcio.core.tests.factories import ClientFactory

TODAY = date(2026, 11, 28)  # FY2027 Q2 for a July fiscal year


@pytest.fixture
def july(db):
    """A client whose fiscal year starts in July (Q1 = Jul–Sep)."""
    client = ClientFactory(slug="july", fiscal_year_start_month=7, currency="USD")
    LifecyclePolicy.objects.create(
        client=client,
        kind="laptop",
        replace_after_years=Decimal("4"),
        replacement_cost=Decimal("1500"),
    )
    return client


def laptop(client, name: str, bought: date | None, **fields) -> Asset:
    return Asset.objects.create(
        client=client,
        name=name,
        kind=fields.pop("kind", AssetKind.LAPTOP),
        purchase_date=bought,
        os_name=fields.pop("os_name", "Microsoft Windows 11 Pro"),
        os_version=fields.pop("os_version", "10.0.26200"),
        **fields,
    )


def test_replacements_land_in_the_clients_fiscal_quarters(july):
    laptop(july, "overdue", date(2021, 6, 1))  # due 2025-06-01
    laptop(july, "this quarter", date(2022, 12, 31))  # due 2026-12-31, FY2027 Q2
    laptop(july, "next fiscal year", date(2023, 7, 1))  # due 2027-07-01, FY2028 Q1
    laptop(july, "last quarter", date(2025, 9, 30))  # due 2029-09-30, FY2030 Q1
    laptop(july, "too late", date(2025, 10, 1))  # due 2029-10-01, after 12 quarters
    laptop(july, "retired", date(2020, 1, 1), status=AssetStatus.RETIRED)

    forecast = replacement_forecast(july, today=TODAY)

    assert len(forecast) == 12
    assert forecast[0].label == "FY2027 Q2" and forecast[0].quarter.start == date(2026, 10, 1)
    assert forecast[-1].label == "FY2030 Q1"
    assert (forecast[0].count, forecast[0].overdue) == (2, 1)
    assert forecast[0].cost == Decimal("3000")
    by_label = {q.label: q.count for q in forecast if q.count}
    assert by_label == {"FY2027 Q2": 2, "FY2028 Q1": 1, "FY2030 Q1": 1}
    names = Asset.objects.in_bulk(forecast[0].asset_ids)
    assert {a.name for a in names.values()} == {"overdue", "this quarter"}
    assert forecast[0].by_kind == {"laptop": 2}


def test_a_calendar_year_client_gets_calendar_quarters(acme):
    laptop(acme, "due", date(2022, 2, 1))  # default 5-year policy: 2027-02-01
    forecast = replacement_forecast(acme, today=TODAY, quarters=4)
    assert [q.label for q in forecast] == ["FY2026 Q4", "FY2027 Q1", "FY2027 Q2", "FY2027 Q3"]
    assert forecast[1].count == 1 and forecast[1].cost == Decimal("1500")  # default laptop cost


def test_windows_10_machines_are_overdue_for_upgrade_or_replacement(july):
    laptop(
        july, "win10", date(2024, 1, 1), os_name="Microsoft Windows 10 Pro", os_version="10.0.19045"
    )
    first = replacement_forecast(july, today=TODAY)[0]
    assert (first.count, first.overdue) == (1, 1)


def test_cost_falls_back_to_purchase_cost_then_counts_as_unknown(july):
    july.currency = "JPY"  # no default costs in a currency vcio has no estimate for
    july.save()
    laptop(july, "priced", date(2020, 1, 1), kind=AssetKind.SERVER, purchase_cost=Decimal("8000"))
    laptop(july, "unpriced", date(2020, 1, 1), kind=AssetKind.SERVER)
    first = replacement_forecast(july, today=TODAY)[0]
    assert (first.count, first.cost, first.cost_unknown) == (2, Decimal("8000"), 1)
    assert first.cost_by_kind == {"server": Decimal("8000")}


def test_virtual_machines_and_cloud_services_are_never_replaced(july):
    laptop(july, "vm", date(2015, 1, 1), kind=AssetKind.VIRTUAL_MACHINE)
    laptop(july, "saas", date(2015, 1, 1), kind=AssetKind.CLOUD)
    assert total_cost(replacement_forecast(july, today=TODAY)) == 0
    assert sum(q.count for q in replacement_forecast(july, today=TODAY)) == 0


def test_forecast_runs_the_same_queries_for_20_and_200_assets(july):
    def add(n: int) -> None:
        Asset.objects.bulk_create(
            Asset(
                client=july,
                name=f"pc-{i}",
                kind=AssetKind.LAPTOP,
                purchase_date=TODAY - datetime.timedelta(days=37 * i),
                os_name="Microsoft Windows 10 Pro" if i % 3 else "macOS",
                os_version="10.0.19045" if i % 3 else "14.5",
            )
            for i in range(n)
        )

    add(20)
    with CaptureQueriesContext(connection) as few:
        small = replacement_forecast(july.pk)
    add(180)
    with CaptureQueriesContext(connection) as many:
        large = replacement_forecast(july.pk)
    assert len(few.captured_queries) == len(many.captured_queries) == 4
    assert sum(q.count for q in small) < sum(q.count for q in large)
