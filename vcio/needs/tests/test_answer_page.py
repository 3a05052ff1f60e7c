"""The department head's answer page: no login, one column, once, rate-limited, escaped."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client as Browser
from django.urls import reverse

from vcio.needs.models import Answer, Invitation, Need
from vcio.needs.tests.surveys_world import days_ago, globex_service, started_round, surveyed_client

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def world(acme, globex):
    globex_service(globex)
    return surveyed_client(acme)


@pytest.fixture
def sent(acme, world, bob):
    return started_round(acme, bob)[1]


def link(key: str) -> str:
    return reverse("needs:answer", kwargs={"token": key})


def good_answers(world, **extra) -> dict:
    data = {
        "q-overall": "4",
        f"q-services-s{world['erp'].pk}": "2",
        f"q-services-s{world['email'].pk}": "5",
        "q-pains": "The ERP is slow every morning",
        "q-changes": "Two new warehouse staff",
        "q-changes-kind": "hiring",
        "q-changes-date": (datetime.date.today() + datetime.timedelta(days=40)).isoformat(),
    }
    data.update(extra)
    return data


def test_the_page_opens_without_login_and_shows_this_clients_questions_only(world, sent):
    invitation, key = sent[1]  # Sales
    page = Browser().get(link(key))
    assert page.status_code == 200
    html = page.content.decode()
    assert "IT needs and satisfaction" in html
    assert "Acme Corp" in html and "Sales" in html and "Sally Head" in html
    assert "ERP" in html and "Email" in html  # one 1–5 row per business service of Acme
    assert "GLOBEX-ONLY" not in html
    assert "ACME-ONLY internal" not in html  # nothing internal
    assert 'type="radio"' in html and "<textarea" in html
    assert "<script" not in html  # no JavaScript needed, none sent
    assert "client-tabs" not in html and "Dashboard" not in html  # no practice navigation
    assert page["Referrer-Policy"] == "no-referrer"
    assert Invitation.objects.get(pk=invitation.pk).opened_at is not None


def test_opened_at_is_recorded_on_the_first_view_only(sent):
    invitation, key = sent[0]
    Browser().get(link(key))
    first = Invitation.objects.get(pk=invitation.pk).opened_at
    Browser().get(link(key))
    assert Invitation.objects.get(pk=invitation.pk).opened_at == first


def test_a_good_submission_saves_answers_and_needs_then_shows_them_read_only(world, sent):
    invitation, key = sent[1]
    browser = Browser()
    response = browser.post(link(key), good_answers(world))
    assert response.status_code == 303
    thanks = browser.get(response["Location"])
    html = thanks.content.decode()
    assert "Thank you, Sally Head" in html
    assert "The ERP is slow every morning" in html
    assert "<textarea" not in html and "<form" not in html  # read-only
    invitation.refresh_from_db()
    assert invitation.state() == "submitted"
    ratings = dict(
        Answer.objects.filter(invitation=invitation, rating__isnull=False).values_list(
            "service_name", "rating"
        )
    )
    assert ratings == {"": 4, "ERP": 2, "Email": 5}
    assert Need.objects.filter(answer__invitation=invitation).count() == 2
    # Reloading shows the answers read-only.
    again = browser.get(link(key))
    assert again.status_code == 200 and "The ERP is slow every morning" in again.content.decode()


def test_a_second_submission_gets_a_clear_page_and_writes_nothing(world, sent):
    _, key = sent[1]
    Browser().post(link(key), good_answers(world))
    answers, needs = Answer.objects.count(), Need.objects.count()
    second = Browser().post(link(key), good_answers(world, **{"q-pains": "Changed my mind"}))
    assert second.status_code == 409
    html = second.content.decode()
    assert "already sent" in html and "nothing was changed" in html
    assert "Changed my mind" not in html
    assert (Answer.objects.count(), Need.objects.count()) == (answers, needs)


@pytest.mark.parametrize(
    "bad, problem",
    [
        ({"q-overall": ""}, "choose a rating from 1 to 5"),
        ({"q-overall": "7"}, "“7” is not a rating from 1 to 5"),
        ({"q-services-s999999": "3", "q-overall": "0"}, "is not a rating"),
        ({"q-pains": "x" * 2001}, "at most 2000 characters (2001 were typed)"),
        ({"q-changes-date": "2026-02-31"}, "“2026-02-31” is not a date"),
        ({"q-changes": "", "q-changes-date": "2027-01-01"}, "say what the change is"),
    ],
)
def test_bad_answers_reshow_the_form_naming_the_question(world, sent, bad, problem):
    invitation, key = sent[1]
    response = Browser().post(link(key), good_answers(world, **bad))
    assert response.status_code == 400
    html = response.content.decode()
    assert problem in html
    assert "Nothing was sent yet" in html
    assert "<form" in html
    assert not Answer.objects.exists() and not Need.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).submitted_at is None


def test_a_bad_service_rating_names_the_service(world, sent):
    _, key = sent[1]
    data = good_answers(world, **{f"q-services-s{world['erp'].pk}": "9"})
    html = Browser().post(link(key), data).content.decode()
    assert "(ERP): “9” is not a rating" in html
    # What was typed is kept.
    assert "The ERP is slow every morning" in html


def test_script_in_an_answer_is_escaped(world, sent):
    _, key = sent[1]
    browser = Browser()
    browser.post(link(key), good_answers(world, **{"q-pains": SCRIPT}))
    html = browser.get(link(key)).content.decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    bad = Browser().post(link(sent[0][1]), {"q-overall": "9", "q-pains": SCRIPT})
    assert SCRIPT not in bad.content.decode()


def test_unknown_link_is_a_404_with_no_client_data(sent):
    page = Browser().get(link("not-a-real-key"))
    assert page.status_code == 404
    html = page.content.decode()
    assert "This survey link does not work" in html
    assert "Acme" not in html and "Sales" not in html


def test_expired_link_is_a_410_with_no_data_and_takes_no_answers(world, sent):
    invitation, key = sent[1]
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=days_ago(1))
    page = Browser().get(link(key))
    assert page.status_code == 410
    html = page.content.decode()
    assert "has expired" in html
    assert "Acme" not in html and "Sally" not in html and "ERP" not in html
    post = Browser().post(link(key), good_answers(world))
    assert post.status_code == 410
    assert not Answer.objects.exists()


def test_revoked_link_is_a_410_with_no_data(world, sent):
    from vcio.needs import sending

    invitation, key = sent[1]
    sending.revoke(invitation)
    page = Browser().get(link(key))
    assert page.status_code == 410
    assert "withdrawn" in page.content.decode()
    assert "Acme" not in page.content.decode()
    assert Browser().post(link(key), good_answers(world)).status_code == 410
    assert not Answer.objects.exists()


def test_ten_thousand_submissions_from_one_address_are_cut_off_at_the_limit(world, sent, settings):
    settings.VCIO_SURVEY_RATE_LIMIT = 60
    _, key = sent[1]
    _, other_key = sent[2]
    browser = Browser(REMOTE_ADDR="203.0.113.9")
    assert browser.get(link(key)).status_code == 200  # reading counts too
    statuses = [browser.post(link(key), {"q-overall": "9"}).status_code for _ in range(10_000)]
    assert statuses[:59] == [400] * 59  # bad answers, nothing written
    assert set(statuses[59:]) == {429}  # the 61st request and every one after it
    # Past the limit even a good submission (or another link) is refused: nothing written.
    refused = browser.post(link(other_key), good_answers(world))
    assert refused.status_code == 429
    assert "Too many requests" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    assert "Acme" not in refused.content.decode()
    assert not Answer.objects.exists()
    assert not Invitation.objects.filter(submitted_at__isnull=False).exists()
    # Another address is not affected.
    assert Browser(REMOTE_ADDR="198.51.100.7").get(link(key)).status_code == 200


def test_only_get_and_post(sent):
    _, key = sent[0]
    assert Browser().put(link(key)).status_code == 405


def test_the_page_sets_no_cookie_and_posts_without_a_csrf_token(world, sent):
    _, key = sent[1]
    browser = Browser(enforce_csrf_checks=True)
    page = browser.get(link(key))
    assert not page.cookies
    assert "csrfmiddlewaretoken" not in page.content.decode()
    response = browser.post(link(key), good_answers(world), HTTP_ORIGIN="null")
    assert response.status_code == 303
