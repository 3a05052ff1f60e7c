"""Big imports run in the worker: the request answers at once, the page and the API follow it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from vcio.core.importer import background
from vcio.core.models import Contact, ImportRun
from vcio.core.registry import worker_services

FIXTURES = Path(__file__).parent / "fixtures"
UPLOAD = "/clients/acme/import/contacts/"
CONTACTS = (FIXTURES / "contacts.csv").read_bytes()


@pytest.fixture(autouse=True)
def every_upload_is_big(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VCIO_IMPORT_BACKGROUND_MB = 0  # any upload goes to the worker


def acme_people(acme) -> set[str]:
    return set(Contact.objects.filter(client=acme).values_list("first_name", flat=True))


def test_the_worker_runs_a_big_upload_and_the_pages_follow_it(login, bob, acme):
    http = login(bob)
    before = acme_people(acme)
    r = http.post(UPLOAD, {"files": SimpleUploadedFile("contacts.csv", CONTACTS)})
    run = ImportRun.objects.get(client=acme)
    assert r.status_code == 302 and r["Location"] == f"/clients/acme/imports/{run.pk}/preview/"

    waiting = http.get(r["Location"]).content.decode()
    assert "Waiting for the worker to start the import." in waiting
    assert 'hx-trigger="every 2s"' in waiting  # the page polls itself
    assert "Nothing has been written yet" not in waiting  # no figures before they exist

    assert background.run_pending("test-worker") == 1
    preview = http.get(r["Location"])
    assert "Nothing has been written yet" in preview.content.decode()
    assert 'hx-trigger="every 2s"' not in preview.content.decode()
    assert preview.context["run"].created == 3
    assert acme_people(acme) == before  # a preview writes nothing

    confirm = http.post(f"/clients/acme/imports/{run.pk}/confirm/", {"atomic": "on"})
    assert confirm.status_code == 302
    following = http.get(confirm["Location"]).content.decode()
    assert "The import runs in the background: this page follows it." in following
    assert "Waiting for the worker" in following
    assert acme_people(acme) == before

    assert background.run_pending("test-worker") == 1
    done = http.get(confirm["Location"]).content.decode()
    assert "Imported" in done and 'hx-trigger="every 2s"' not in done
    assert acme_people(acme) == before | {"Ann", "Bert", "Cleo"}


def test_the_page_shows_how_far_the_worker_got(login, bob, acme):
    run = ImportRun.objects.create(
        client=acme, target="contacts", file_names=["big.csv"], files_kept=True
    )
    ImportRun.objects.filter(pk=run.pk).update(
        job="running", progress={"stage": "reading", "done": 250, "total": 1000}
    )
    page = login(bob).get(f"/clients/acme/imports/{run.pk}/preview/").content.decode()
    assert "Reading the file: 25 %." in page
    assert '<progress max="1000" value="250">' in page


def test_the_api_answers_202_and_the_run_says_when_it_is_done(api, bob, acme):
    http = api(bob)
    data = {"client": "acme", "target": "contacts", "dry_run": "false"}
    r = http.post(
        "/api/imports/",
        {**data, "files": SimpleUploadedFile("contacts.csv", CONTACTS, content_type="text/csv")},
        format="multipart",
    )
    assert r.status_code == 202, r.content
    body = r.json()
    assert (body["job"], body["status"], body["created"]) == ("queued", "preview", 0)
    assert r["Location"].endswith(f"/api/imports/{body['id']}/")
    assert not Contact.objects.filter(client=acme, email="bert@example.test").exists()

    background.run_pending("test-worker")
    after = http.get(f"/api/imports/{body['id']}/").json()
    assert (after["job"], after["status"], after["created"]) == ("", "committed", 3)
    assert Contact.objects.filter(client=acme, email="bert@example.test").exists()


def test_one_import_is_claimed_by_one_worker_only(bob, acme):
    run = ImportRun.objects.create(client=acme, target="contacts", user=bob)
    background.queue(run, commit=False)
    first = background.claim_next("worker-1")
    assert first is not None and first.pk == run.pk
    assert background.claim_next("worker-2") is None


def test_a_long_save_is_not_taken_over_by_another_worker(bob, acme):
    """Progress cannot be written while the rows are saved (the import's transaction hides
    it), so the lease taken before the save covers a slow save of the whole file."""
    run = ImportRun.objects.create(client=acme, target="contacts", user=bob)
    background.queue(run, commit=True)
    assert background.claim_next("worker-1") is not None
    size = 120 * 1024 * 1024  # a million-row CSV
    progress = background._Progress(run.pk, "worker-1", background.lease_for(size))
    progress("saving", 0, 1)
    run.refresh_from_db()
    # 120 MiB at 50 KiB/s is 2,457.6 s: another worker may not claim it for 40 minutes.
    assert run.lease_until - timezone.now() > timedelta(minutes=40)
    assert background.lease_for(1024) == background.LEASE  # a small file keeps 5 minutes
    later = timezone.now() + timedelta(minutes=39)
    assert not ImportRun.objects.filter(background._claimable(later), pk=run.pk).exists()


def test_files_gone_before_the_worker_came_fail_with_a_message(login, bob, acme):
    run = ImportRun.objects.create(client=acme, target="contacts", user=bob, file_names=["a.csv"])
    background.queue(run, commit=True)
    background.run_pending("test-worker")
    page = login(bob).get(f"/clients/acme/imports/{run.pk}/").content.decode()
    assert "the uploaded files are no longer kept: upload them again" in page


def test_the_worker_runs_the_import_service():
    assert "core.imports" in worker_services
