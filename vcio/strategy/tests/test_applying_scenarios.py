"""Applying a scenario: the moves are shown first, confirmed, and can be undone;
work the client agreed to moves only when the consultant says so, work under way never."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from vcio.core.fiscal import quarter_of
from vcio.strategy.models import Initiative, Scenario
from vcio.strategy.tests.factories import InitiativeFactory

CAPS = {"name": "Base", "horizon": "4", "capex_per_quarter": "", "effort_per_quarter": ""}


def url(name: str, *args) -> str:
    return reverse(f"strategy:{name}", args=["acme", *args])


def messages_of(response) -> list[str]:
    found = re.findall(r'<li class="(?:success|warning|error|info)">(.*?)</li>', response.text)
    return [html.unescape(m) for m in found]


def placed(title: str) -> tuple:
    i = Initiative.objects.get(title=title)
    return i.start_quarter, i.status


@pytest.fixture
def world(acme):
    month = acme.fiscal_year_start_month
    now = quarter_of(timezone.localdate(), month)
    # Agreed by the client for two quarters from now; with no caps the plan wants it now.
    InitiativeFactory(
        client=acme, title="Firewall", status="approved", start_quarter=now.shift(2).start
    )
    # Started last quarter: the plan pins it to the horizon's first quarter.
    InitiativeFactory(
        client=acme,
        title="Backups",
        status="in_progress",
        start_quarter=now.shift(-1).start,
        end_quarter=now.start,
    )
    InitiativeFactory(client=acme, title="Laptops", status="proposed")
    return now


def test_the_moves_are_shown_first_and_nothing_moves_without_confirming(client, bob, acme, world):
    now = world
    client.force_login(bob)
    client.post(url("roadmap_optimise"), CAPS)
    scenario = Scenario.objects.get()
    detail = client.get(url("scenario_detail", scenario.pk)).text
    assert f'href="{url("scenario_apply", scenario.pk)}" role="button"' in detail

    preview = html.unescape(client.get(url("scenario_apply", scenario.pk)).text)
    moves = preview.split('id="moves"')[1].split("</table>")[0]
    assert "Laptops" in moves and f"not scheduled</td><td>{now.label}" in moves
    agreed = preview.split('id="agreed"')[1].split("</table>")[0]
    assert "Firewall" in agreed and f"{now.shift(2).label}</td><td>{now.label}" in agreed
    assert 'name="move_agreed"' in preview
    under_way = preview.split('id="under-way"')[1].split("</ul>")[0]
    assert f"Backups: stays {now.shift(-1).label}–{now.label}" in under_way

    before = {t: placed(t) for t in ("Firewall", "Backups", "Laptops")}
    unconfirmed = client.post(url("scenario_apply", scenario.pk))
    assert unconfirmed.status_code == 302 and unconfirmed.url == url("scenario_apply", scenario.pk)
    assert {t: placed(t) for t in before} == before
    scenario.refresh_from_db()
    assert scenario.applied_at is None


def test_agreed_and_under_way_work_is_kept_unless_agreed_moves_are_ticked_and_undo_restores(
    client, bob, acme, world
):
    now = world
    client.force_login(bob)
    client.post(url("roadmap_optimise"), CAPS)
    scenario = Scenario.objects.get()

    r = client.post(url("scenario_apply", scenario.pk), {"confirm": "1"}, follow=True)
    assert (
        "Scenario “Base” applied: 1 initiative moved. Kept where they are: Backups, Firewall."
        in messages_of(r)
    )
    assert placed("Laptops") == (now.start, "proposed")
    assert placed("Firewall") == (now.shift(2).start, "approved")
    assert placed("Backups") == (now.shift(-1).start, "in_progress")

    roadmap = html.unescape(client.get(url("roadmap")).text)
    assert "Undo applying “Base”" in roadmap
    r = client.post(url("scenario_undo", scenario.pk), follow=True)
    assert "Undone “Base”: 1 initiative back where they were." in messages_of(r)
    assert placed("Laptops") == (None, "proposed")
    scenario.refresh_from_db()
    assert scenario.applied_at is None and "Undo applying" not in r.text

    r = client.post(
        url("scenario_apply", scenario.pk), {"confirm": "1", "move_agreed": "1"}, follow=True
    )
    assert "Scenario “Base” applied: 2 initiatives moved. Kept where they are: Backups." in (
        messages_of(r)
    )
    assert placed("Firewall") == (now.start, "scheduled")
    assert placed("Backups") == (now.shift(-1).start, "in_progress")

    # Moved on the board since: undo leaves it and says so.
    Initiative.objects.filter(title="Laptops").update(start_quarter=now.shift(1).start)
    r = client.post(url("scenario_undo", scenario.pk), follow=True)
    assert (
        "Undone “Base”: 1 initiative back where they were. "
        "Changed since, so left as they are: Laptops." in messages_of(r)
    )
    assert placed("Firewall") == (now.shift(2).start, "approved")
    assert placed("Laptops") == (now.shift(1).start, "proposed")


def test_undo_of_a_scenario_not_applied_is_refused(client, bob, acme, world):
    client.force_login(bob)
    client.post(url("roadmap_optimise"), CAPS)
    scenario = Scenario.objects.get()
    r = client.post(url("scenario_undo", scenario.pk))
    assert r.status_code == 400 and "is not applied: nothing to undo" in html.unescape(r.text)


def test_an_executive_can_neither_preview_nor_apply(client, bob, carol, acme, world):
    client.force_login(bob)
    client.post(url("roadmap_optimise"), CAPS)
    scenario = Scenario.objects.get()
    client.force_login(carol)
    assert client.get(url("scenario_apply", scenario.pk)).status_code == 403
    assert client.post(url("scenario_apply", scenario.pk), {"confirm": "1"}).status_code == 403
    assert client.post(url("scenario_undo", scenario.pk)).status_code == 403


def test_scenario_pages_keep_the_roadmap_tab_marked(client, bob, acme, world):
    client.force_login(bob)
    client.post(url("roadmap_optimise"), CAPS)
    scenario = Scenario.objects.get()
    for page in ("scenario_detail", "scenario_apply"):
        tabs = client.get(url(page, scenario.pk)).context["client_tabs"]
        assert [t["label"] for t in tabs if t["current"]] == ["Roadmap"], page
