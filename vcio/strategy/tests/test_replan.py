"""Goal changes re-plan: when goals change after the plan was applied, the roadmap offers a
re-optimised plan, and a page sets it beside the current one with the goal behind each move.

The world: Acme's capex is capped at 1,000 a quarter over four quarters, so one
1,000 initiative starts per quarter. "MFA rollout" serves the Security goal
(low priority), "CRM" the Sales goal (medium): the plan starts CRM first, MFA
a quarter later. Raising Security to Critical should swap them.
"""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from vcio.core import audit
from vcio.core.fiscal import quarter_of
from vcio.strategy import applying, planning, replan
from vcio.strategy.models import BusinessGoal, Initiative, InitiativeGoal, Scenario
from vcio.strategy.models.goals import GoalStatus, Priority
from vcio.strategy.tests.factories import InitiativeFactory

CAPS = {"capex_per_quarter": "1000"}


def url(name: str) -> str:
    return reverse(f"strategy:{name}", args=["acme"])


def change_goal(user, goal: BusinessGoal, **fields) -> None:
    """Edit a goal as the goal form does: saved and audited."""
    before = audit.snapshot(goal)
    for name, value in fields.items():
        setattr(goal, name, value)
    goal.save()
    audit.record_update(user, goal, before)


@pytest.fixture
def world(acme, bob):
    security = BusinessGoal.objects.create(client=acme, title="Security", priority=Priority.LOW)
    sales = BusinessGoal.objects.create(client=acme, title="Sales", priority=Priority.MEDIUM)
    mfa = InitiativeFactory(client=acme, title="MFA rollout", capex=Decimal("1000"))
    crm = InitiativeFactory(
        client=acme, title="CRM", capex=Decimal("1000"), opex_per_year=Decimal("400")
    )
    InitiativeGoal.objects.create(initiative=mfa, goal=security, contribution=100)
    InitiativeGoal.objects.create(initiative=crm, goal=sales, contribution=100)
    settings = planning.PlanSettings.from_caps(CAPS, horizon=4)
    scenario = planning.save_scenario(acme, "Base", settings, bob)
    applying.apply(scenario, bob)
    scenario.refresh_from_db()
    now = quarter_of(timezone.localdate(), acme.fiscal_year_start_month)
    return {"security": security, "sales": sales, "scenario": scenario, "now": now}


def placed(title: str):
    return Initiative.objects.get(title=title).start_quarter


def test_the_current_plan_starts_crm_first(world):
    now = world["now"]
    assert placed("CRM") == now.start
    assert placed("MFA rollout") == now.shift(1).start


def test_no_offer_while_goals_are_as_planned(client, bob, world):
    client.force_login(bob)
    assert 'id="replan-offer"' not in client.get(url("roadmap")).text
    assert replan.changes_since_plan(world["scenario"].client)[1] == []


def test_a_reweighted_goal_shows_the_offer_on_the_roadmap(client, bob, world):
    change_goal(bob, world["security"], priority=Priority.CRITICAL)
    client.force_login(bob)
    page = html.unescape(client.get(url("roadmap")).text)
    offer = page.split('id="replan-offer"')[1].split("</p>")[0]
    assert "Goals changed since this plan" in offer
    assert "“Security” raised from Low to Critical" in offer
    assert f'href="{url("replan")}"' in offer


def test_the_comparison_lists_each_move_with_the_goal_change_behind_it(client, carol, world):
    now = world["now"]
    change_goal(carol, world["security"], priority=Priority.CRITICAL)
    client.force_login(carol)  # a client executive may read it (VIEW)
    page = html.unescape(client.get(url("replan")).text)
    assert "“Security” raised from Low to Critical" in page.split('id="goal-changes"')[1]
    moves = page.split('id="moves"')[1].split("</table>")[0]
    assert (
        "<strong>“Security” raised from Low to Critical</strong>: "
        f"MFA rollout moves from {now.shift(1).label} to {now.label}." in moves
    )
    assert f"CRM moves from {now.label} to {now.shift(1).label}" in "".join(
        m.sentence for m in replan.replan(world["scenario"].client).moves
    )
    assert "None of its goals changed" in moves  # CRM makes room
    assert 'id="save-replan"' not in page  # carol may not plan


