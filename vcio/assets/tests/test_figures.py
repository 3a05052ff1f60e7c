"""Client figures the assets app publishes through the registry."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vcio.assets.models import Asset, AssetKind, AssetStatus, Licence
from vcio.core.registry import MONEY, compute_figures, figures
from vcio.core.tests.factories import ClientFactory

KEYS = [
    "assets.under_warranty_pct",
    "assets.supported_os_pct",
    "assets.replacement_cost_4q",
    "assets.count",
    "assets.licence_waste_per_year",
    "assets.renewals_90d",
]


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def device(client, **fields) -> Asset:
    fields.setdefault("kind", AssetKind.LAPTOP)
    fields.setdefault("name", "pc")
    return Asset.objects.create(client=client, **fields)


def test_every_figure_is_registered_with_its_direction():
    found = {key: figures.get(key) for key in KEYS}
    assert {k: f.better for k, f in found.items()} == {
        "assets.under_warranty_pct": "higher",
        "assets.supported_os_pct": "higher",
        "assets.replacement_cost_4q": "lower",
        "assets.count": "neither",
        "assets.licence_waste_per_year": "lower",
        "assets.renewals_90d": "neither",
    }
    assert found["assets.under_warranty_pct"].unit == "%"
    assert found["assets.replacement_cost_4q"].unit == MONEY
    assert found["assets.replacement_cost_4q"].label == "Replacement cost, next 4 quarters"
    assert all(f.app == "assets" and f.description for f in found.values())


@pytest.fixture
def two_clients(acme, globex):
    # Acme: 4 devices in use with a known warranty (3 covered), one without, a VM
    # and a retired laptop that don't count.
    device(acme, warranty_end=days(400), os_name="Red Hat Enterprise Linux 9.4 (Plow)")
    device(acme, warranty_end=days(30), os_name="Microsoft Windows 10 Pro", os_version="10.0.19045")
    device(acme, warranty_end=days(0), os_name="Ubuntu 24.04 LTS")
    device(acme, warranty_end=days(-1), os_name="iOS", os_version="18.1", kind=AssetKind.MOBILE)
    device(acme, warranty_end=None, os_name="Windows 10 Pro", os_version="22H2")
    device(
        acme, kind=AssetKind.VIRTUAL_MACHINE, warranty_end=days(-900), os_name="Windows Server 2022"
    )
    device(acme, status=AssetStatus.RETIRED, warranty_end=days(-900), os_name="Windows 7")
    device(acme, kind=AssetKind.CLOUD, os_name="Windows 7")
    # Globex: an old workstation, due for replacement, out of warranty.
    device(
        globex,
        kind=AssetKind.WORKSTATION,
        purchase_date=days(-6 * 365),
        warranty_end=days(-3 * 365),
        os_name="Windows Server 2025 Standard",
    )
    Licence.objects.create(
        client=acme, vendor="Microsoft", product="M365", seats_owned=10, seats_used=7,
        unit_cost=Decimal("12.50"), billing_period="monthly", renewal_date=days(30),
    )  # fmt: skip
    Licence.objects.create(
        client=acme, vendor="Adobe", product="Acrobat", seats_owned=5, seats_used=5,
        unit_cost=Decimal("239.88"), billing_period="annual", renewal_date=days(120),
    )  # fmt: skip
    return acme, globex


def test_figures_for_two_clients(two_clients):
    acme, globex = two_clients
    empty = ClientFactory(slug="empty")
    values = compute_figures([acme.pk, globex.pk, empty.pk], KEYS)

    assert values["assets.under_warranty_pct"] == {acme.pk: 75.0, globex.pk: 0.0, empty.pk: None}
    # Acme: RHEL 9 and Ubuntu 24.04 supported, two Windows 10 not, the VM's
    # Windows Server 2022 supported; the phone's iOS is unknown and not counted.
    assert values["assets.supported_os_pct"][acme.pk] == 60.0
    assert values["assets.supported_os_pct"][globex.pk] == 100.0
    assert values["assets.supported_os_pct"][empty.pk] is None
    assert values["assets.count"] == {acme.pk: 5, globex.pk: 1, empty.pk: None}
    assert values["assets.licence_waste_per_year"] == {
        acme.pk: Decimal("450.00"),
        globex.pk: None,
        empty.pk: None,
    }
    assert values["assets.renewals_90d"] == {acme.pk: 1, globex.pk: None, empty.pk: None}
    # Acme's two Windows 10 laptops are overdue for upgrade or replacement
    # (default laptop cost 1,500); Globex's 6-year-old workstation is past 5 years.
    assert values["assets.replacement_cost_4q"] == {
        acme.pk: Decimal("3000"),
        globex.pk: Decimal("1100"),
        empty.pk: None,
    }


def test_figures_run_the_same_queries_for_2_and_12_clients(two_clients):
    acme, globex = two_clients

    def count(ids: list[int]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            compute_figures(ids, KEYS)
        return len(ctx.captured_queries)

    few = count([acme.pk, globex.pk])
    more = [ClientFactory() for _ in range(10)]
    for client in more:
        device(client, warranty_end=days(10), os_name="Windows 10 Pro", os_version="22H2")
        Licence.objects.create(client=client, vendor="V", product="P", renewal_date=days(3))
    assert count([acme.pk, globex.pk, *(c.pk for c in more)]) == few
