"""Loading, exporting and copying framework versions; the one way rows enter the library."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from vcio.assessments.frameworks.document import (
    FORMAT,
    MAX_BYTES,
    FrameworkFileError,
    check_document,
)
from vcio.assessments.models import Framework, FrameworkVersion, Item, Section

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data"


def read_file(path: str | Path) -> tuple[dict[str, Any], bool]:
    """A framework file as a vcio document, whatever format it is in (vcio JSON or OSCAL).

    Returns ``(document, published)``: ``published`` is True for a publisher's
    own format (OSCAL, CISA's goals), whose content the practice does not
    edit in place (it copies it). ``FrameworkFileError`` when the file is
    too big, not JSON, or not a format vcio reads.
    """
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise FrameworkFileError(
            [
                f"{path.name} is {size / 1048576:.1f} MB; a framework file is at most "
                f"{MAX_BYTES // 1048576} MB"
            ]  # fmt: skip
        )
    return parse_bytes(path.read_bytes(), path.name)


def parse_bytes(raw: bytes, name: str) -> tuple[dict[str, Any], bool]:
    """Bytes of an uploaded or read file: ``(document, published)`` as ``read_file``."""
    from vcio.assessments.frameworks import oscal

    if len(raw) > MAX_BYTES:
        raise FrameworkFileError(
            [
                f"{name} is {len(raw) / 1048576:.1f} MB; a framework file is at most "
                f"{MAX_BYTES // 1048576} MB"
            ]  # fmt: skip
        )
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FrameworkFileError([f"{name} is not JSON: {exc}"]) from None
    if oscal.recognises(data):
        try:
            return oscal.to_document(data), True
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            # A publisher's file that is malformed: a message, not a traceback.
            raise FrameworkFileError(
                [f"{name} looks like an OSCAL catalog or CISA CPG file but cannot be read "
                 f"({type(exc).__name__}: {exc})"]
            ) from None  # fmt: skip
    return data, False


@transaction.atomic
def load(doc: dict[str, Any], *, shipped: bool = False, frozen: bool = False) -> FrameworkVersion:
    """Save a checked document as a new framework version; nothing saved if anything is wrong.

    The framework (by ``key``) is created or its description updated; the
    version must not exist yet (a version is never rewritten).
    """
    problems = check_document(doc)
    if problems:
        raise FrameworkFileError(problems)
    meta = doc["framework"]
    framework, _ = Framework.objects.get_or_create(
        key=meta["key"], defaults={"name": meta["name"], "shipped": shipped}
    )
    if FrameworkVersion.objects.filter(framework=framework, version=doc["version"]).exists():
        raise FrameworkFileError(
            [
                f"{framework.name} version {doc['version']!r} already exists; "
                "give the file a new version to load it beside the old one"
            ]  # fmt: skip
        )
    for name in ("name", "publisher", "description", "licence", "attribution", "source_url"):
        if name in meta:
            setattr(framework, name, meta[name])
    framework.save()
    released = doc.get("released") or None
    version = FrameworkVersion.objects.create(
        framework=framework,
        version=doc["version"],
        released=datetime.date.fromisoformat(released) if released else None,
        notes=doc.get("notes", ""),
        frozen=shipped or frozen,
    )
    sections: dict[str, Section] = {}
    for order, sec in enumerate(doc["sections"]):
        sections[sec["ref"]] = Section.objects.create(
            version=version,
            parent=sections.get(sec.get("parent") or ""),
            ref=sec["ref"],
            title=sec["title"],
            description=sec.get("description", ""),
            order=order,
        )
    Item.objects.bulk_create(
        [
            _item(version, sections[item["section"]], item, order)
            for order, item in enumerate(doc["items"])
        ],  # fmt: skip
        batch_size=500,
    )
    return version


def _item(version: FrameworkVersion, section: Section, item: dict, order: int) -> Item:
    return Item(
        version=version,
        section=section,
        ref=item["ref"],
        text=item["text"],
        why=item.get("why", ""),
        verify=item.get("verify", ""),
        remediation=item.get("remediation", ""),
        one_time_cost=Decimal(str(item.get("one_time_cost", 0))),
        recurring_cost=Decimal(str(item.get("recurring_cost", 0))),
        effort_days=Decimal(str(item.get("effort_days", 0))),
        risk=item.get("risk", "medium"),
        weight=item.get("weight", 1),
        applies_to=item.get("applies_to", []),
        maps_to=item.get("maps_to", {}),
        evidence_rule=item.get("evidence_rule", ""),
        order=order,
    )


def export(version: FrameworkVersion) -> dict[str, Any]:
    """A version as a vcio framework document; ``load(export(v))`` under a new version copies it."""
    fw = version.framework
    sections = list(version.sections.select_related("parent").order_by("order", "id"))
    items = list(version.items.select_related("section").order_by("order", "id"))
    return {
        "format": FORMAT,
        "framework": {
            "key": fw.key,
            "name": fw.name,
            "publisher": fw.publisher,
            "description": fw.description,
            "licence": fw.licence,
            "attribution": fw.attribution,
            "source_url": fw.source_url,
        },
        "version": version.version,
        "released": version.released.isoformat() if version.released else "",
        "notes": version.notes,
        "sections": [
            {
                "ref": s.ref,
                "title": s.title,
                "description": s.description,
                **({"parent": s.parent.ref} if s.parent else {}),
            }  # fmt: skip
            for s in sections
        ],
        "items": [_export_item(i) for i in items],
    }


def _export_item(item: Item) -> dict[str, Any]:
    return {
        "ref": item.ref,
        "section": item.section.ref,
        "text": item.text,
        "why": item.why,
        "verify": item.verify,
        "remediation": item.remediation,
        "one_time_cost": float(item.one_time_cost),
        "recurring_cost": float(item.recurring_cost),
        "effort_days": float(item.effort_days),
        "risk": item.risk,
        "weight": item.weight,
        "applies_to": item.applies_to,
        "maps_to": item.maps_to,
        "evidence_rule": item.evidence_rule,
    }


def copy_version(
    version: FrameworkVersion, new_version: str, *, key: str = "", name: str = ""
) -> FrameworkVersion:
    """An editable copy: a new version of the same framework, or (``key``) a new framework.

    A copy of shipped or published content keeps its licence and attribution.
    """
    doc = export(version)
    doc["version"] = new_version
    doc["released"] = ""
    if key:
        doc["framework"]["key"] = key
        doc["framework"]["name"] = name or f"{doc['framework']['name']} (practice copy)"
    return load(doc)


def load_shipped() -> list[FrameworkVersion]:
    """Load vcio's own frameworks (the SMB baseline) that are not loaded yet; idempotent."""
    loaded = []
    for path in sorted(SHIPPED_DIR.glob("*.framework.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        exists = FrameworkVersion.objects.filter(
            framework__key=doc["framework"]["key"], version=doc["version"]
        ).exists()
        if not exists:
            loaded.append(load(doc, shipped=True))
    return loaded


def is_editable(version: FrameworkVersion) -> bool:
    """A version can be edited while nothing froze it: not shipped, no finished assessment."""
    if version.frozen:
        return False
    return not version.assessments.filter(status="signed_off").exists()
