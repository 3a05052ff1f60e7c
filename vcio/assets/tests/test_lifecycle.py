"""Lifecycle: age, warranty, OS support and replacement due, per asset and per client."""

from __future__ import annotations

import datetime
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.assets import lifecycle
from vcio.assets.eol import RuleSet, load_rules
from vcio.assets.lifecycle import (
    OsSupport,
    age_bucket,
    age_years,
    annual_cost,
    assess,
    assess_assets,
    filter_by_os_status,
    os_status,
    renewals_within,
    replacement_due,
    seat_waste,
    warranty_status,
    warranty_status_q,
)
from vcio.assets.models import Asset, AssetKind, AssetStatus, EolRule, Licence, LifecyclePolicy
from vcio.assets.policies import Policy, policies_for

TODAY = date(2026, 11, 28)
RULES = RuleSet(
    [
        EolRule(product="Windows 10", version="22H2", end_of_support=date(2025, 10, 14)),
        EolRule(product="Windows 11", version="24H2", end_of_support=date(2026, 10, 13)),
        EolRule(product="Windows 11", version="25H2", end_of_support=date(2027, 10, 12)),
        EolRule(product="Windows Server", version="2022", end_of_support=date(2031, 10, 14)),
        EolRule(product="macOS", version="15", end_of_support=date(2027, 9, 15)),
    ]
)
LAPTOPS = Policy("laptop", Decimal("5"), Decimal("1500"))


def asset(**fields) -> dict:
    base = {
        "id": 1,
        "kind": AssetKind.LAPTOP,
        "status": AssetStatus.IN_USE,
        "purchase_date": date(2023, 3, 1),
        "purchase_cost": Decimal("1400"),
        "warranty_end": date(2026, 3, 1),
        "os_name": "Microsoft Windows 11 Pro",
        "os_version": "10.0.26200",
    }
    return base | fields


def test_age_in_years_and_its_bucket():
    assert age_years(None, TODAY) is None
    assert age_years(date(2025, 11, 28), TODAY) == pytest.approx(1.0, abs=0.01)
    assert age_years(date(2027, 1, 1), TODAY) == 0.0  # bought "in the future": a typo
    assert [age_bucket(a) for a in (None, 0.0, 0.99, 1.0, 6.5, 7.0, 12)] == [
        "unknown",
        "0–1",
        "0–1",
        "1–2",
        "6–7",
        "7+",
        "7+",
    ]


@pytest.mark.parametrize(
    ("warranty_end", "status"),
    [
        (None, "unknown"),
        (date(2026, 11, 27), "expired"),
        (date(2026, 11, 28), "ending"),  # still covered today
        (date(2027, 2, 26), "ending"),  # day 90
        (date(2027, 2, 27), "active"),
        (date(2029, 1, 1), "active"),
    ],
)
def test_warranty_status(warranty_end, status):
    assert warranty_status(warranty_end, TODAY) == status


@pytest.mark.parametrize(
    ("os_name", "os_version", "expected"),
    [
        ("Microsoft Windows 10 Pro", "10.0.19045", ("unsupported", date(2025, 10, 14))),
        ("Microsoft Windows 11 Pro", "10.0.26100", ("unsupported", date(2026, 10, 13))),
        ("Microsoft Windows 11 Pro", "10.0.26200", ("ending", date(2027, 10, 12))),
        ("Windows Server 2022 Standard", "", ("supported", date(2031, 10, 14))),
        ("iOS", "18.1", ("unknown", None)),
        ("", "", ("unknown", None)),
    ],
)
def test_os_status(os_name, os_version, expected):
    support = os_status(asset(os_name=os_name, os_version=os_version), RULES, TODAY)
    assert (support.status, support.end_of_support) == expected


def test_os_status_ending_means_within_twelve_months():
    rules = [EolRule(product="macOS", version="15", end_of_support=date(2027, 11, 28))]
    assert os_status(asset(os_name="macOS", os_version="15.1"), rules, TODAY).status == "ending"
    rules[0].end_of_support = date(2027, 11, 29)
    assert os_status(asset(os_name="macOS", os_version="15.1"), rules, TODAY).status == "supported"


def test_replacement_due_by_policy_age():
    due, reason = replacement_due(asset(purchase_date=date(2021, 3, 1)), LAPTOPS, None)
    assert due == date(2026, 3, 1)
    assert reason == "5-year policy for laptops reached on 2026-03-01"
    later, reason = replacement_due(asset(), LAPTOPS, None, today=TODAY)
    assert later == date(2028, 3, 1) and "reaches on 2028-03-01" in reason
    half, _ = replacement_due(
        asset(purchase_date=date(2024, 2, 29)), Policy("laptop", Decimal("4.5"), None), None
    )
    assert half == date(2028, 8, 29)


