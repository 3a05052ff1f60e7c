"""A licence saving is a negative recurring cost that the budget, the score and the optimiser
see; the lifecycle replacement forecast appears in the budget until an initiative carries it."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from vcio.assets.models import AssetKind
from vcio.assets.tests.factories import AssetFactory, LicenceFactory, LifecyclePolicyFactory
from vcio.core.fiscal import quarter_of
from vcio.core.registry import ReviewPeriod
from vcio.strategy.budget import build_budget
from vcio.strategy.models import Recommendation
from vcio.strategy.optimize import Caps, Item, optimize
from vcio.strategy.recommend import promote, sync_recommendations
from vcio.strategy.review import collect_roadmap
from vcio.strategy.scoring import InitiativeData, score
from vcio.strategy.tests.factories import InitiativeFactory


def _row(html: str, label: str) -> dict[str, str]:
    """The budget table's row ``label`` as {column header: cell text}."""
    table = html.split('id="budget-table"')[1].split("</table>")[0]
    heads = [
        re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", table)
    ]
    row = re.search(rf'<th scope="row">{label}</th>(.*?)</tr>', table, re.S)
    assert row, f"no row {label}"
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1])]
    return dict(zip(heads[1:], cells, strict=True))


def _this_quarter(client):
    return quarter_of(timezone.localdate(), client.fiscal_year_start_month)


@pytest.fixture
def unused_seats(acme):
    """10 seats at 10.00 a month, none used, renewing in a month: 1,200 a year to save."""
    LicenceFactory(client=acme, vendor="Adobe", product="Acrobat", seats_owned=10, seats_used=0,
                   unit_cost=Decimal("10.00"), billing_period="monthly",
                   renewal_date=timezone.localdate() + datetime.timedelta(days=30))  # fmt: skip
    sync_recommendations([acme.pk])
    return Recommendation.objects.get(client=acme, key__startswith="assets.licence_waste.")


@pytest.mark.django_db
class TestALicenceSaving:
    def test_the_recommendation_shows_the_saving_a_year(self, client, bob, unused_seats):
        client.force_login(bob)
        r = client.get(reverse("strategy:recommendation_list", args=["acme"]))
        card = r.text.split("Drop 10 unused seat(s)")[1].split("</article>")[0]
        assert "<b>A year</b> -$1,200" in card

    def test_the_budget_counts_it_as_a_negative_recurring_cost(self, client, bob, acme,
                                                               unused_seats):  # fmt: skip
        initiative = promote(unused_seats, bob)
        now = _this_quarter(acme)
        initiative.start_quarter = now.start
        initiative.save()
        client.force_login(bob)
        html = client.get(reverse("strategy:budget", args=["acme"])).text
        # 1,200 a year is −300 a quarter, from its start quarter on.
        row = _row(html, now.label)
        assert row["Savings"] == "-$300"
        assert row["Licences and subscriptions"] == "$300"  # the licence: 1,200 a year
        assert row["Total"] == "$0"  # no fee, no other spend: the saving pays for the seats
        body = client.get("/api/budget/acme/").json()
        line = next(q for q in body["quarters"] if q["period"] == now.label)
        assert Decimal(str(line["initiative_savings"])) == Decimal("-300")

    def test_the_score_ranks_a_saving_above_something_merely_free(self):
        common = {"max_cost": Decimal("10000"), "min_cost": Decimal("-1200")}
        free = score(InitiativeData(id=1, **common))
        saver = score(InitiativeData(id=2, opex_per_year=Decimal("-1200"), **common))
        cost = {p.name: p for p in saver.parts}["cost"]
        # Cost scale from the largest saving (1) to the largest cost (0): free is 10,000 / 11,200.
        assert {p.name: p for p in free.parts}["cost"].normalised == pytest.approx(10000 / 11200)
        assert cost.normalised == 1.0 and saver.total > free.total
        assert cost.explanation.startswith("Saves 1,200 in its first year")

    def test_the_initiative_page_explains_the_saving_in_its_score(self, client, bob, acme,
                                                                  unused_seats):  # fmt: skip
        InitiativeFactory(client=acme, title="Firewall", capex=Decimal("8000"))
        initiative = promote(unused_seats, bob)
        client.force_login(bob)
        r = client.get(reverse("strategy:initiative_detail", args=["acme", initiative.pk]))
        assert "-$1,200" in r.text
        assert "Saves 1,200 in its first year" in r.text

    def test_the_optimiser_counts_the_saving_under_an_opex_cap(self):
        # 4,000 a year of new opex under a 3,000 cap fits only with the 1,200 saving beside it.
        items = [
            Item("soc", "SOC monitoring", score=50, opex_per_year=4000),
            Item("seats", "Drop unused seats", score=5, opex_per_year=Decimal("-1200")),
        ]
        plan = optimize(items, Caps(opex_per_year={0: 3000}), horizon=4)
        assert plan.items == {"soc": 0, "seats": 0} and plan.optimal


