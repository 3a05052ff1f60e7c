"""Importing a time tracker's CSV: every row or none, named errors, safe to import twice."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from vcio.core.models import Membership
from vcio.core.roles import Role
from vcio.practice import timeentries
from vcio.practice.models import Activity, TimeEntry
from vcio.practice.tests.builders import entry

TODAY = timezone.localdate


def day(n: int) -> str:
    return (TODAY() - datetime.timedelta(days=n)).isoformat()


def vcio_csv(*rows: str) -> bytes:
    return ("client,person,date,hours,activity,note,id\n" + "\n".join(rows) + "\n").encode()


TOGGL_HEADER = (
    "User,Email,Client,Project,Description,Billable,Start date,Start time,"
    "End date,End time,Duration,Tags,Amount ()\n"
)


def toggl_csv(*rows: str) -> bytes:
    return (TOGGL_HEADER + "\n".join(rows) + "\n").encode()


@pytest.fixture
def people(acme, globex, alice, bob, tess):
    bob.email = "bob@practice.test"
    bob.save()
    Membership.objects.create(user=bob, client=globex, role=Role.CONSULTANT)
    return {"alice": alice, "bob": bob, "tess": tess}


def test_a_good_file_is_imported(people, acme, globex, alice):
    data = vcio_csv(
        f"acme,bob,{day(1)},1.5,review,Monthly review,",
        f"Globex Health,bob@practice.test,{day(1)},2,ad hoc,Printer,",
        f"acme,tess,{day(2)},3,project,,T-1",
    )
    result = timeentries.import_csv(data, alice)
    assert (len(result.added), result.skipped) == (3, 0)
    rows = set(
        TimeEntry.objects.values_list(
            "client__slug", "person__username", "hours", "activity", "external_id"
        )
    )
    assert ("acme", "tess", Decimal("3.00"), Activity.PROJECT, "T-1") in rows
    assert ("globex", "bob", Decimal("2.00"), Activity.AD_HOC) == next(
        r[:4] for r in rows if r[0] == "globex"
    )


def test_a_toggl_track_export_is_read(people, acme, alice):
    data = toggl_csv(
        f"Bob,bob@practice.test,Acme Corp,Monthly review,Prep and meeting,Yes,{day(3)},"
        f"09:00:00,{day(3)},10:30:00,01:30:00,,",
        f"Tess,,acme,Laptop refresh project,Imaging,Yes,{day(3)},13:00:00,{day(3)},"
        "13:45:00,00:45:00,,",
    )
    result = timeentries.import_csv(data, alice)
    assert len(result.added) == 2
    found = dict(TimeEntry.objects.values_list("person__username", "hours"))
    assert found == {"bob": Decimal("1.50"), "tess": Decimal("0.75")}
    assert set(TimeEntry.objects.values_list("activity", flat=True)) == {
        Activity.REVIEW,
        Activity.PROJECT,
    }
    # Importing the same export again adds nothing.
    again = timeentries.import_csv(data, alice)
    assert (len(again.added), again.skipped) == (0, 2)
    assert TimeEntry.objects.count() == 2


def test_reimporting_the_same_vcio_file_adds_nothing(people, alice):
    data = vcio_csv(f"acme,bob,{day(1)},1,,,", f"acme,bob,{day(1)},1,,,")  # two identical rows
    assert len(timeentries.import_csv(data, alice).added) == 2
    assert len(timeentries.import_csv(data, alice).added) == 0
    assert TimeEntry.objects.count() == 2


def test_any_bad_row_saves_nothing_and_each_is_named(people, acme, alice, carol):
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    data = vcio_csv(
        f"acme,bob,{day(1)},1,,,",
        f"Nowhere Inc,bob,{day(1)},1,,,",
        f"acme,zed,{day(1)},1,,,",
        f"acme,bob,{tomorrow},1,,,",
        f"acme,bob,{day(1)},lots,,,",
        "acme,bob,31/02/2024,1,,,",
        f"acme,carol,{day(1)},1,,,",
    )
    with pytest.raises(timeentries.ImportFailed) as exc:
        timeentries.import_csv(data, alice)
    errors = exc.value.errors
    assert (
        errors[0]
        == "Row 3, column `client`: 'Nowhere Inc' is not a client you may import time into."
    )
    assert errors[1].startswith("Row 4, column `person`: 'zed' is not one of the practice's people")
    assert errors[2].startswith(f"Row 5, column `date`: '{tomorrow}' {tomorrow} is in the future")
    assert errors[3] == "Row 6, column `hours`: 'lots' is not a number of hours, e.g. 1.5."
    assert errors[4] == "Row 7, column `date`: '31/02/2024' is not a date (YYYY-MM-DD)."
    assert errors[5].startswith(
        "Row 8, column `person`: 'carol' is not one of the practice's people ("
    )
    assert not TimeEntry.objects.exists()


def test_a_bad_toggl_duration_is_named(people, alice):
    data = toggl_csv(f"Bob,bob@practice.test,acme,x,y,Yes,{day(1)},09:00:00,,,1h30,,")
    with pytest.raises(timeentries.ImportFailed) as exc:
        timeentries.import_csv(data, alice)
    assert exc.value.errors == ["Row 2, column `Duration`: '1h30' is not a duration (hh:mm:ss)."]


def test_over_24_hours_a_day_counts_entries_already_saved(people, acme, alice, bob):
    entry(acme, bob, TODAY() - datetime.timedelta(days=1), 20)
    data = vcio_csv(f"acme,bob,{day(1)},3,,,", f"acme,bob,{day(1)},2,,,")
    with pytest.raises(timeentries.ImportFailed) as exc:
        timeentries.import_csv(data, alice)
    assert exc.value.errors == [
        f"Row 3, column `hours`: '2' Bob already has 23 h on {day(1)}; 2 h more would make "
        "25 h (at most 24 h a day)."
    ]
    assert TimeEntry.objects.count() == 1


def test_a_consultant_imports_only_into_their_own_clients(acme, globex, bob, gina):
    data = vcio_csv(f"globex,gina,{day(1)},1,,,")
    with pytest.raises(timeentries.ImportFailed) as exc:
        timeentries.import_csv(data, bob)
    assert exc.value.errors == [
        "Row 2, column `client`: 'globex' is not a client you may import time into."
    ]
    assert len(timeentries.import_csv(data, gina).added) == 1


def test_a_header_we_do_not_know_is_refused(alice):
    with pytest.raises(timeentries.ImportFailed) as exc:
        timeentries.import_csv(b"when,what\n2026-01-01,stuff\n", alice)
    assert exc.value.errors[0].startswith("Row 1: the header is neither")
