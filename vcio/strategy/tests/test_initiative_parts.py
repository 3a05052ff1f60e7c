"""Actions on one initiative's page: workflow, approval, goals, dependencies, milestones, spend."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from django.urls import reverse

from vcio.core.models import AuditEvent
from vcio.strategy.models import InitiativeGoal, InitiativeStatus, Milestone, SpendEntry
from vcio.strategy.tests.factories import GoalFactory, InitiativeFactory

pytestmark = pytest.mark.django_db
S = InitiativeStatus


def url(name: str, client_slug: str = "acme", **kwargs) -> str:
    return reverse(f"strategy:{name}", kwargs={"client": client_slug, **kwargs})


def text(response) -> str:
    """The page as the reader sees it (entities such as &#x27; turned back into characters)."""
    return html.unescape(response.content.decode())


def detail(item) -> str:
    return url("initiative_detail", pk=item.pk)


# --- dependencies ----------------------------------------------------------------------


def test_consultant_adds_and_removes_a_dependency(login, bob, acme):
    network = InitiativeFactory(client=acme, title="New network")
    wifi = InitiativeFactory(client=acme, title="Wi-Fi 7")
    http = login(bob)
    r = http.post(url("initiative_require", pk=wifi.pk), {"requires": network.pk})
    assert r.status_code == 302 and r["Location"] == detail(wifi)
    assert list(wifi.requires.all()) == [network]
    assert AuditEvent.objects.filter(object_id=str(wifi.pk), action="update").exists()
    page = http.get(detail(wifi)).content.decode()
    assert "“Wi-Fi 7” now requires “New network”." in page
    assert "New network" in page.split('id="requires"')[1].split("</ul>")[0]
    assert "Wi-Fi 7" in http.get(detail(network)).content.decode().split('id="required-by"')[1]

    r = http.post(url("initiative_unrequire", pk=wifi.pk), {"requires": network.pk})
    assert r.status_code == 302 and not wifi.requires.exists()


def test_a_dependency_cycle_is_refused_with_the_cycle_named(login, bob, acme):
    a = InitiativeFactory(client=acme, title="A")
    b = InitiativeFactory(client=acme, title="B")
    b.requires.add(a)
    r = login(bob).post(url("initiative_require", pk=a.pk), {"requires": b.pk})
    assert r.status_code == 400
    assert "This would make a dependency cycle: “A” → “B” → “A”." in r.content.decode()
    assert not a.requires.exists()


def test_a_dependency_on_another_clients_initiative_is_refused(login, bob, acme, globex):
    ours = InitiativeFactory(client=acme, title="Ours")
    theirs = InitiativeFactory(client=globex, title="Theirs")
    r = login(bob).post(url("initiative_require", pk=ours.pk), {"requires": theirs.pk})
    assert r.status_code == 400
    assert "Choose one of Acme Corp's other initiatives." in text(r)
    assert not ours.requires.exists()


def test_removing_a_dependency_that_is_not_there_is_refused(login, bob, acme):
    a = InitiativeFactory(client=acme, title="A")
    b = InitiativeFactory(client=acme, title="B")
    http = login(bob)
    for value in (b.pk, "9" * 40, "x"):
        r = http.post(url("initiative_unrequire", pk=a.pk), {"requires": value})
        assert (
            r.status_code == 400 and "“A” does not require that initiative." in r.content.decode()
        )


# --- workflow and approval ---------------------------------------------------------------


def move(http, item, status: str):
    return http.post(url("initiative_transition", pk=item.pk), {"status": status})


def test_the_workflow_from_proposal_to_done(login, bob, carol, acme):
    item = InitiativeFactory(client=acme, title="Backups")
    http = login(carol)
    assert move(http, item, S.APPROVED).status_code == 302
    item.refresh_from_db()
    assert item.status == S.APPROVED and item.approved_by == carol and item.approved_at
    page = http.get(detail(item)).content.decode()
    assert "Approved by carol on" in page or f"Approved by {carol.get_full_name()} on" in page

    http = login(bob)
    for status in (S.SCHEDULED, S.IN_PROGRESS, S.DONE):
        r = move(http, item, status)
        assert r.status_code == 302, status
    item.refresh_from_db()
    assert item.status == S.DONE and item.percent_complete == 100
    assert AuditEvent.objects.filter(object_id=str(item.pk), action="update").count() == 4
    assert "“Backups” is now done." in http.get(detail(item)).content.decode()


def test_an_illegal_transition_is_refused_with_the_allowed_ones_named(login, bob, acme):
    item = InitiativeFactory(client=acme, title="Backups")
    r = move(login(bob), item, S.DONE)
    assert r.status_code == 400
    assert (
        "“Backups” is proposed: it can move to approved, declined, deferred, not done."
        in r.content.decode()
    )
    item.refresh_from_db()
    assert item.status == S.PROPOSED


def test_an_unknown_status_is_refused(login, bob, acme):
    item = InitiativeFactory(client=acme)
    r = move(login(bob), item, "finished")
    assert r.status_code == 400 and "'finished' is not an initiative status" in text(r)


def test_a_consultant_cannot_approve_for_the_client(login, bob, acme):
    item = InitiativeFactory(client=acme)
    assert move(login(bob), item, S.APPROVED).status_code == 403
    item.refresh_from_db()
    assert item.status == S.PROPOSED and item.approved_by is None


def test_an_executive_approves_or_declines_but_does_nothing_else(login, carol, acme):
    item = InitiativeFactory(client=acme, status=S.APPROVED)
    http = login(carol)
    assert move(http, item, S.SCHEDULED).status_code == 403
    page = http.get(detail(item)).content.decode()
    assert "Mark declined" in page and "Mark scheduled" not in page
    assert move(http, item, S.DECLINED).status_code == 302
    assert http.post(url("milestone_create", pk=item.pk), {"title": "x"}).status_code == 403
    assert not Milestone.objects.exists()


# --- goals ---------------------------------------------------------------------------------


def test_consultant_links_reweighs_and_unlinks_a_goal(login, bob, acme):
    goal = GoalFactory(client=acme, title="Grow sales")
    item = InitiativeFactory(client=acme)
    http = login(bob)
    r = http.post(url("initiative_link_goal", pk=item.pk), {"goal": goal.pk, "contribution": 40})
    assert r.status_code == 302
    http.post(url("initiative_link_goal", pk=item.pk), {"goal": goal.pk, "contribution": 80})
    link = InitiativeGoal.objects.get(initiative=item)
    assert link.contribution == 80
    assert "Grow sales: 80 %" in http.get(detail(item)).content.decode()
    assert AuditEvent.objects.filter(object_id=str(link.pk)).count() == 2  # created, changed

    assert http.post(url("initiative_unlink_goal", pk=link.pk)).status_code == 302
    assert not InitiativeGoal.objects.exists()


def test_linking_another_clients_goal_or_a_bad_contribution_is_refused(login, bob, acme, globex):
    item = InitiativeFactory(client=acme)
    theirs = GoalFactory(client=globex)
    ours = GoalFactory(client=acme)
    http = login(bob)
    r = http.post(url("initiative_link_goal", pk=item.pk), {"goal": theirs.pk, "contribution": 5})
    assert r.status_code == 400 and "Choose one of Acme Corp's goals." in text(r)
    r = http.post(url("initiative_link_goal", pk=item.pk), {"goal": ours.pk, "contribution": 150})
    assert r.status_code == 400 and "cannot be above 100 %" in r.content.decode()
    assert not InitiativeGoal.objects.exists()


# --- milestones and spend -------------------------------------------------------------------


def test_milestones_are_added_ticked_and_deleted(login, bob, acme):
    item = InitiativeFactory(client=acme)
    http = login(bob)
    r = http.post(url("milestone_create", pk=item.pk), {"title": "Order hardware", "due": ""})
    assert r.status_code == 302
    milestone = Milestone.objects.get(initiative=item)
    http.post(url("milestone_toggle", pk=milestone.pk))
    milestone.refresh_from_db()
    assert milestone.done
    page = http.get(detail(item)).content.decode()
    assert "<s>Order hardware</s> (done)" in page and "1 of 1 milestone done" in page
    http.post(url("milestone_delete", pk=milestone.pk))
    assert not Milestone.objects.exists()
    actions = AuditEvent.objects.filter(content_type__model="milestone").values_list("action")
    assert sorted(a for (a,) in actions) == ["create", "delete", "update"]


def test_a_milestone_with_a_bad_date_is_refused(login, bob, acme):
    item = InitiativeFactory(client=acme)
    r = login(bob).post(url("milestone_create", pk=item.pk), {"title": "X", "due": "2024-02-31"})
    assert r.status_code == 400 and "“2024-02-31” is not a date" in r.content.decode()
    assert not Milestone.objects.exists()


def test_spend_is_recorded_against_the_plan(login, bob, acme):
    item = InitiativeFactory(client=acme, capex=Decimal("1000"), opex_per_year=Decimal("200"))
    http = login(bob)
    for amount, kind in (("900", "capex"), ("400", "opex")):
        r = http.post(
            url("spend_create", pk=item.pk),
            {"date": "2026-03-01", "amount": amount, "kind": kind, "note": "invoice"},
        )
        assert r.status_code == 302
    page = http.get(detail(item)).content.decode()
    assert "Planned $1,200" in page and "spent $1,300" in page
    assert "Over plan by $100." in page
    entry = SpendEntry.objects.get(kind="opex")
    assert http.post(url("spend_delete", pk=entry.pk)).status_code == 302
    assert "$300 left." in http.get(detail(item)).content.decode()


def test_negative_spend_is_refused_naming_the_field(login, bob, acme):
    item = InitiativeFactory(client=acme)
    r = login(bob).post(
        url("spend_create", pk=item.pk), {"date": "2026-03-01", "amount": "-1", "kind": "capex"}
    )
    assert r.status_code == 400 and "Amount cannot be negative." in r.content.decode()
    assert not SpendEntry.objects.exists()


# --- other clients --------------------------------------------------------------------------


def test_parts_of_another_clients_initiative_are_not_found(login, bob, acme, globex):
    theirs = InitiativeFactory(client=globex)
    milestone = Milestone.objects.create(initiative=theirs, title="Theirs")
    spend = SpendEntry.objects.create(initiative=theirs, date="2026-01-01", amount=1)
    link = InitiativeGoal.objects.create(initiative=theirs, goal=GoalFactory(client=globex))
    http = login(bob)
    attempts = [
        (url("initiative_transition", pk=theirs.pk), {"status": "declined"}),
        (url("milestone_create", pk=theirs.pk), {"title": "x"}),
        (url("milestone_toggle", pk=milestone.pk), {}),
        (url("milestone_delete", pk=milestone.pk), {}),
        (url("spend_delete", pk=spend.pk), {}),
        (url("initiative_unlink_goal", pk=link.pk), {}),
    ]
    for address, data in attempts:
        assert http.post(address, data).status_code == 404, address
    theirs.refresh_from_db()
    milestone.refresh_from_db()
    assert theirs.status == S.PROPOSED and not milestone.done
    assert SpendEntry.objects.count() == 1 and InitiativeGoal.objects.count() == 1


# --- garbage ---------------------------------------------------------------------------------

GARBAGE = ["", "x" * 5000, "-1", "1e999", "NaN", "2024-02-31", "<b>", "💥", "9" * 40, "acme"]
FIELDS = [
    "status",
    "goal",
    "contribution",
    "requires",
    "title",
    "due",
    "date",
    "amount",
    "kind",
    "note",
    "capex",
    "opex_per_year",
    "effort_days",
    "benefit",
    "start_quarter",
    "end_quarter",
    "owner",
    "percent_complete",
]


def test_garbage_in_any_initiative_form_is_refused_without_a_server_error(login, alice, acme):
    from django.test import Client as HttpClient

    from vcio.strategy.tests.factories import strategy_rows_for

    rows = strategy_rows_for(acme, "x")
    item = rows["initiative"]
    http = HttpClient(raise_request_exception=False)
    http.force_login(alice)
    addresses = [
        url("initiative_create"),
        url("initiative_update", pk=item.pk),
        url("initiative_transition", pk=item.pk),
        url("initiative_link_goal", pk=item.pk),
        url("initiative_require", pk=item.pk),
        url("initiative_unrequire", pk=item.pk),
        url("milestone_create", pk=item.pk),
        url("spend_create", pk=item.pk),
    ]
    errors = []
    for address in addresses:
        for value in GARBAGE:
            r = http.post(address, {f: value for f in FIELDS})
            if r.status_code >= 500:
                errors.append(f"{address} all={value[:10]!r}: {r.status_code}")
        r = http.get(url("initiative_list") + "?status=x&goal=9999999999999999999999&ordering=💥")
        assert r.status_code == 200
    assert errors == []
