"""``vcio frameworks``: import, export and list from the command line."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vcio.assessments.models import Framework, FrameworkVersion, Item, Section

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
PRACTICE = DATA / "practice-mini.framework.json"


def run(*args: str) -> str:
    out = StringIO()
    call_command("frameworks", *args, stdout=out)
    return out.getvalue()


def row_counts() -> tuple[int, int, int, int]:
    return (
        Framework.objects.count(),
        FrameworkVersion.objects.count(),
        Section.objects.count(),
        Item.objects.count(),
    )


def test_import_prints_what_was_loaded_and_its_licence():
    out = run("import", str(PRACTICE))

    assert "Loaded Practice mini checklist 1.0: 3 sections, 3 items." in out
    assert "Licence: Test licence 1.0" in out
    version = FrameworkVersion.objects.get(framework__key="practice-mini")
    assert not version.frozen  # a practice's own file stays editable


def test_import_of_a_published_catalog_is_frozen():
    out = run("import", str(DATA / "csf-mini.oscal.json"))

    assert "Loaded NIST Cybersecurity Framework 2.0: 4 sections, 4 items." in out
    assert "Licence: Public domain" in out
    assert FrameworkVersion.objects.get(framework__key="nist-csf").frozen


def test_a_bad_file_is_refused_naming_the_problem_and_nothing_is_saved(tmp_path):
    doc = json.loads(PRACTICE.read_text())
    doc["items"][2]["ref"] = "T-01"
    bad = tmp_path / "bad.framework.json"
    bad.write_text(json.dumps(doc))

    with pytest.raises(CommandError) as raised:
        run("import", str(bad))

    message = str(raised.value)
    assert message.startswith(f"{bad}: nothing loaded:")
    assert "item 3 (T-01): duplicate item ref 'T-01'" in message
    assert row_counts() == (0, 0, 0, 0)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="nowhere.json: no such file"):
        run("import", str(tmp_path / "nowhere.json"))


def test_export_writes_a_file_that_imports_back_under_a_new_version(tmp_path):
    run("import", str(PRACTICE))
    out_file = tmp_path / "export.json"

    assert f"Wrote {out_file}." in run("export", "practice-mini", "1.0", "--out", str(out_file))

    doc = json.loads(out_file.read_text())
    assert [i["ref"] for i in doc["items"]] == ["T-01", "T-02", "T-03"]
    doc["version"] = "1.1"
    out_file.write_text(json.dumps(doc))
    assert "Loaded Practice mini checklist 1.1: 3 sections, 3 items." in run(
        "import", str(out_file)
    )
    texts = {
        v: list(Item.objects.filter(version__version=v).order_by("order").values_list("text"))
        for v in ("1.0", "1.1")
    }
    assert texts["1.0"] == texts["1.1"]


def test_export_of_an_unknown_version_says_so():
    with pytest.raises(CommandError, match="no framework 'practice-mini' version '9.9'"):
        run("export", "practice-mini", "9.9")


def test_list_prints_each_version_with_its_state():
    run("import", str(PRACTICE))
    run("import", str(DATA / "cpg-mini.json"))

    lines = run("list").splitlines()

    assert len(lines) == 2
    cpg = next(line for line in lines if line.startswith("cisa-cpg "))
    practice = next(line for line in lines if line.startswith("practice-mini "))
    assert "2.0 (December 2025)" in cpg and "4 items" in cpg and "frozen" in cpg
    assert "1.0" in practice and "3 items" in practice and "editable" in practice
    assert "Test licence 1.0" in practice


def test_shipped_loads_the_baseline_once():
    assert run("shipped") == "Loaded 1 shipped framework version(s).\n"
    assert run("shipped") == "Loaded 0 shipped framework version(s).\n"
    assert FrameworkVersion.objects.filter(framework__key="smb-baseline").count() == 1
