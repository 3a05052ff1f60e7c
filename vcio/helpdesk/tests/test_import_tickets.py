"""Importing tickets: the generic template, re-imports, assets, departments, CLI, web and API.

Figures are checked against values worked out by hand from the fixture
files (``tests/data/import``), never against the functions under test.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from vcio.assets.tests.factories import AssetFactory
from vcio.core.importer import engine
from vcio.core.models import Department, ImportRun
from vcio.helpdesk.models import AssetMatch, Ticket
from vcio.helpdesk.tests.factories import make_ticket

DATA = Path(__file__).parent / "data" / "import"
UTC = dt.UTC


def run(client, name: str, **kw):
    return engine.run("tickets", client, [DATA / name], **kw)


def tickets(client) -> dict[str, Ticket]:
    return {t.external_id: t for t in Ticket.objects.filter(client=client)}


@pytest.fixture
def acme_kit(acme):
    """Acme's departments and assets the fixture tickets mention."""
    Department.objects.create(client=acme, name="Finance")
    printer = AssetFactory(client=acme, name="PRN-0042", serial="CN12345", asset_tag="A-1")
    laptop = AssetFactory(client=acme, name="LT-BERT-07", serial="SN-77A1B2", asset_tag="A-2")
    annlaptop = AssetFactory(client=acme, name="LT-ANN-01", serial="SN-ANN-01", asset_tag="A-3")
    return {"printer": printer, "laptop": laptop, "ann": annlaptop}


def test_the_generic_template_imports_every_field(acme, acme_kit):
    report = run(acme, "generic.csv")
    assert report.committed, [str(p) for p in report.problems]
    assert (report.counts.created, report.counts.updated) == (4, 0)
    t = tickets(acme)
    one = t["T-1"]
    assert one.source == "vcio" and one.subject == "Printer jams on 2nd floor"
    # HTML became text: tags gone, &nbsp; a space, paragraphs on their own lines.
    assert one.body == "The printer PRN-0042 jams again.\n\nSecond paragraph"
    assert (one.priority, one.source_priority) == ("high", "High")
    assert (one.status, one.source_status) == ("resolved", "Resolved")
    assert one.satisfaction == 5 and one.source_category == "Printing" and one.assignee == "tess"
    assert one.department.name == "Finance" and one.source_department == ""
    assert one.resolved_at - one.opened_at == dt.timedelta(hours=3)
    assert one.first_response_at - one.opened_at == dt.timedelta(minutes=30)
    # The printer's host name is in the body.
    assert (one.asset_id, one.asset_matched_by) == (acme_kit["printer"].pk, AssetMatch.HOSTNAME)
    two = t["T-2"]
    assert (two.priority, two.status) == ("critical", "open")
    assert (two.asset_id, two.asset_matched_by) == (acme_kit["laptop"].pk, AssetMatch.SERIAL)
    # An unknown department is kept as text, none is created.
    assert two.department is None and two.source_department == "Warehouse"
    three = t["T-3"]
    assert three.subject == "Drucker druckt nicht" and "„Papierstau“" in three.body
    assert three.requester == "Jürgen Groß"
    assert (three.asset_id, three.asset_matched_by) == (acme_kit["ann"].pk, AssetMatch.FIELD)
    assert three.opened_at == dt.datetime(2024, 3, 3, 7, 15, tzinfo=UTC)  # +01:00 kept
    assert (three.priority, three.status, three.satisfaction) == ("medium", "pending", 4)
    four = t["T-4"]
    assert four.subject == "VPN の接続が切れる" and four.priority == "low" and four.status == "new"
    assert four.asset is None and four.asset_matched_by == ""


def test_a_changed_export_updates_statuses_and_a_replay_changes_nothing(acme, acme_kit):
    run(acme, "generic.csv")
    before = tickets(acme)
    report = run(acme, "generic_changed.csv")
    assert (report.counts.created, report.counts.updated, report.counts.unchanged) == (0, 2, 0)
    after = tickets(acme)
    assert Ticket.objects.filter(client=acme).count() == 4
    assert (after["T-2"].status, after["T-2"].source_status) == ("closed", "Closed")
    assert after["T-2"].resolved_at == dt.datetime(2024, 3, 5, 16, 0, tzinfo=UTC)
    assert after["T-4"].status == "open"
    # Columns the second file lacks keep what the first one brought.
    assert after["T-2"].body == before["T-2"].body and after["T-2"].requester == "Bert"
    assert after["T-2"].asset_id == acme_kit["laptop"].pk
    replay = run(acme, "generic_changed.csv")
    assert (replay.counts.created, replay.counts.updated, replay.counts.unchanged) == (0, 0, 2)
    replay = run(acme, "generic.csv")
    assert replay.counts.created == 0 and Ticket.objects.filter(client=acme).count() == 4


def test_a_dry_run_writes_nothing_but_counts(acme):
    make_ticket(acme, source="vcio", external_id="T-1", subject="old subject")
    report = engine.preview("tickets", acme, [DATA / "generic.csv"], dry_run=True)
    assert (report.counts.created, report.counts.updated) == (3, 1)
    assert Ticket.objects.filter(client=acme).count() == 1
    assert Ticket.objects.get(client=acme).subject == "old subject"


def test_a_person_set_asset_link_is_never_replaced(acme, acme_kit):
    other = AssetFactory(client=acme, name="SRV-01", serial="ZZ-1", asset_tag="A-9")
    make_ticket(acme, source="vcio", external_id="T-1", asset=other,
                asset_matched_by=AssetMatch.PERSON)  # fmt: skip
    run(acme, "generic.csv")
    assert tickets(acme)["T-1"].asset_id == other.pk


