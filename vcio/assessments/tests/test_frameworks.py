"""The framework library: public catalogs, the shipped SMB baseline, bad files, copies and freezing.

The fixtures under ``data/`` are small and hand-written; the expected
sections and items are read off them by hand. One test reads NIST's real
CSF 2.0 catalog from the shared data folder when it is there.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest

from vcio.assessments import workflow
from vcio.assessments.frameworks import library
from vcio.assessments.frameworks.document import MAX_BYTES, FrameworkFileError
from vcio.assessments.models import Framework, FrameworkVersion, Item, Section

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[3]
FRAMEWORKS_DIR = Path(
    os.environ.get("VCIO_FRAMEWORKS_DIR") or (REPO.parent / "shared" / "data" / "frameworks")
)
NIST_CATALOG = FRAMEWORKS_DIR / "nist-csf-2.0" / "NIST_CSF_v2.0_catalog.json"
CSF_ID = re.compile(r"^(GV|ID|PR|DE|RS|RC)\.[A-Z]{2}-\d{2}$")
LIVE_KEYS = {
    "assets.supported_os",
    "assets.server_warranty",
    "assets.inventory_fresh",
    "assets.endpoint_protection",
    "availability.critical_monitored",
    "availability.sla_met",
    "availability.backup_monitors",
    "capacity.disk_headroom",
    "helpdesk.sla_compliance",
}


def import_file(path: Path) -> FrameworkVersion:
    """Load a file the way ``vcio frameworks import`` does (published formats frozen)."""
    doc, published = library.read_file(path)
    return library.load(doc, frozen=published)


def practice_doc() -> dict:
    return json.loads((DATA / "practice-mini.framework.json").read_text())


def row_counts() -> tuple[int, int, int, int]:
    return (
        Framework.objects.count(),
        FrameworkVersion.objects.count(),
        Section.objects.count(),
        Item.objects.count(),
    )


def sections_of(version: FrameworkVersion) -> list[tuple[str, str | None]]:
    return [
        (s.ref, s.parent.ref if s.parent else None)
        for s in version.sections.select_related("parent").order_by("order")
    ]


def items_of(version: FrameworkVersion) -> dict[str, Item]:
    return {i.ref: i for i in version.items.select_related("section")}


# Public catalogs ---------------------------------------------------------------------------------


def test_csf_shaped_catalog_loads_without_withdrawn_content():
    version = import_file(DATA / "csf-mini.oscal.json")

    assert version.framework.key == "nist-csf"
    assert version.version == "2.0"
    assert str(version.released) == "2026-05-13"
    assert sections_of(version) == [("GV", None), ("GV.OC", "GV"), ("PR", None), ("PR.DS", "PR")]
    items = items_of(version)
    # PR.DS-05 is withdrawn; PR.AC-01 sits under the withdrawn category PR.AC.
    assert list(items) == ["GV.OC-01", "GV.OC-03", "PR.DS-01", "PR.DS-11"]
    assert items["GV.OC-01"].text == "Test mission statement"
    assert items["GV.OC-01"].verify == "- Test example one\n- Test example two"
    assert items["GV.OC-03"].verify == ""
    assert items["PR.DS-01"].section.ref == "PR.DS"
    assert items["PR.DS-01"].maps_to == {"nist-csf": ["PR.DS-01"]}


def test_csf_catalog_carries_licence_attribution_and_is_frozen():
    version = import_file(DATA / "csf-mini.oscal.json")
    fw = version.framework

    assert fw.name == "NIST Cybersecurity Framework"
    assert "NIST" in fw.publisher
    assert "Public domain" in fw.licence
    assert "NIST Cybersecurity Framework 2.0" in fw.attribution
    assert version.frozen
    assert not library.is_editable(version)


def test_csf_items_that_live_data_can_answer_carry_their_rule():
    items = items_of(import_file(DATA / "csf-mini.oscal.json"))

    assert items["PR.DS-11"].evidence_rule == "availability.backup_monitors"
    assert {ref: i.evidence_rule for ref, i in items.items() if ref != "PR.DS-11"} == {
        "GV.OC-01": "",
        "GV.OC-03": "",
        "PR.DS-01": "",
    }
    # Protect weighs more than Govern in vcio's reading of CSF.
    assert (items["GV.OC-01"].weight, items["PR.DS-11"].weight) == (1, 3)


def test_essential_eight_shaped_catalog_nests_groups_and_takes_classless_controls():
    version = import_file(DATA / "e8-mini.oscal.json")
    fw = version.framework

    assert fw.key == "asd-e8-ml1"
    assert fw.name == "ASD Essential Eight, Maturity Level One"
    assert fw.licence == "CC BY 4.0"
    assert "Commonwealth of Australia" in fw.attribution
    assert version.version == "2025.12.9"
    assert version.frozen
    titles = {s.ref: s.title for s in version.sections.all()}
    assert sorted(titles.values()) == [
        "Application control",
        "Guidelines for personnel security",
        "Guidelines for system hardening",
    ]
    items = items_of(version)
    assert list(items) == ["ism-0843", "ism-1490", "ism-1173"]
    assert items["ism-0843"].section.title == "Application control"
    assert items["ism-0843"].section.parent.title == "Guidelines for system hardening"
    assert items["ism-1173"].section.title == "Guidelines for personnel security"
    assert items["ism-1173"].text == "Test statement: multi-factor authentication is used."


def test_cisa_cpg_headings_load_with_respond_and_recover_apart():
    version = import_file(DATA / "cpg-mini.json")

    assert version.framework.key == "cisa-cpg"
    assert "Apache-2.0" in version.framework.licence
    assert version.frozen
    assert [s.ref for s in version.sections.order_by("order")] == [
        "GV", "ID", "PR", "DE", "RS", "RC",
    ]  # fmt: skip
    items = items_of(version)
    assert {ref: i.section.ref for ref, i in items.items()} == {
        "1.A": "GV", "3.A": "PR", "5.A": "RS", "6.A": "RC",
    }  # fmt: skip
    assert items["6.A"].text == "Maintain recovery plans"
    assert "page 31" in items["6.A"].verify


@pytest.mark.skipif(
    not NIST_CATALOG.exists(), reason=f"NIST's CSF 2.0 catalog not at {NIST_CATALOG}"
)
def test_real_nist_csf_catalog_has_its_published_counts_and_every_baseline_mapping():
    version = import_file(NIST_CATALOG)

    sections = sections_of(version)
    assert len([ref for ref, parent in sections if parent is None]) == 6
    assert len([ref for ref, parent in sections if parent is not None]) == 22
    subcategories = set(version.items.values_list("ref", flat=True))
    assert len(subcategories) == 106
    assert all(CSF_ID.match(ref) for ref in subcategories)

    baseline = library.load_shipped()[0]
    mapped = {ref for i in baseline.items.all() for ref in i.maps_to.get("nist-csf", [])}
    assert mapped - subcategories == set()


# The shipped SMB baseline ------------------------------------------------------------------------


def test_shipped_baseline_loads_once():
    first = library.load_shipped()
    again = library.load_shipped()

    assert [(v.framework.key, v.version) for v in first] == [("smb-baseline", "2026.1")]
    assert again == []
    version = FrameworkVersion.objects.get(framework__key="smb-baseline")
    fw = version.framework
    assert (fw.name, fw.publisher, fw.shipped) == ("vcio SMB baseline", "vcio", True)
    assert fw.licence == "CC BY 4.0 (written by the vcio project)"
    assert str(version.released) == "2026-11-01"
    assert "typical figures" in fw.description
    assert version.frozen and not library.is_editable(version)


def test_shipped_baseline_items_are_complete():
    version = library.load_shipped()[0]
    items = list(version.items.select_related("section"))

    assert 45 <= len(items) <= 55
    for item in items:
        assert item.section_id, item.ref
        assert re.match(r"^SMB-(GV|ID|PR|DE|RS|RC)-\d{2}$", item.ref), item.ref
        assert item.ref[4:6] == item.section.ref[:2], item.ref
        for field in ("text", "why", "verify", "remediation"):
            assert getattr(item, field).strip(), f"{item.ref}: {field} is empty"
        assert 1 <= item.weight <= 5, item.ref
        assert item.maps_to.get("nist-csf"), f"{item.ref}: maps to no CSF subcategory"
        for ref in item.maps_to["nist-csf"]:
            assert CSF_ID.match(ref), f"{item.ref}: {ref!r} is not a CSF 2.0 subcategory id"


def test_shipped_baseline_answers_nine_items_from_live_data():
    version = library.load_shipped()[0]
    rules = Counter(version.items.exclude(evidence_rule="").values_list("evidence_rule", flat=True))

    assert rules == Counter(LIVE_KEYS)


# Bad files: refused whole, with the item, section or field named ---------------------------------


def with_change(change) -> dict:
    doc = copy.deepcopy(practice_doc())
    change(doc)
    return doc


BAD_DOCS = [
    pytest.param(
        lambda d: d["items"][1].update(ref="T-01"),
        "item 2 (T-01): duplicate item ref 'T-01'",
        id="duplicate-item-ref",
    ),
    pytest.param(
        lambda d: d["sections"].append({"ref": "GV", "title": "Again"}),
        "section 4 (GV): duplicate section ref 'GV'",
        id="duplicate-section-ref",
    ),
    pytest.param(
        lambda d: d["items"][2].update(colour="red"),
        "item 3 (T-03): unknown field 'colour'",
        id="unknown-field",
    ),
    pytest.param(
        lambda d: d["items"][1].pop("section"),
        "item 2 (T-02): has no 'section'",
        id="no-section",
    ),
    pytest.param(
        lambda d: d["items"][2].update(section="ZZ"),
        "item 3 (T-03): section 'ZZ' is not in 'sections'",
        id="section-not-listed",
    ),
    pytest.param(
        lambda d: d["items"][1].update(section=["GV"]),
        "item 2 (T-02): section ['GV'] is not in 'sections'",
        id="section-not-text",
    ),
    pytest.param(
        lambda d: d["sections"][1].update(parent={"ref": "GV"}),
        "section 2 (GV.X): parent {'ref': 'GV'} is not a section listed before it",
        id="parent-not-text",
    ),
    pytest.param(
        lambda d: d["sections"][2].update(description=["not", "text"]),
        "section 3 (PR): 'description' must be text",
        id="section-description-not-text",
    ),
    pytest.param(
        lambda d: d.update(notes={"a": 1}),
        "'notes' must be text",
        id="notes-not-text",
    ),
    pytest.param(
        lambda d: d["items"][0].update(weight=0),
        "item 1 (T-01): weight 0 must be a whole number from 1 to 10",
        id="weight-0",
    ),
    pytest.param(
        lambda d: d["items"][2].update(recurring_cost=-5),
        "item 3 (T-03): recurring_cost -5 must be 0 or more",
        id="negative-cost",
    ),
    pytest.param(
        lambda d: d["items"][0].update(effort_days=1_000_000),
        "item 1 (T-01): effort_days 1000000 must be at most 99999",
        id="effort-too-big-for-its-column",
    ),
    pytest.param(
        lambda d: d["items"][1].update(remediation="Fix " * 100),
        "item 2 (T-02): 'remediation' is longer than 300 characters",
        id="remediation-too-long-for-its-column",
    ),
    pytest.param(
        lambda d: d["framework"].update(licence="L" * 201),
        "framework 'licence' is longer than 200 characters",
        id="licence-too-long-for-its-column",
    ),
]


@pytest.mark.parametrize(("change", "message"), BAD_DOCS)
def test_bad_document_is_refused_naming_the_problem_and_saves_nothing(change, message):
    library.load(practice_doc())  # rows already there stay as they are
    before = row_counts()

    with pytest.raises(FrameworkFileError) as raised:
        library.load(with_change(lambda d: (d.update(version="2.0"), change(d))))

    assert message in str(raised.value)
    assert [p for p in raised.value.problems if p.startswith(message)], raised.value.problems
    assert row_counts() == before


def test_a_version_that_exists_is_not_loaded_again():
    library.load(practice_doc())
    before = row_counts()

    with pytest.raises(FrameworkFileError) as raised:
        library.load(with_change(lambda d: d["items"][0].update(text="Rewritten.")))

    assert "Practice mini checklist version '1.0' already exists" in str(raised.value)
    assert row_counts() == before
    assert Item.objects.get(ref="T-01").text == "Test item one."


def test_a_new_framework_whose_file_is_bad_leaves_no_framework_behind():
    before = row_counts()

    with pytest.raises(FrameworkFileError):
        library.load(with_change(lambda d: d["items"][2].update(weight=11)))

    assert row_counts() == before == (0, 0, 0, 0)


def test_a_huge_file_is_refused_before_it_is_read():
    raw = b" " * (MAX_BYTES + 1)
    before = row_counts()

    with pytest.raises(FrameworkFileError) as raised:
        library.parse_bytes(raw, "huge.json")

    assert "huge.json is 20.0 MB; a framework file is at most 20 MB" in str(raised.value)
    assert row_counts() == before


def test_a_file_that_is_not_json_is_refused():
    with pytest.raises(FrameworkFileError) as raised:
        library.parse_bytes(b"sections: [GV, PR]\n", "checklist.yaml")

    assert str(raised.value).startswith("checklist.yaml is not JSON")
    assert row_counts() == (0, 0, 0, 0)


def test_a_malformed_publisher_file_is_refused_with_a_message():
    raw = json.dumps(
        {"framework_id": "cisa-cpgs", "families": ["Govern"],
         "controls": [{"title": "A GOAL WITHOUT ID", "family": "Govern"}]}
    ).encode()  # fmt: skip

    with pytest.raises(FrameworkFileError) as raised:
        library.parse_bytes(raw, "cpg.json")

    assert "cpg.json looks like an OSCAL catalog or CISA CPG file but cannot be read" in str(
        raised.value
    )
    assert "'id'" in str(raised.value)


# Export, copies and freezing ---------------------------------------------------------------------


def test_export_loads_back_as_a_new_version_with_the_same_content():
    original = library.load(practice_doc())
    doc = library.export(original)
    doc["version"] = "1.1"

    copy_ = library.load(doc)

    def content(v: FrameworkVersion) -> list[tuple]:
        return [
            (
                i.ref,
                i.section.ref,
                i.text,
                i.why,
                i.verify,
                i.remediation,
                i.weight,
                i.risk,
                i.one_time_cost,
                i.recurring_cost,
                i.effort_days,
                i.applies_to,
                i.maps_to,
                i.evidence_rule,
            )  # fmt: skip
            for i in v.items.select_related("section").order_by("order")
        ]

    assert copy_.framework_id == original.framework_id
    assert copy_.version == "1.1"
    assert content(copy_) == content(original)
    assert sections_of(copy_) == sections_of(original)


def test_copy_to_a_new_framework_keeps_licence_and_attribution():
    shipped = library.load_shipped()[0]

    copy_ = library.copy_version(shipped, "2026.1-acme", key="acme-baseline", name="Acme baseline")

    fw = copy_.framework
    assert (fw.key, fw.name, fw.shipped) == ("acme-baseline", "Acme baseline", False)
    assert fw.licence == shipped.framework.licence
    assert fw.attribution == shipped.framework.attribution
    assert copy_.items.count() == shipped.items.count()
    assert library.is_editable(copy_)
    assert not library.is_editable(shipped)


def test_a_version_freezes_when_an_assessment_against_it_is_signed_off(acme, alice):
    version = library.load(practice_doc())
    assessment = workflow.start(acme, version, alice)
    assert library.is_editable(version)

    workflow.sign_off(assessment, alice)

    version.refresh_from_db()
    assert version.frozen
    assert not library.is_editable(version)
