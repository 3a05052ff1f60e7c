"""A time entry in the future, of no hours or over 24 h a day: a clear message, nothing saved."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from vcio.core.models import Membership
from vcio.core.roles import Role
from vcio.practice import timeentries
from vcio.practice.models import TimeEntry


@pytest.fixture
def bob_on_globex(bob, globex):
    Membership.objects.create(user=bob, client=globex, role=Role.CONSULTANT)
    return bob


def add(client, person, day, hours, user=None):
    return timeentries.add_entry(
        client=client, person=person, date=day, hours=Decimal(str(hours)), user=user or person
    )


def errors_of(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.message_dict


def test_an_entry_is_saved_with_who_when_and_what(acme, bob):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    entry = add(acme, bob, yesterday, "2.5")
    assert (entry.client, entry.person, entry.date, entry.hours) == (
        acme,
        bob,
        yesterday,
        Decimal("2.5"),
    )


def test_a_date_in_the_future_is_refused(acme, bob):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        add(acme, bob, tomorrow, 1)
    assert errors_of(exc)["date"] == [
        f"{tomorrow.isoformat()} is in the future (today is {timezone.localdate().isoformat()})."
    ]
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("0", "0 h: give more than 0 hours."),
        ("25", "25 h: a day has at most 24 hours."),
    ],
)
def test_no_hours_or_more_than_a_day_is_refused(acme, bob, hours, message):
    with pytest.raises(ValidationError) as exc:
        add(acme, bob, timezone.localdate(), hours)
    assert errors_of(exc)["hours"] == [message]
    assert not TimeEntry.objects.exists()


def test_a_persons_day_stays_within_24_hours_across_clients(acme, globex, bob_on_globex):
    bob = bob_on_globex
    bob.first_name = "Bob"
    bob.save()
    day = datetime.date(2026, 11, 30)
    add(acme, bob, day, 12)
    add(globex, bob, day, 8)  # 20 h that day
    with pytest.raises(ValidationError) as exc:
        add(acme, bob, day, 6)
    assert errors_of(exc)["hours"] == [
        "Bob already has 20 h on 2026-11-30; 6 h more would make 26 h (at most 24 h a day)."
    ]
    assert TimeEntry.objects.filter(person=bob, date=day).count() == 2
    add(globex, bob, day, 4)  # exactly 24 h is a (long) day
    assert TimeEntry.objects.filter(person=bob, date=day).count() == 3


def test_only_the_practices_people_hold_time_entries(acme, carol, alice):
    with pytest.raises(ValidationError) as exc:
        add(acme, carol, timezone.localdate(), 1, user=alice)
    assert "Carol is not one of the practice's people on Acme Corp." in errors_of(exc)["person"]


def test_a_technician_enters_only_their_own_time(acme, tess, bob):
    timeentries.check_writer(tess, acme, tess)
    with pytest.raises(PermissionDenied):
        timeentries.check_writer(tess, acme, bob)
    timeentries.check_writer(bob, acme, tess)  # the consultant may record the technician's


def test_changing_an_entry_is_checked_like_a_new_one(acme, bob):
    day = timezone.localdate()
    first = add(acme, bob, day, 10)
    add(acme, bob, day, 10)
    with pytest.raises(ValidationError) as exc:
        timeentries.change_entry(first, hours=Decimal("15"))
    assert "already has 10 h" in errors_of(exc)["hours"][0]
    first.refresh_from_db()
    assert first.hours == Decimal("10")
    timeentries.change_entry(first, hours=Decimal("14"))  # its own 10 h are not counted twice
