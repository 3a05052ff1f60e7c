"""The import engine with core's contacts target: every bad input of the issue, and upserts.

Each bad input must give a message naming the row and column (or the file)
and leave the database exactly as it was.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connections

from vcio.core.importer import engine
from vcio.core.importer.base import Counts, Field, targets
from vcio.core.importer.values import money_parser, parse_date
from vcio.core.importing import CONTACTS, ContactTarget
from vcio.core.models import AuditEvent, Contact, Department, ImportRun

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> Path:
    return FIXTURES / name


def database_state() -> list:
    """Every contact and department of every client: what "nothing was written" compares."""
    return [
        list(Contact.objects.order_by("pk").values_list()),
        list(Department.objects.order_by("pk").values_list()),
    ]


def lines(report: engine.ImportReport) -> list[str]:
    return [str(p) for p in report.problems]


class ContactsWithExtras(ContactTarget):
    """Contacts plus a date and an amount, to test those parsers through the engine."""

    key = "contacts-extra"
    fields = [
        *ContactTarget.fields,
        Field("start", "Start date", parse_date),
        Field("budget", "Budget", money_parser()),
    ]
    # apply is the contacts' own: it writes only the contact fields, so the
    # date and amount are parsed and checked, never stored.


@pytest.fixture
def extras_target():
    target = targets.register(ContactsWithExtras())
    yield target
    targets.unregister(target.key)


# --- what a good import does ---------------------------------------------------------------


def test_an_import_creates_contacts_and_records_one_run_and_one_audit_event(acme, bob):
    report = engine.run("contacts", acme, [fixture("contacts.csv")], user=bob)
    assert report.committed and lines(report) == []
    assert report.counts == Counts(created=3)
    ann = Contact.objects.get(client=acme, email="ann.archer@example.test")
    assert (ann.first_name, ann.title, ann.department.name) == (
        "Ann",
        "Finance director",
        "Finance",
    )
    assert Contact.objects.get(client=acme, first_name="Cleo").email == ""
    run = report.run
    assert (run.status, run.created, run.user, run.file_names) == (
        "committed",
        3,
        bob,
        ["contacts.csv"],
    )
    assert run.mapping["Supplier"] == "" and run.mapping["Job title"] == "title"
    events = AuditEvent.objects.filter(client=acme, object_id=str(run.pk))
    assert events.count() == 1 and events.get().changes["created"] == 3


def test_an_unknown_column_is_a_note_not_an_error(acme):
    report = engine.run("contacts", acme, [fixture("contacts.csv")])
    assert report.committed
    assert "column `Supplier` is not imported" in [p.message for p in report.notes]
    assert report.run.user_name == "system"


def test_importing_the_same_file_again_changes_nothing(acme):
    engine.run("contacts", acme, [fixture("contacts.csv")])
    before = database_state()
    again = engine.run("contacts", acme, [fixture("contacts.csv")])
    assert again.counts == Counts(unchanged=3)
    assert database_state() == before


def test_an_updated_file_updates_the_rows_it_changes(acme):
    engine.run("contacts", acme, [fixture("contacts.csv")])
    report = engine.run("contacts", acme, [fixture("contacts_updated.csv")])
    assert report.counts == Counts(created=1, updated=1, unchanged=2)
    assert Contact.objects.get(client=acme, email="bert@example.test").title == "Operations manager"


def test_a_dry_run_writes_nothing_but_says_what_it_would_do(acme):
    before = database_state()
    report = engine.preview("contacts", acme, [fixture("contacts.csv")])
    assert report.counts == Counts(created=3) and not report.committed
    assert database_state() == before
    assert report.run.status == "preview" and report.run.created == 3
    assert [r.values["first_name"] for r in report.sample] == ["Ann", "Bert", "Cleo"]
    assert not AuditEvent.objects.filter(object_id=str(report.run.pk)).exists()


class ContactsWithAnotherRequest(ContactTarget):
    """Contacts whose apply lets another client's request write in the middle of it."""

    key = "contacts-meanwhile"
    answers: list[str] = []

    def apply(self, client, rows, *, source, dry_run=False):
        counts = super().apply(client, rows, source=source, dry_run=dry_run)
        self.answers.append(write_from_another_connection())
        return counts


