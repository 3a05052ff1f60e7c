"""The budget: roadmap spend, committed licences and fee, plan vs actual, exports."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from vcio.assets.tests.factories import LicenceFactory
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
        assert rows[0][0] == "Period" and rows[1][:3] == ["FY2027 Q1", "8000.00", "300.00"]
        assert [r[0] for r in rows[1:]] == ["FY2027 Q1", "FY2027 Q2", "FY2027 Q3", "FY2027 Q4",
                                            "FY2027", "Total"]  # fmt: skip
        sheet = load_workbook(io.BytesIO(to_xlsx(b))).active
        assert sheet["A1"].value == "Acme Corp: IT budget (USD)"
        assert [c.value for c in sheet[3]][:3] == ["FY2027 Q1", 8000, 300]
        assert sheet.cell(row=8, column=1).value == "Total"