def test_the_cost_difference_per_quarter_and_year_is_as_worked_out_by_hand(world, acme):
    change_goal(None, world["security"], priority=Priority.CRITICAL)
    now = world["now"]
    r = replan.replan(acme)
    # Current: CRM (1,000 + 400 a year) starts now, MFA (1,000) next quarter.
    #   Q0: 1,000 + 100 = 1,100; Q1: 1,000 + 100 = 1,100; Q2: 100; Q3: 100.
    # Re-optimised: MFA now, CRM next quarter.
    #   Q0: 1,000; Q1: 1,000 + 100 = 1,100; Q2: 100; Q3: 100.
    by_label = {q["label"]: q for q in r.quarters}
    assert [by_label[now.shift(k).label]["current"] for k in range(4)] == [1100, 1100, 100, 100]
    assert [by_label[now.shift(k).label]["proposed"] for k in range(4)] == [1000, 1100, 100, 100]
    assert by_label[now.label]["difference"] == -100
    assert r.total == {"current": 2400, "proposed": 2300, "difference": -100}
    years: dict[str, float] = {}
    for k in range(4):
        q = now.shift(k)
        years[f"FY{q.fiscal_year}"] = years.get(f"FY{q.fiscal_year}", 0) + (
            [1000, 1100, 100, 100][k] - [1100, 1100, 100, 100][k]
        )
    assert {y["label"]: y["difference"] for y in r.years} == years


def test_applying_is_not_automatic_saving_makes_a_scenario_to_confirm(client, bob, world):
    change_goal(bob, world["security"], priority=Priority.CRITICAL)
    before = (placed("CRM"), placed("MFA rollout"))
    client.force_login(bob)
    client.get(url("replan"))
    assert Scenario.objects.count() == 1  # looking saves nothing
    assert (placed("CRM"), placed("MFA rollout")) == before
    r = client.post(url("replan"))
    saved = Scenario.objects.exclude(pk=world["scenario"].pk).get()
    assert saved.name.startswith("Re-plan after goal changes")
    assert saved.applied_at is None
    assert r.status_code == 302
    assert r.url == reverse("strategy:scenario_apply", args=["acme", saved.pk])
    assert (placed("CRM"), placed("MFA rollout")) == before  # nothing moved yet


def test_only_planners_may_save_the_replan(client, carol, world):
    change_goal(carol, world["security"], priority=Priority.CRITICAL)
    client.force_login(carol)
    assert client.post(url("replan")).status_code == 403
    assert Scenario.objects.count() == 1


def test_added_dropped_and_deleted_goals_are_changes_and_wording_edits_are_not(bob, world, acme):
    since = world["scenario"].applied_at
    change_goal(bob, world["sales"], title="Sales and marketing")
    assert replan.goal_changes(acme, since) == []
    new = BusinessGoal.objects.create(client=acme, title="Expand", priority=Priority.HIGH)
    audit.record_create(bob, new)
    change_goal(bob, world["sales"], status=GoalStatus.ABANDONED)
    security = world["security"]
    audit.record_delete(bob, security)
    security.delete()
    assert sorted(c.text for c in replan.goal_changes(acme, since)) == [
        "“Expand” added (High)",
        "“Sales and marketing” abandoned",
        "“Security” deleted",
    ]


def test_a_priority_raised_then_put_back_is_no_change(bob, world, acme):
    change_goal(bob, world["security"], priority=Priority.CRITICAL)
    change_goal(bob, world["security"], priority=Priority.LOW)
    assert replan.goal_changes(acme, world["scenario"].applied_at) == []


def test_without_an_applied_plan_there_is_nothing_to_compare(client, bob, acme):
    BusinessGoal.objects.create(client=acme, title="Security")
    client.force_login(bob)
    assert 'id="replan-offer"' not in client.get(url("roadmap")).text
    page = client.get(url("replan"))
    assert page.status_code == 200
    assert 'id="no-plan"' in page.text


def test_a_goal_title_with_script_is_escaped(client, bob, world):
    change_goal(bob, world["security"], title="<script>alert(1)</script>", priority=Priority.HIGH)
    client.force_login(bob)
    for name in ("roadmap", "replan"):
        text = client.get(url(name)).text
        assert "<script>alert(1)</script>" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_another_clients_user_cannot_see_it(client, dave, world):
    client.force_login(dave)
    assert client.get(url("replan")).status_code == 404


def test_a_dropped_goal_moves_what_served_it(bob, world, acme):
    """Sales abandoned: CRM no longer scores for it, so MFA (still serving Security) goes first."""
    now = world["now"]
    change_goal(bob, world["sales"], status=GoalStatus.ABANDONED)
    sentences = [m.sentence for m in replan.replan(acme).moves]
    assert any(
        "MFA rollout" in s and f"from {now.shift(1).label} to {now.label}" in s for s in sentences
    ), sentences