def write_from_another_connection() -> str:
    """What another request (its own connection) gets when it writes now: "ok" or the error."""
    other = connections.create_connection("default")
    try:
        if other.vendor == "sqlite":
            other.ensure_connection()
            other.connection.execute("PRAGMA busy_timeout = 100")  # fail fast, don't hang
        with other.cursor() as cursor:
            cursor.execute("UPDATE core_client SET name = name WHERE slug = %s", ["globex"])
        return "ok"
    except DatabaseError as exc:
        return str(exc)
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_a_dry_run_never_holds_the_write_lock_other_clients_need(acme, globex):
    target = targets.register(ContactsWithAnotherRequest())
    target.answers.clear()
    before = database_state()
    try:
        report = engine.preview(target, acme, [fixture("contacts.csv")], dry_run=True)
    finally:
        targets.unregister(target.key)
    assert report.counts == Counts(created=3)
    assert target.answers == ["ok"]  # it was "database table is locked" before
    assert database_state() == before


def test_an_import_for_one_client_never_touches_anothers_rows(acme, globex):
    csv = b"First name,Last name,Email,Job title\nAnn,Other,ann@acme.test,Globex nurse\n"
    acme_before = list(Contact.objects.filter(client=acme).values_list())
    report = engine.run("contacts", globex, [("same-email.csv", io.BytesIO(csv))])
    assert report.counts == Counts(created=1)
    assert list(Contact.objects.filter(client=acme).values_list()) == acme_before
    assert Contact.objects.get(client=globex, email="ann@acme.test").title == "Globex nurse"
    # And the other way round: Globex's Gary is not updated from Acme's file.
    gary = b"First name,Email,Job title\nGary,gary@globex.test,Acme buyer\n"
    report = engine.run("contacts", acme, [("gary.csv", io.BytesIO(gary))])
    assert report.counts == Counts(created=1)
    assert Contact.objects.get(client=globex, email="gary@globex.test").title == ""


def test_a_preset_is_recognised_from_the_headers(acme):
    report = engine.run("contacts", acme, [fixture("snipeit_users.csv")])
    assert report.preset == "snipeit-users" and report.counts == Counts(created=2)
    assert Contact.objects.get(email="rtenant0@example.test").title == "Nurse Practicioner"
    assert "column `Username` is not imported" in [n.message for n in report.notes]


def test_the_users_mapping_overrides_the_automatic_one(acme):
    mapping = {"Supplier": "title", "Job title": ""}
    report = engine.run("contacts", acme, [fixture("contacts.csv")], mapping=mapping)
    assert report.committed and report.run.mapping["Supplier"] == "title"
    assert Contact.objects.get(email="ann.archer@example.test").title == "Acme Supplies"


def test_several_files_in_one_import_name_the_file_in_problems(acme):
    dup = b"First name,Email\nZed,zed@example.test\nAnn,ann.archer@example.test\n"
    report = engine.preview(
        "contacts", acme, [fixture("contacts.csv"), ("more.csv", io.BytesIO(dup))]
    )
    assert lines(report) == [
        "more.csv, row 3, column `Email`: 'ann.archer@example.test' is also on row 2 of "
        "contacts.csv: each contact may appear once"
    ]


def test_progress_is_reported(acme, monkeypatch):
    monkeypatch.setattr(engine, "PROGRESS_EVERY", 1)
    seen = []
    engine.run("contacts", acme, [fixture("contacts.csv")], progress=lambda *a: seen.append(a))
    stages = [s for s, _, _ in seen]
    assert stages.count("reading") == 3 and "saving" in stages
    assert seen[0][2] == fixture("contacts.csv").stat().st_size


def test_only_users_who_may_edit_the_client_import(acme, carol, gina):
    with pytest.raises(PermissionDenied):
        engine.preview("contacts", acme, [fixture("contacts.csv")], user=carol)
    with pytest.raises(PermissionDenied):
        engine.preview("contacts", acme, [fixture("contacts.csv")], user=gina)


# --- bad input: a message naming row and column, and nothing written -----------------------


def assert_nothing_written(before, report):
    assert database_state() == before
    assert not report.committed and report.imported == 0
    assert report.run.status == ImportRun.Status.FAILED


def test_a_missing_required_column(acme):
    before = database_state()
    report = engine.run("contacts", acme, [fixture("contacts_missing_required.csv")])
    assert lines(report) == [
        "column `First name`: the required field First name has no column in the file "
        "(columns found: `Surname`, `Email`, `Dept`)"
    ]
    assert_nothing_written(before, report)


def test_text_that_is_not_utf8(acme):
    report = engine.run("contacts", acme, [fixture("contacts_cp1252.csv")])
    zoe = Contact.objects.get(client=acme, email="zoe@example.test")
    assert (zoe.first_name, zoe.last_name, zoe.title) == ("Zoë", "Müller", "Gérante")
    assert any("not UTF-8" in n.message for n in report.notes)


def test_old_mac_line_endings(acme):
    report = engine.run("contacts", acme, [fixture("contacts_mac.csv")])
    assert report.counts == Counts(created=3)
    assert set(Contact.objects.filter(client=acme).values_list("last_name", flat=True)) >= {
        "Intosh",
        "Apple",
        "Newton",
    }


