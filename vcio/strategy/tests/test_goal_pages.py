"""The goal pages: goals with KPIs against their targets, live figures, recorded values."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vcio.core.models import AuditEvent, Contact
from vcio.core.registry import Figure, figures
from vcio.strategy.models import BusinessGoal, InitiativeGoal, Kpi, KpiValue
from vcio.strategy.tests.factories import GoalFactory, InitiativeFactory, KpiFactory

LIVE = "test.patched_pct"


@pytest.fixture
def live_figure(monkeypatch, acme, globex) -> list[list[int]]:
    """A live figure: 87.5 % of Acme's devices patched, 10 % of Globex's; records its calls."""
    calls: list[list[int]] = []

    def compute(client_ids: list[int], at=None) -> dict[int, float | None]:
        calls.append(list(client_ids))
        return {acme.pk: 87.5, globex.pk: 10.0}

    monkeypatch.setattr(figures, "_items", dict(figures._items))
    figures.register(Figure(LIVE, "Devices patched", compute, unit="%", app="test"))
    return calls


def url(name: str, client: str = "acme", pk: int | None = None) -> str:
    path = {
        "goal_list": "goals/",
        "goal_create": "goals/new/",
        "goal_detail": f"goals/{pk}/",
        "goal_update": f"goals/{pk}/edit/",
        "goal_delete": f"goals/{pk}/delete/",
        "kpi_create": f"goals/{pk}/kpis/new/",
        "kpi_update": f"kpis/{pk}/edit/",
        "kpi_delete": f"kpis/{pk}/delete/",
        "kpi_record": f"kpis/{pk}/record/",
    }[name]
    return f"/clients/{client}/{path}"


def text(response) -> str:
    return response.content.decode()


def test_consultant_creates_a_goal_and_a_live_kpi_and_sees_its_value(login, bob, acme, live_figure):
    http = login(bob)
    ann = Contact.objects.get(client=acme)
    page = http.get(url("goal_create"))
    assert page.status_code == 200 and ann.first_name in text(page)

    response = http.post(
        url("goal_create"),
        {"title": "Keep every device patched", "owner": ann.pk, "priority": 3, "status": "active"},
    )
    goal = BusinessGoal.objects.get(client=acme, title="Keep every device patched")
    assert response.status_code == 302 and response.url == url("goal_detail", pk=goal.pk)
    assert goal.owner == ann

    form = http.get(url("kpi_create", pk=goal.pk))
    assert "Devices patched (%)" in text(form)  # the live figures, labelled with their unit
    response = http.post(
        url("kpi_create", pk=goal.pk),
        {
            "name": "Patched devices",
            "figure_key": LIVE,
            "baseline": "60",
            "target": "95",
            "direction": "higher",
        },
    )
    assert response.status_code == 302
    kpi = Kpi.objects.get(goal=goal)
    assert (kpi.figure_key, kpi.unit) == (LIVE, "%")  # the figure's unit by default
    assert AuditEvent.objects.filter(object_repr="Patched devices", action="create").exists()

    listing = text(http.get(url("goal_list")))
    assert "Keep every device patched" in listing
    assert "87.5 %" in listing and "95 %" in listing
    assert "live" in listing and "Devices patched" in listing
    assert 'value="79"' in listing  # (87.5 − 60) / (95 − 60) of the way: 79 %
    assert "High priority" in listing and ann.first_name in listing

    detail = text(http.get(url("goal_detail", pk=goal.pk)))
    assert "<svg" in detail and 'role="img"' in detail
    assert "Live figure (now)" in detail and "Target 95 %" in detail


def test_recording_a_value_of_an_entered_kpi_shows_it_in_the_table(login, bob, acme):
    http = login(bob)
    kpi = KpiFactory(goal=GoalFactory(client=acme), name="Days to onboard", unit="days")
    response = http.post(url("kpi_record", pk=kpi.pk), {"at": "2026-01-15", "value": "4.5"})

    assert response.status_code == 302 and response.url == url("goal_detail", pk=kpi.goal_id)
    row = KpiValue.objects.get(kpi=kpi)
    assert (row.at, row.value, row.source) == (
        datetime.date(2026, 1, 15),
        Decimal("4.5"),
        "entered",
    )
    assert AuditEvent.objects.filter(action="create", object_id=str(row.pk)).exists()
    detail = text(http.get(response.url))
    assert "2026-01-15" in detail and "4.5 days" in detail
    assert "Days to onboard: 4.5 days recorded for 2026-01-15." in detail

    # Today's value by default on the form; a second entry the same day corrects it.
    assert timezone.localdate().isoformat() in text(http.get(url("kpi_record", pk=kpi.pk)))
    http.post(url("kpi_record", pk=kpi.pk), {"at": "2026-01-15", "value": "5"})
    assert KpiValue.objects.get(kpi=kpi).value == Decimal("5")


def test_the_executive_sees_everything_but_cannot_change_anything(login, carol, acme):
    goal = GoalFactory(client=acme, title="Cut downtime")
    kpi = KpiFactory(goal=goal, name="Hours down", entered_value=Decimal("12"))
    http = login(carol)

    listing = text(http.get(url("goal_list")))
    assert "Cut downtime" in listing and "Hours down" in listing and "New goal" not in listing
    detail = http.get(url("goal_detail", pk=goal.pk))
    assert detail.status_code == 200
    assert "Edit KPI" not in text(detail) and "Record" not in text(detail)

    writes = [
        (url("goal_create"), {"title": "Mine"}),
        (url("goal_update", pk=goal.pk), {"title": "Renamed", "priority": 2, "status": "active"}),
        (url("goal_delete", pk=goal.pk), {}),
        (url("kpi_create", pk=goal.pk), {"name": "Extra", "direction": "higher"}),
        (url("kpi_update", pk=kpi.pk), {"name": "Renamed", "direction": "higher"}),
        (url("kpi_delete", pk=kpi.pk), {}),
        (url("kpi_record", pk=kpi.pk), {"at": "2026-01-01", "value": "1"}),
    ]
    for address, data in writes:
        assert http.post(address, data).status_code == 403, address
    assert list(BusinessGoal.objects.values_list("title", flat=True)) == ["Cut downtime"]
    assert list(Kpi.objects.values_list("name", flat=True)) == ["Hours down"]
    assert not KpiValue.objects.exists()


def test_another_clients_goal_and_kpis_are_not_found(login, bob, gina, acme, globex):
    theirs = GoalFactory(client=globex, title="Globex secret goal")
    their_kpi = KpiFactory(goal=theirs)
    http = login(bob)
    for address in (
        url("goal_detail", pk=theirs.pk),
        url("goal_update", pk=theirs.pk),
        url("kpi_create", pk=theirs.pk),
        url("kpi_update", pk=their_kpi.pk),
        url("kpi_record", pk=their_kpi.pk),
    ):
        assert http.get(address).status_code == 404, address
    assert http.post(url("kpi_delete", pk=their_kpi.pk)).status_code == 404
    assert Kpi.objects.filter(pk=their_kpi.pk).exists()
    assert "Globex secret goal" not in text(http.get(url("goal_list")))
    # Through Globex's own address, bob reaches nothing at all.
    assert http.get(url("goal_detail", client="globex", pk=theirs.pk)).status_code == 404


def test_an_owner_from_another_client_is_refused_with_a_message(login, bob, acme, globex):
    gary = Contact.objects.get(client=globex)
    response = login(bob).post(
        url("goal_create"), {"title": "Borrowed owner", "owner": gary.pk, "priority": 2}
    )
    assert response.status_code == 400
    assert "Choose one of Acme Corp&#x27;s contacts." in text(response)
    assert not BusinessGoal.objects.filter(title="Borrowed owner").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"target": "lots"}, "Target: “lots” is not a number, e.g. 95 or 99.5."),
        ({"baseline": "1,5"}, "Baseline: “1,5” is not a number"),
        ({"figure_key": "nope.figure"}, "“nope.figure” is not a live figure"),
        ({"name": ""}, "This field is required."),
    ],
)
def test_bad_kpi_input_is_a_400_naming_the_value(login, bob, acme, live_figure, change, message):
    goal = GoalFactory(client=acme)
    data = {"name": "Uptime", "target": "99.9", "direction": "higher", **change}
    response = login(bob).post(url("kpi_create", pk=goal.pk), data)
    assert response.status_code == 400
    assert message in text(response).replace("&#x27;", "'")
    assert not Kpi.objects.exists()


def test_recording_a_value_for_a_kpi_read_from_a_live_figure_is_refused(
    login, bob, acme, live_figure
):
    kpi = KpiFactory(goal=GoalFactory(client=acme), name="Patched", figure_key=LIVE)
    http = login(bob)
    response = http.post(url("kpi_record", pk=kpi.pk), {"at": "2026-01-01", "value": "50"})
    assert response.status_code == 400
    assert "“Patched” is read from the live figure “Devices patched”" in text(response)
    assert not KpiValue.objects.exists()
    # The goal page offers no record form for it.
    assert url("kpi_record", pk=kpi.pk) not in text(http.get(url("goal_detail", pk=kpi.goal_id)))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"at": "2026-02-31", "value": "3"}, "“2026-02-31” is not a date: use YYYY-MM-DD."),
        ({"at": "2026-01-01", "value": "three"}, "Value: “three” is not a number"),
        ({"at": "2026-01-01", "value": ""}, "Give the value measured."),
        ({"at": "2999-01-01", "value": "3"}, "2999-01-01 is in the future"),
    ],
)
def test_bad_values_are_a_400_naming_the_field_and_nothing_is_saved(
    login, bob, acme, data, message
):
    kpi = KpiFactory(goal=GoalFactory(client=acme), entered_value=Decimal("1"))
    response = login(bob).post(url("kpi_record", pk=kpi.pk), data)
    assert response.status_code == 400 and message in text(response)
    assert not KpiValue.objects.exists()
    kpi.refresh_from_db()
    assert kpi.entered_value == Decimal("1")


def test_the_detail_page_lists_the_initiatives_serving_the_goal(login, carol, acme):
    goal = GoalFactory(client=acme, title="Grow online sales")
    shop = InitiativeFactory(client=acme, title="New web shop")
    InitiativeGoal.objects.create(initiative=shop, goal=goal, contribution=70)
    http = login(carol)
    detail = text(http.get(url("goal_detail", pk=goal.pk)))
    assert "New web shop" in detail and "70 %" in detail and "Proposed" in detail
    assert "1 initiative<" in text(http.get(url("goal_list")))


def test_the_list_filters_by_status(login, bob, acme):
    GoalFactory(client=acme, title="Still going", status="active")
    GoalFactory(client=acme, title="Done and dusted", status="achieved")
    page = text(login(bob).get(url("goal_list") + "?status=achieved"))
    assert "Done and dusted" in page and "Still going" not in page


def test_a_kpi_can_be_edited_and_deleted_and_goals_too(login, bob, acme):
    goal = GoalFactory(client=acme, title="Old title")
    kpi = KpiFactory(goal=goal, name="Old KPI")
    http = login(bob)
    response = http.post(
        url("kpi_update", pk=kpi.pk), {"name": "New KPI", "direction": "lower", "target": "2"}
    )
    assert response.status_code == 302 and response.url == url("goal_detail", pk=goal.pk)
    kpi.refresh_from_db()
    assert (kpi.name, kpi.direction, kpi.target) == ("New KPI", "lower", Decimal("2"))
    assert http.post(url("kpi_delete", pk=kpi.pk)).url == url("goal_detail", pk=goal.pk)
    assert not Kpi.objects.exists()
    http.post(
        url("goal_update", pk=goal.pk), {"title": "New title", "priority": 4, "status": "active"}
    )
    goal.refresh_from_db()
    assert goal.title == "New title"
    assert http.post(url("goal_delete", pk=goal.pk)).url == url("goal_list")
    assert not BusinessGoal.objects.exists()


def goals_with_kpis(client, count: int) -> None:
    for i in range(count):
        goal = GoalFactory(client=client, owner=Contact.objects.filter(client=client).first())
        KpiFactory(goal=goal, figure_key=LIVE, target=Decimal("95"), baseline=Decimal("50"))
        KpiFactory(goal=goal, entered_value=Decimal(i), target=Decimal("10"))
        link = InitiativeFactory(client=client)
        InitiativeGoal.objects.create(initiative=link, goal=goal, contribution=50)


def test_the_goal_list_runs_the_same_queries_for_2_or_12_goals(login, bob, acme, live_figure):
    http = login(bob)
    goals_with_kpis(acme, 2)
    http.get(url("goal_list"))  # warm up the session and the content types
    with CaptureQueriesContext(connection) as few:
        assert http.get(url("goal_list")).status_code == 200
    goals_with_kpis(acme, 10)
    with CaptureQueriesContext(connection) as many:
        page = http.get(url("goal_list"))
    assert text(page).count('class="goal"') == 12
    assert len(many) == len(few)
    # The live figure was computed once per page, for Acme alone.
    assert live_figure[-2:] == [[acme.pk], [acme.pk]]


def test_the_goal_page_runs_the_same_queries_for_2_or_8_kpis_with_history(
    login, bob, acme, live_figure
):
    goal = GoalFactory(client=acme)
    http = login(bob)

    def add_kpis(count: int) -> None:
        for i in range(count):
            kpi = KpiFactory(goal=goal, figure_key=LIVE if i % 2 else "", target=Decimal("90"))
            for month in range(1, 4):
                KpiValue.objects.create(kpi=kpi, at=datetime.date(2026, month, 1), value=month)
            link = InitiativeFactory(client=acme)
            InitiativeGoal.objects.create(initiative=link, goal=goal, contribution=10 * i)

    add_kpis(2)
    http.get(url("goal_detail", pk=goal.pk))
    with CaptureQueriesContext(connection) as few:
        http.get(url("goal_detail", pk=goal.pk))
    add_kpis(6)
    with CaptureQueriesContext(connection) as many:
        page = text(http.get(url("goal_detail", pk=goal.pk)))
    assert page.count("<svg") == 8
    assert len(many) == len(few)
