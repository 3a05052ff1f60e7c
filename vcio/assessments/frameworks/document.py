"""The framework file: vcio's JSON form of a framework version, checked before anything is saved.

One file holds one version::

    {"format": "vcio-framework/1",
     "framework": {"key": "smb-baseline", "name": "...", "publisher": "...",
                   "licence": "...", "attribution": "...", "source_url": "...",
                   "description": "..."},
     "version": "2026.1", "released": "2026-11-01", "notes": "...",
     "sections": [{"ref": "ID", "title": "Identify"},
                  {"ref": "ID.AM", "title": "Asset management", "parent": "ID"}],
     "items": [{"ref": "SMB-01", "section": "ID.AM", "text": "...", "why": "...", "verify": "...",
                "remediation": "...", "one_time_cost": 1200, "recurring_cost": 0, "effort_days": 2,
                "risk": "high", "weight": 3, "applies_to": ["server"],
                "maps_to": {"nist-csf": ["ID.AM-01"]}, "evidence_rule": "assets.inventory_fresh"}]}

``check_document`` returns the problems in words that name the section,
item and field, so a bad file is refused whole and the practice can fix it.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

FORMAT = "vcio-framework/1"
MAX_BYTES = 20 * 1024 * 1024  # NIST CSF 2.0's OSCAL catalog is 0.6 MB; 20 MB is no framework
MAX_ITEMS = 5000
MAX_PROBLEMS = 50

TOP_FIELDS = {"format", "framework", "version", "released", "notes", "sections", "items"}
FRAMEWORK_FIELDS = {
    "key", "name", "publisher", "description", "licence", "attribution", "source_url",
}  # fmt: skip
SECTION_FIELDS = {"ref", "title", "description", "parent"}
ITEM_FIELDS = {
    "ref", "section", "text", "why", "verify", "remediation", "one_time_cost",
    "recurring_cost", "effort_days", "risk", "weight", "applies_to", "maps_to", "evidence_rule",
}  # fmt: skip
RISKS = ("low", "medium", "high", "critical")
KEY_RE = re.compile(r"^[-a-z0-9_]{1,60}$")
MONEY_LIMIT = Decimal("9999999999")
EFFORT_LIMIT = Decimal("99999")  # Item.effort_days holds 7 digits, one after the point
# Longest text each column holds: longer is refused here with a message, not by PostgreSQL.
FRAMEWORK_LENGTHS = {"name": 200, "publisher": 200, "licence": 200, "source_url": 500}
ITEM_LENGTHS = {"remediation": 300, "evidence_rule": 80}
SECTION_TITLE_LENGTH = 300


class FrameworkFileError(ValueError):
    """A framework file that cannot be loaded; ``problems`` lists every reason found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        more = "" if len(problems) <= 10 else f" (and {len(problems) - 10} more)"
        super().__init__("; ".join(problems[:10]) + more)


def check_document(doc: Any) -> list[str]:
    """Every problem of a framework document (empty list: it can be loaded)."""
    if not isinstance(doc, dict):
        return ["the file must hold a JSON object with 'framework', 'version', 'sections', 'items'"]
    problems: list[str] = []
    _unknown(doc, TOP_FIELDS, "the file", problems)
    if doc.get("format", FORMAT) != FORMAT:
        problems.append(f"format {doc.get('format')!r} is not {FORMAT!r}")
    _check_framework(doc.get("framework"), problems)
    version = doc.get("version")
    if not isinstance(version, str) or not version.strip() or len(version) > 60:
        problems.append('\'version\' must be a short text, e.g. "2.0" or "2026.1"')
    if doc.get("released") not in (None, ""):
        try:
            datetime.date.fromisoformat(str(doc["released"]))
        except ValueError:
            problems.append(f"'released': {doc['released']!r} is not a date written YYYY-MM-DD")
    if not isinstance(doc.get("notes", ""), str):
        problems.append("'notes' must be text")
    refs = _check_sections(doc.get("sections"), problems)
    _check_items(doc.get("items"), refs, problems)
    return problems[:MAX_PROBLEMS]


def _unknown(obj: dict, allowed: set[str], where: str, problems: list[str]) -> None:
    for name in sorted(set(obj) - allowed):
        problems.append(f"{where}: unknown field {name!r} (known: {', '.join(sorted(allowed))})")


def _check_framework(fw: Any, problems: list[str]) -> None:
    if not isinstance(fw, dict):
        problems.append("'framework' must be an object with at least 'key' and 'name'")
        return
    _unknown(fw, FRAMEWORK_FIELDS, "framework", problems)
    if not isinstance(fw.get("key"), str) or not KEY_RE.match(fw["key"]):
        problems.append(
            f"framework 'key': {fw.get('key')!r} must be lower-case letters, digits and dashes"
        )
    if not isinstance(fw.get("name"), str) or not fw["name"].strip():
        problems.append("framework 'name' is missing")
    for name in FRAMEWORK_FIELDS - {"key", "name"}:
        if name in fw and not isinstance(fw[name], str):
            problems.append(f"framework {name!r} must be text")
    for name, limit in FRAMEWORK_LENGTHS.items():
        if isinstance(fw.get(name), str) and len(fw[name]) > limit:
            problems.append(f"framework {name!r} is longer than {limit} characters")


