"""The lifecycle section of a review and the lifecycle part of the health score."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from vcio.assets import review
from vcio.assets.forecast import replacement_forecast
from vcio.assets.lifecycle import client_today
from vcio.assets.models import AssetKind, AssetStatus, EolRule
from vcio.assets.tests import factories
from vcio.assets.tests.factories import AssetFactory, lifecycle_mix
from vcio.core.registry import ReviewPeriod
from vcio.core.tests.factories import ClientFactory, DepartmentFactory
from vcio.reviews import snapshot

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 3, 15)  # FY2026 Q1 for a January fiscal year
NEXT_REVIEW = D(2026, 4, 20)


def period(client, next_review=NEXT_REVIEW) -> ReviewPeriod:
    """The monthly review of February 2026, held on 15 March; the next one on 20 April."""
    return ReviewPeriod(client.pk, "monthly", D(2026, 2, 1), D(2026, 2, 28), TODAY, next_review)


def asset(client, name: str, kind=AssetKind.LAPTOP, **fields):
    return AssetFactory(
        client=client, name=name, kind=kind, os_name=fields.pop("os_name", "TestOS"), **fields
    )


@pytest.fixture
def world(acme):
    """Six assets in service (one of them a cloud service), one retired.

    Two warranties and one OS support end before the next review; one more
    warranty ends on the review day itself (not before it).
    """
    factories.testos_rules(TODAY)  # TestOS 1 unsupported, 2 ending within a year, 3 supported
    EolRule.objects.create(product="TestOS", version="4", end_of_support=D(2026, 4, 4))
    finance = DepartmentFactory(client=acme, name="Finance")
    asset(
        acme,
        "LAPTOP-014",
        warranty_end=D(2026, 4, 1),
        os_version="3",
        assigned_to="Nina Fresh",
        department=finance,
    )
    asset(
        acme, "LAPTOP-015", warranty_end=D(2026, 4, 19), os_version="3", purchase_date=D(2021, 3, 1)
    )
    asset(acme, "LAPTOP-016", warranty_end=NEXT_REVIEW, os_version="3", purchase_date=D(2025, 1, 1))
    asset(
        acme,
        "PC-OLD",
        AssetKind.WORKSTATION,
        warranty_end=D(2025, 1, 1),
        os_version="1",
        purchase_date=D(2021, 6, 10),
    )
    asset(
        acme,
        "SRV-1",
        AssetKind.SERVER,
        warranty_end=None,
        os_version="4",
        purchase_date=D(2020, 9, 15),
    )
    asset(acme, "M365", AssetKind.CLOUD, os_name="", os_version="", warranty_end=None)
    asset(acme, "LAPTOP-OLD", status=AssetStatus.RETIRED, warranty_end=D(2026, 4, 2))
    return acme


def test_collect_counts_the_assets_in_service(world):
    data = review.collect(period(world))
    assert data["counts"] == {
        "in_service": 6,
        "devices": 5,
        "out_of_warranty": 1,
        "no_warranty_date": 1,
        "os_unsupported": 1,
        "os_unknown": 0,
    }
    ages = {a["bucket"]: a["count"] for a in data["ages"]}
    assert ages == {
        "0–1": 0,
        "1–2": 1,
        "2–3": 0,
        "3–4": 1,
        "4–5": 1,
        "5–6": 2,
        "6–7": 0,
        "7+": 0,
        "unknown": 0,
    }


def test_collect_forecasts_four_quarters_like_the_asset_by_asset_forecast(world):
    data = review.collect(period(world))
    rows = [(q["label"], q["count"], q["cost"]) for q in data["forecast"]]
    assert rows == [
        ("FY2026 Q1", 1, Decimal("1500")),  # LAPTOP-015, overdue since 1 March
        ("FY2026 Q2", 1, Decimal("1100")),  # PC-OLD, 5 years on 10 June
        ("FY2026 Q3", 1, Decimal("9000")),  # SRV-1, 6 years on 15 September
        ("FY2026 Q4", 0, Decimal("0")),
    ]
    expected = replacement_forecast(world, TODAY, 4)
    assert rows == [(q.label, q.count, q.cost) for q in expected]
    assert data["forecast_total_text"] == "$11,600"
    assert data["chart_svg"].startswith("<svg") and "FY2026 Q3" in data["chart_svg"]


def test_the_grouped_forecast_matches_asset_by_asset_for_a_july_fiscal_year(db):
    """Grouping by purchase month loses nothing a fiscal quarter needs, overdue included."""
    # No default replacement cost in yen: the purchase cost counts, or the cost is unknown.
    july = ClientFactory(slug="july", fiscal_year_start_month=7, currency="JPY")
    kinds = [AssetKind.LAPTOP, AssetKind.SERVER, AssetKind.MOBILE, AssetKind.NETWORK]
    for i in range(40):
        asset(
            july,
            f"J-{i}",
            kinds[i % 4],
            os_name="Windows 10" if i % 3 == 0 else "Windows 11 Pro",
            os_version="22H2",
            purchase_date=D(2019, 1, 1) + datetime.timedelta(days=53 * i),
            purchase_cost=None if i % 5 == 0 else Decimal(100 + i),
            eol_date=D(2026, 8, 3 + i % 20) if i % 7 == 0 else None,
        )
    data = review.collect(period(july))
    expected = replacement_forecast(july, TODAY, 4)
    assert [(q["label"], q["count"], q["cost"], q["cost_unknown"]) for q in data["forecast"]] == [
        (q.label, q.count, q.cost, q.cost_unknown) for q in expected
    ]
    assert data["forecast"][0]["label"] == "FY2026 Q3"  # January–March of a July year
    assert sum(q["cost_unknown"] for q in data["forecast"]) > 0


def test_collect_lists_what_ends_before_the_next_review(world):
    ending = review.collect(period(world))["ending"]
    assert (ending["warranty_count"], ending["support_count"]) == (2, 1)
    assert [(i["name"], i["what"], i["date_text"], i["user"]) for i in ending["items"]] == [
        ("LAPTOP-014", "Warranty", "1 Apr 2026", "Nina Fresh · Finance"),
        ("SRV-1", "OS support (TestOS 4)", "4 Apr 2026", ""),
        ("LAPTOP-015", "Warranty", "19 Apr 2026", ""),
    ]


def test_without_a_next_review_ending_looks_31_days_ahead(world):
    data = review.collect(period(world, next_review=None))
    assert (data["horizon"], data["until_text"]) == ("in the next 31 days", "15 Apr 2026")
    assert [i["name"] for i in data["ending"]["items"]] == ["LAPTOP-014", "SRV-1"]


def test_changes_summarise_what_ends_before_the_next_review(world):
    current = snapshot.jsonable(review.collect(period(world)))
    found = review.changes(None, current, period(world))
    assert [(c.kind, c.direction, c.text) for c in found] == [
        (
            "asset.warranty_ends",
            "worse",
            "2 assets leave warranty before the next review (by 20 Apr 2026): "
            "LAPTOP-014 and LAPTOP-015.",
        ),
        (
            "asset.support_ends",
            "worse",
            "1 asset loses OS support before the next review (by 20 Apr 2026): SRV-1.",
        ),
    ]


def test_changes_quote_a_few_examples_of_many(world):
    for n in range(5):
        asset(world, f"LAPTOP-1{n:02d}", warranty_end=D(2026, 4, 10), os_version="3")
    current = snapshot.jsonable(review.collect(period(world)))
    text = review.changes(None, current, period(world))[0].text
    assert text == (
        "7 assets leave warranty before the next review (by 20 Apr 2026), "
        "e.g. LAPTOP-014, LAPTOP-100, LAPTOP-101, …"
    )


def test_changes_follow_the_replacement_plan_of_the_same_quarter(world):
    before = snapshot.jsonable(review.collect(period(world)))
    asset(world, "LAPTOP-AGED", purchase_date=D(2020, 1, 1), os_version="3", warranty_end=None)
    after = snapshot.jsonable(review.collect(period(world)))
    plan = [c for c in review.changes(before, after, period(world)) if c.kind.endswith("plan")]
    assert [(c.direction, c.text) for c in plan] == [
        (
            "neutral",
            "Replacements planned for FY2026 Q1 rose from $1,500 (1 asset) to $3,000 (2 assets).",
        )
    ]


def test_the_template_shows_figures_chart_and_the_ending_table(world):
    data = snapshot.jsonable(review.collect(period(world)))
    html = render_to_string(
        "assets/report_section.html",
        {"data": data, "period": {"label": "February 2026"}, "client": {"currency": "USD"}},
    )
    assert "<svg" in html and "Replacement plan, next four fiscal quarters: $11,600" in html
    assert "<td>LAPTOP-014</td>" in html and "Nina Fresh · Finance" in html
    assert (
        "OS support (TestOS 4)" in html and "Ending before the next review (by 20 Apr 2026)" in html
    )
    assert "No data yet." not in html


def test_the_template_of_a_client_without_assets_says_no_data(globex):
    data = snapshot.jsonable(review.collect(period(globex)))
    assert data == {}
    html = render_to_string("assets/report_section.html", {"data": data})
    assert "No data yet." in html and "<table" not in html


# Health ---------------------------------------------------------------------------


def test_health_is_the_share_without_known_lifecycle_risk(acme, globex):
    lifecycle_mix(acme, client_today(acme.time_zone))
    result = review.health([acme.pk, globex.pk])
    assert result[acme.pk].score == 75
    assert result[acme.pk].explanation == (
        "3 of 4 assets in service are in warranty and on a supported OS (75 %); "
        "1 out of warranty, 1 on an OS out of support; 1 device has no warranty date."
    )
    assert globex.pk not in result  # no assets: no data, left out of the composite


def test_an_asset_both_expired_and_unsupported_counts_once(acme):
    today = client_today(acme.time_zone)
    factories.testos_rules(today)
    old = today - datetime.timedelta(days=10)
    asset(acme, "A", warranty_end=old, os_version="1")
    asset(acme, "B", AssetKind.VIRTUAL_MACHINE, warranty_end=None, os_version="1")
    asset(acme, "C", warranty_end=today + datetime.timedelta(days=400), os_version="3")
    score = review.health([acme.pk])[acme.pk]
    assert score.score == pytest.approx(33.3, abs=0.1)
    assert score.explanation.startswith("1 of 3 assets in service is in warranty")
    assert "1 out of warranty, 2 on an OS out of support." in score.explanation


# Queries ----------------------------------------------------------------------------


def add_assets(client, n: int) -> None:
    """``n`` assets of every sort: each kind, OS status, purchase month and warranty state."""
    kinds = [AssetKind.LAPTOP, AssetKind.WORKSTATION, AssetKind.SERVER, AssetKind.VIRTUAL_MACHINE]
    first = client.assets.count()
    for i in range(first, first + n):
        asset(
            client,
            f"{client.slug}-{i}",
            kinds[i % 4],
            os_version=str(i % 4 + 1),
            purchase_date=D(2019 + i % 7, i % 12 + 1, 1 + i % 27),
            warranty_end=TODAY + datetime.timedelta(days=i * 13 - 60),
        )


def test_collect_and_health_run_a_fixed_number_of_queries(acme):
    factories.testos_rules(TODAY)
    EolRule.objects.create(product="TestOS", version="4", end_of_support=D(2026, 4, 4))

    def count(fn) -> int:
        with CaptureQueriesContext(connection) as ctx:
            fn()
        return len(ctx.captured_queries)

    clients = [acme, ClientFactory(slug="second")]
    for client in clients:
        add_assets(client, 12)
    ids = [c.pk for c in clients]
    small = (count(lambda: review.collect(period(acme))), count(lambda: review.health(ids)))
    clients += [ClientFactory(slug="third"), ClientFactory(slug="fourth")]
    for client in clients:
        add_assets(client, 12)
    ids = [c.pk for c in clients]
    big = (count(lambda: review.collect(period(acme))), count(lambda: review.health(ids)))
    assert small == big
    assert len(review.collect(period(acme))["ending"]["items"]) > 3