@pytest.fixture
def laptops_due(acme):
    """Two laptops past their four years, 1,600 each: 3,200 due this quarter."""
    LifecyclePolicyFactory(client=acme, kind=AssetKind.LAPTOP, replace_after_years=Decimal("4"),
                           replacement_cost=Decimal("1600"))  # fmt: skip
    five_years_ago = timezone.localdate() - datetime.timedelta(days=5 * 366)
    AssetFactory(client=acme, kind=AssetKind.LAPTOP, purchase_date=five_years_ago)
    AssetFactory(client=acme, kind=AssetKind.LAPTOP, purchase_date=five_years_ago)
    sync_recommendations([acme.pk])
    return Recommendation.objects.get(client=acme, key__startswith="assets.replace.")


@pytest.mark.django_db
class TestTheReplacementForecast:
    def test_appears_in_the_budget_until_an_initiative_carries_it(self, client, bob, acme,
                                                                  laptops_due):  # fmt: skip
        now = _this_quarter(acme)
        client.force_login(bob)
        url = reverse("strategy:budget", args=["acme"])
        row = _row(client.get(url).text, now.label)
        assert (row["Forecast replacements"], row["Total"]) == ("$3,200", "$3,200")
        initiative = promote(laptops_due, bob)
        # Promoting places it in the quarter its recommendation is due: counted once, there.
        assert initiative.start_quarter == now.start
        row = _row(client.get(url).text, now.label)
        assert row["Forecast replacements"] == "$0" and row["Initiatives one-time"] == "$3,200"
        initiative.start_quarter = None  # taken off the roadmap: only the forecast again
        initiative.save()
        assert _row(client.get(url).text, now.label)["Forecast replacements"] == "$3,200"
        initiative.start_quarter = now.start
        initiative.save()
        row = _row(client.get(url).text, now.label)
        assert row["Forecast replacements"] == "$0" and row["Initiatives one-time"] == "$3,200"
        assert row["Total"] == "$3,200"  # counted once

    def test_a_budget_as_of_a_past_day_shows_that_days_forecast(self, acme, laptops_due):
        # Two years ago the laptops (bought 5 × 366 days ago, replaced after four years)
        # were due in the quarter holding their fourth birthday, not overdue now.
        then = timezone.localdate() - datetime.timedelta(days=2 * 365)
        bought = timezone.localdate() - datetime.timedelta(days=5 * 366)
        due = quarter_of(bought.replace(year=bought.year + 4), acme.fiscal_year_start_month)
        plan = build_budget(acme, years=2, today=then)
        forecast = {line.label: line.forecast for line in plan.lines if line.forecast}
        assert forecast == {due.label: Decimal("3200")}

    def test_a_dismissed_forecast_leaves_the_budget(self, client, bob, acme, laptops_due):
        laptops_due.status = "dismissed"
        laptops_due.save()
        client.force_login(bob)
        html = client.get(reverse("strategy:budget", args=["acme"])).text
        assert _row(html, _this_quarter(acme).label)["Forecast replacements"] == "$0"

    def test_the_review_reports_budget_table_shows_it_and_adds_up(self, acme, laptops_due):
        now = _this_quarter(acme)
        p = ReviewPeriod(acme.pk, "qbr", now.start, now.end, timezone.localdate())
        first = collect_roadmap(p)["budget"]["quarters"][0]
        assert (first["label"], first["forecast"], first["total"]) == (now.label, 3200, 3200)
        parts = first["capex"] + first["forecast"] + first["opex"] + first["committed"]
        assert parts == first["total"]
