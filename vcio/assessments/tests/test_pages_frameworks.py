"""The framework library pages: list, version, import, export, copy, edit an item.

Practice material: practice people read it, owners and admins change it,
a client's own people are refused.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vcio.assessments import workflow
from vcio.assessments.frameworks import library
from vcio.assessments.models import Framework, FrameworkVersion, Item
from vcio.assessments.tests.test_pages_assessments import framework_doc

LIST = "/frameworks/"


def upload(doc_or_bytes, name: str = "fw.json") -> SimpleUploadedFile:
    raw = doc_or_bytes if isinstance(doc_or_bytes, bytes) else json.dumps(doc_or_bytes).encode()
    return SimpleUploadedFile(name, raw, content_type="application/json")


@pytest.fixture
def version(db) -> FrameworkVersion:
    return library.load(framework_doc(3))


def test_list_shows_versions_counts_state_and_licence(login, bob, version):
    library.load(framework_doc(5, version="2"))
    frozen = library.load(framework_doc(2, key="pub", version="9"), frozen=True)
    assert reverse("assessments:framework_list") == LIST
    page = login(bob).get(LIST)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Test framework test-fw" in text and "Test framework pub" in text
    assert "CC BY 4.0" in text and "Test attribution text." in text
    rows = {
        v.pk: (v.n_items, v.editable) for f in page.context["frameworks"] for v in f.versions.all()
    }
    assert rows[version.pk] == (3, True)
    assert rows[frozen.pk] == (2, False)
    assert "Import a framework" not in text  # bob consults; only owners and admins import


def test_version_page_shows_tree_and_item_details(login, tess, version):
    page = login(tess).get(reverse("assessments:framework_version", args=[version.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "ID Identify" in text and "ID.AM Asset management" in text
    assert "Why item 2 matters" in text and "How to verify item 3" in text
    assert "weight 3" in text  # T-002: 2 % 3 + 1
    depths = [(r["section"].ref, r["depth"]) for r in page.context["sections"]]
    assert depths == [("ID", 0), ("ID.AM", 1), ("PR", 0), ("PR.AA", 1)]


@pytest.mark.parametrize("name", ["carol", "erin", "dave"])
def test_client_people_are_refused(login, everyone, version, name):
    http = login(everyone[name])
    assert http.get(LIST).status_code == 403
    assert http.get(reverse("assessments:framework_version", args=[version.pk])).status_code == 403
    assert http.get(reverse("assessments:framework_export", args=[version.pk])).status_code == 403


def test_owner_imports_a_vcio_file(login, alice):
    response = login(alice).post(
        reverse("assessments:framework_import"), {"file": upload(framework_doc(4, key="new"))}
    )
    assert response.status_code == 302
    loaded = FrameworkVersion.objects.get(framework__key="new")
    assert response["Location"] == reverse("assessments:framework_version", args=[loaded.pk])
    assert (loaded.items.count(), loaded.frozen) == (4, False)


def test_oscal_import_is_frozen(login, alice):
    catalog = {
        "catalog": {
            "metadata": {"title": "Tiny Catalog", "version": "1.0"},
            "groups": [
                {
                    "id": "g1",
                    "title": "Group one",
                    "controls": [
                        {
                            "id": "c-1",
                            "title": "Control one",
                            "parts": [{"name": "statement", "prose": "Do the first thing"}],
                        },
                    ],
                }  # fmt: skip
            ],
        }
    }
    response = login(alice).post(
        reverse("assessments:framework_import"), {"file": upload(catalog, "tiny.json")}
    )
    assert response.status_code == 302
    assert FrameworkVersion.objects.get().frozen


def test_bad_file_lists_problems_400_nothing_saved(login, alice):
    doc = framework_doc(2, key="bad")
    doc["items"][1]["weight"] = 99
    doc["items"][0]["section"] = "XX"
    response = login(alice).post(reverse("assessments:framework_import"), {"file": upload(doc)})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Nothing was loaded" in text
    assert "item 1 (T-001): section &#x27;XX&#x27; is not in &#x27;sections&#x27;" in text
    assert "item 2 (T-002): weight 99 must be a whole number from 1 to 10" in text
    assert not Framework.objects.exists()
    not_json = login(alice).post(
        reverse("assessments:framework_import"), {"file": upload(b"{nope", "x.json")}
    )
    assert not_json.status_code == 400
    assert "x.json is not JSON" in not_json.content.decode()


def test_import_and_copy_need_practice_manage(login, bob, tess, version):
    for user in (bob, tess):
        http = login(user)
        assert (
            http.post(
                reverse("assessments:framework_import"), {"file": upload(framework_doc(2, key="x"))}
            ).status_code
            == 403
        )
        assert (
            http.post(
                reverse("assessments:framework_copy", args=[version.pk]), {"new_version": "2"}
            ).status_code
            == 403
        )
    assert FrameworkVersion.objects.count() == 1


def test_export_downloads_the_document(login, bob, version):
    response = login(bob).get(reverse("assessments:framework_export", args=[version.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="test-fw-1.framework.json"'
    doc = json.loads(response.content)
    assert doc == library.export(version)
    assert [i["ref"] for i in doc["items"]] == ["T-001", "T-002", "T-003"]


def test_copy_to_new_version_and_new_framework(login, alice, version):
    http = login(alice)
    response = http.post(
        reverse("assessments:framework_copy", args=[version.pk]), {"new_version": "2"}
    )
    assert response.status_code == 302
    copy = FrameworkVersion.objects.get(version="2")
    assert (copy.framework_id, copy.items.count()) == (version.framework_id, 3)
    http.post(
        reverse("assessments:framework_copy", args=[version.pk]),
        {"new_version": "1", "key": "ours", "name": "Our checklist"},
    )
    ours = FrameworkVersion.objects.get(framework__key="ours")
    assert ours.framework.name == "Our checklist"
    assert ours.framework.licence == "CC BY 4.0"
    again = http.post(
        reverse("assessments:framework_copy", args=[version.pk]), {"new_version": "2"}
    )
    assert again.status_code == 400
    assert "version &#x27;2&#x27; already exists" in again.content.decode()
    assert FrameworkVersion.objects.count() == 3


def test_edit_item_of_editable_version(login, alice, version):
    item = version.items.get(ref="T-001")
    edit = reverse("assessments:framework_item_edit", args=[item.pk])
    http = login(alice)
    assert http.get(edit).status_code == 200
    data = {
        "text": "New text", "why": "w", "verify": "v", "remediation": "fix it",
        "one_time_cost": "100", "recurring_cost": "0", "effort_days": "1", "risk": "high",
        "weight": "5", "evidence_rule": "",
    }  # fmt: skip
    assert http.post(edit, data).status_code == 302
    item.refresh_from_db()
    assert (item.text, item.weight, item.risk) == ("New text", 5, "high")
    bad = http.post(edit, {**data, "weight": "11", "evidence_rule": "no.such.rule"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "no.such.rule" in text and "is not an evidence rule" in text
    assert Item.objects.get(pk=item.pk).weight == 5


def test_frozen_version_says_copy_it(login, alice, acme, version):
    assessment = workflow.start(acme, version, alice)
    workflow.sign_off(assessment, alice)
    item = version.items.get(ref="T-001")
    edit = reverse("assessments:framework_item_edit", args=[item.pk])
    http = login(alice)
    assert "copy it to edit" in http.get(edit).content.decode()
    response = http.post(edit, {"text": "changed", "weight": "1"})
    assert response.status_code == 403
    assert "copy it to edit" in response.content.decode()
    assert Item.objects.get(pk=item.pk).text == "Item 1 text"


def test_edit_needs_manage(login, bob, version):
    item = version.items.first()
    edit = reverse("assessments:framework_item_edit", args=[item.pk])
    assert login(bob).get(edit).status_code == 403
    assert login(bob).post(edit, {"text": "x"}).status_code == 403


def test_list_query_count_is_constant(login, alice, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        http = login(alice)
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(LIST).status_code == 200
        return len(ctx)

    library.load(framework_doc(2, key="a"))
    few = count()
    for n in range(6):
        library.load(framework_doc(2, key=f"b{n}", version="1"))
        library.load(framework_doc(2, key=f"b{n}", version="2"))
    assert count() == few
