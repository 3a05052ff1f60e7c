"""Review reminders: the client's people are emailed once, some days before a review is due."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from vcio.core.registry import periodic_jobs
from vcio.core.tests.factories import ContactFactory
from vcio.reviews import services
from vcio.reviews.models import ReviewCadence, ReviewReminder
from vcio.reviews.reminders import send_due_reminders

D = datetime.date
# Acme's monthly review is due on 10 August 2026; a week before, reminders go out.
FIVE_DAYS_BEFORE = D(2026, 8, 5)


@pytest.fixture
def acme_cadence(acme):
    """Monthly reviews on the 10th, no QBR, reminders 7 days before, Ann invited."""
    cadence = ReviewCadence.objects.create(
        client=acme, monthly_day=10, qbr_enabled=False, reminder_days=7
    )
    cadence.attendees.add(acme.contacts.get(email="ann@acme.test"))
    # An attendee without an address cannot be emailed.
    cadence.attendees.add(ContactFactory(client=acme, first_name="Nomail", email=""))
    return cadence


@pytest.fixture
def people(alice, bob, carol, erin):
    """Acme's named users (alice owns the practice, erin edits, bob consults, carol leads)."""


def test_members_and_attendees_are_reminded_once(settings, acme_cadence, people):
    settings.VCIO_BASE_URL = "https://vcio.example.test"
    assert send_due_reminders(FIVE_DAYS_BEFORE) == 1
    assert send_due_reminders(FIVE_DAYS_BEFORE) == 0  # the next hour's run
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    # Acme's consultant and executive and the invited contact; not the editor, not Globex.
    assert sorted(message.to) == ["ann@acme.test", "bob@example.test", "carol@example.test"]
    assert message.subject == "Acme Corp: monthly review due on 10 Aug 2026"
    assert "The monthly review of Acme Corp is due on Monday 10 August 2026." in message.body
    assert "It looks back at July 2026 (01 Jul 2026 – 31 Jul 2026)." in message.body
    assert "https://vcio.example.test/clients/acme/reviews/" in message.body
    reminder = ReviewReminder.objects.get()
    assert (reminder.kind, reminder.due_on) == ("monthly", D(2026, 8, 10))
    assert reminder.recipients == sorted(message.to)


def test_no_reminder_before_the_reminder_days(acme_cadence, people):
    assert send_due_reminders(D(2026, 8, 2)) == 0  # 8 days before
    assert mail.outbox == []
    assert send_due_reminders(D(2026, 8, 3)) == 1  # 7 days before


def test_no_reminder_when_the_practice_turned_them_off(acme_cadence, people):
    acme_cadence.reminder_days = 0
    acme_cadence.save()
    assert send_due_reminders(FIVE_DAYS_BEFORE) == 0
    assert mail.outbox == [] and not ReviewReminder.objects.exists()


def test_no_reminder_for_a_review_already_finalised(acme, bob, acme_cadence, people):
    review = services.create_review(acme, "monthly", D(2026, 7, 1), D(2026, 7, 31), bob)
    services.finalise(review, bob, today=D(2026, 8, 4))
    assert send_due_reminders(FIVE_DAYS_BEFORE) == 0
    assert mail.outbox == []


def test_no_reminder_for_an_archived_client(acme, acme_cadence, people):
    acme.is_active = False
    acme.save()
    assert send_due_reminders(FIVE_DAYS_BEFORE) == 0


def test_each_client_is_reminded_with_its_own_people_only(acme_cadence, people, dave, gina):
    # Globex has no cadence of its own: the defaults (the 10th, 7 days before) apply.
    assert send_due_reminders(FIVE_DAYS_BEFORE) == 2
    sent = {m.subject.split(":")[0]: sorted(m.to) for m in mail.outbox}
    assert sent["Globex Health"] == ["dave@example.test", "gina@example.test"]
    assert sent["Acme Corp"] == ["ann@acme.test", "bob@example.test", "carol@example.test"]


def test_the_worker_runs_it_every_hour():
    job = periodic_jobs.get("reviews.reminders")
    assert job.interval == 3600 and job.run is send_due_reminders
