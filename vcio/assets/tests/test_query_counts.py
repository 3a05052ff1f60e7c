"""The asset pages and API run a fixed number of queries whatever the number of rows.

Rows are bulk-inserted with a realistic mix (kinds, OS versions, departments,
warranties), so every branch of the lifecycle computation runs.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from vcio.assets.models import Asset, AssetKind, Licence, LifecyclePolicy
from vcio.core.models import Department
from vcio.core.tests.factories import DepartmentFactory

OSES = [
    ("Windows 10 Pro", "22H2"),
    ("Windows 11 Pro", "23H2"),
    ("Windows 11 Pro", "24H2"),
    ("Windows Server 2016 Standard", ""),
    ("macOS", "14.5"),
    ("Ubuntu", "22.04.3 LTS"),
    ("", ""),
]


def add_assets(client, n: int) -> None:
    """``n`` more assets for ``client``, in one bulk insert."""
    departments = list(Department.objects.filter(client=client)) + [None]
    kinds = itertools.cycle(AssetKind.values)
    oses = itertools.cycle(OSES)
    start = Asset.objects.filter(client=client).count()
    today = datetime.date.today()
    rows = []
    for i in range(start, start + n):
        os_name, os_version = next(oses)
        bought = today - datetime.timedelta(days=(i * 397) % 3000) if i % 11 else None
        rows.append(
            Asset(
                client=client,
                kind=next(kinds),
                name=f"A-{i:05d}",
                serial=f"S{client.pk}-{i}",
                os_name=os_name,
                os_version=os_version,
                purchase_date=bought,
                warranty_end=bought + datetime.timedelta(days=1095) if bought and i % 3 else None,
                department=departments[i % len(departments)],
                assigned_to=f"User {i}",
                status="spare" if i % 13 == 0 else "in_use",
            )
        )
    Asset.objects.bulk_create(rows, batch_size=2000)


def add_licences(client, n: int) -> None:
    periods = itertools.cycle(["monthly", "annual", "perpetual"])
    Licence.objects.bulk_create(
        Licence(
            client=client,
            vendor=f"Vendor {i % 7}",
            product=f"Product {i}",
            seats_owned=10 + i % 5,
            seats_used=8,
            unit_cost=Decimal("12.50"),
            billing_period=next(periods),
            renewal_date=datetime.date.today() + datetime.timedelta(days=i * 11),
        )
        for i in range(n)
    )


def count_queries(http, url: str, warm: bool = False) -> int:
    """Queries of one GET of ``url``; ``warm`` first fills per-process caches (content types)."""
    if warm:
        count_queries(http, url)
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)  # a streamed body queries as it is read
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.fixture
def acme_setup(acme):
    DepartmentFactory(client=acme, name="Sales")
    LifecyclePolicy.objects.create(
        client=acme, kind="laptop", replace_after_years=4, replacement_cost=1600
    )
    return acme


PAGES = [
    "/clients/acme/assets/",
    "/clients/acme/assets/?warranty=expired&ordering=-purchase_date",
    "/clients/acme/assets/?os_status=unsupported&q=A-0",
    "/clients/acme/assets/export.csv",
    "/clients/acme/lifecycle/",
    "/api/assets/",
    "/api/assets/?page_size=500&os_status=ending",
    "/api/lifecycle/acme/",
    "/api/lifecycle/acme/forecast/",
]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["alice", "bob"])
def test_asset_pages_do_not_grow_with_assets(acme_setup, alice, bob, url, who):
    user = {"alice": alice, "bob": bob}[who]
    http = APIClient()
    http.force_login(user)
    add_assets(acme_setup, 20)
    few = count_queries(http, url, warm=True)
    add_assets(acme_setup, 180)
    assert count_queries(http, url) == few


def test_the_api_list_of_many_clients_does_not_grow_with_clients(alice, acme_setup, globex):
    http = APIClient()
    http.force_login(alice)
    add_assets(acme_setup, 10)
    few = count_queries(http, "/api/assets/", warm=True)
    add_assets(globex, 10)
    assert count_queries(http, "/api/assets/") == few  # one query for all clients' policies


@pytest.mark.parametrize(
    "url", ["/clients/acme/licences/?ordering=-waste_cost", "/api/licences/?renewing=true"]
)
def test_licence_pages_do_not_grow_with_licences(login, bob, acme_setup, url):
    http = login(bob)
    add_licences(acme_setup, 5)
    few = count_queries(http, url, warm=True)
    add_licences(acme_setup, 60)
    assert count_queries(http, url) == few


def test_asset_detail_is_constant(login, bob, acme_setup):
    add_assets(acme_setup, 5)
    asset = Asset.objects.filter(client=acme_setup).first()
    url = f"/clients/acme/assets/{asset.pk}/"
    few = count_queries(login(bob), url, warm=True)
    add_assets(acme_setup, 100)
    assert count_queries(login(bob), url) == few


@pytest.mark.parametrize(
    "url", ["/clients/acme/lifecycle/", "/api/lifecycle/acme/", "/api/lifecycle/acme/forecast/"]
)
def test_lifecycle_of_20000_assets_in_the_same_queries(acme_setup, bob, url):
    """The issue's scale target: a client with 20,000 assets, same query count as 20."""
    http = APIClient()
    http.force_login(bob)
    add_assets(acme_setup, 20)
    few = count_queries(http, url, warm=True)
    add_assets(acme_setup, 19_980)
    assert count_queries(http, url) == few