def _check_sections(sections: Any, problems: list[str]) -> set[str]:
    if not isinstance(sections, list) or not sections:
        problems.append("'sections' must be a non-empty list")
        return set()
    refs: set[str] = set()
    for n, sec in enumerate(sections, start=1):
        where = f"section {n}"
        if not isinstance(sec, dict):
            problems.append(f"{where}: must be an object")
            continue
        ref = sec.get("ref")
        where = f"section {n} ({ref})" if isinstance(ref, str) else where
        _unknown(sec, SECTION_FIELDS, where, problems)
        if not isinstance(ref, str) or not ref.strip() or len(ref) > 80:
            problems.append(f"{where}: 'ref' is missing")
            continue
        if ref in refs:
            problems.append(f"{where}: duplicate section ref {ref!r}")
        if not isinstance(sec.get("title"), str) or not sec["title"].strip():
            problems.append(f"{where}: 'title' is missing")
        elif len(sec["title"]) > SECTION_TITLE_LENGTH:
            problems.append(f"{where}: 'title' is longer than {SECTION_TITLE_LENGTH} characters")
        if not isinstance(sec.get("description", ""), str):
            problems.append(f"{where}: 'description' must be text")
        parent = sec.get("parent")
        if parent not in (None, "") and (not isinstance(parent, str) or parent not in refs):
            problems.append(f"{where}: parent {parent!r} is not a section listed before it")
        refs.add(ref)
    return refs


def _check_items(items: Any, sections: set[str], problems: list[str]) -> None:
    if not isinstance(items, list) or not items:
        problems.append("'items' must be a non-empty list")
        return
    if len(items) > MAX_ITEMS:
        problems.append(f"the file has {len(items)} items; at most {MAX_ITEMS} can be loaded")
        return
    refs: set[str] = set()
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(f"item {n}: must be an object")
            continue
        ref = item.get("ref")
        where = f"item {n} ({ref})" if isinstance(ref, str) else f"item {n}"
        _unknown(item, ITEM_FIELDS, where, problems)
        if not isinstance(ref, str) or not ref.strip() or len(ref) > 80:
            problems.append(f"{where}: 'ref' is missing")
        elif ref in refs:
            problems.append(f"{where}: duplicate item ref {ref!r}")
        else:
            refs.add(ref)
        if not item.get("section"):
            problems.append(f"{where}: has no 'section'")
        elif not isinstance(item["section"], str) or item["section"] not in sections:
            problems.append(f"{where}: section {item['section']!r} is not in 'sections'")
        if not isinstance(item.get("text"), str) or not item["text"].strip():
            problems.append(f"{where}: 'text' is missing")
        _check_item_values(item, where, problems)


def _check_item_values(item: dict, where: str, problems: list[str]) -> None:
    for name in ("one_time_cost", "recurring_cost", "effort_days"):
        if name in item:
            try:
                value = Decimal(str(item[name]))
            except InvalidOperation:
                problems.append(f"{where}: {name} {item[name]!r} is not a number")
                continue
            limit = EFFORT_LIMIT if name == "effort_days" else MONEY_LIMIT
            if not value.is_finite() or value < 0:
                problems.append(f"{where}: {name} {item[name]!r} must be 0 or more")
            elif value > limit:
                problems.append(f"{where}: {name} {item[name]!r} must be at most {limit}")
    if "risk" in item and item["risk"] not in RISKS:
        problems.append(f"{where}: risk {item['risk']!r} is not one of {', '.join(RISKS)}")
    weight = item.get("weight", 1)
    if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 10:
        problems.append(f"{where}: weight {weight!r} must be a whole number from 1 to 10")
    if not isinstance(item.get("applies_to", []), list):
        problems.append(f"{where}: 'applies_to' must be a list of asset kinds or service names")
    maps = item.get("maps_to", {})
    if not isinstance(maps, dict) or not all(isinstance(v, list) for v in maps.values()):
        problems.append(f"{where}: 'maps_to' must map a framework key to a list of refs")
    for name in ("why", "verify", "remediation", "evidence_rule"):
        if name in item and not isinstance(item[name], str):
            problems.append(f"{where}: {name!r} must be text")
    for name, limit in ITEM_LENGTHS.items():
        if isinstance(item.get(name), str) and len(item[name]) > limit:
            problems.append(f"{where}: {name!r} is longer than {limit} characters")
