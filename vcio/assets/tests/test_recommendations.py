"""Recommendations the assets app generates from lifecycle and licence data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.assets.lifecycle import client_today
from vcio.assets.models import AssetKind, AssetStatus
from vcio.assets.recommendations import (
    licence_waste,
    replacement_by_quarter,
    unsupported_os,
)
from vcio.assets.tests import factories
from vcio.assets.tests.factories import (
    AssetFactory,
    EolRuleFactory,
    LicenceFactory,
    LifecyclePolicyFactory,
)
from vcio.core.fiscal import quarter_of
from vcio.core.registry import recommendation_generators
from vcio.core.tests.factories import ClientFactory
from vcio.strategy.recommend import collect_drafts

TODAY = client_today("UTC")


def ago(years: float) -> datetime.date:
    return TODAY - datetime.timedelta(days=int(years * 365.25))


@pytest.fixture
def acme_assets(acme):
    LifecyclePolicyFactory(
        client=acme, kind=AssetKind.LAPTOP, replace_after_years=Decimal("4"),
        replacement_cost=Decimal("1600"),
    )  # fmt: skip
    return {
        "overdue-1": AssetFactory(client=acme, purchase_date=ago(4.5)),
        "overdue-2": AssetFactory(client=acme, purchase_date=ago(4.2)),
        "next-year": AssetFactory(client=acme, purchase_date=ago(3.0)),
        "new": AssetFactory(client=acme, purchase_date=ago(0.5)),
        "retired": AssetFactory(client=acme, purchase_date=ago(6), status=AssetStatus.RETIRED),
    }


def test_generators_are_registered():
    keys = {g.key for g in recommendation_generators}
    assert {
        "assets.replace_by_quarter",
        "assets.unsupported_os",
        "assets.licence_waste",
    } <= keys


def test_one_replacement_recommendation_per_quarter_with_devices_due(acme, acme_assets):
    drafts = replacement_by_quarter([acme.pk])
    current = quarter_of(TODAY, acme.fiscal_year_start_month)

    first = drafts[0]
    assert first.key == f"assets.replace.{current.label.replace(' ', '-')}"
    assert first.client_id == acme.pk
    assert first.evidence["count"] == 2 and first.evidence["overdue"] == 2
    assert sorted(first.evidence["asset_ids"]) == sorted(
        [acme_assets["overdue-1"].pk, acme_assets["overdue-2"].pk]
    )
    assert first.evidence["quarter"] == current.label
    assert first.one_time_cost == Decimal("3200")
    assert first.due_date == current.start
    assert first.risk == "high"
    assert "already overdue" in first.why
    # The 3-year-old laptop is due in about a year: its own quarter, within 8.
    assert len(drafts) == 2
    assert drafts[1].evidence["asset_ids"] == [acme_assets["next-year"].pk]
    assert drafts[1].one_time_cost == Decimal("1600")
    # The evidence is the devices in question: the asset list filtered to the quarter.
    assert [d.evidence_url for d in drafts] == [
        f"/clients/acme/assets/?replace={d.evidence['quarter'].replace(' ', '-')}" for d in drafts
    ]


def test_unsupported_os_costs_hardware_bound_devices_and_upgrades_the_rest(acme):
    factories.testos_rules(TODAY)
    EolRuleFactory()  # Windows 10 22H2, ended 2025-10-14
    win10 = AssetFactory(
        client=acme, os_name="Windows 10 Pro", os_version="22H2", purchase_date=ago(1)
    )
    server = AssetFactory(
        client=acme, kind=AssetKind.SERVER, os_name="TestOS", os_version="1", purchase_date=ago(1)
    )
    AssetFactory(client=acme, os_name="TestOS", os_version="3")  # supported

    (draft,) = unsupported_os([acme.pk])

    assert draft.key == "assets.unsupported_os"
    assert draft.risk == "high"
    assert draft.evidence["count"] == 2
    assert draft.evidence["hardware_bound_ids"] == [win10.pk]
    assert draft.evidence["upgrade_ids"] == [server.pk]
    assert draft.one_time_cost == Decimal("1500")  # default laptop replacement cost
    assert draft.effort_days == Decimal("1.0")
    assert draft.due_date == datetime.date(2025, 10, 14)
    assert draft.evidence_url.endswith("?os_status=unsupported")
    assert "1 can be upgraded in place" in draft.why


def test_licence_renewing_soon_with_unused_seats(acme):
    soon = LicenceFactory(
        client=acme, seats_owned=10, seats_used=6, unit_cost=Decimal("12.50"),
        renewal_date=TODAY + datetime.timedelta(days=30),
    )  # fmt: skip
    LicenceFactory(client=acme, seats_owned=10, seats_used=10, renewal_date=TODAY)  # all used
    LicenceFactory(
        client=acme, seats_owned=10, seats_used=1, renewal_date=TODAY + datetime.timedelta(120)
    )  # too far away

    (draft,) = licence_waste([acme.pk])

    assert draft.key == f"assets.licence_waste.{soon.pk}"
    assert draft.due_date == soon.renewal_date
    assert draft.evidence["unused_seats"] == 4
    assert draft.evidence["saving_per_year"] == "600.00"  # 4 seats × 12.50 × 12
    assert "saves 600 USD a year" in draft.why
    assert draft.one_time_cost == 0 and draft.recurring_cost_per_year == 0


def test_drafts_only_for_the_clients_asked(acme, globex, acme_assets):
    LicenceFactory(client=acme, seats_used=1, renewal_date=TODAY)
    drafts = collect_drafts([globex.pk])
    assert drafts == {}
    assert {cid for cid, _ in collect_drafts([acme.pk, globex.pk])} == {acme.pk}


def test_generators_run_the_same_queries_for_1_and_11_clients(acme, acme_assets):
    factories.testos_rules(TODAY)

    def count(ids: list[int]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            collect_drafts(ids)
        return len(ctx.captured_queries)

    few = count([acme.pk])
    more = [ClientFactory() for _ in range(10)]
    for client in more:
        AssetFactory(client=client, purchase_date=ago(6), os_name="TestOS", os_version="1")
        LicenceFactory(client=client, seats_used=1, renewal_date=TODAY)
    assert count([acme.pk, *(c.pk for c in more)]) == few
