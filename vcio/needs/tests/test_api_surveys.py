"""The surveys API: questionnaires, rounds with links shown once, invitations, answers."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext

from vcio.needs import questionnaires
from vcio.needs.models import Invitation, QuestionnaireVersion, SurveyRound
from vcio.needs.tests.isolation import needs_rows_for
from vcio.needs.tests.surveys_world import keys_in_outbox, started_round, surveyed_client

pytestmark = pytest.mark.django_db

DOC = {
    "key": "pulse",
    "name": "Pulse",
    "version": "1",
    "questions": [{"key": "overall", "kind": "satisfaction", "text": "How is IT?"}],
}


@pytest.fixture
def world(acme):
    return surveyed_client(acme)


def closes_on(days: int = 10) -> str:
    return (datetime.date.today() + datetime.timedelta(days=days)).isoformat()


# --- library ------------------------------------------------------------------------------


def test_the_practice_reads_questionnaires_and_client_people_do_not(api, bob, carol):
    version = questionnaires.shipped_version()
    listed = api(bob).get("/api/questionnaires/").json()["results"]
    assert listed[0]["name"] == "IT needs and satisfaction"
    assert listed[0]["versions"][0]["id"] == version.pk
    one = api(bob).get(f"/api/questionnaire-versions/{version.pk}/").json()
    assert [q["key"] for q in one["questions"]][:2] == ["overall", "services"]
    assert api(carol).get("/api/questionnaires/").status_code == 403


def test_importing_a_document_and_copying(api, alice, bob):
    created = api(alice).post("/api/questionnaire-versions/import/", DOC, format="json")
    assert created.status_code == 201
    assert created.json()["questions"][0]["text"] == "How is IT?"
    assert (
        api(bob).post("/api/questionnaire-versions/import/", DOC, format="json").status_code == 403
    )
    pk = created.json()["id"]
    copy = api(alice).post(f"/api/questionnaire-versions/{pk}/copy/", {"version": "2"},
                           format="json")  # fmt: skip
    assert copy.status_code == 201 and copy.json()["version"] == "2"
    again = api(alice).post(f"/api/questionnaire-versions/{pk}/copy/", {"version": "2"},
                            format="json")  # fmt: skip
    assert again.status_code == 400 and "already exists" in again.json()["problems"][0]
    missing = api(alice).post(f"/api/questionnaire-versions/{pk}/copy/", {}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()


def test_a_bad_document_lists_every_problem_and_saves_nothing(api, alice):
    bad = {**DOC, "questions": [{"key": "Bad Key", "kind": "stars", "text": ""}]}
    response = api(alice).post("/api/questionnaire-versions/import/", bad, format="json")
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert any("question 1 (Bad Key): 'key' 'Bad Key' must be" in p for p in problems)
    assert any("'kind' 'stars'" in p for p in problems)
    assert any("'text' is missing" in p for p in problems)
    assert not QuestionnaireVersion.objects.exists()


# --- rounds -------------------------------------------------------------------------------


def test_starting_a_round_returns_each_link_once(api, acme, world, bob, settings):
    settings.VCIO_BASE_URL = "https://vcio.example"
    version = questionnaires.shipped_version()
    response = api(bob).post(
        "/api/survey-rounds/",
        {"client": "acme", "version": version.pk, "title": "Spring", "closes_on": closes_on()},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["invited"] == 3 and body["answered"] == 0
    links = {i["email"]: i["link"] for i in body["invitations"]}
    keys = keys_in_outbox()
    assert links["sally@acme.test"] == f"https://vcio.example/survey/{keys['sally@acme.test']}/"
    # Never again: reading the round or its invitations shows no link.
    again = api(bob).get(f"/api/survey-rounds/{body['id']}/").json()
    assert "invitations" not in again
    invitations = api(bob).get(f"/api/survey-invitations/?round={body['id']}").json()["results"]
    assert all("link" not in i for i in invitations)
    assert all(keys[i["email"]] not in str(i) for i in invitations)
    assert {i["state"] for i in invitations} == {"open"}


def test_explicit_recipients_and_errors_naming_the_row(api, acme, globex, world, bob):
    version = questionnaires.shipped_version()
    sales, other = world["sales"], globex.departments.first()
    response = api(bob).post(
        "/api/survey-rounds/",
        {"client": "acme", "version": version.pk, "title": "Spring", "closes_on": closes_on(),
         "recipients": [{"department": sales.pk, "name": "Sally", "email": "sally@acme.test"},
                        {"department": sales.pk, "name": "Sam", "email": "sally@acme.test"}]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "listed twice" in response.json()["recipients[2].email"][0]
    foreign = api(bob).post(
        "/api/survey-rounds/",
        {"client": "acme", "version": version.pk, "title": "Spring", "closes_on": closes_on(),
         "recipients": [{"department": other.pk, "name": "Gary", "email": "g@globex.test"}]},
        format="json",
    )  # fmt: skip
    assert foreign.status_code == 400
    assert "no department with id" in str(foreign.json()["recipients"])
    past = api(bob).post(
        "/api/survey-rounds/",
        {"client": "acme", "version": version.pk, "title": "", "closes_on": "2001-01-01"},
        format="json",
    )
    assert past.status_code == 400 and "title" in past.json()
    assert not SurveyRound.objects.exists() and mail.outbox == []


def test_only_the_cio_sends_and_only_the_practice_reads(api, acme, world, bob, carol, tess, gina):
    version = questionnaires.shipped_version()
    data = {"client": "acme", "version": version.pk, "title": "X", "closes_on": closes_on()}
    assert api(carol).post("/api/survey-rounds/", data, format="json").status_code == 403
    assert api(tess).post("/api/survey-rounds/", data, format="json").status_code == 403
    assert api(gina).post("/api/survey-rounds/", data, format="json").status_code == 400  # no acme
    round_, sent = started_round(acme, bob)
    assert api(carol).get("/api/survey-rounds/").json()["results"] == []
    assert api(carol).get(f"/api/survey-invitations/{sent[0][0].pk}/").status_code == 404
    assert api(gina).post(f"/api/survey-invitations/{sent[0][0].pk}/revoke/").status_code == 404
    assert not SurveyRound.objects.exclude(pk=round_.pk).exists()


def test_revoke_and_resend(api, acme, world, bob):
    _, sent = started_round(acme, bob)
    (invitation, old_key), (other, _) = sent[0], sent[1]
    resent = api(bob).post(f"/api/survey-invitations/{invitation.pk}/resend/")
    assert resent.status_code == 200
    new_key = resent.json()["link"].rstrip("/").rsplit("/", 1)[1]
    assert new_key != old_key
    assert Browser().get(f"/survey/{old_key}/").status_code == 404
    assert Browser().get(f"/survey/{new_key}/").status_code == 200
    revoked = api(bob).post(f"/api/survey-invitations/{other.pk}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    refused = api(bob).post(f"/api/survey-invitations/{other.pk}/resend/")
    assert refused.status_code == 400 and "stays revoked" in refused.json()["detail"][0]


def test_answers_are_read_by_round(api, acme, world, bob):
    round_, sent = started_round(acme, bob)
    key = sent[1][1]
    Browser().post(f"/survey/{key}/", {"q-overall": "4", "q-pains": "<b>slow</b>"})
    other_round, _ = started_round(acme, bob)
    rows = api(bob).get(f"/api/survey-answers/?round={round_.pk}").json()["results"]
    assert {(r["question_key"], r["rating"], r["text"]) for r in rows} == {
        ("overall", 4, ""), ("pains", None, "<b>slow</b>")
    }  # fmt: skip
    assert api(bob).get(f"/api/survey-answers/?round={other_round.pk}").json()["results"] == []
    bad = api(bob).get("/api/survey-answers/?round=abc")
    assert bad.status_code == 400 and "round" in bad.json()


@pytest.mark.parametrize(
    "endpoint", ["survey-rounds", "survey-invitations", "survey-answers", "questionnaires"]
)
def test_lists_run_a_fixed_number_of_queries(api, acme, bob, endpoint):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api(bob).get(f"/api/{endpoint}/?page_size=100").status_code == 200
        return len(ctx.captured_queries)

    for n in range(2):
        needs_rows_for(acme, f"few {n}", bob)
    few = queries()
    for n in range(8):
        needs_rows_for(acme, f"many {n}", bob)
    questionnaires.load({**DOC, "key": "pulse-2"})
    assert queries() == few


def test_resend_states(api, acme, world, bob):
    _, sent = started_round(acme, bob)
    invitation = sent[0][0]
    Invitation.objects.filter(pk=invitation.pk).update(submitted_at=invitation.sent_at)
    refused = api(bob).post(f"/api/survey-invitations/{invitation.pk}/resend/")
    assert refused.status_code == 400 and "already answered" in refused.json()["detail"][0]
