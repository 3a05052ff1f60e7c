"""Public frameworks in their publishers' formats, turned into vcio framework documents.

- **OSCAL catalogs** (NIST CSF 2.0, ASD's Essential Eight resolved
  catalogs, CIS's own OSCAL for a practice that holds a licence): ``groups``
  and controls that hold controls become sections; the innermost controls
  become items. A control or group whose ``status`` prop is ``withdrawn``
  is left out with everything under it (CSF 2.0 keeps 12 withdrawn
  categories and 79 subcategories of 1.1 in its catalog).
- **CISA CPG headings** (the evidentia compilation: ``framework_id``,
  ``controls`` with ``id``, ``title``, ``family``).

Who published what, under which licence and with which attribution, is not
reliably in the files, so ``KNOWN`` adds it for the catalogs vcio knows;
any other catalog loads with its own title and an empty licence for the
practice to fill in.
"""

from __future__ import annotations

import re
from typing import Any

from vcio.assessments.frameworks.document import FORMAT

KNOWN: dict[str, dict[str, str]] = {
    "CSF": {
        "key": "nist-csf",
        "name": "NIST Cybersecurity Framework",
        "publisher": "National Institute of Standards and Technology (NIST)",
        "licence": "Public domain (US government work); CC0 1.0 worldwide",
        "attribution": "NIST Cybersecurity Framework 2.0 (NIST CSWP 29), from NIST's OSCAL "
        "catalog in usnistgov/oscal-content. Used without endorsement by NIST.",
        "source_url": "https://www.nist.gov/cyberframework",
    },
    "E8": {
        "publisher": "Australian Signals Directorate (ASD)",
        "licence": "CC BY 4.0",
        "attribution": "© Commonwealth of Australia. Information security manual, Essential "
        "Eight baseline, from AustralianCyberSecurityCentre/ism-oscal, licensed under CC BY 4.0 "
        "(https://creativecommons.org/licenses/by/4.0/).",
        "source_url": "https://www.cyber.gov.au/resources-business-and-government/essential-cyber-security/essential-eight",
    },
    "cisa-cpgs": {
        "key": "cisa-cpg",
        "name": "CISA Cross-Sector Cybersecurity Performance Goals",
        "publisher": "Cybersecurity and Infrastructure Security Agency (CISA)",
        "licence": "Headings of a US government work (public domain); compilation Apache-2.0",
        "attribution": "Goal headings of CISA's Cross-Sector Cybersecurity Performance Goals "
        "2.0, as compiled by the Polycentric-Labs/evidentia project (Apache-2.0).",
        "source_url": "https://www.cisa.gov/cross-sector-cybersecurity-performance-goals",
    },
}

# Weights of CSF 2.0 functions' items: the SMB-facing protect/detect/recover
# work weighs more than governance wording; a practice edits its copy to taste.
CSF_WEIGHTS = {"GV": 1, "ID": 2, "PR": 3, "DE": 2, "RS": 2, "RC": 3}


# CSF 2.0 subcategories vcio's data can speak to, and the rule that does.
CSF_EVIDENCE = {
    "ID.AM-01": "assets.inventory_fresh",  # inventories of hardware are maintained
    "PR.PS-02": "assets.supported_os",  # software is maintained, replaced and removed
    "PR.PS-03": "assets.server_warranty",  # hardware is maintained, replaced and removed
    "DE.CM-09": "assets.endpoint_protection",  # computing hardware and software are monitored
    "DE.CM-01": "availability.critical_monitored",  # networks and services are monitored
    "PR.IR-03": "availability.sla_met",  # resilience requirements are achieved
    "PR.DS-11": "availability.backup_monitors",  # backups are created, protected, tested
    "PR.IR-04": "capacity.disk_headroom",  # adequate resource capacity is maintained
}


def recognises(data: Any) -> bool:
    """Whether ``data`` is a format this module reads (OSCAL catalog or CISA CPG headings)."""
    return isinstance(data, dict) and (
        isinstance(data.get("catalog"), dict) or data.get("framework_id") == "cisa-cpgs"
    )


def to_document(data: dict[str, Any]) -> dict[str, Any]:
    """A vcio framework document from an OSCAL catalog or CISA CPG headings."""
    if data.get("framework_id") == "cisa-cpgs":
        return _cpg(data)
    return _catalog(data["catalog"])


def _props(node: dict) -> dict[str, str]:
    return {p.get("name"): p.get("value", "") for p in node.get("props", []) or []}


def _withdrawn(node: dict) -> bool:
    return _props(node).get("status") == "withdrawn"


def _prose(node: dict, *names: str) -> str:
    """The prose of the node's parts named ``names`` (statement, overview...), joined."""
    texts = [p.get("prose", "") for p in node.get("parts", []) or [] if p.get("name") in names]
    return "\n".join(t for t in texts if t).strip()


def _examples(node: dict) -> str:
    texts = [p.get("prose", "") for p in node.get("parts", []) or [] if p.get("name") == "example"]
    return "\n".join(f"- {t}" for t in texts if t)


