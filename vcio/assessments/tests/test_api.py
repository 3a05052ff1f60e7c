"""The assessments API: the framework library, assessments and their workflow, answers, evidence."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.assessments.models import (
    Answer,
    Assessment,
    Evidence,
    Framework,
    FrameworkVersion,
    Item,
)
from vcio.assessments.tests.isolation import (
    assessment_rows_for,
    framework_document,
    small_framework,
)
from vcio.assessments.workflow import start

# --- the framework library -------------------------------------------------------------------


def test_the_practice_reads_the_library_and_client_people_do_not(api, bob, tess, carol, erin):
    version = small_framework()
    for user in (bob, tess):
        body = api(user).get("/api/frameworks/").json()
        assert [f["key"] for f in body["results"]] == ["test-baseline"]
        one = api(user).get(f"/api/framework-versions/{version.pk}/").json()
        assert (one["framework"], one["version"], one["items"], one["sections"]) == (
            "test-baseline",
            "1.0",
            3,
            3,
        )
    for user in (carol, erin):
        assert api(user).get("/api/frameworks/").status_code == 403


def test_importing_a_json_document_saves_a_new_version(api, alice):
    doc = framework_document("practice-list", "2026.1", items=4)
    r = api(alice).post("/api/framework-versions/import/", doc, format="json")
    assert r.status_code == 201, r.content
    assert (r.json()["framework"], r.json()["version"], r.json()["items"]) == (
        "practice-list",
        "2026.1",
        4,
    )
    version = FrameworkVersion.objects.get(pk=r.json()["id"])
    assert [i.ref for i in version.items.order_by("order")] == ["T-01", "T-02", "T-03", "T-04"]


def test_importing_an_uploaded_file(api, alice):
    raw = json.dumps(framework_document("uploaded", "1")).encode()
    upload = SimpleUploadedFile("uploaded.json", raw, content_type="application/json")
    r = api(alice).post("/api/framework-versions/import/", {"file": upload}, format="multipart")
    assert r.status_code == 201, r.content
    assert Item.objects.filter(version__framework__key="uploaded").count() == 3


def counts() -> tuple[int, int, int]:
    return Framework.objects.count(), FrameworkVersion.objects.count(), Item.objects.count()


def test_a_bad_framework_file_lists_its_problems_and_saves_nothing(api, alice):
    small_framework()
    before = counts()
    doc = framework_document("broken", "1")
    doc["items"][1]["ref"] = "T-01"  # a duplicate id
    doc["items"][2]["colour"] = "red"  # an unknown field
    doc["items"][0]["section"] = "NOPE"  # an item without a known section
    r = api(alice).post("/api/framework-versions/import/", doc, format="json")
    assert r.status_code == 400
    problems = " | ".join(r.json()["problems"])
    assert "T-01" in problems and "'colour'" in problems and "NOPE" in problems
    assert counts() == before
    again = api(alice).post("/api/framework-versions/import/", framework_document(), format="json")
    assert again.status_code == 400
    assert "version '1.0' already exists" in again.json()["problems"][0]
    garbage = api(alice).post(
        "/api/framework-versions/import/", "{not json", content_type="application/json"
    )
    assert garbage.status_code == 400
    no_file = api(alice).post("/api/framework-versions/import/", {}, format="multipart")
    assert no_file.status_code == 400 and "'file'" in no_file.json()["problems"][0]
    assert counts() == before


def test_only_the_practices_managers_import_or_copy(api, bob, tess, carol):
    version = small_framework()
    before = counts()
    for user in (bob, tess, carol):
        doc = framework_document("mine", "1")
        assert (
            api(user).post("/api/framework-versions/import/", doc, format="json").status_code == 403
        )
        copy = api(user).post(
            f"/api/framework-versions/{version.pk}/copy/", {"version": "2"}, format="json"
        )
        assert copy.status_code == 403
    assert counts() == before


def test_export_and_copy(api, alice, bob):
    version = small_framework()
    doc = api(bob).get(f"/api/framework-versions/{version.pk}/export/").json()
    assert doc["framework"]["key"] == "test-baseline" and len(doc["items"]) == 3
    assert doc["items"][0]["remediation"] == "Put control 1 in place"
    r = api(alice).post(
        f"/api/framework-versions/{version.pk}/copy/",
        {"version": "1.1", "key": "our-baseline", "name": "Our baseline"},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert (r.json()["framework"], r.json()["framework_name"], r.json()["items"]) == (
        "our-baseline",
        "Our baseline",
        3,
    )
    clash = api(alice).post(
        f"/api/framework-versions/{version.pk}/copy/", {"version": "1.0"}, format="json"
    )
    assert clash.status_code == 400 and "already exists" in clash.json()["problems"][0]
    missing = api(alice).post(f"/api/framework-versions/{version.pk}/copy/", {}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()


# --- assessments -----------------------------------------------------------------------------


def test_the_cio_starts_an_assessment_with_one_answer_per_item(api, bob, acme):
    version = small_framework()
    r = api(bob).post(
        "/api/assessments/",
        {"client": "acme", "version": version.pk, "as_of": "2026-11-30", "title": "Q4 check"},
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["client"], body["framework"], body["status"], body["as_of"]) == (
        "acme",
        "test-baseline",
        "draft",
        "2026-11-30",
    )
    assert Answer.objects.filter(assessment_id=body["id"]).count() == 3
    # Nothing answered yet: every weight unknown, none aligned.
    assert body["score"]["percent"] == 0.0 and body["score"]["unknown"] == 1 + 2 + 3


def test_starting_is_the_cios_and_within_visible_clients(api, tess, carol, gina, acme, globex):
    version = small_framework()
    data = {"client": "acme", "version": version.pk}
    for user in (tess, carol):
        assert api(user).post("/api/assessments/", data, format="json").status_code == 403
    r = api(gina).post("/api/assessments/", data, format="json")
    assert r.status_code == 400 and "no client with slug 'acme'" in r.json()["client"][0]
    bad = api(gina).post("/api/assessments/", {"client": "globex", "version": 999}, format="json")
    assert bad.status_code == 400 and "no framework version with id 999" in bad.json()["version"][0]
    assert not Assessment.objects.exists()


def answer_for(assessment: Assessment, ref: str) -> Answer:
    return Answer.objects.get(assessment=assessment, item__ref=ref)


def test_the_score_and_sections_follow_the_answers(api, bob, acme):
    assessment = start(acme, small_framework(), bob)
    # T-01 (weight 1, PR) aligned, T-02 (weight 2, RC) partly, T-03 (weight 3, PR) not aligned.
    for ref, status in (("T-01", "aligned"), ("T-02", "partly"), ("T-03", "not_aligned")):
        Answer.objects.filter(pk=answer_for(assessment, ref).pk).update(status=status)
    body = api(bob).get(f"/api/assessments/{assessment.pk}/").json()
    assert body["score"]["percent"] == round(100 * (1 + 0.5 * 2) / 6, 1)
    sections = {s["section"]: s["percent"] for s in body["sections"]}
    assert sections == {"PR": 25.0, "RC": 50.0}


def test_the_workflow_through_the_api(api, bob, tess, erin, carol, acme):
    assessment = start(acme, small_framework(), bob)
    url = f"/api/assessments/{assessment.pk}/"
    assert api(erin).post(f"{url}submit/").status_code == 403
    assert api(carol).post(f"{url}submit/").status_code == 403
    assert api(tess).post(f"{url}submit/").json()["status"] == "in_review"
    assert api(tess).post(f"{url}sign-off/", {"summary": "x"}, format="json").status_code == 403
    signed = api(bob).post(f"{url}sign-off/", {"summary": "Good progress"}, format="json")
    assert signed.status_code == 200
    assert (signed.json()["status"], signed.json()["signed_off_by"]) == ("signed_off", "bob")
    again = api(bob).post(f"{url}sign-off/", {}, format="json")
    assert again.status_code == 400
    assert again.json()["detail"] == ["this assessment is already signed off"]
    assert api(bob).post(f"{url}reopen/").json()["status"] == "draft"
    refreshed = api(tess).post(f"{url}refresh-evidence/")
    assert refreshed.status_code == 200 and refreshed.json()["changed"] == 0


def test_lists_filter_and_stay_within_the_users_clients(api, bob, carol, dave, acme, globex):
    a = assessment_rows_for(acme, "ACME-ONLY", bob)
    start(globex, small_framework(), None)
    assert [x["id"] for x in api(bob).get("/api/assessments/").json()["results"]] == [a.pk]
    assert api(carol).get("/api/assessments/?status=draft").json()["count"] == 1
    assert api(carol).get("/api/assessments/?status=signed_off").json()["count"] == 0
    assert api(bob).get("/api/assessments/?framework=test-baseline").json()["count"] == 1
    assert api(dave).get(f"/api/assessments/{a.pk}/").status_code == 404
    assert "ACME-ONLY" not in api(dave).get("/api/assessments/").content.decode()
    bad = api(bob).get("/api/assessments/?status=nonsense")
    assert bad.status_code == 400 and "nonsense" in bad.json()["status"][0]


def test_compare_item_by_item(api, bob, acme, globex):
    version = small_framework()
    before = start(acme, version, bob, title="Q3")
    after = start(acme, version, bob, title="Q4")
    Assessment.objects.filter(pk=before.pk).update(as_of="2026-08-01")
    Answer.objects.filter(pk=answer_for(before, "T-01").pk).update(status="not_aligned")
    Answer.objects.filter(pk=answer_for(after, "T-01").pk).update(status="aligned")
    Answer.objects.filter(pk=answer_for(before, "T-02").pk).update(status="aligned")
    Answer.objects.filter(pk=answer_for(after, "T-02").pk).update(status="partly")
    r = api(bob).get(f"/api/assessments/{after.pk}/compare/", {"with": before.pk})
    assert r.status_code == 200
    body = r.json()
    assert (body["before"], body["after"]) == (before.pk, after.pk)
    changes = {c["ref"]: c["change"] for c in body["changes"]}
    assert changes == {"T-01": "improved", "T-02": "regressed", "T-03": "unchanged"}
    missing = api(bob).get(f"/api/assessments/{after.pk}/compare/")
    assert missing.status_code == 400 and "with" in missing.json()
    foreign = start(globex, version, None)
    r = api(bob).get(f"/api/assessments/{after.pk}/compare/", {"with": foreign.pk})
    assert r.status_code == 404


# --- answers ---------------------------------------------------------------------------------


@pytest.fixture
def acme_assessment(acme, bob) -> Assessment:
    return assessment_rows_for(acme, "ACME-ONLY", bob)


def test_answering_an_item(api, tess, acme_assessment):
    answer = answer_for(acme_assessment, "T-03")
    r = api(tess).patch(
        f"/api/assessment-answers/{answer.pk}/",
        {"status": "partly", "note": "Two laptops missing"},
        format="json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["status"], body["source"], body["note"], body["answered_by"]) == (
        "partly",
        "person",
        "Two laptops missing",
        "tess",
    )
    answer.refresh_from_db()
    assert (answer.status, answer.note) == ("partly", "Two laptops missing")


def test_an_override_without_a_reason_names_the_item_and_saves_nothing(api, bob, acme_assessment):
    answer = answer_for(acme_assessment, "T-02")
    Answer.objects.filter(pk=answer.pk).update(live_status="aligned", live_sentence="3 of 3 ok")
    r = api(bob).patch(
        f"/api/assessment-answers/{answer.pk}/", {"status": "not_aligned"}, format="json"
    )
    assert r.status_code == 400
    message = r.json()["reason"][0]
    assert message.startswith("T-02: the live evidence says aligned (3 of 3 ok)")
    answer.refresh_from_db()
    assert (answer.status, answer.source, answer.override_reason) == ("aligned", "person", "")
    ok = api(bob).patch(
        f"/api/assessment-answers/{answer.pk}/",
        {"status": "not_aligned", "reason": "The backups were never restored"},
        format="json",
    )
    assert ok.status_code == 200
    assert (ok.json()["source"], ok.json()["override_reason"]) == (
        "override",
        "The backups were never restored",
    )


def test_a_bad_status_is_named(api, bob, acme_assessment):
    answer = answer_for(acme_assessment, "T-02")
    r = api(bob).patch(f"/api/assessment-answers/{answer.pk}/", {"status": "maybe"}, format="json")
    assert r.status_code == 400 and "maybe" in r.json()["status"][0]


def test_client_people_read_answers_without_notes_and_cannot_answer(
    api, bob, carol, erin, acme_assessment
):
    url = f"/api/assessment-answers/?assessment={acme_assessment.pk}"
    mine = api(bob).get(url).json()["results"]
    assert mine[0]["note"] == "ACME-ONLY note" and mine[0]["override_reason"] == "ACME-ONLY reason"
    for user in (carol, erin):
        response = api(user).get(url)
        rows = response.json()["results"]
        assert [r["item"] for r in rows] == ["T-01", "T-02", "T-03"]
        assert rows[0]["status"] == "not_aligned"
        assert all("note" not in r and "override_reason" not in r for r in rows)
        assert "ACME-ONLY note" not in response.content.decode()
        one = api(user).get(f"/api/assessment-answers/{rows[0]['id']}/").json()
        assert "note" not in one
    answer = answer_for(acme_assessment, "T-03")
    for user in (carol, erin):
        r = api(user).patch(
            f"/api/assessment-answers/{answer.pk}/", {"status": "aligned"}, format="json"
        )
        assert r.status_code == 403
    assert answer_for(acme_assessment, "T-03").status == "unknown"


def test_another_clients_answer_is_not_found(api, gina, dave, acme_assessment):
    answer = answer_for(acme_assessment, "T-03")
    for user in (gina, dave):
        url = f"/api/assessment-answers/{answer.pk}/"
        assert api(user).get(url).status_code == 404
        r = api(user).patch(url, {"status": "aligned", "reason": "x"}, format="json")
        assert r.status_code == 404
    assert answer_for(acme_assessment, "T-03").status == "unknown"


@pytest.mark.parametrize("endpoint", ["assessment-answers", "assessment-evidence", "assessments"])
def test_lists_run_a_fixed_number_of_queries(api, bob, acme, endpoint):
    def queries() -> int:
        http = api(bob)
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(f"/api/{endpoint}/?page_size=100").status_code == 200
        return len(ctx.captured_queries)

    for n in range(5):
        assessment_rows_for(acme, f"few {n}", bob)
    few = queries()
    for n in range(20):
        assessment_rows_for(acme, f"many {n}", bob)
    assert queries() == few


# --- evidence --------------------------------------------------------------------------------


def test_adding_a_link_and_a_file_as_evidence(api, tess, acme_assessment, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    answer = answer_for(acme_assessment, "T-02")
    r = api(tess).post(
        "/api/assessment-evidence/",
        {"answer": answer.pk, "label": "Backup report", "url": "https://backups.example/r/1"},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert (r.json()["label"], r.json()["added_by"]) == ("Backup report", "tess")
    upload = SimpleUploadedFile("restore-test.txt", b"restored 3 files", content_type="text/plain")
    r = api(tess).post(
        "/api/assessment-evidence/",
        {"answer": answer.pk, "label": "Restore log", "file": upload},
        format="multipart",
    )
    assert r.status_code == 201, r.content
    saved = Evidence.objects.get(pk=r.json()["id"])
    assert saved.file.read() == b"restored 3 files"
    assert saved.file.name.startswith(f"assessments/{acme_assessment.client_id}/{answer.pk}/")
    assert api(tess).delete(f"/api/assessment-evidence/{saved.pk}/").status_code == 204
    assert not (tmp_path / saved.file.name).exists()


def test_evidence_needs_a_link_or_a_file_and_the_practice(
    api, tess, carol, erin, gina, acme_assessment
):
    answer = answer_for(acme_assessment, "T-02")
    before = Evidence.objects.count()
    r = api(tess).post("/api/assessment-evidence/", {"answer": answer.pk}, format="json")
    assert r.status_code == 400 and "give a link" in r.json()["url"][0]
    r = api(tess).post(
        "/api/assessment-evidence/", {"answer": answer.pk, "url": "ftp://x"}, format="json"
    )
    assert r.status_code == 400
    assert r.json()["url"] == ["give a link starting with http:// or https://"]
    link = {"answer": answer.pk, "url": "https://x.example/"}
    for user in (carol, erin):
        assert api(user).post("/api/assessment-evidence/", link, format="json").status_code == 403
    r = api(gina).post("/api/assessment-evidence/", link, format="json")
    assert r.status_code in (400, 403)
    assert Evidence.objects.count() == before


@pytest.mark.parametrize("endpoint", ["frameworks", "framework-versions"])
def test_library_lists_run_a_fixed_number_of_queries(api, bob, endpoint):
    def queries() -> int:
        http = api(bob)
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(f"/api/{endpoint}/").status_code == 200
        return len(ctx.captured_queries)

    small_framework("one", "1")
    few = queries()
    for n in range(2, 7):
        small_framework(f"fw-{n}", "1")
        small_framework(f"fw-{n}", "2")
    assert queries() == few
