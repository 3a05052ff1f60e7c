"""The practice API: fee changes, people's rates, time entries (and import), economics."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from vcio.practice.models import FeeChange, PersonRate, TimeEntry
from vcio.practice.tests.builders import entry, rate

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture
def world(acme, globex, alice, bob, tess):
    acme.monthly_fee = Decimal("4000")
    acme.save()
    rate(bob, "80")
    entry(acme, bob, YESTERDAY, 3, note="bob's")
    entry(acme, tess, YESTERDAY, 2, note="tess's")
    return acme


def rows(r) -> list:
    assert r.status_code == 200, r.content
    return r.json()["results"] if isinstance(r.json(), dict) else r.json()


def test_time_entries_are_seen_by_consultants_and_each_person_their_own(
    world, api, bob, tess, carol
):
    assert {e["note"] for e in rows(api(bob).get("/api/time-entries/"))} == {"bob's", "tess's"}
    assert [e["note"] for e in rows(api(tess).get("/api/time-entries/"))] == ["tess's"]
    assert rows(api(carol).get("/api/time-entries/")) == []


def test_a_time_entry_is_created_with_the_same_checks(world, api, bob):
    http = api(bob)
    ok = http.post(
        "/api/time-entries/",
        {"client": "acme", "date": YESTERDAY.isoformat(), "hours": "1.25", "activity": "review"},
        format="json",
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["person"] == "bob"
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    future = http.post(
        "/api/time-entries/", {"client": "acme", "date": tomorrow, "hours": "1"}, format="json"
    )
    assert future.status_code == 400 and "is in the future" in future.json()["date"][0]
    zero = http.post(
        "/api/time-entries/",
        {"client": "acme", "date": YESTERDAY.isoformat(), "hours": "0"},
        format="json",
    )
    assert zero.status_code == 400 and zero.json()["hours"] == ["0 h: give more than 0 hours."]
    day = http.post(
        "/api/time-entries/",
        {"client": "acme", "date": YESTERDAY.isoformat(), "hours": "20"},
        format="json",
    )
    assert day.status_code == 400
    assert "already has 4.25 h on" in day.json()["hours"][0]
    assert TimeEntry.objects.filter(person__username="bob").count() == 2


def test_a_technician_may_not_enter_anothers_time(world, api, tess, bob):
    r = api(tess).post(
        "/api/time-entries/",
        {"client": "acme", "person": "bob", "date": YESTERDAY.isoformat(), "hours": "1"},
        format="json",
    )
    assert r.status_code == 403
    own = api(tess).post(
        "/api/time-entries/",
        {"client": "acme", "date": YESTERDAY.isoformat(), "hours": "1"},
        format="json",
    )
    assert own.status_code == 201, own.content


def test_client_roles_may_not_enter_time(world, api, carol, erin):
    for user in (carol, erin):
        r = api(user).post(
            "/api/time-entries/",
            {"client": "acme", "date": YESTERDAY.isoformat(), "hours": "1"},
            format="json",
        )
        assert r.status_code == 403


def test_changing_an_entry_over_a_day_is_a_400_naming_hours(world, api, bob):
    mine = TimeEntry.objects.get(note="bob's")
    entry(world, bob, YESTERDAY, 2)
    r = api(bob).patch(f"/api/time-entries/{mine.pk}/", {"hours": "23"}, format="json")
    assert r.status_code == 400 and "would make 25 h" in r.json()["hours"][0]
    mine.refresh_from_db()
    assert mine.hours == Decimal("3")
    assert (
        api(bob).patch(f"/api/time-entries/{mine.pk}/", {"hours": "22"}, format="json").status_code
        == 200
    )


def test_import_endpoint_all_or_nothing(world, api, alice, bob):
    bad = b"client,person,date,hours\nacme,bob,2020-01-02,1\nacme,nobody,2020-01-02,1\n"
    r = api(alice).post(
        "/api/time-entries/import/", {"file": SimpleUploadedFile("t.csv", bad)}, format="multipart"
    )
    assert r.status_code == 400
    assert r.json()["file"][0].startswith("Row 3, column `person`: 'nobody'")
    good = b"client,person,date,hours\nacme,bob,2020-01-02,1\n"
    r = api(alice).post(
        "/api/time-entries/import/", {"file": SimpleUploadedFile("t.csv", good)}, format="multipart"
    )
    assert r.status_code == 201 and r.json() == {"added": 1, "skipped": 0}
    r = api(alice).post(
        "/api/time-entries/import/", {"file": SimpleUploadedFile("t.csv", good)}, format="multipart"
    )
    assert r.json() == {"added": 0, "skipped": 1}


def test_fee_changes_keep_the_clients_fee(world, api, bob, carol, acme):
    r = api(bob).post(
        "/api/fee-changes/",
        {"client": "acme", "monthly_fee": "4400", "starts_on": YESTERDAY.isoformat()},
        format="json",
    )
    assert r.status_code == 201, r.content
    acme.refresh_from_db()
    assert acme.monthly_fee == Decimal("4400")
    assert rows(api(carol).get("/api/fee-changes/")) == []
    negative = api(bob).post(
        "/api/fee-changes/",
        {"client": "acme", "monthly_fee": "-1", "starts_on": "2026-01-01"},
        format="json",
    )
    assert negative.status_code == 400 and "monthly_fee" in negative.json()
    assert FeeChange.objects.filter(client=acme).count() == 2  # the old fee kept, the new one


def test_person_rates_are_for_owners_and_admins(world, api, alice, frank, bob, tess):
    assert len(rows(api(frank).get("/api/person-rates/"))) == 1
    for user in (bob, tess):
        assert api(user).get("/api/person-rates/").status_code == 403
    r = api(alice).post("/api/person-rates/", {"user": "tess", "cost_rate": "55"}, format="json")
    assert r.status_code == 201, r.content
    bad = api(alice).post("/api/person-rates/", {"user": "frank", "cost_rate": "-3"}, format="json")
    assert bad.status_code == 400 and "cost_rate" in bad.json()
    assert PersonRate.objects.count() == 2


def test_economics_with_margins_for_owners_only(world, api, alice, bob, carol):
    owner = {r["client"]: r for r in api(alice).get("/api/practice-economics/").json()}
    assert owner["acme"]["hours"] == "5.00" and owner["acme"]["cost"] is not None
    consultant = api(bob).get("/api/practice-economics/").json()
    assert [r["client"] for r in consultant] == ["acme"]
    assert consultant[0]["cost"] is None and consultant[0]["margin"] is None
    assert api(carol).get("/api/practice-economics/").status_code == 403
