"""Open needs become recommendations; a promoted one plans its needs and links their goals."""

from __future__ import annotations

import datetime

from vcio.needs.models import NeedStatus, Urgency
from vcio.needs.recommendations import generate, sync_planned_needs
from vcio.needs.tests.flow import department, need
from vcio.strategy.models import InitiativeGoal, Recommendation
from vcio.strategy.recommend import dismiss, promote, sync_recommendations
from vcio.strategy.tests.factories import GoalFactory


def needs_recs(client):
    return {r.key: r for r in Recommendation.objects.filter(client=client, source_app="needs")}


def test_a_need_with_a_goal_reaches_the_roadmap_linked_to_the_goal(acme, bob):
    sales = department(acme, "Sales")
    goal = GoalFactory(client=acme, title="Grow sales 20 %")
    n = need(acme, "Quotes take a day to produce in the <b>CRM</b>", department=sales,
             goal=goal, urgency=Urgency.HIGH, due_on=datetime.date(2027, 1, 31))  # fmt: skip
    sync_recommendations([acme.pk])
    rec = needs_recs(acme)[f"needs.need.{n.pk}"]
    assert rec.goal_ids == [goal.pk]
    assert rec.department_id == sales.pk
    assert rec.risk == "high"
    assert rec.due_date == datetime.date(2027, 1, 31)
    assert rec.one_time_cost == 0 and "consultant to estimate" in rec.why
    assert "Quotes take a day to produce in the <b>CRM</b>" in rec.why  # raw: pages escape
    assert rec.evidence["needs"][0]["url"] == f"/clients/acme/needs/{n.pk}/"
    initiative = promote(rec, bob)
    assert list(InitiativeGoal.objects.filter(initiative=initiative).values_list(
        "goal_id", flat=True)) == [goal.pk]  # fmt: skip
    assert sync_planned_needs([acme.pk]) == 1
    n.refresh_from_db()
    assert (n.status, n.initiative_id) == (NeedStatus.PLANNED, initiative.pk)
    # The next sync proposes it no more and leaves the promoted row alone.
    sync_recommendations([acme.pk])
    assert needs_recs(acme)[f"needs.need.{n.pk}"].status == "promoted"
    assert len(needs_recs(acme)) == 1


def test_needs_of_one_department_and_theme_make_one_recommendation(acme):
    sales, finance = department(acme, "Sales"), department(acme, "Finance")
    g1, g2 = GoalFactory(client=acme), GoalFactory(client=acme)
    a = need(acme, "CRM is slow", department=sales, theme="crm · quotes", goal=g1,
             urgency=Urgency.LOW, due_on=datetime.date(2027, 3, 1))  # fmt: skip
    need(acme, "Quotes get lost", department=sales, theme="crm · quotes", goal=g2,
         urgency=Urgency.CRITICAL, due_on=datetime.date(2027, 2, 1))  # fmt: skip
    need(acme, "CRM export to Excel", department=finance, theme="crm · quotes")
    drafts = {d.key: d for d in generate([acme.pk])}
    assert set(drafts) == {f"needs.{sales.pk}.crm-quotes", f"needs.{finance.pk}.crm-quotes"}
    sales_draft = drafts[f"needs.{sales.pk}.crm-quotes"]
    assert sales_draft.title == "Sales: crm · quotes"
    assert sales_draft.risk == "critical"  # the highest urgency
    assert sales_draft.due_date == datetime.date(2027, 2, 1)  # the earliest due date
    assert sales_draft.goal_ids == tuple(sorted([g1.pk, g2.pk]))
    assert [row["text"] for row in sales_draft.evidence["needs"]] == [
        "CRM is slow", "Quotes get lost"]  # fmt: skip
    assert sales_draft.evidence["need_ids"][0] == a.pk
    assert "Sales raised 2 needs about “crm · quotes”" in sales_draft.why


def test_only_open_needs_of_the_clients_asked(acme, globex):
    need(acme, "Done already", status=NeedStatus.DONE)
    need(acme, "Not wanted", status=NeedStatus.DISMISSED)
    need(globex, "Globex's need")
    assert generate([acme.pk]) == []


def test_dismissed_needs_stay_out_and_a_later_need_gets_its_own_key(acme, bob):
    sales = department(acme, "Sales")
    need(acme, "Tablets for reps", department=sales, theme="tablets")
    sync_recommendations([acme.pk])
    dismiss(needs_recs(acme)[f"needs.{sales.pk}.tablets"], bob, "Phones do it")
    assert generate([acme.pk]) == []
    later = need(acme, "Tablets for the trade show", department=sales, theme="tablets")
    assert [d.key for d in generate([acme.pk])] == [f"needs.{sales.pk}.tablets.{later.pk}"]


def test_fixed_queries_for_many_clients(acme, globex, django_assert_max_num_queries):
    for client in (acme, globex):
        for i in range(6):
            need(client, f"Need {i}", department=department(client, f"Dept {i % 2}"),
                 theme=f"theme {i % 3}")  # fmt: skip
    with django_assert_max_num_queries(8):
        drafts = generate([acme.pk, globex.pk])
    assert len(drafts) == 12  # (2 departments × 3 themes, each department gets 3) per client


def test_planning_never_touches_another_clients_need(acme, globex, bob):
    theirs = need(globex, "Globex need")
    mine = need(acme, "Acme need")
    sync_recommendations([acme.pk])
    rec = needs_recs(acme)[f"needs.need.{mine.pk}"]
    rec.evidence = {**rec.evidence, "need_ids": [mine.pk, theirs.pk]}  # a corrupted row
    rec.save(update_fields=["evidence"])
    promote(rec, bob)
    assert sync_planned_needs([acme.pk, globex.pk]) == 1
    theirs.refresh_from_db()
    assert (theirs.status, theirs.initiative_id) == (NeedStatus.OPEN, None)
    assert sync_planned_needs([acme.pk]) == 0  # already planned: nothing to do