def test_an_unsupported_windows_10_is_due_at_its_end_of_support():
    windows_10 = asset(os_name="Microsoft Windows 10 Pro", os_version="10.0.19045")
    support = os_status(windows_10, RULES, TODAY)
    due, reason = replacement_due(windows_10, LAPTOPS, support)
    assert due == date(2025, 10, 14)
    assert reason == "Windows 10 22H2 end of support on 2025-10-14: OS upgrade or replacement"


def test_the_earlier_trigger_wins():
    old = asset(purchase_date=date(2019, 1, 1), os_name="Windows 10 Pro", os_version="22H2")
    due, reason = replacement_due(old, LAPTOPS, os_status(old, RULES, TODAY))
    assert due == date(2024, 1, 1) and reason.startswith("5-year policy")


def test_os_end_does_not_force_new_hardware_where_an_update_fixes_it():
    # Windows 11 24H2 → 25H2 is a free update on the same machine.
    win11 = asset(os_version="10.0.26100")
    due, _ = replacement_due(win11, LAPTOPS, os_status(win11, RULES, TODAY))
    assert due == date(2028, 3, 1)
    # A server on an old OS needs an OS project, not a new box (until its own age).
    server = asset(kind=AssetKind.SERVER, os_name="Windows 10 Pro", os_version="22H2")
    assert replacement_due(server, None, os_status(server, RULES, TODAY)) == (None, "")


def test_no_policy_and_no_date_means_nothing_due():
    assert replacement_due(asset(kind=AssetKind.VIRTUAL_MACHINE), None, None) == (None, "")
    assert replacement_due(asset(purchase_date=None), LAPTOPS, OsSupport("supported")) == (None, "")


def test_assess_assets_works_on_model_instances_and_values():
    instance = Asset(id=7, client_id=1, **{k: v for k, v in asset().items() if k != "id"})
    rows = assess_assets(
        [instance, asset(id=8, warranty_end=None)], RULES, {"laptop": LAPTOPS}, TODAY
    )
    assert rows[7].warranty == "expired" and rows[7].os.status == "ending"
    assert rows[7].due == date(2028, 3, 1) and not rows[7].overdue
    assert rows[7].cost == Decimal("1500")  # the policy's, not the purchase price
    assert rows[8].warranty == "unknown"
    no_cost = assess_assets(
        [asset(id=9)], RULES, {"laptop": Policy("laptop", Decimal(5), None)}, TODAY
    )
    assert no_cost[9].cost == Decimal("1400")  # falls back to what it cost


# Over the database --------------------------------------------------------------------


def make_assets(client, n: int, today: date = TODAY, **fields) -> None:
    """``n`` assets with every warranty status, OS and age represented."""
    oses = [
        ("Microsoft Windows 10 Pro", "10.0.19045.4291"),
        ("Microsoft Windows 11 Pro", "10.0.26200.1"),
        ("Ubuntu 22.04.4 LTS", ""),
        ("iOS", "18.1"),
    ]
    kinds = [AssetKind.LAPTOP, AssetKind.WORKSTATION, AssetKind.SERVER, AssetKind.MOBILE]
    start = Asset.objects.filter(client=client).count()
    rows = []
    for i in range(start, start + n):
        os_name, os_version = oses[i % len(oses)]
        rows.append(
            Asset(
                client=client,
                name=f"{client.slug}-{i:05d}",
                kind=kinds[i % len(kinds)],
                os_name=os_name,
                os_version=os_version,
                purchase_date=today - datetime.timedelta(days=200 * (i % 15)) if i % 7 else None,
                warranty_end=today + datetime.timedelta(days=60 * (i % 9) - 200) if i % 5 else None,
                purchase_cost=Decimal("1000"),
                **fields,
            )
        )
    Asset.objects.bulk_create(rows)


def test_assess_counts_a_clients_in_use_and_spare_assets(acme, globex):
    make_assets(acme, 40)
    make_assets(acme, 3, status=AssetStatus.RETIRED)
    make_assets(globex, 5)
    summary = assess(acme.pk, today=TODAY)
    assert summary.total == 40 == sum(summary.warranty.values()) == sum(summary.os.values())
    assert sum(summary.ages.values()) == 40
    assert list(summary.ages) == list(lifecycle.AGE_BUCKETS)
    assert summary.warranty["unknown"] == 8 and summary.ages["unknown"] == 6
    assert summary.os["unknown"] == 10  # the phones
    assert summary.overdue == sum(row.overdue for row in summary.rows.values()) > 0
    assert {a.client_id for a in Asset.objects.filter(pk__in=summary.rows)} == {acme.pk}