def _catalog(catalog: dict[str, Any]) -> dict[str, Any]:
    meta = catalog.get("metadata", {})
    props = _props(meta)
    ident = props.get("framework-identifier", "")
    title = meta.get("title", "OSCAL catalog")
    known = dict(KNOWN.get(ident, {}))
    if not known and "Essential Eight" in title:
        known = dict(KNOWN["E8"])
        level = re.search(r"Maturity Level (\w+)", title)
        known["key"] = "asd-e8-ml" + {"One": "1", "Two": "2", "Three": "3"}.get(
            level.group(1) if level else "", "x"
        )
        known["name"] = f"ASD Essential Eight, {level.group(0) if level else 'baseline'}"
    version = _version(props, meta)
    doc: dict[str, Any] = {
        "format": FORMAT,
        "framework": {
            "key": known.get("key") or _slug(title),
            "name": known.get("name") or title,
            "publisher": known.get("publisher", ""),
            "description": title,
            "licence": known.get("licence", ""),
            "attribution": known.get("attribution", ""),
            "source_url": known.get("source_url", ""),
        },
        "version": version,
        "released": str(meta.get("published", ""))[:10],
        "notes": f"Read from an OSCAL catalog (OSCAL {meta.get('oscal-version', '?')}, "
        f"catalog version {meta.get('version', '?')}).",
        "sections": [],
        "items": [],
    }
    counter = {"group": 0}
    for group in catalog.get("groups", []) or []:
        _walk(group, None, doc, counter, ident)
    for control in catalog.get("controls", []) or []:
        _walk(control, None, doc, counter, ident)
    return doc


def _version(props: dict[str, str], meta: dict) -> str:
    if props.get("framework-version-identifier") == "CSF_2_0_0":
        return "2.0"
    return str(meta.get("version") or "1")[:60]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "oscal-catalog"


def _walk(node: dict, parent: str | None, doc: dict, counter: dict, ident: str) -> None:
    """Add ``node`` (a group or a control) and what it holds to ``doc``."""
    if _withdrawn(node):
        return
    children = [c for c in (node.get("groups") or []) + (node.get("controls") or [])]
    is_control = (
        "class" in node
        and node.get("class") not in ("function", "category")
        or ("id" in node and not children)
    )
    if is_control and not children:
        _add_item(node, parent, doc, ident)
        return
    counter["group"] += 1
    ref = node.get("id") or f"G{counter['group']:03d}"
    doc["sections"].append(
        {
            "ref": ref,
            "title": node.get("title", ref),
            "description": _prose(node, "overview", "statement"),
            **({"parent": parent} if parent else {}),
        }
    )
    for child in children:
        _walk(child, ref, doc, counter, ident)


def _add_item(node: dict, section: str | None, doc: dict, ident: str) -> None:
    if section is None:  # a catalog of bare controls: one section holds them
        if not any(s["ref"] == "ALL" for s in doc["sections"]):
            doc["sections"].append({"ref": "ALL", "title": "Controls"})
        section = "ALL"
    ref = node["id"]
    text = _prose(node, "statement") or node.get("title", ref)
    item: dict[str, Any] = {
        "ref": _props(node).get("label") or ref,
        "section": section,
        "text": text,
        "verify": _examples(node),
        "weight": CSF_WEIGHTS.get(ref[:2], 1) if ident == "CSF" else 1,
    }
    if ident == "CSF":
        item["maps_to"] = {"nist-csf": [item["ref"]]}
        if item["ref"] in CSF_EVIDENCE:
            item["evidence_rule"] = CSF_EVIDENCE[item["ref"]]
    doc["items"].append(item)


def _cpg(data: dict[str, Any]) -> dict[str, Any]:
    known = KNOWN["cisa-cpgs"]
    families = list(data.get("families", []))
    sections = [{"ref": _csf_code(f), "title": f} for f in families]
    items = [
        {
            "ref": c["id"],
            "section": _csf_code(str(c.get("family", ""))),
            "text": str(c.get("title", "")).capitalize(),
            "verify": f"See page {c.get('properties', {}).get('source_page', '?')} of CISA's "
            "CPG 2.0 report for the goal's outcome and recommended actions.",
        }
        for c in data.get("controls", [])
    ]
    return {
        "format": FORMAT,
        "framework": {**known, "description": data.get("framework_name", known["name"])},
        "version": str(data.get("version", "1"))[:60],
        "notes": f"Headings only; the full text is in {data.get('source', 'the PDF')}.",
        "sections": sections,
        "items": items,
    }


CSF_FUNCTIONS = {"govern": "GV", "identify": "ID", "protect": "PR", "detect": "DE",
                 "respond": "RS", "recover": "RC"}  # fmt: skip


def _csf_code(family: str) -> str:
    """CSF's two-letter code of a function's name ("Respond" → "RS"), else the name itself."""
    return CSF_FUNCTIONS.get(family.strip().lower(), family.strip() or "OTHER")
