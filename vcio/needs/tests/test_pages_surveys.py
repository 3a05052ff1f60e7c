"""The practice's survey pages: library, starting a round, a round's links and results."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import Client as Browser
from django.urls import reverse

from vcio.needs import questionnaires
from vcio.needs.models import Answer, Invitation, Question, SurveyRound
from vcio.needs.tests.surveys_world import keys_in_outbox, started_round, surveyed_client

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def world(acme):
    return surveyed_client(acme)


def as_user(user) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


def url(name: str, **kwargs) -> str:
    return reverse(f"needs:{name}", kwargs=kwargs)


def answer(key: str, data: dict) -> None:
    response = Browser().post(url("answer", token=key), data)
    assert response.status_code == 303, response.content.decode()[:2000]


# --- library ------------------------------------------------------------------------------


def test_the_library_lists_versions_for_the_practice_and_refuses_client_roles(alice, bob, carol):
    version = questionnaires.shipped_version()
    page = as_user(bob).get(url("questionnaire_list"))
    assert page.status_code == 200
    assert "IT needs and satisfaction" in page.content.decode()
    detail = as_user(bob).get(url("questionnaire_version", pk=version.pk))
    assert "Overall, how satisfied" in detail.content.decode()
    assert as_user(carol).get(url("questionnaire_list")).status_code == 403


def test_an_editable_question_is_edited_and_a_frozen_one_refused(alice):
    version = questionnaires.shipped_version()
    question = version.questions.get(key="overall")
    data = {f"q{question.pk}-text": "How is IT doing?", f"q{question.pk}-help": "",
            f"q{question.pk}-kind": "satisfaction", f"q{question.pk}-required": "on"}  # fmt: skip
    browser = as_user(alice)
    assert browser.post(url("question_edit", pk=question.pk), data).status_code == 302
    assert Question.objects.get(pk=question.pk).text == "How is IT doing?"

    questionnaires.publish(version)
    data[f"q{question.pk}-text"] = "Changed after answers came in"
    refused = browser.post(url("question_edit", pk=question.pk), data)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Nothing was changed" in html and "is frozen" in html and "Copy it" in html
    assert Question.objects.get(pk=question.pk).text == "How is IT doing?"


def test_a_bad_question_edit_names_the_field(alice):
    question = questionnaires.shipped_version().questions.get(key="overall")
    data = {f"q{question.pk}-text": "", f"q{question.pk}-kind": "stars"}
    response = as_user(alice).post(url("question_edit", pk=question.pk), data)
    assert response.status_code == 400
    assert "stars is not one of the available choices" in response.content.decode()


def test_copy_to_a_new_version(alice, bob):
    version = questionnaires.publish(questionnaires.shipped_version())
    assert as_user(bob).post(url("questionnaire_copy", pk=version.pk),
                             {"new_version": "2"}).status_code == 403  # fmt: skip
    response = as_user(alice).post(url("questionnaire_copy", pk=version.pk), {"new_version": "2"})
    assert response.status_code == 302
    copy = version.questionnaire.versions.get(version="2")
    assert not copy.frozen and copy.questions.count() == version.questions.count()
    again = as_user(alice).post(url("questionnaire_copy", pk=version.pk), {"new_version": "2"})
    assert again.status_code == 400 and "already exists" in again.content.decode()


# --- rounds -------------------------------------------------------------------------------


def test_the_round_form_is_prefilled_with_the_heads(acme, world, bob):
    questionnaires.load_shipped()
    page = as_user(bob).get(url("round_create", client="acme"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="sally@acme.test"' in html and 'value="walt@acme.test"' in html
    assert "Workshop" in html and "no head with an email" in html


def test_starting_a_round_from_the_page_emails_every_head(acme, world, bob):
    version = questionnaires.shipped_version()
    closes = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
    data = {"version": version.pk, "title": "Spring 2026", "closes_on": closes,
            "r1-include": "on", "r1-name": "Ann", "r1-email": "ann@acme.test",
            "r2-include": "on", "r2-name": "Sally Head", "r2-email": "sally.new@acme.test",
            "r3-include": "", "r3-name": "Walt", "r3-email": "walt@acme.test",
            "r4-include": "on", "r4-name": "Wes", "r4-email": "wes@acme.test"}  # fmt: skip
    response = as_user(bob).post(url("round_create", client="acme"), data)
    assert response.status_code == 302
    round_ = SurveyRound.objects.get()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ann@acme.test", "sally.new@acme.test", "wes@acme.test"
    ]  # fmt: skip
    assert {i.department.name for i in round_.invitations.all()} == {
        "ACME-ONLY Finance", "Sales", "Workshop"
    }  # fmt: skip


def test_a_bad_email_on_the_round_form_names_the_row_and_sends_nothing(acme, world, bob):
    version = questionnaires.shipped_version()
    data = {"version": version.pk, "title": "Spring", "closes_on": "2000-01-01",
            "r2-include": "on", "r2-name": "Sally", "r2-email": "sally-at-acme"}  # fmt: skip
    response = as_user(bob).post(url("round_create", client="acme"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "“sally-at-acme” is not an email address" in html
    assert "is in the past" in html
    assert not SurveyRound.objects.exists() and mail.outbox == []


def test_client_roles_and_technicians_see_no_round_and_may_not_send(acme, world, bob, carol, tess):
    round_, _ = started_round(acme, bob)
    for user in (carol, tess):
        browser = as_user(user)
        assert browser.get(url("round_list", client="acme")).status_code == 403
        assert browser.get(url("round_detail", client="acme", pk=round_.pk)).status_code == 403
        assert browser.get(url("round_create", client="acme")).status_code == 403


def test_the_round_page_shows_states_and_results_with_n(acme, world, bob):
    round_, sent = started_round(acme, bob)
    (finance, finance_key), (sales, sales_key), (warehouse, _) = sent
    erp, email = world["erp"].pk, world["email"].pk
    answer(finance_key, {"q-overall": "2", f"q-services-s{erp}": "1", "q-pains": SCRIPT})
    answer(sales_key, {"q-overall": "5", f"q-services-s{erp}": "4", f"q-services-s{email}": "5",
                       "q-requests": "A CRM"})  # fmt: skip
    as_user(bob).post(url("invitation_revoke", client="acme", pk=warehouse.pk))
    page = as_user(bob).get(url("round_detail", client="acme", pk=round_.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert "2 of 3 answered" in html
    assert html.count(">submitted") == 2 and "revoked" in html
    # Overall: (2 + 5) / 2 = 3.50 over 2 ratings; ERP: (1 + 4) / 2 = 2.50; Email 5 from one.
    assert "3.50 <small>(n=2)</small>" in html
    assert "2.50 <small>(n=2)</small>" in html
    assert "5.00 <small>(n=1)</small>" in html
    assert "A CRM" in html
    # Script in an answer is escaped on the results page.
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_results_query_count_does_not_grow_with_answers(
    acme, world, bob, django_assert_max_num_queries
):
    round_, sent = started_round(acme, bob)
    answer(sent[0][1], {"q-overall": "3"})
    browser = as_user(bob)
    page = url("round_detail", client="acme", pk=round_.pk)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert browser.get(page).status_code == 200
    baseline = len(few)
    answer(sent[1][1], {"q-overall": "4", "q-pains": "a", "q-requests": "b"})
    answer(sent[2][1], {"q-overall": "5", "q-pains": "c"})
    with django_assert_max_num_queries(baseline):
        browser.get(page)


def test_revoke_and_resend_buttons(acme, world, bob):
    round_, sent = started_round(acme, bob)
    (invitation, old_key), (other, _) = sent[0], sent[1]
    browser = as_user(bob)
    mail.outbox.clear()
    response = browser.post(url("invitation_resend", client="acme", pk=invitation.pk))
    assert response.status_code == 303
    new_key = keys_in_outbox()[invitation.email]
    assert new_key != old_key
    assert Browser().get(url("answer", token=old_key)).status_code == 404
    assert Browser().get(url("answer", token=new_key)).status_code == 200
    browser.post(url("invitation_revoke", client="acme", pk=other.pk))
    assert Invitation.objects.get(pk=other.pk).state() == "revoked"
    # Resending a revoked link is refused with the reason.
    followed = browser.post(url("invitation_resend", client="acme", pk=other.pk), follow=True)
    assert "stays revoked" in followed.content.decode()


def test_another_clients_consultant_cannot_touch_acmes_links(acme, globex, world, bob, gina):
    _, sent = started_round(acme, bob)
    invitation = sent[0][0]
    browser = as_user(gina)
    assert browser.post(url("invitation_revoke", client="acme", pk=invitation.pk)).status_code in (
        403, 404
    )  # fmt: skip
    assert (
        browser.post(url("invitation_revoke", client="globex", pk=invitation.pk)).status_code == 404
    )
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None
    assert not Answer.objects.exists()