def test_assess_runs_the_same_queries_for_20_and_200_assets(acme):
    make_assets(acme, 20)
    with CaptureQueriesContext(connection) as few:
        small = assess(acme.pk)
    make_assets(acme, 180)
    with CaptureQueriesContext(connection) as many:
        large = assess(acme.pk)
    assert (small.total, large.total) == (20, 200)
    assert len(many.captured_queries) == len(few.captured_queries) == 4


def test_client_policies_override_the_defaults(acme):
    LifecyclePolicy.objects.create(
        client=acme,
        kind="laptop",
        replace_after_years=Decimal("3"),
        replacement_cost=Decimal("999"),
    )
    policies = policies_for(acme)
    assert policies["laptop"] == Policy("laptop", Decimal("3"), Decimal("999"), "client")
    assert policies["workstation"].replace_after_years == Decimal("5")
    assert policies["vm"].replace_after_years is None and not policies["cloud"].replaces


@pytest.mark.parametrize("status", lifecycle.WARRANTY_STATUSES)
def test_warranty_filter_agrees_with_the_status_of_each_asset(acme, status):
    make_assets(acme, 45)
    selected = set(
        Asset.objects.filter(warranty_status_q(status, TODAY)).values_list("pk", flat=True)
    )
    expected = {
        a.pk for a in Asset.objects.all() if warranty_status(a.warranty_end, TODAY) == status
    }
    assert selected == expected and selected


@pytest.mark.parametrize("status", lifecycle.OS_STATUSES)
def test_os_filter_agrees_with_the_status_of_each_asset(acme, globex, status):
    make_assets(acme, 24)
    make_assets(globex, 8)
    acme_assets = Asset.objects.filter(client=acme)
    rules = load_rules()
    selected = set(
        filter_by_os_status(acme_assets, status, rules, TODAY).values_list("pk", flat=True)
    )
    expected = {a.pk for a in acme_assets if os_status(a, rules, TODAY).status == status}
    assert selected == expected
    if status != "supported":  # the test data has nothing supported beyond a year
        assert selected


def test_os_filter_builds_in_two_queries_whatever_the_asset_count(acme, django_assert_num_queries):
    make_assets(acme, 120)
    rules = load_rules()
    with django_assert_num_queries(2):  # the distinct OS pairs, then the filtered rows
        list(filter_by_os_status(Asset.objects.filter(client=acme), "unsupported", rules, TODAY))
    with pytest.raises(ValueError, match="'dead' is not an OS status"):
        filter_by_os_status(Asset.objects.all(), "dead", rules, TODAY)
    with pytest.raises(ValueError, match="'void' is not a warranty status"):
        warranty_status_q("void", TODAY)


# Licences -----------------------------------------------------------------------------------


def licence(**fields) -> dict:
    base = {"id": 1, "seats_owned": 10, "seats_used": 7, "unit_cost": Decimal("12.50")}
    return base | {"billing_period": "monthly"} | fields


def test_annual_cost_by_billing_period():
    assert annual_cost(licence()) == Decimal("1500.00")
    assert annual_cost(licence(billing_period="annual", unit_cost=Decimal("240"))) == Decimal(
        "2400"
    )
    assert annual_cost(licence(billing_period="perpetual", unit_cost=Decimal("3995"))) == 0


def test_seat_waste_counts_unused_seats_and_their_yearly_cost():
    waste = seat_waste(
        [
            licence(id=1),
            licence(id=2, billing_period="annual", unit_cost=Decimal("239.88"), seats_used=12),
            licence(id=3, seats_owned=5, seats_used=1, billing_period="perpetual"),
            licence(id=4, seats_owned=5, seats_used=5),
        ]
    )
    assert waste.unused_seats == 3 + 0 + 4
    assert waste.cost_per_year == Decimal(
        "450.00"
    )  # 3 × 12.50 × 12; perpetual seats cost nothing more
    assert waste.by_licence == {1: (3, Decimal("450.00")), 3: (4, Decimal("0"))}
    assert seat_waste([]).cost_per_year == 0


def test_renewals_within_90_days(acme, globex):
    def make(client, product, days):
        return Licence.objects.create(
            client=client,
            vendor="V",
            product=product,
            renewal_date=TODAY + datetime.timedelta(days=days) if days is not None else None,
        )

    make(acme, "soon", 10)
    make(acme, "today", 0)
    make(acme, "day 90", 90)
    make(acme, "day 91", 91)
    make(acme, "lapsed", -1)
    make(acme, "perpetual", None)
    make(globex, "other client", 5)
    renewing = renewals_within(acme.pk, days=90, today=TODAY)
    assert [lic.product for lic in renewing] == ["today", "soon", "day 90"]
