"""The roadmap, scenario and budget pages as a consultant and an executive see them."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from vcio.strategy.models import Initiative, InitiativeStatus, Scenario
from vcio.strategy.planning import horizon_quarters
from vcio.strategy.tests.factories import InitiativeFactory

S = InitiativeStatus


def url(name: str, *args) -> str:
    return reverse(f"strategy:{name}", args=["acme", *args])


def quarters(client):
    return horizon_quarters(client, 8, timezone.localdate())


def messages_of(response) -> list[str]:
    return re.findall(r'<li class="(?:success|warning|error|info)">(.*?)</li>', response.text)


CAPS = {"name": "Base", "horizon": "4", "capex_per_quarter": "10000", "effort_per_quarter": ""}


@pytest.fixture
def portfolio(acme):
    """Four initiatives: one too big for the cap, a dependency pair, an approved item."""
    switches = InitiativeFactory(client=acme, title="Core switches", capex=Decimal("6000"))
    segment = InitiativeFactory(client=acme, title="Segment the network", capex=Decimal("3000"))
    segment.requires.add(switches)
    InitiativeFactory(client=acme, title="Data centre", capex=Decimal("50000"))
    InitiativeFactory(client=acme, title="MFA", capex=Decimal("2000"), status=S.APPROVED)
    return acme


@pytest.mark.django_db
class TestOptimising:
    def test_a_consultant_optimises_and_sees_the_plan_with_reasons(self, client, bob, portfolio):
        client.force_login(bob)
        r = client.post(url("roadmap_optimise"), CAPS, follow=True)
        assert r.status_code == 200
        assert "Scenario “Base” computed and saved." in messages_of(r)
        assert "proven optimal" in r.text
        chosen = r.text.split('id="chosen"')[1].split("</table>")[0]
        assert "Core switches" in chosen and "MFA" in chosen
        left_out = r.text.split('id="left-out"')[1].split("</table>")[0]
        assert "Data centre" in left_out and "capex cap" in left_out

    def test_bad_caps_are_refused_naming_the_field_and_nothing_is_saved(self, client, bob, acme):
        client.force_login(bob)
        r = client.post(url("roadmap_optimise"), {**CAPS, "capex_per_quarter": "-5"})
        assert r.status_code == 400
        assert "Ensure this value is greater than or equal to 0" in r.text
        r = client.post(url("roadmap_optimise"), {**CAPS, "horizon": "99"})
        assert r.status_code == 400 and "less than or equal to 40" in r.text
        assert not Scenario.objects.exists()

    def test_caps_too_small_for_mandatory_items_are_explained(self, client, bob, portfolio):
        client.force_login(bob)
        r = client.post(url("roadmap_optimise"), {**CAPS, "capex_per_quarter": "100"})
        assert r.status_code == 400
        assert "Mandatory item &#x27;MFA&#x27;" in r.text or "Mandatory item 'MFA'" in r.text
        assert not Scenario.objects.exists()

    def test_a_locked_item_outside_the_horizon_is_explained(self, client, bob, acme):
        late = quarters(acme)[6]
        InitiativeFactory(client=acme, title="Pinned", locked=True, start_quarter=late.start)
        client.force_login(bob)
        r = client.post(url("roadmap_optimise"), CAPS)
        assert r.status_code == 400
        assert f"is locked to {late.label}, outside the horizon" in r.text

    def test_an_executive_reads_but_cannot_optimise(self, client, carol, portfolio):
        client.force_login(carol)
        r = client.get(url("roadmap"))
        assert r.status_code == 200 and "Optimise a roadmap" not in r.text
        assert client.post(url("roadmap_optimise"), CAPS).status_code == 403
        assert not Scenario.objects.exists()


@pytest.mark.django_db
class TestScenarios:
    def test_apply_puts_the_plan_on_the_board_and_timeline(self, client, bob, portfolio):
        client.force_login(bob)
        client.post(url("roadmap_optimise"), CAPS)
        scenario = Scenario.objects.get()
        r = client.post(url("scenario_apply", scenario.pk), {"confirm": "1"}, follow=True)
        assert any("Scenario “Base” applied" in m for m in messages_of(r))
        first, second = quarters(portfolio)[:2]
        columns = dict(re.findall(r'data-quarter="([^"]+)"(.*?)</section>', r.text, re.S))
        assert "Core switches" in columns[first.label] and "MFA" in columns[first.label]
        assert "Segment the network" in columns[second.label]
        assert "Data centre" in columns["unscheduled"]
        assert "<svg" in r.text and "Roadmap of Acme Corp" in r.text
        mfa = Initiative.objects.get(title="MFA")
        assert mfa.status == S.SCHEDULED and mfa.start_quarter == first.start

    def test_a_budget_variant_is_computed_and_compared(self, client, bob, portfolio):
        client.force_login(bob)
        client.post(url("roadmap_optimise"), CAPS)
        base = Scenario.objects.get()
        r = client.post(url("scenario_variant", base.pk), {"percent": "500"}, follow=True)
        assert r.status_code == 200
        assert "“Base” and “Base (budget +500 %)”" in r.text
        moves = r.text.split('id="moves"')[1].split("</table>")[0]
        assert "Data centre" in moves and "not in plan" in moves

    def test_a_bad_variant_or_comparison_is_refused(self, client, bob, portfolio):
        client.force_login(bob)
        client.post(url("roadmap_optimise"), CAPS)
        base = Scenario.objects.get()
        r = client.post(url("scenario_variant", base.pk), {"percent": "abc"})
        assert r.status_code == 400 and "Enter a whole number" in r.text
        r = client.get(url("scenario_compare") + f"?a={base.pk}&b=999999")
        assert r.status_code == 400 and "No scenario 999999" in r.text
        assert Scenario.objects.count() == 1


@pytest.mark.django_db
class TestMoving:
    def test_a_move_is_saved_locked_and_warns_of_a_dependency(self, client, bob, portfolio):
        client.force_login(bob)
        first, second = quarters(portfolio)[:2]
        switches = Initiative.objects.get(title="Core switches")
        switches.start_quarter = second.start
        switches.save()
        segment = Initiative.objects.get(title="Segment the network")
        r = client.post(
            url("roadmap_move", segment.pk), {"quarter": first.start.isoformat()}, follow=True
        )
        shown = messages_of(r)
        assert f"“Segment the network” moved to {first.label} and locked there." in shown[0]
        assert "requires “Core switches”" in shown[1]
        segment.refresh_from_db()
        assert segment.start_quarter == first.start and segment.locked

    def test_a_quarter_outside_the_roadmap_is_refused(self, client, bob, portfolio):
        client.force_login(bob)
        segment = Initiative.objects.get(title="Segment the network")
        r = client.post(url("roadmap_move", segment.pk), {"quarter": "1999-01-01"})
        assert r.status_code == 400 and "Select a valid choice" in r.text
        segment.refresh_from_db()
        assert segment.start_quarter is None

    def test_an_executive_cannot_move(self, client, carol, portfolio):
        client.force_login(carol)
        segment = Initiative.objects.get(title="Segment the network")
        first = quarters(portfolio)[0]
        assert (
            client.post(url("roadmap_move", segment.pk), {"quarter": first.start}).status_code
            == 403
        )


@pytest.mark.django_db
def test_the_roadmap_page_runs_a_fixed_number_of_queries(
    client, bob, acme, django_assert_num_queries
):
    client.force_login(bob)
    first = quarters(acme)[0]

    def add(n: int) -> None:
        for i in range(n):
            a = InitiativeFactory(client=acme, title=f"Item {i}", start_quarter=first.start)
            b = InitiativeFactory(client=acme, title=f"Next {i}")
            b.requires.add(a)

    add(2)
    client.get(url("roadmap"))  # warm caches (content types, sessions)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url("roadmap")).status_code == 200
    add(10)
    with django_assert_num_queries(len(small)):
        client.get(url("roadmap"))


@pytest.mark.django_db
class TestBudgetPage:
    def test_the_budget_shows_plan_committed_and_exports(self, client, carol, acme):
        acme.monthly_fee = Decimal("2000")
        acme.save()
        first = quarters(acme)[0]
        InitiativeFactory(client=acme, title="Firewall", capex=Decimal("8000"),
                          start_quarter=first.start)  # fmt: skip
        client.force_login(carol)  # executives read the budget
        r = client.get(url("budget"))
        assert r.status_code == 200
        assert "$6,000" in r.text  # a quarter of the practice's fee
        assert "Firewall" in r.text.split('id="initiative-budget"')[1]
        csv_text = client.get(url("budget_csv")).content.decode()
        assert "Firewall" not in csv_text and "8000.00" in csv_text
        book = load_workbook(io.BytesIO(client.get(url("budget_xlsx")).getvalue()))
        assert book.active["A2"].value == "Period"

    def test_a_bad_year_is_refused_naming_the_field(self, client, bob, acme):
        client.force_login(bob)
        r = client.get(url("budget") + "?year=abc")
        assert r.status_code == 400 and "Enter a whole number" in r.text
        r = client.get(url("budget_csv") + "?years=9")
        assert r.status_code == 400 and "years" in r.content.decode()
