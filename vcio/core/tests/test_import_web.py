"""Importing through the web: upload → preview (edit the mapping) → confirm, and history."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.core.importer import uploads
from vcio.core.models import Contact, ImportRun
from vcio.core.registry import periodic_jobs

FIXTURES = Path(__file__).parent / "fixtures"
UPLOAD = "/clients/acme/import/contacts/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(http, name: str, **extra):
    data = {"files": SimpleUploadedFile(name, (FIXTURES / name).read_bytes()), **extra}
    return http.post(UPLOAD, data)


def test_upload_preview_edit_mapping_and_confirm(login, bob, acme, media):
    http = login(bob)
    page = http.get(UPLOAD)
    assert page.status_code == 200 and b"Import contacts into Acme Corp" in page.content
    before = Contact.objects.filter(client=acme).count()

    r = upload(http, "contacts.csv", atomic="on")
    run = ImportRun.objects.get(client=acme)
    assert r.status_code == 302 and r["Location"] == f"/clients/acme/imports/{run.pk}/preview/"
    assert (media / "imports" / str(run.pk)).is_dir()
    assert Contact.objects.filter(client=acme).count() == before  # a preview writes nothing

    preview = http.get(r["Location"])
    text = preview.content.decode()
    assert preview.status_code == 200
    assert "Nothing has been written yet" in text
    assert "column `Supplier` is not imported" in text
    assert "Finance director" in text  # the first rows as they would be imported
    assert preview.context["run"].created == 3

    # The user maps Supplier to the job title and drops the old title column.
    form = preview.context["mapping_form"]
    mapping = {key: field.initial for key, field in form.fields.items()}
    for key, field in form.fields.items():
        if field.label == "Supplier":
            mapping[key] = "title"
        elif field.label == "Job title":
            mapping[key] = ""
    r = http.post(f"/clients/acme/imports/{run.pk}/preview/", mapping)
    assert r.status_code == 302
    assert "Acme Supplies" in http.get(r["Location"]).content.decode()

    r = http.post(f"/clients/acme/imports/{run.pk}/confirm/", {"atomic": "on"}, follow=True)
    assert r.redirect_chain[-1][0] == f"/clients/acme/imports/{run.pk}/"
    assert "Imported: created 3, updated 0, unchanged 0, failed 0." in r.content.decode()
    run.refresh_from_db()
    assert (run.status, run.created, run.files_kept, run.user) == ("committed", 3, False, bob)
    assert (
        Contact.objects.get(client=acme, email="ann.archer@example.test").title == "Acme Supplies"
    )
    assert not (media / "imports" / str(run.pk)).exists()

    # Confirming twice imports nothing more.
    r = http.post(f"/clients/acme/imports/{run.pk}/confirm/", follow=True)
    assert "already confirmed" in r.content.decode()
    history = http.get("/clients/acme/imports/")
    assert history.status_code == 200 and "contacts.csv" in history.content.decode()


def test_problems_are_listed_and_all_or_nothing_writes_nothing(login, bob, acme):
    http = login(bob)
    r = upload(http, "contacts_duplicates.csv", atomic="on")
    page = http.get(r["Location"])
    text = page.content.decode()
    assert "is also on row 2: each contact may appear once" in text
    assert "untick it to import the 2 good rows" in text
    before = Contact.objects.filter(client=acme).count()
    run = ImportRun.objects.get(client=acme)
    r = http.post(f"/clients/acme/imports/{run.pk}/confirm/", {"atomic": "on"}, follow=True)
    assert "Nothing was imported: 1 problem(s)" in r.content.decode()
    assert Contact.objects.filter(client=acme).count() == before
    run.refresh_from_db()
    assert run.status == "failed" and run.problems[0]["row"] == 4


def test_unticking_all_or_nothing_imports_the_good_rows(login, bob, acme):
    http = login(bob)
    upload(http, "contacts_duplicates.csv", atomic="on")
    run = ImportRun.objects.get(client=acme)
    http.post(f"/clients/acme/imports/{run.pk}/confirm/", {})
    run.refresh_from_db()
    assert (run.status, run.created, run.failed) == ("committed", 2, 1)


def test_a_file_that_cannot_be_imported_offers_no_confirm_button(login, bob, acme):
    http = login(bob)
    r = upload(http, "contacts_missing_required.csv", atomic="on")
    text = http.get(r["Location"]).content.decode()
    assert "the required field First name has no column in the file" in text
    assert "There is nothing to import" in text and "/confirm/" not in text


def test_an_oversize_upload_is_refused_by_the_form(login, bob, acme, settings):
    settings.VCIO_IMPORT_MAX_MB = 1
    # Over the file limit but within the request's (the limit plus room for the form).
    big = SimpleUploadedFile("big.csv", b"First name\n" + b"Ann\n" * 400_000)
    r = login(bob).post(UPLOAD, {"files": big})
    assert r.status_code == 200
    assert (
        "big.csv: the file is 1.5 MB; the limit is 1 MB (VCIO_IMPORT_MAX_MB)" in r.content.decode()
    )
    assert not ImportRun.objects.exists()


def test_an_upload_over_the_limit_is_refused_with_413_before_its_body_is_read(login, bob, acme):
    # The request says 10 GB are coming; only a few bytes are there, and none is read.
    r = login(bob).generic(
        "POST",
        UPLOAD,
        b"--x--",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(10 * 1024**3),
    )
    assert r.status_code == 413
    assert r.content.decode() == (
        "The upload is 10240.0 MB; at most 100 MB can be sent at once (VCIO_IMPORT_MAX_MB). "
        "Split the file, or ask your administrator to raise the limit."
    )
    assert not ImportRun.objects.exists()


def test_an_api_upload_over_the_limit_is_a_json_413(api, bob, acme, settings):
    settings.VCIO_IMPORT_MAX_MB = 1
    big = SimpleUploadedFile("big.csv", b"First name\n" + b"Ann\n" * 600_000)
    r = api(bob).post("/api/imports/", {"client": "acme", "target": "contacts", "files": big})
    assert r.status_code == 413
    assert r.json()["detail"].startswith("The upload is 2.3 MB; at most 1 MB can be sent at once")
    assert not ImportRun.objects.exists()


def test_an_upload_kept_too_long_must_be_uploaded_again(login, bob, acme, media):
    http = login(bob)
    upload(http, "contacts.csv", atomic="on")
    run = ImportRun.objects.get(client=acme)
    folder = media / "imports" / str(run.pk)
    old = time.time() - 2 * 24 * 3600
    os.utime(folder, (old, old))
    assert uploads.purge_stale_uploads() == 1  # what the worker runs every hour
    assert periodic_jobs.get("core.purge_import_uploads").run is uploads.purge_stale_uploads
    assert not folder.exists()
    r = http.post(f"/clients/acme/imports/{run.pk}/confirm/", follow=True)
    assert "upload it again" in r.content.decode()
    run.refresh_from_db()
    assert run.status == "preview" and not run.files_kept


def test_template_download(login, carol, acme):
    r = login(carol).get("/clients/acme/import/contacts/template.csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert r.content.decode("utf-8-sig").splitlines()[0].startswith("First name,Last name,Email")


def test_who_may_import(login, carol, dave, bob, acme):
    assert login(carol).get(UPLOAD).status_code == 403  # an executive reads, does not import
    assert login(dave).get(UPLOAD).status_code == 404  # another client's executive
    assert login(bob).get("/clients/acme/import/nonsense/").status_code == 404


def test_the_imports_tab_and_constant_queries(login, bob, acme):
    http = login(bob)
    assert b'href="/clients/acme/imports/"' in http.get("/clients/acme/").content

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert http.get("/clients/acme/imports/").status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        ImportRun.objects.create(client=acme, target="contacts", file_names=["a.csv"])
    few = queries()
    for _ in range(20):
        ImportRun.objects.create(client=acme, target="contacts", file_names=["b.csv"])
    assert queries() == few


def test_big_counts_read_with_thousands_separators(login, bob, acme):
    run = ImportRun.objects.create(
        client=acme, target="contacts", file_names=["big.csv"], status="committed",
        rows=1_234_567, created=1_200_000, updated=34_567, unchanged=0, failed=0,
    )  # fmt: skip
    http = login(bob)
    detail = http.get(f"/clients/acme/imports/{run.pk}/").text
    assert ">1,234,567</span><small>rows read" in detail
    assert ">1,200,000</span><small>created" in detail and ">34,567</span>" in detail
    assert '<td class="num">1,200,000</td>' in http.get("/clients/acme/imports/").text