def test_another_clients_assets_and_tickets_are_never_touched(acme, globex, acme_kit):
    AssetFactory(client=globex, name="GLOBEX-PC-1", serial="SN-GLOBEX", asset_tag="G-1")
    make_ticket(globex, source="vcio", external_id="T-1", subject="Globex's own")
    run(acme, "generic.csv")
    assert Ticket.objects.get(client=globex).subject == "Globex's own"
    assert not Ticket.objects.filter(client=acme, asset__client=globex).exists()


def test_bad_rows_are_named_and_nothing_is_written(acme):
    report = run(acme, "bad.csv")
    assert not report.committed and Ticket.objects.count() == 0
    messages = sorted(str(p) for p in report.problems)
    assert messages == sorted([
        "Row 3, column `Resolved`: Resolved 2024-03-04 09:00 is before the ticket was created "
        "(2024-03-05 09:00)",
        "Row 4, column `Created`: 'yesterday-ish' is not a date and time",
        "Row 5, column `Ticket ID`: ticket B-1 also appears on row 2",
        "Row 6, column `Subject`: the ticket has neither a subject nor a body",
        "Row 7, column `Priority`: 'Whenever' is not a priority vcio knows (use critical, high, "
        "medium or low, or 1–5 with 1 the most urgent)",
    ])  # fmt: skip


def test_missing_timestamps_column_is_refused_naming_it(acme, tmp_path):
    path = tmp_path / "no_created.csv"
    path.write_text("Ticket ID,Subject\nX-1,Hello\n")
    report = engine.run("tickets", acme, [path])
    assert not report.committed
    assert str(report.problems[0]).startswith(
        "column `Created`: the required field Created has no column in the file"
    )


def test_an_empty_created_cell_names_row_and_column(acme, tmp_path):
    path = tmp_path / "empty_created.csv"
    path.write_text("Ticket ID,Subject,Created\nX-1,Hello,\n")
    report = engine.run("tickets", acme, [path])
    assert [str(p) for p in report.problems] == [
        "Row 2, column `Created`: Created is required but the cell is empty"
    ]


def test_the_command_imports_and_an_unknown_preset_is_refused(acme):
    out = StringIO()
    call_command("import", "tickets", str(DATA / "generic.csv"), "--client", "acme",
                 "--dry-run", stdout=out)  # fmt: skip
    assert "4 rows would give: created 4" in out.getvalue() and Ticket.objects.count() == 0
    call_command("import", "tickets", str(DATA / "generic.csv"), "--client", "acme",
                 stdout=StringIO())  # fmt: skip
    assert Ticket.objects.filter(client=acme).count() == 4
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import", "tickets", str(DATA / "generic.csv"), "--client", "acme",
                     "--preset", "nosuch", stdout=StringIO(), stderr=err)  # fmt: skip
    assert "there is no preset `nosuch` for Help-desk tickets; presets: zammad" in err.getvalue()


def test_the_api_imports_tickets(api, bob, acme):
    upload = SimpleUploadedFile("generic.csv", (DATA / "generic.csv").read_bytes())
    r = api(bob).post("/api/imports/", {"client": "acme", "target": "tickets", "files": upload,
                                        "dry_run": "false"}, format="multipart")  # fmt: skip
    assert r.status_code == 201, r.content
    assert r.json()["created"] == 4 and Ticket.objects.filter(client=acme).count() == 4


def test_the_api_refuses_a_client_the_user_cannot_edit(api, carol, acme):
    upload = SimpleUploadedFile("generic.csv", (DATA / "generic.csv").read_bytes())
    r = api(carol).post("/api/imports/", {"client": "acme", "target": "tickets", "files": upload,
                                          "dry_run": "false"}, format="multipart")  # fmt: skip
    assert r.status_code in (403, 404) and Ticket.objects.count() == 0


def test_the_web_upload_previews_then_imports(login, bob, acme, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    http = login(bob)
    page = http.get("/clients/acme/import/tickets/")
    assert page.status_code == 200
    assert "Import help-desk tickets into Acme Corp" in page.content.decode()
    upload = SimpleUploadedFile("generic.csv", (DATA / "generic.csv").read_bytes())
    r = http.post("/clients/acme/import/tickets/", {"files": upload, "atomic": "on"})
    run_row = ImportRun.objects.get(client=acme)
    assert r.status_code == 302 and Ticket.objects.count() == 0
    preview = http.get(r["Location"])
    shown = preview.content.decode()
    # The preview shows the mapped value beside the source's own word.
    assert "Printer jams on 2nd floor" in shown and "critical (P1)" in shown
    http.post(f"/clients/acme/imports/{run_row.pk}/confirm/", {"atomic": "on"}, follow=True)
    assert Ticket.objects.filter(client=acme).count() == 4


def write_many(path: Path, n: int) -> Path:
    lines = ["Ticket ID,Subject,Created,Status,Department"]
    lines += [f"Q-{i},Printer {i},2024-03-01 09:00,open,Finance" for i in range(n)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_queries_do_not_grow_with_the_rows(acme, acme_kit, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert engine.run("tickets", acme, [write_many(tmp_path / "a.csv", 20)]).committed
    Ticket.objects.all().delete()
    with CaptureQueriesContext(connection) as many:
        assert engine.run("tickets", acme, [write_many(tmp_path / "b.csv", 400)]).committed
    # One load of keys, departments and assets, then inserts only: as many as the
    # database's bound-parameter limit splits a thousand rows into (SQLite: ~33 rows
    # each), never one query per row.
    fields = [f for f in Ticket._meta.concrete_fields if not f.primary_key]
    per_insert = connection.ops.bulk_batch_size(fields, [Ticket()] * 1000)
    extra_inserts = -(-400 // per_insert) - -(-20 // per_insert)
    assert len(many.captured_queries) - len(few.captured_queries) <= extra_inserts
    assert extra_inserts < 400 / 10
