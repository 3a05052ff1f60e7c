"""Sending a survey round: default heads, invitations, emails, revoke, resend, reminders, intake."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from vcio.core.registry import periodic_jobs
from vcio.needs import answering, intake, questionnaires, sending, tokens
from vcio.needs.models import Invitation, Need, NeedKind, SurveyRound, Urgency
from vcio.needs.tests.surveys_world import days_ago, keys_in_outbox, started_round, surveyed_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(acme):
    return surveyed_client(acme)


def test_default_heads_are_decision_makers_with_an_email(acme, world):
    heads, missing = sending.default_recipients(acme)
    by_department = {r.department.name: (r.name, r.email) for r in heads}
    assert by_department["Sales"] == ("Sally Head", "sally@acme.test")  # the decision-maker
    assert by_department["Warehouse"] == ("Walt Stock", "walt@acme.test")  # first with an email
    assert by_department["ACME-ONLY Finance"][1] == "ann@acme.test"
    assert [d.name for d in missing] == ["Workshop"]  # its only contact has no email


def test_start_round_sends_one_private_link_per_head_and_freezes_the_version(
    acme, world, bob, settings
):
    settings.VCIO_BASE_URL = "https://vcio.example"
    round_, sent = started_round(acme, bob)
    assert round_.version.frozen
    assert Invitation.objects.filter(round=round_).count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ann@acme.test", "sally@acme.test", "walt@acme.test"
    ]  # fmt: skip
    keys = keys_in_outbox()
    for invitation, key in sent:
        assert keys[invitation.email] == key
        assert invitation.token_hash == tokens.key_hash(key)  # only the hash is stored
        assert key not in invitation.token_hash
        assert invitation.state() == "open"
    sally = next(m for m in mail.outbox if m.to == ["sally@acme.test"])
    assert "https://vcio.example/survey/" in sally.body
    assert "Sales" in sally.subject and "Hello Sally Head" in sally.body
    # The link works until the end of the closing day.
    invitation = sent[0][0]
    assert invitation.expires_at > datetime.datetime.combine(
        round_.closes_on, datetime.time(), tzinfo=datetime.UTC
    )


def test_a_bad_recipient_names_the_row_and_nothing_is_sent(acme, globex, world, bob):
    heads, _ = sending.default_recipients(acme)
    heads[1].email = "not-an-email"
    heads.append(sending.Recipient(globex.departments.first(), None, "Gary", "g@globex.test"))
    version = questionnaires.shipped_version()
    with pytest.raises(sending.SurveyInputError) as caught:
        sending.start_round(acme, version, "", datetime.date(2000, 1, 1), heads, bob)
    errors = caught.value.errors
    assert "recipients[2].email" in errors and "not-an-email" in errors["recipients[2].email"][0]
    assert "belongs to another client" in errors["recipients[4].department"][0]
    assert "title" in errors and "in the past" in errors["closes_on"][0]
    assert not SurveyRound.objects.exists() and not Invitation.objects.exists()
    assert not version.__class__.objects.get(pk=version.pk).frozen
    assert mail.outbox == []


def test_a_failed_email_leaves_no_round(acme, world, bob, monkeypatch):
    def broken(self, *args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    with pytest.raises(OSError):
        started_round(acme, bob)
    assert not SurveyRound.objects.exists() and not Invitation.objects.exists()


def test_revoke_stops_the_link(acme, world, bob):
    _, sent = started_round(acme, bob)
    invitation, key = sent[0]
    sending.revoke(invitation, bob)
    assert answering.find_invitation(key).state() == "revoked"
    sending.revoke(invitation, bob)  # idempotent
    with pytest.raises(sending.InvitationStateError, match="stays revoked"):
        sending.resend(invitation, bob)


def test_resend_emails_a_new_key_and_the_old_link_stops_working(acme, world, bob):
    _, sent = started_round(acme, bob)
    invitation, old_key = sent[0]
    mail.outbox.clear()
    new_key = sending.resend(invitation, bob)
    assert new_key != old_key
    assert answering.find_invitation(old_key) is None
    assert answering.find_invitation(new_key).pk == invitation.pk
    assert len(mail.outbox) == 1 and new_key in mail.outbox[0].body
    assert "earlier emails no longer works" in mail.outbox[0].body


def test_resend_reopens_an_expired_link(acme, world, bob, settings):
    _, sent = started_round(acme, bob)
    invitation, _ = sent[0]
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=days_ago(1))
    invitation.refresh_from_db()
    assert invitation.state() == "expired"
    key = sending.resend(invitation, bob)
    assert answering.find_invitation(key).state() == "open"


def test_reminders_go_to_unanswered_heads_with_a_new_link_at_most_max_times(
    acme, world, bob, settings
):
    settings.VCIO_SURVEY_REMINDER_DAYS = 5
    settings.VCIO_SURVEY_MAX_REMINDERS = 2
    _, sent = started_round(acme, bob)
    (answered, _), (revoked, _), (waiting, old_key) = sent
    Invitation.objects.filter(pk=answered.pk).update(submitted_at=days_ago(1))
    sending.revoke(revoked)
    Invitation.objects.update(sent_at=days_ago(6))
    mail.outbox.clear()

    assert sending.send_reminders() == 1
    assert [m.to[0] for m in mail.outbox] == [waiting.email]
    assert "Reminder" in mail.outbox[0].subject
    assert "earlier emails no longer works" in mail.outbox[0].body
    new_key = keys_in_outbox()[waiting.email]
    assert answering.find_invitation(old_key) is None  # the key rotated
    assert answering.find_invitation(new_key).reminders_sent == 1

    assert sending.send_reminders() == 0  # reminded just now: not again yet
    later = days_ago(-6)
    assert sending.send_reminders(now=later) == 1
    assert sending.send_reminders(now=days_ago(-12)) == 0  # at most two reminders
    assert Invitation.objects.get(pk=waiting.pk).reminders_sent == 2


def test_the_worker_runs_the_reminders():
    job = next(j for j in periodic_jobs if j.name == "needs.survey_reminders")
    assert job.run is sending.send_reminders


def test_answers_become_needs_once(acme, world, bob):
    _, sent = started_round(acme, bob)
    invitation, _ = sent[0]
    questions = answering.questions_of(invitation)
    today = sending.client_today(acme)
    soon = (today + datetime.timedelta(days=30)).isoformat()
    late = today + datetime.timedelta(days=200)
    draft = answering.check(
        invitation,
        {"q-overall": "3", "q-pains": "The VPN drops", "q-requests": "",
         "q-changes": "Three new sales reps", "q-changes-kind": "hiring", "q-changes-date": soon,
         "q-comment": "Thanks"},
        questions, answering.services_of(invitation),
    )  # fmt: skip
    assert draft.errors == {}
    submitted = answering.submit(invitation, draft)
    needs = {n.kind: n for n in Need.objects.all()}
    assert set(needs) == {NeedKind.PAIN, NeedKind.CHANGE}  # the comment is not a need
    change = needs[NeedKind.CHANGE]
    assert change.text == "Hiring: Three new sales reps"
    assert change.urgency == Urgency.HIGH  # due within 90 days
    assert change.due_on.isoformat() == soon
    assert change.department_id == invitation.department_id
    assert change.raised_on == today
    assert needs[NeedKind.PAIN].urgency == Urgency.MEDIUM
    assert needs[NeedKind.PAIN].answer.text == "The VPN drops"
    # Idempotent per answer.
    assert len(intake.needs_from_invitation(submitted)) == 2
    assert Need.objects.count() == 2
    assert intake.urgency_for(NeedKind.CHANGE, today, late) == Urgency.MEDIUM
