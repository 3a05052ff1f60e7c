"""The initiative list, page and form, as a consultant and an executive see them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from vcio.core.models import AuditEvent
from vcio.core.tests.factories import ContactFactory
from vcio.strategy.forms.initiatives import offered_quarters
from vcio.strategy.models import Initiative, InitiativeGoal, InitiativeStatus
from vcio.strategy.tests.factories import GoalFactory, InitiativeFactory

pytestmark = pytest.mark.django_db


def url(name: str, client_slug: str = "acme", **kwargs) -> str:
    return reverse(f"strategy:{name}", kwargs={"client": client_slug, **kwargs})


def form_data(**changes) -> dict:
    data = {
        "title": "Replace the firewall",
        "description": "",
        "category": "security",
        "capex": "12000",
        "opex_per_year": "1500",
        "effort_days": "4",
        "benefit": "3",
        "risk_reduction": "5",
        "urgency": "4",
        "due_date": "",
        "owner": "",
        "start_quarter": "",
        "end_quarter": "",
        "alternative_group": "",
        "percent_complete": "0",
    }
    data.update(changes)
    return data


def test_consultant_creates_an_initiative_with_quarters_and_sees_it_ranked(login, bob, acme):
    acme.fiscal_year_start_month = 7
    acme.save()
    quarters = offered_quarters(acme)
    start, end = quarters[5], quarters[6]
    http = login(bob)
    form = http.get(url("initiative_create"))
    assert form.status_code == 200
    assert (
        f'<option value="{start.start.isoformat()}">{start.label}</option>' in form.content.decode()
    )

    r = http.post(
        url("initiative_create"),
        form_data(start_quarter=start.start.isoformat(), end_quarter=end.start.isoformat()),
    )
    initiative = Initiative.objects.get(title="Replace the firewall")
    assert r.status_code == 302 and r["Location"] == url("initiative_detail", pk=initiative.pk)
    assert initiative.client == acme and initiative.start_quarter == start.start
    assert AuditEvent.objects.filter(action="create", object_id=str(initiative.pk)).exists()

    page = http.get(url("initiative_list")).content.decode()
    assert "Replace the firewall" in page
    assert f"{start.label} – {end.label}" in page
    assert start.label.startswith("FY") and "Q" in start.label
    assert (
        "score-breakdown" in page and "Alignment" in page and "Linked to no business goal." in page
    )
    assert "$12,000" in page and "$1,500" in page


def test_list_is_ranked_by_score_and_sorts_by_other_columns(login, bob, acme):
    goal = GoalFactory(client=acme, title="Keep the plant running", priority=4)
    best = InitiativeFactory(client=acme, title="Backups", capex=Decimal("100"), risk_reduction=5)
    InitiativeGoal.objects.create(initiative=best, goal=goal, contribution=100)
    InitiativeFactory(client=acme, title="Art for the lobby", capex=Decimal("50000"), benefit=1)
    http = login(bob)
    page = http.get(url("initiative_list")).content.decode()
    assert page.index("Backups") < page.index("Art for the lobby")
    assert "Keep the plant running (100 %)" in page
    by_capex = http.get(url("initiative_list") + "?ordering=-capex").content.decode()
    assert by_capex.index("Art for the lobby") < by_capex.index("Backups")


def test_filters_narrow_the_rows_and_the_totals(login, bob, acme):
    goal = GoalFactory(client=acme, title="Pass the audit")
    audit_item = InitiativeFactory(
        client=acme, title="MFA everywhere", category="security", capex=Decimal("2000")
    )
    InitiativeGoal.objects.create(initiative=audit_item, goal=goal, contribution=50)
    InitiativeFactory(
        client=acme,
        title="Old project",
        category="lifecycle",
        capex=Decimal("3000"),
        status=InitiativeStatus.DONE,
    )
    http = login(bob)
    everything = http.get(url("initiative_list")).content.decode()
    assert "Total of 2 initiatives" in everything and "$5,000" in everything

    for query in ("?status=proposed", "?category=security", f"?goal={goal.pk}", "?open=on"):
        page = http.get(url("initiative_list") + query).content.decode()
        assert "MFA everywhere" in page and "Old project" not in page, query
        assert "Total of 1 initiative shown" in page and "$2,000" in page


def test_quarters_are_labelled_in_the_clients_fiscal_year(login, bob, acme):
    import datetime

    acme.fiscal_year_start_month = 7  # FY2027 runs July 2026 to June 2027
    acme.save()
    InitiativeFactory(
        client=acme,
        title="Phones",
        start_quarter=datetime.date(2026, 7, 1),
        end_quarter=datetime.date(2027, 4, 1),
    )
    page = login(bob).get(url("initiative_list")).content.decode()
    assert "FY2027 Q1 – FY2027 Q4" in page


def test_the_filtered_list_downloads_as_csv(login, bob, acme):
    InitiativeFactory(client=acme, title="=cmd|' /C calc'!A0", category="security")
    InitiativeFactory(client=acme, title="Printers", category="lifecycle")
    r = login(bob).get(url("initiative_export") + "?category=security")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    lines = r.content.decode().splitlines()
    assert lines[0].startswith("title,category,status,score,capex")
    assert len(lines) == 2 and lines[1].startswith("'=cmd")  # a formula stays text


def test_list_shows_the_planning_markers(login, bob, acme):
    InitiativeFactory(
        client=acme, title="Pick one", mandatory=True, locked=True, alternative_group="firewall"
    )
    page = login(bob).get(url("initiative_list")).content.decode()
    assert "mandatory" in page and "locked" in page and "alternative: firewall" in page


def _rows(acme, n: int) -> None:
    goal = GoalFactory(client=acme)
    previous = None
    for _ in range(n):
        item = InitiativeFactory(client=acme, owner=ContactFactory(client=acme))
        InitiativeGoal.objects.create(initiative=item, goal=goal, contribution=30)
        if previous is not None:
            item.requires.add(previous)
        previous = item


def test_the_list_costs_the_same_queries_for_2_or_20_initiatives(
    login, bob, acme, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    http = login(bob)
    _rows(acme, 2)
    http.get(url("initiative_list"))  # warm the session and caches
    with CaptureQueriesContext(connection) as two:
        assert http.get(url("initiative_list") + "?open=on").status_code == 200
    _rows(acme, 18)
    with django_assert_num_queries(len(two)):
        page = http.get(url("initiative_list") + "?open=on")
    assert "Total of 20 initiatives" in page.content.decode()


def test_the_page_shows_everything_about_one_initiative(login, bob, acme):
    goal = GoalFactory(client=acme, title="Grow sales")
    item = InitiativeFactory(
        client=acme,
        title="CRM rollout",
        evidence_url="https://vendor.test/eol",
        evidence={"asset": "SRV-01", "end_of_support": "2025-10-14", "count": 3},
    )
    InitiativeGoal.objects.create(initiative=item, goal=goal, contribution=70)
    page = login(bob).get(url("initiative_detail", pk=item.pk)).content.decode()
    assert "CRM rollout" in page
    assert 'href="https://vendor.test/eol"' in page
    assert "<dt>End of support</dt><dd>2025-10-14</dd>" in page and "<dd>3</dd>" in page
    assert "Grow sales: 70 %" in page
    assert "Contributes 70 % of “Grow sales”" in page  # the score's explanation
    assert "Mark approved" not in page  # a consultant cannot approve
    assert "Approval is the client's decision" in page
    assert "Mark declined" in page and "Mark deferred" in page


def test_a_javascript_evidence_link_is_not_a_link(login, bob, acme):
    item = InitiativeFactory(client=acme, evidence_url="javascript:alert(1)")
    page = login(bob).get(url("initiative_detail", pk=item.pk)).content.decode()
    assert "javascript:alert" not in page


def test_negative_capex_is_refused_naming_the_field(login, bob, acme):
    r = login(bob).post(url("initiative_create"), form_data(capex="-5"))
    assert r.status_code == 400
    assert "One-time cost (capex) cannot be negative." in r.content.decode()
    assert not Initiative.objects.exists()


def test_end_before_start_is_refused_naming_both_quarters(login, bob, acme):
    quarters = offered_quarters(acme)
    r = login(bob).post(
        url("initiative_create"),
        form_data(
            start_quarter=quarters[6].start.isoformat(), end_quarter=quarters[5].start.isoformat()
        ),
    )
    assert r.status_code == 400
    text = r.content.decode()
    assert f"The end quarter ({quarters[5].label}) is before the start quarter" in text
    assert not Initiative.objects.exists()


def test_a_quarter_outside_the_offered_ones_is_refused(login, bob, acme):
    r = login(bob).post(url("initiative_create"), form_data(start_quarter="2026-02-31"))
    assert r.status_code == 400
    assert "“2026-02-31” is not one of the offered quarters" in r.content.decode()


def test_the_owner_must_be_one_of_the_clients_contacts(login, bob, acme, globex):
    stranger = globex.contacts.first()
    r = login(bob).post(url("initiative_create"), form_data(owner=str(stranger.pk)))
    assert r.status_code == 400 and "Choose one of Acme Corp" in r.content.decode()
    assert not Initiative.objects.exists()


def test_editing_keeps_a_stored_quarter_outside_the_window(login, bob, acme):
    import datetime

    item = InitiativeFactory(client=acme, title="Old", start_quarter=datetime.date(2019, 1, 1))
    http = login(bob)
    assert "FY2019 Q1" in http.get(url("initiative_update", pk=item.pk)).content.decode()
    r = http.post(
        url("initiative_update", pk=item.pk), form_data(title="Renamed", start_quarter="2019-01-01")
    )
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.title == "Renamed" and item.start_quarter == datetime.date(2019, 1, 1)


def test_executive_sees_but_cannot_edit(login, carol, acme):
    item = InitiativeFactory(client=acme, title="Wi-Fi upgrade")
    http = login(carol)
    assert "Wi-Fi upgrade" in http.get(url("initiative_list")).content.decode()
    page = http.get(url("initiative_detail", pk=item.pk)).content.decode()
    assert "Mark approved" in page and "Add milestone" not in page
    r = http.post(url("initiative_update", pk=item.pk), form_data(title="Changed"))
    assert r.status_code == 403
    assert http.post(url("initiative_create"), form_data()).status_code == 403
    item.refresh_from_db()
    assert item.title == "Wi-Fi upgrade"


def test_consultant_deletes_an_initiative(login, bob, acme):
    item = InitiativeFactory(client=acme, title="Drop me")
    r = login(bob).post(url("initiative_delete", pk=item.pk))
    assert r.status_code == 302 and r["Location"] == url("initiative_list")
    assert not Initiative.objects.filter(pk=item.pk).exists()
    assert AuditEvent.objects.filter(action="delete", object_repr="Drop me").exists()


def test_another_clients_initiative_is_not_found(login, bob, acme, globex):
    theirs = InitiativeFactory(client=globex, title="Globex secret")
    http = login(bob)
    assert http.get(url("initiative_detail", pk=theirs.pk)).status_code == 404
    assert http.get(url("initiative_update", pk=theirs.pk)).status_code == 404
    assert http.get(url("initiative_detail", "globex", pk=theirs.pk)).status_code == 404
    assert "Globex secret" not in http.get(url("initiative_list")).content.decode()


def test_the_page_costs_the_same_queries_however_much_it_holds(
    login, bob, acme, django_assert_num_queries
):
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from vcio.strategy.models import Milestone, SpendEntry

    item = InitiativeFactory(client=acme)
    http = login(bob)

    def add(n: int) -> None:
        for _ in range(n):
            goal = GoalFactory(client=acme)
            InitiativeGoal.objects.create(initiative=item, goal=goal, contribution=10)
            other = InitiativeFactory(client=acme)
            item.requires.add(other)
            Milestone.objects.create(initiative=item, title="step")
            SpendEntry.objects.create(initiative=item, date=datetime.date(2026, 1, 1), amount=1)

    add(2)
    http.get(url("initiative_detail", pk=item.pk))
    with CaptureQueriesContext(connection) as few:
        http.get(url("initiative_detail", pk=item.pk))
    add(18)
    with django_assert_num_queries(len(few)):
        page = http.get(url("initiative_detail", pk=item.pk))
    assert "0 of 20 milestones done" in page.content.decode()
