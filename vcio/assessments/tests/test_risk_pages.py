"""The risk register pages: what each person sees and may do under /clients/<client>/risks/."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from vcio.assessments.models import Answer, Risk
from vcio.assessments.tests.isolation import small_framework
from vcio.assessments.workflow import start
from vcio.core.models import AuditEvent
from vcio.strategy.tests.factories import InitiativeFactory

URL = "/clients/acme/risks/"


def cell(page: str, likelihood: int, impact: int) -> str:
    match = re.search(
        rf'data-likelihood="{likelihood}" data-impact="{impact}"[^>]*>([^<]*)</td>', page
    )
    assert match, (likelihood, impact)
    return match.group(1).strip()


def make(client, title: str, likelihood: int, impact: int, **extra) -> Risk:
    return Risk.objects.create(
        client=client, title=title, likelihood=likelihood, impact=impact, **extra
    )


def test_the_register_shows_the_matrix_and_the_risks_by_score(login, bob, acme):
    today = timezone.localdate()
    make(acme, "Phishing", 4, 3)
    make(acme, "Ransomware", 4, 5)
    make(acme, "Old laptops", 4, 3)
    make(
        acme, "No DR site", 2, 5, treatment="accept", accept_reason="cost",
        review_date=today - datetime.timedelta(days=1),
    )  # fmt: skip
    make(acme, "Gone", 5, 5, closed=True)
    page = login(bob).get(URL).content.decode()
    assert cell(page, 4, 3) == "2" and cell(page, 4, 5) == "1" and cell(page, 2, 5) == "1"
    assert cell(page, 5, 5) == ""  # closed risks leave the register
    listed = re.findall(r"<tr>\s*<td>([^<]+)", page.split('id="risks"')[1])
    assert [t.strip() for t in listed] == ["Ransomware", "Old laptops", "Phishing", "No DR site"]
    row = page.split("No DR site")[1].split("</tr>")[0]
    assert "review due" in row
    assert "review due" not in page.split("Ransomware")[1].split("</tr>")[0]
    closed = login(bob).get(URL, {"closed": "true"}).content.decode()
    assert "Gone" in closed and "Phishing" not in closed


def test_client_executives_read_their_register_and_other_clients_do_not(
    login, carol, dave, erin, acme
):
    make(acme, "Phishing", 4, 3)
    assert "Phishing" in login(carol).get(URL).content.decode()
    assert "Add a risk" not in login(carol).get(URL).content.decode()
    assert login(erin).get(URL).status_code == 200
    assert login(dave).get(URL).status_code == 404


@pytest.mark.parametrize("rows", [5, 25])
def test_the_register_runs_a_fixed_number_of_queries(
    login, bob, acme, rows, django_assert_max_num_queries
):
    initiative = InitiativeFactory(client=acme)
    for n in range(rows):
        make(acme, f"Risk {n}", 1 + n % 5, 1 + n // 5 % 5, treatment="mitigate",
             initiative=initiative)  # fmt: skip
    http = login(bob)
    with django_assert_max_num_queries(12):
        page = http.get(URL)
    assert page.content.decode().count("Treat</a>") == rows


def test_the_practice_adds_a_risk_and_a_client_editor_may_not(login, bob, erin, acme):
    form = {"title": "Shadow IT", "likelihood": "3", "impact": "4", "owner": "COO"}
    r = login(bob).post(f"{URL}new/", form)
    assert r.status_code == 302
    risk = Risk.objects.get(title="Shadow IT")
    assert (risk.client, risk.score, risk.owner) == (acme, 12, "COO")
    assert AuditEvent.objects.filter(action="create", object_id=str(risk.pk)).exists()
    page = login(erin).get(f"{URL}new/")
    assert page.status_code == 200 and "Only the practice" in page.content.decode()
    assert login(erin).post(f"{URL}new/", {**form, "title": "Erin's"}).status_code == 403
    assert not Risk.objects.filter(title="Erin's").exists()


def test_a_likelihood_out_of_range_is_named(login, bob, acme):
    r = login(bob).post(f"{URL}new/", {"title": "x", "likelihood": "7", "impact": "3"})
    assert r.status_code == 400
    errors = r.content.decode().split('id="id_likelihood-errors"')[1].split("</ul>")[0]
    assert "7 is not one of the available choices" in errors
    assert not Risk.objects.exists()


def test_editing_a_risk(login, bob, acme):
    risk = make(acme, "Phishing", 4, 3)
    form = {"title": "Phishing of finance", "likelihood": "5", "impact": "3", "owner": "CFO"}
    assert login(bob).post(f"{URL}{risk.pk}/edit/", form).status_code == 302
    risk.refresh_from_db()
    assert (risk.title, risk.score) == ("Phishing of finance", 15)
    event = AuditEvent.objects.get(action="update", object_id=str(risk.pk))
    assert event.changes["likelihood"] == [4, 5]


def test_the_executive_accepts_a_risk_with_a_reason_and_a_future_review(login, carol, acme):
    risk = make(acme, "No DR site", 2, 5)
    url = f"{URL}{risk.pk}/treat/"
    page = login(carol).get(url).content.decode()
    assert '<option value="accept"' in page and 'value="mitigate"' not in page
    future = (timezone.localdate() + datetime.timedelta(days=180)).isoformat()
    r = login(carol).post(url, {"treatment": "accept", "review_date": future})
    assert r.status_code == 400
    errors = r.content.decode().split('id="id_accept_reason-errors"')[1].split("</ul>")[0]
    assert "say why the client accepts this risk" in errors
    assert Risk.objects.get(pk=risk.pk).treatment == "open"
    past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    r = login(carol).post(
        url, {"treatment": "accept", "accept_reason": "cost", "review_date": past}
    )
    assert r.status_code == 400 and "is not in the future" in r.content.decode()
    r = login(carol).post(
        url, {"treatment": "accept", "accept_reason": "Too costly", "review_date": future}
    )
    assert r.status_code == 302
    risk.refresh_from_db()
    assert (risk.treatment, risk.accept_reason, risk.accepted_by) == ("accept", "Too costly", carol)


def test_a_technician_mitigates_but_may_not_accept(login, tess, carol, acme, globex):
    risk = make(acme, "Phishing", 4, 3)
    url = f"{URL}{risk.pk}/treat/"
    mine = InitiativeFactory(client=acme, title="Security awareness training")
    theirs = InitiativeFactory(client=globex, title="Globex secret project")
    page = login(tess).get(url).content.decode()
    assert "Security awareness training" in page and "Globex secret project" not in page
    assert '<option value="accept"' not in page
    future = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    accept = {"treatment": "accept", "accept_reason": "x", "review_date": future}
    assert login(tess).post(url, accept).status_code in (400, 403)
    r = login(tess).post(url, {"treatment": "mitigate", "initiative": theirs.pk})
    assert r.status_code == 400
    assert "Select a valid choice" in r.content.decode()
    assert Risk.objects.get(pk=risk.pk).treatment == "open"
    r = login(tess).post(url, {"treatment": "mitigate"})
    assert r.status_code == 400 and "name the initiative" in r.content.decode()
    r = login(tess).post(url, {"treatment": "mitigate", "initiative": mine.pk})
    assert r.status_code == 302
    assert Risk.objects.get(pk=risk.pk).initiative == mine
    # The executive decides acceptance but does not do the practice's work.
    assert login(carol).post(url, {"treatment": "transfer", "transferred_to": "x"}).status_code in (
        400,
        403,
    )
    assert Risk.objects.get(pk=risk.pk).treatment == "mitigate"


@pytest.fixture
def answer(acme, bob) -> Answer:
    assessment = start(acme, small_framework(), bob)
    answer = Answer.objects.get(assessment=assessment, item__ref="T-01")
    answer.status = "not_aligned"
    answer.save()
    return answer


def test_raising_a_risk_from_an_item_once(login, bob, answer):
    url = f"{URL}from-answer/{answer.pk}/"
    r = login(bob).post(url)
    risk = Risk.objects.get()
    assert r.status_code == 302 and r["Location"] == f"{URL}{risk.pk}/treat/"
    assert (risk.item_ref, risk.score) == ("T-01", 16)
    back = f"/clients/acme/assessments/{answer.assessment_id}/"
    r = login(bob).post(url, {"next": back})
    assert r.status_code == 302 and r["Location"] == back
    assert Risk.objects.count() == 1
    r = login(bob).post(url, {"next": "https://evil.example/"})
    assert r["Location"] == f"{URL}{risk.pk}/treat/"


def test_raising_from_an_aligned_item_says_why_and_saves_nothing(login, bob, answer):
    answer.status = "aligned"
    answer.save()
    r = login(bob).post(f"{URL}from-answer/{answer.pk}/", follow=True)
    assert "only a not aligned or partly aligned item raises a risk" in r.content.decode()
    assert not Risk.objects.exists()


def test_raising_is_the_practices_and_within_one_client(login, carol, erin, gina, answer):
    url = f"{URL}from-answer/{answer.pk}/"
    assert login(carol).post(url).status_code == 403
    assert login(erin).post(url).status_code == 403
    assert login(gina).post(url).status_code == 404
    assert login(gina).post(f"/clients/globex/risks/from-answer/{answer.pk}/").status_code == 404
    assert not Risk.objects.exists()
