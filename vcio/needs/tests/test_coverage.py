"""The coverage matrix: departments × goals, needs, initiatives, spend, devices, tickets, answers.

A hand-built client (Hand Co, in euros) with three departments: Sales (lots),
Ops (a little) and Warehouse (nothing: left out). Every figure below is
worked out by hand from the rows the builder makes.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vcio.assets.models import Asset, AssetStatus, BillingPeriod, Licence
from vcio.core.models import Client, Department
from vcio.core.registry import ReviewPeriod, collect_coverage
from vcio.core.tests.factories import ClientFactory
from vcio.helpdesk.models import Ticket
from vcio.needs import review_coverage
from vcio.needs.coverage_matrix import as_data, coverage_matrix
from vcio.needs.models import Need, NeedStatus, SurveyRound
from vcio.needs.tests.isolation import invitation_for, needs_rows_for, small_questionnaire
from vcio.strategy.models import BusinessGoal, Initiative, InitiativeGoal
from vcio.strategy.models.goals import GoalStatus
from vcio.strategy.models.initiatives import InitiativeStatus

SCRIPT = "<script>alert(1)</script>"

COLUMNS = [
    "strategy.goals",
    "needs.needs",
    "strategy.initiatives",
    "strategy.initiative_spend",
    "assets.licence_spend",
    "assets.devices",
    "helpdesk.tickets",
    "needs.survey_answers",
]


def ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def initiative(client, title, capex="0", opex="0", goals=(), status=InitiativeStatus.PROPOSED):
    i = Initiative.objects.create(
        client=client, title=title, capex=Decimal(capex), opex_per_year=Decimal(opex),
        status=status,
    )  # fmt: skip
    for goal in goals:
        InitiativeGoal.objects.create(initiative=i, goal=goal, contribution=50)
    return i


def ticket(client, n, department, days_ago):
    return Ticket.objects.create(
        client=client, source="vcio", external_id=f"{client.slug}-{n}", subject=f"T{n}",
        department=department, opened_at=ago(days_ago),
    )  # fmt: skip


def survey(client, departments_answered, departments_open=(), days_ago=10, title="Round"):
    version = small_questionnaire()
    if version.published_at is None:
        version.published_at = timezone.now()
        version.save(update_fields=["published_at"])
    today = timezone.localdate()
    round_ = SurveyRound.objects.create(
        client=client, version=version, title=title,
        opened_on=today - datetime.timedelta(days=days_ago), closes_on=today,
    )  # fmt: skip
    for d in departments_answered:
        inv, _ = invitation_for(round_, d, f"Head of {d.name}", "head@hand.example")
        inv.submitted_at = timezone.now()
        inv.save(update_fields=["submitted_at"])
    for d in departments_open:
        invitation_for(round_, d, f"Head of {d.name}", "open@hand.example")
    return round_


@pytest.fixture
def hand(db) -> Client:
    """Hand Co: Sales, Ops, Warehouse (created in that order, so Sales has the lowest id)."""
    client = ClientFactory(name="Hand Co", slug="hand", currency="EUR")
    sales = Department.objects.create(client=client, name="Sales")
    ops = Department.objects.create(client=client, name="Ops")
    Department.objects.create(client=client, name="Warehouse")

    g_sales = BusinessGoal.objects.create(client=client, title="Grow sales", department=sales)
    g_ops = BusinessGoal.objects.create(client=client, title="Ship faster", department=ops)
    g_done = BusinessGoal.objects.create(
        client=client, title="Old CRM", department=sales, status=GoalStatus.ACHIEVED
    )
    g_none = BusinessGoal.objects.create(client=client, title="Be secure")
    # Goals: Sales 1 (the achieved one is not counted), Ops 1, no department 1.

    initiative(client, "CRM", "1000", "200", [g_sales])  # Sales: 1,200
    initiative(client, "Shared portal", "1000.01", "0", [g_sales, g_ops])  # 500.01 + 500.00
    initiative(client, "MFA", "300", "-100", [g_none])  # no department: 200
    initiative(client, "Declined", "9999", "0", [g_ops], status=InitiativeStatus.DECLINED)
    initiative(client, "Loose end", "50")  # no goal: no department, 50
    initiative(client, "CRM clean-up", goals=[g_done])  # Sales (any goal status), 0
    # Initiatives: Sales 3 (CRM, portal, clean-up), Ops 1 (portal), none 2 (MFA, loose end).
    # Spend: Sales 1,200 + 500.01 = 1,700.01; Ops 500.00; none 250; total 2,450.01.

    Licence.objects.create(
        client=client, vendor="V", product="CRM seats", seats_owned=5, unit_cost=Decimal("10"),
        billing_period=BillingPeriod.MONTHLY, department=sales,
    )  # 600 a year  # fmt: skip
    Licence.objects.create(
        client=client, vendor="V", product="WMS", seats_owned=2, unit_cost=Decimal("1000"),
        billing_period=BillingPeriod.ANNUAL, department=ops,
    )  # 2,000 a year  # fmt: skip
    Licence.objects.create(
        client=client, vendor="V", product="Old tool", seats_owned=1, unit_cost=Decimal("500"),
        billing_period=BillingPeriod.PERPETUAL, department=ops,
    )  # nothing a year  # fmt: skip
    Licence.objects.create(
        client=client, vendor="V", product="Backup", seats_owned=1, unit_cost=Decimal("100"),
        billing_period=BillingPeriod.ANNUAL,
    )  # no department, 100 a year  # fmt: skip

    Asset.objects.create(client=client, name="s1", department=sales)
    Asset.objects.create(client=client, name="s2", department=sales)
    Asset.objects.create(client=client, name="s3", department=sales, status=AssetStatus.RETIRED)
    Asset.objects.create(client=client, name="o1", department=ops, status=AssetStatus.SPARE)
    Asset.objects.create(client=client, name="x", status=AssetStatus.DISCOVERED)
    # Devices: Sales 2, Ops 1, nothing without a department.

    ticket(client, 1, sales, 1)
    ticket(client, 2, sales, 80)
    ticket(client, 3, sales, 100)  # too old
    ticket(client, 4, None, 5)
    # Tickets (90 days): Sales 2, none 1.

    today = timezone.localdate()
    for status in (NeedStatus.OPEN, NeedStatus.PLANNED, NeedStatus.DONE):
        Need.objects.create(client=client, department=sales, text=status, raised_on=today,
                            status=status)  # fmt: skip
    # Needs: Sales 2 (done is not counted).

    survey(client, [ops], days_ago=60, title="Spring")  # an older round: not counted
    survey(client, [sales], [ops], days_ago=10, title="Autumn")
    # Survey answers (latest round): Sales 1.
    return client


def other_client_rows(globex: Client) -> None:
    """Rows of every column for another client, one of its departments named like ours."""
    dept = Department.objects.create(client=globex, name="Sales")
    goal = BusinessGoal.objects.create(client=globex, title="G", department=dept)
    initiative(globex, "Globex thing", "777", "0", [goal])
    Licence.objects.create(client=globex, vendor="G", product="P", unit_cost=Decimal("5"),
                           department=dept)  # fmt: skip
    Asset.objects.create(client=globex, name="g1", department=dept)
    ticket(globex, 1, dept, 1)
    needs_rows_for(globex, "GLOBEX")
    survey(globex, [dept], days_ago=1)


def by_name(matrix) -> dict[str, dict[str, object]]:
    return {r.name: {c.column.key: c.value for c in r.cells} for r in matrix.rows}


# The matrix -----------------------------------------------------------------------


def test_every_count_and_amount_is_as_worked_out_by_hand(hand, globex):
    other_client_rows(globex)
    matrix = coverage_matrix(hand)
    assert [c.key for c in matrix.columns] == COLUMNS
    assert [r.name for r in matrix.rows] == ["Ops", "Sales", "Warehouse", "No department"]
    rows = by_name(matrix)
    assert rows["Sales"] == {
        "strategy.goals": 1,
        "needs.needs": 2,
        "strategy.initiatives": 3,
        "strategy.initiative_spend": Decimal("1700.01"),
        "assets.licence_spend": Decimal("600"),
        "assets.devices": 2,
        "helpdesk.tickets": 2,
        "needs.survey_answers": 1,
    }
    assert rows["Ops"] == {
        "strategy.goals": 1,
        "needs.needs": 0,
        "strategy.initiatives": 1,
        "strategy.initiative_spend": Decimal("500.00"),
        "assets.licence_spend": Decimal("2000"),
        "assets.devices": 1,
        "helpdesk.tickets": 0,
        "needs.survey_answers": 0,
    }
    assert set(rows["Warehouse"].values()) == {0}
    assert rows["No department"] == {
        "strategy.goals": 1,
        "needs.needs": 0,
        "strategy.initiatives": 2,
        "strategy.initiative_spend": Decimal("250"),
        "assets.licence_spend": Decimal("100"),
        "assets.devices": 0,
        "helpdesk.tickets": 1,
        "needs.survey_answers": 0,
    }


def test_column_totals_add_up_and_spend_equals_the_portfolio(hand, globex):
    other_client_rows(globex)
    matrix = coverage_matrix(hand)
    totals = {c.column.key: c.value for c in matrix.totals}
    for i, cell in enumerate(matrix.totals):
        assert cell.value == sum(r.cells[i].value for r in matrix.rows)
    # The portfolio: every initiative not declined, capex + a year of opex, counted once.
    portfolio = sum(
        i.capex + i.opex_per_year
        for i in Initiative.objects.filter(client=hand).exclude(status=InitiativeStatus.DECLINED)
    )
    assert portfolio == Decimal("2450.01")
    assert totals["strategy.initiative_spend"] == portfolio
    assert totals["assets.licence_spend"] == Decimal("2700")  # 600 + 2,000 + 0 + 100
    # Five initiatives, the shared portal counted in Sales and in Ops.
    assert totals["strategy.initiatives"] == 6
    assert totals["strategy.goals"] == 3
    assert totals["helpdesk.tickets"] == 3


def test_a_department_with_nothing_is_left_out_and_says_why(hand):
    matrix = coverage_matrix(hand)
    assert [r.name for r in matrix.left_out] == ["Warehouse"]
    warehouse = matrix.left_out[0]
    assert warehouse.why == (
        "No active goal and no initiative serve Warehouse. It did not answer the latest survey."
    )
    assert not next(r for r in matrix.rows if r.name == "No department").left_out


def test_needs_without_a_goal_or_initiative_are_named_in_the_why(hand):
    warehouse = Department.objects.get(client=hand, name="Warehouse")
    Need.objects.create(client=hand, department=warehouse, text="Scanners",
                        raised_on=timezone.localdate())  # fmt: skip
    row = next(r for r in coverage_matrix(hand).rows if r.name == "Warehouse")
    assert row.left_out
    assert "It has 1 open need the plan does not serve yet." in row.why


def test_a_goal_for_the_department_takes_it_off_the_left_out_list(hand):
    warehouse = Department.objects.get(client=hand, name="Warehouse")
    BusinessGoal.objects.create(client=hand, title="Faster picking", department=warehouse)
    assert coverage_matrix(hand).left_out == []


def test_another_clients_rows_are_never_counted(hand, globex):
    before = as_data(coverage_matrix(hand))
    other_client_rows(globex)
    assert as_data(coverage_matrix(hand)) == before
    # And the other client sees only its own.
    rows = by_name(coverage_matrix(globex))
    assert rows["Sales"]["strategy.initiative_spend"] == Decimal("777")
    assert "Ops" not in rows


def test_an_old_ticket_counts_as_of_an_earlier_day(hand):
    sales = by_name(coverage_matrix(hand, timezone.localdate() - datetime.timedelta(days=20)))
    assert sales["Sales"]["helpdesk.tickets"] == 2  # opened 80 and 100 days ago


def test_no_department_row_is_left_out_when_empty(db):
    client = ClientFactory(name="Bare", slug="bare")
    Department.objects.create(client=client, name="Finance")
    assert [r.name for r in coverage_matrix(client).rows] == ["Finance"]


# Queries ----------------------------------------------------------------------------


def departments_with_rows(client: Client, n: int) -> None:
    today = timezone.localdate()
    for k in range(n):
        d = Department.objects.create(client=client, name=f"D{k}")
        goal = BusinessGoal.objects.create(client=client, title=f"G{k}", department=d)
        initiative(client, f"I{k}", "10", "1", [goal])
        Need.objects.create(client=client, department=d, text="n", raised_on=today)
        Asset.objects.create(client=client, name=f"a{k}", department=d)
        Licence.objects.create(client=client, vendor="v", product=f"p{k}",
                               unit_cost=Decimal("1"), department=d)  # fmt: skip
        ticket(client, k, d, 3)
    survey(client, list(Department.objects.filter(client=client)), days_ago=2)


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_the_matrix_costs_the_same_queries_for_3_or_20_departments(db):
    small = ClientFactory(name="Small", slug="small")
    large = ClientFactory(name="Large", slug="large")
    departments_with_rows(small, 3)
    departments_with_rows(large, 20)
    assert count_queries(lambda: coverage_matrix(small)) == count_queries(
        lambda: coverage_matrix(large)
    )


def test_the_columns_cost_the_same_queries_for_1_or_10_clients(db):
    clients = [ClientFactory(name=f"C{k}", slug=f"c{k}") for k in range(10)]
    for c in clients:
        departments_with_rows(c, 2)
    one = count_queries(lambda: collect_coverage([clients[0].pk]))
    ten = count_queries(lambda: collect_coverage([c.pk for c in clients]))
    assert one == ten
    assert (
        collect_coverage([c.pk for c in clients])["strategy.goals"][
            (clients[9].pk, Department.objects.get(client=clients[9], name="D1").pk)
        ]
        == 1
    )


# Page, panel, report, API -------------------------------------------------------------


def test_the_page_shows_the_matrix_money_in_euros_and_links_counts(hand, alice, login):
    Department.objects.create(client=hand, name=SCRIPT)
    sales = Department.objects.get(client=hand, name="Sales")
    r = login(alice).get("/clients/hand/coverage/")
    assert r.status_code == 200
    html = r.content.decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "€1,700" in html  # Sales' initiative spend
    assert "€2,450" in html  # the spend column's total
    assert f'href="/clients/hand/helpdesk/tickets/?department={sales.pk}"' in html
    assert "left out" in html
    assert "No active goal and no initiative serve Warehouse." in html


def test_a_user_of_another_client_cannot_open_the_page(acme, dave, login):
    assert login(dave).get("/clients/acme/coverage/").status_code == 404


def test_the_client_overview_shows_the_compact_matrix(hand, alice, login):
    Department.objects.create(client=hand, name=SCRIPT)
    html = login(alice).get("/clients/hand/").content.decode()
    assert 'id="coverage-panel"' in html
    assert "2 left out" in html  # Warehouse and the script-named one
    assert SCRIPT not in html
    assert "/clients/hand/coverage/" in html


def period(client: Client) -> ReviewPeriod:
    today = timezone.localdate()
    return ReviewPeriod(
        client_id=client.pk, kind="qbr", start=today - datetime.timedelta(days=90), end=today,
        today=today,
    )  # fmt: skip


def render_section(client: Client, data: dict) -> str:
    return render_to_string(
        "needs/report_coverage.html",
        {"data": data, "period": {}, "client": {"name": client.name, "currency": "EUR"}},
    )


def test_the_report_section_stores_the_matrix_and_renders_it_escaped(hand):
    Department.objects.create(client=hand, name=SCRIPT)
    data = review_coverage.collect(period(hand))
    sales = next(r for r in data["rows"] if r["name"] == "Sales")
    spend = next(v for v in sales["values"] if v["key"] == "strategy.initiative_spend")
    assert spend == {"key": "strategy.initiative_spend", "kind": "money", "value": 1700.01}
    html = render_section(hand, data)
    assert SCRIPT not in html
    assert "&lt;script&gt;" in html
    assert "Warehouse</strong> is left out" in html
    assert "€2,450" in html
    assert "No data yet" in render_section(hand, {})


def test_the_report_says_which_departments_are_newly_or_no_longer_left_out(hand):
    before = review_coverage.collect(period(hand))
    warehouse = Department.objects.get(client=hand, name="Warehouse")
    BusinessGoal.objects.create(client=hand, title="Faster picking", department=warehouse)
    Department.objects.create(client=hand, name="Legal")
    now = review_coverage.collect(period(hand))
    found = review_coverage.changes(before, now, period(hand))
    assert [(c.kind, c.direction, c.text) for c in found] == [
        (
            "coverage.served",
            "better",
            "Warehouse is no longer left out: a goal or an initiative now serves it.",
        ),
        (
            "coverage.left_out",
            "worse",
            "Legal is now left out. No active goal and no initiative serve Legal. "
            "It did not answer the latest survey.",
        ),
    ]
    assert review_coverage.changes(None, now, period(hand)) == []


def test_the_api_serves_the_matrix(hand, alice, api):
    r = api(alice).get("/api/coverage/hand/")
    assert r.status_code == 200
    body = r.json()
    assert body["client"] == "hand"
    assert body["currency"] == "EUR"
    assert [c["key"] for c in body["columns"]] == COLUMNS
    warehouse = next(row for row in body["rows"] if row["name"] == "Warehouse")
    assert warehouse["left_out"] is True
    assert warehouse["why"].startswith("No active goal")
    spend = next(t for t in body["totals"] if t["key"] == "strategy.initiative_spend")
    assert spend["value"] == 2450.01
    nobody = next(row for row in body["rows"] if row["name"] == "No department")
    assert nobody["department_id"] is None


def test_the_api_hides_other_clients(acme, dave, api):
    assert api(dave).get("/api/coverage/acme/").status_code == 404


def test_the_api_schema_describes_every_field(alice, api):
    schema = api(alice).get("/api/schema/?format=json").json()
    row = schema["components"]["schemas"]["CoverageRow"]["properties"]
    assert set(row) == {"department_id", "name", "values", "left_out", "why"}
    assert row["department_id"].get("nullable") is True
    assert "/api/coverage/{slug}/" in schema["paths"]


def test_a_past_day_counts_the_needs_raised_and_the_answers_given_by_then(db):
    from vcio.needs.coverage import needs, survey_answers
    from vcio.needs.models import Need

    client = ClientFactory(name="Past Co", slug="past")
    sales = Department.objects.create(client=client, name="Sales")
    today = timezone.localdate()
    for days in (40, 5):
        Need.objects.create(
            client=client,
            department=sales,
            text=f"need {days}",
            raised_on=today - datetime.timedelta(days=days),
        )
    survey(client, [sales], days_ago=3)  # answered today
    week_ago = today - datetime.timedelta(days=7)
    # A week ago only the older need was raised, and nobody had answered yet.
    assert needs([client.pk], week_ago) == {(client.pk, sales.pk): 1}
    assert survey_answers([client.pk], week_ago) == {}
    assert needs([client.pk]) == {(client.pk, sales.pk): 2}
    assert survey_answers([client.pk]) == {(client.pk, sales.pk): 1}
