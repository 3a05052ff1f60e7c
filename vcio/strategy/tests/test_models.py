"""Strategy models: client scoping, same-client links, workflow and bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from vcio.core.models import Contact, Department
from vcio.strategy.models import (
    Initiative,
    InitiativeGoal,
    Kpi,
    KpiValue,
    Milestone,
    ScoringWeights,
    SpendEntry,
)
from vcio.strategy.services import add_requirement, link_goal, transition
from vcio.strategy.tests.factories import GoalFactory, InitiativeFactory, KpiFactory


@pytest.fixture
def acme_plan(acme):
    goal = GoalFactory(client=acme, title="ACME-ONLY grow exports")
    kpi = KpiFactory(goal=goal)
    initiative = InitiativeFactory(client=acme)
    link_goal(initiative, goal, 60)
    Milestone.objects.create(initiative=initiative, title="Kick-off")
    SpendEntry.objects.create(initiative=initiative, date="2026-01-05", amount=Decimal("10"))
    KpiValue.objects.create(kpi=kpi, at="2026-01-01", value=Decimal("50"))
    return goal, kpi, initiative


@pytest.mark.parametrize("model", [Kpi, KpiValue, InitiativeGoal, Milestone, SpendEntry])
def test_child_rows_are_scoped_through_their_parent(model, acme_plan, globex, bob, dave):
    assert model.objects.for_user(bob).count() == 1
    assert model.objects.for_user(dave).count() == 0
    assert model.objects.first().scope_client_id == acme_plan[0].client_id


def test_goal_refuses_another_clients_owner_and_department(acme, globex):
    goal = GoalFactory.build(
        client=acme,
        owner=Contact.objects.get(client=globex),
        department=Department.objects.get(client=globex),
    )
    with pytest.raises(ValidationError, match="another client"):
        goal.clean()


def test_kpi_figure_key_must_be_a_registered_figure(acme):
    kpi = KpiFactory.build(goal=GoalFactory(client=acme), figure_key="nope.figure")
    with pytest.raises(ValidationError) as caught:
        kpi.full_clean()
    assert "nope.figure is not a live figure" in str(caught.value)
    kpi.figure_key = "assets.supported_os_pct"
    kpi.full_clean()


def test_links_across_clients_are_refused(acme, globex):
    mine, theirs = InitiativeFactory(client=acme), InitiativeFactory(client=globex)
    with pytest.raises(ValidationError, match="another client"):
        link_goal(mine, GoalFactory(client=globex), 50)
    with pytest.raises(ValidationError, match="another client"):
        add_requirement(mine, theirs)
    link = InitiativeGoal(initiative=mine, goal=GoalFactory(client=globex))
    with pytest.raises(ValidationError, match="another client"):
        link.clean()
    assert not mine.requires.exists() and not mine.goal_links.exists()


def test_a_dependency_cycle_is_refused_and_named(acme):
    a, b, c = (InitiativeFactory(client=acme, title=t) for t in ("Network", "Wi-Fi", "Phones"))
    add_requirement(b, a)
    add_requirement(c, b)
    with pytest.raises(ValidationError) as caught:
        add_requirement(a, c)
    assert "“Network” → “Phones” → “Wi-Fi” → “Network”" in str(caught.value)
    assert not a.requires.exists()
    with pytest.raises(ValidationError, match="cannot require itself"):
        add_requirement(a, a)


def test_status_follows_the_workflow_and_approval_is_recorded(acme, carol):
    initiative = InitiativeFactory(client=acme, title="New firewall")
    with pytest.raises(ValidationError, match="can move to approved, declined, deferred"):
        transition(initiative, "done", carol)
    transition(initiative, "approved", carol)
    assert initiative.approved_by == carol and initiative.approved_at is not None
    transition(initiative, "in_progress", carol)
    transition(initiative, "done", carol)
    initiative.refresh_from_db()
    assert (initiative.status, initiative.percent_complete) == ("done", 100)
    with pytest.raises(ValidationError, match="nothing else"):
        transition(initiative, "proposed", carol)


def test_negative_costs_are_refused_by_the_form_and_the_database(acme):
    initiative = InitiativeFactory.build(client=acme, capex=Decimal("-1"))
    with pytest.raises(ValidationError) as caught:
        initiative.full_clean()
    assert "capex" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        initiative.save()
    assert not Initiative.objects.exists()


def test_all_zero_weights_are_refused_with_a_clear_message(acme):
    weights = ScoringWeights(client=acme, alignment=0, risk=0, urgency=0, benefit=0, cost=0)
    weights.effort = 0
    with pytest.raises(ValidationError, match="At least one weight must be above zero"):
        weights.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        weights.save()
    weights.effort = 1
    weights.full_clean()


def test_end_quarter_cannot_precede_start(acme):
    initiative = InitiativeFactory.build(
        client=acme, start_quarter="2026-07-01", end_quarter="2026-04-01"
    )
    with pytest.raises(ValidationError, match="before the start quarter"):
        initiative.clean()