def test_duplicate_keys_inside_one_file(acme):
    before = database_state()
    report = engine.run("contacts", acme, [fixture("contacts_duplicates.csv")])
    assert lines(report) == [
        "Row 4, column `Email`: 'ann@example.test' is also on row 2: each contact may appear once"
    ]
    assert report.counts.failed == 1
    assert_nothing_written(before, report)


def test_without_all_or_nothing_the_good_rows_are_imported(acme):
    report = engine.run("contacts", acme, [fixture("contacts_duplicates.csv")], atomic=False)
    assert report.committed and report.counts == Counts(created=2, failed=1)
    assert report.run.status == "committed" and report.run.problem_count == 1
    assert not Contact.objects.filter(first_name="Annie").exists()


def test_impossible_dates_negative_and_non_numeric_values(acme, extras_target):
    before = database_state()
    report = engine.run(extras_target, acme, [fixture("contacts_bad_values.csv")])
    assert lines(report) == [
        "Row 3, column `Start date`: '31/02/2024' is not a date",
        "Row 4, column `Budget`: '-40.00' is negative: an amount cannot be below 0",
        "Row 5, column `Email`: 'not-an-email' is not an email address",
        "Row 5, column `Start date`: '2024-02-31' is not a date",
        "Row 5, column `Budget`: 'twelve' is not an amount of money (e.g. 1234.50 or $1,234.50)",
        "Row 5, column `Primary contact`: 'maybe' is not yes or no (use yes/no, true/false or 1/0)",
    ]
    assert report.counts.failed == 3
    assert report.problems[0].value == "31/02/2024"
    assert_nothing_written(before, report)
    assert report.run.problems[0]["row"] == 3 and report.run.problems[0]["column"] == "Start date"


def test_an_empty_required_cell(acme):
    before = database_state()
    data = b"First name,Email\nAnn,ann@example.test\n,nobody@example.test\n"
    report = engine.run("contacts", acme, [("people.csv", io.BytesIO(data))])
    assert lines(report) == [
        "Row 3, column `First name`: First name is required but the cell is empty"
    ]
    assert_nothing_written(before, report)


@pytest.mark.parametrize(
    "name, message",
    [
        ("empty.csv", "empty.csv: the file is empty"),
        ("header_only.csv", "header_only.csv: the file has no rows below its header"),
    ],
)
def test_an_empty_file(acme, name, message):
    before = database_state()
    report = engine.run("contacts", acme, [fixture(name)])
    assert lines(report) == [message]
    assert_nothing_written(before, report)


def test_an_oversize_file(acme, settings, tmp_path):
    settings.VCIO_IMPORT_MAX_MB = 1
    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.write(b"First name,Email\n")
        f.write(b"Ann,ann@example.test\n" * 110_000)
    before = database_state()
    report = engine.run("contacts", acme, [big])
    assert lines(report) == ["big.csv: the file is 2.2 MB; the limit is 1 MB (VCIO_IMPORT_MAX_MB)"]
    assert_nothing_written(before, report)


def test_an_xlsx_with_several_sheets(acme, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Staff"
    book.active.append(["First name", "Email"])
    book.active.append(["Ann", "ann@example.test"])
    vendors = book.create_sheet("Vendors")
    vendors.append(["First name", "Email"])
    vendors.append(["Vic", "vic@vendor.test"])
    path = tmp_path / "people.xlsx"
    book.save(path)
    before = database_state()
    report = engine.run("contacts", acme, [path])
    assert lines(report) == [
        "people.xlsx: the workbook has data on 2 sheets (`Staff`, `Vendors`): "
        "choose one with the Sheet option (--sheet NAME on the command line)"
    ]
    assert_nothing_written(before, report)
    chosen = engine.run("contacts", acme, [path], sheet="Vendors")
    assert chosen.counts == Counts(created=1)
    assert Contact.objects.filter(client=acme, email="vic@vendor.test").exists()


def test_an_unknown_preset_is_a_problem(acme):
    report = engine.run("contacts", acme, [fixture("contacts.csv")], preset="nope")
    assert lines(report) == ["there is no preset `nope` for Contacts; presets: snipeit-users"]
    assert not report.committed


def test_a_database_refusal_becomes_a_problem_and_nothing_is_written(acme, monkeypatch):
    def refuse(client, rows, *, source):
        Contact.objects.create(client=client, first_name="Half-written")
        raise ValidationError("the database said no")

    monkeypatch.setattr(CONTACTS, "apply", refuse)
    before = database_state()
    report = engine.run("contacts", acme, [fixture("contacts.csv")])
    assert lines(report) == ["the rows could not be saved: the database said no"]
    assert_nothing_written(before, report)
