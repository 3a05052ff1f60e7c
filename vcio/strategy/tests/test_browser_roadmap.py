"""In a real browser, on a demo client: goal → recommendation → initiative → roadmap → budget.

The consultant's whole strategy flow, as the issue asks: a new business
goal measured by a live figure, a recommendation made an initiative and
linked to that goal, an optimised roadmap saved, applied and shown on the
board, and the budget it makes.
"""

from __future__ import annotations

import re

import pytest

from vcio.core.tests.browser import log_in
from vcio.strategy.models import BusinessGoal, Initiative, InitiativeGoal, Scenario

pytestmark = pytest.mark.browser
GOAL = "Open the Columbus plant on time"


@pytest.fixture
def demo(transactional_db):
    """The demo practice (users' password: vcio-demo), as ``vcio demo`` loads it."""
    from django.core.management import call_command

    call_command("demo", quiet=True)


def test_a_consultant_goes_from_a_goal_to_an_optimised_roadmap_and_budget(
    browser, live_server, demo
):
    base = f"{live_server.url}/clients/acme"
    page = browser.new_page()
    log_in(page, live_server.url, "bob", "vcio-demo")

    # 1. A business goal, measured by a live figure from the asset inventory.
    page.goto(f"{base}/goals/")
    page.click("main a[role=button]:has-text('New goal')")
    page.fill("#id_title", GOAL)
    page.select_option("#id_priority", label="Critical")
    page.click("main button[type=submit]")
    page.wait_for_selector(f"h2:has-text('{GOAL}')")
    page.click("main a[role=button]:has-text('New KPI')")
    page.fill("#id_name", "Devices under warranty")
    page.select_option("#id_figure_key", value="assets.under_warranty_pct")
    page.fill("#id_target", "95")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Devices under warranty")
    assert "live" in page.locator("main").inner_text().lower()
    goal = BusinessGoal.objects.get(title=GOAL)
    assert goal.kpis.get().figure_key == "assets.under_warranty_pct"

    # 2. A recommendation, backed by evidence, becomes an initiative in one click.
    page.goto(f"{base}/recommendations/")
    first = page.locator("main form:has(button:has-text('Make initiative'))").first
    first.locator("button").click()
    page.wait_for_url(re.compile(r".*/initiatives/\d+/$"))
    initiative = Initiative.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    assert initiative.evidence  # the proof travelled with it

    # 3. Linked to the new goal: its score rises with the goal's priority.
    page.select_option("select[name=goal]", label=GOAL)
    page.fill("input[name=contribution]", "90")
    page.click("main button:has-text('Link goal')")
    page.wait_for_selector(".messages")
    assert InitiativeGoal.objects.filter(initiative=initiative, goal=goal).exists()

    # 4. An optimised roadmap under the budget, saved as a scenario, then applied.
    page.goto(f"{base}/roadmap/")
    page.fill("#id_name", "Columbus plan")
    page.fill("#id_capex_per_quarter", "150000")
    page.fill("#id_opex_per_year", "60000")
    page.fill("#id_effort_per_quarter", "60")
    page.click("main button:has-text('Optimise and save as a scenario')")
    page.wait_for_selector("h2:has-text('Scenario “Columbus plan”')")
    assert page.locator("#optimality").inner_text() == "proven optimal"
    score = float(page.locator("#plan-score").inner_text())
    assert score >= float(page.locator("#greedy-score").inner_text())
    chosen = page.locator("#chosen").inner_text()
    left_out = page.locator("#left-out").inner_text() if page.locator("#left-out").count() else ""
    assert initiative.title[:40] in chosen + left_out
    plan = Scenario.objects.get(name="Columbus plan").plan
    assert all(row["reason"] for row in plan["items"] if row["quarter"] is None)
    page.click("main a:has-text('Review the moves and apply')")
    page.wait_for_selector("#h-moves")  # the moves first; nothing written yet
    page.click("main button:has-text('Confirm and apply')")
    page.wait_for_selector("#board")
    assert "applied" in page.locator(".messages").inner_text()
    initiative.refresh_from_db()
    row = next(r for r in plan["items"] if r["id"] == initiative.pk)
    if row["quarter"] is not None:
        label = plan["labels"][row["quarter"]]
        column = page.locator(f"#board section[data-quarter='{label}']")
        assert initiative.title[:30] in column.inner_text()
    assert page.locator("svg[role=img] title:has-text('Roadmap of')").count() == 1

    # 5. The budget the roadmap makes, with what is already committed, and its export.
    page.click("nav.client-subtabs a:has-text('Budget')")  # the Strategy group's second row
    page.wait_for_selector("#budget-table")
    table = page.locator("#budget-table").inner_text()
    assert "Total" in table and "FY" in table
    with page.expect_download() as download:
        page.click("main a:has-text('Export XLSX')")
    assert download.value.suggested_filename.endswith(".xlsx")
    page.close()
