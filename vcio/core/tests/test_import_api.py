"""``/api/imports/``: import by multipart upload (a dry run by default), list and read."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from vcio.core.models import Contact, ImportRun
from vcio.core.tests.factories import make_token

FIXTURES = Path(__file__).parent / "fixtures"


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type="text/csv")


def post(http: APIClient, name: str = "contacts.csv", **fields):
    data = {"client": "acme", "target": "contacts", "files": upload(name), **fields}
    return http.post("/api/imports/", data, format="multipart")


def test_a_post_is_a_dry_run_unless_told_otherwise(api, bob, acme):
    before = Contact.objects.count()
    r = post(api(bob))
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["status"], body["created"], body["client"]) == ("preview", 3, "acme")
    assert body["problems"] == [] and body["file_names"] == ["contacts.csv"]
    assert Contact.objects.count() == before


def test_a_real_import_answers_201(api, bob, acme):
    r = post(api(bob), dry_run="false")
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "committed"
    assert Contact.objects.filter(client=acme, email="bert@example.test").exists()


def test_problems_come_back_with_row_and_column(api, bob, acme):
    before = Contact.objects.count()
    r = post(api(bob), "contacts_duplicates.csv", dry_run="false")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "failed" and body["problem_count"] == 1
    problem = body["problems"][0]
    assert (problem["row"], problem["column"]) == (4, "Email")
    assert problem["text"].startswith("Row 4, column `Email`: 'ann@example.test' is also on row 2")
    assert Contact.objects.count() == before


def test_a_mapping_and_good_rows_only(api, bob, acme):
    mapping = json.dumps({"Supplier": "title", "Job title": ""})
    r = post(api(bob), dry_run="false", atomic="false", mapping=mapping)
    assert r.status_code == 201, r.content
    assert Contact.objects.get(email="ann.archer@example.test").title == "Acme Supplies"


def test_mistakes_are_400s(api, bob, acme):
    http = api(bob)
    r = http.post("/api/imports/", {"client": "acme", "target": "contacts"}, format="json")
    assert r.status_code == 400 and "files" in r.json()
    r = post(http, target="nothing")
    assert r.status_code == 400 and "no import target 'nothing'" in r.json()["target"][0]
    r = post(http, mapping="{not json")
    assert r.status_code == 400 and r.json()["mapping"] == ["must be a JSON object"]
    r = post(http, format="zzz")
    assert r.status_code == 400 and "unknown format `zzz`" in r.json()["format"][0]


def test_a_preset_family_as_the_format(api, bob, acme):
    r = post(api(bob), "snipeit_users.csv", format="snipeit")
    assert r.status_code == 200 and r.json()["preset"] == "snipeit-users"
    assert r.json()["created"] == 2


def test_nobody_imports_into_a_client_they_cannot_edit(api, carol, gina, bob, acme):
    before = Contact.objects.count()
    assert post(api(carol)).status_code == 403  # Acme's executive reads only
    r = post(api(gina))  # Globex's consultant cannot even name Acme
    assert r.status_code == 400 and "no client with slug 'acme'" in r.json()["client"][0]
    _, key = make_token(bob, name="read only", read_only=True)
    reader = APIClient()
    reader.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert post(reader).status_code == 403
    assert Contact.objects.count() == before and not ImportRun.objects.exists()


def test_lists_and_details_are_scoped(api, bob, gina, acme, globex):
    acme_run = ImportRun.objects.create(client=acme, target="contacts", file_names=["a.csv"])
    globex_run = ImportRun.objects.create(client=globex, target="contacts", file_names=["g.csv"])
    mine = api(bob).get("/api/imports/").json()
    assert [r["id"] for r in mine["results"]] == [acme_run.pk]
    theirs = api(gina).get("/api/imports/?client=acme").json()
    assert theirs["results"] == []
    assert api(gina).get(f"/api/imports/{acme_run.pk}/").status_code == 404
    assert api(gina).get(f"/api/imports/{globex_run.pk}/").json()["file_names"] == ["g.csv"]
    assert api(bob).delete(f"/api/imports/{acme_run.pk}/").status_code == 405
