"""OCS Inventory NG JSON (its REST API, ``/ocsapi/v1/computers``): several machines per file.

The document maps each computer's database id to its tables: ``hardware``
(one row: NAME, DEVICEID, OSNAME, OSVERSION, MEMORY, USERID, LASTDATE …) and
lists of rows for ``bios``, ``cpus``, ``memories``, ``storages`` and
``virtualmachines``, with the column names of the agent's XML. The DEVICEID
is the external id, as for the agent's XML, so both update the same asset.
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO

from vcio.assets.inventory import (
    OCS_ID,
    BadFile,
    Machine,
    clean,
    computer_kind,
    cpu_label,
    first,
    hardware_os,
    is_disk,
    mb,
    person,
    ram_cell,
    read_all,
    software,
    software_list,
    strip_agent_date,
    total_mb,
    virtual_machine,
)
from vcio.core.importer.base import Format, Table


def _rows(computer: dict[str, Any], table: str) -> list[dict[str, Any]]:
    """A table's rows (the API gives lists; ``hardware`` is one object)."""
    value = computer.get(table)
    if isinstance(value, dict):
        return [value]
    return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []


def is_ocs_document(doc: Any) -> bool:
    """True for the REST API's shape: {id: {"hardware": {...}, …}, …}."""
    return (
        isinstance(doc, dict)
        and bool(doc)
        and all(isinstance(c, dict) and "hardware" in c for c in doc.values())
    )


def read_one(filename: str, data: bytes) -> list[Machine]:
    """The computers one OCS Inventory NG JSON file holds."""
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise BadFile("not valid JSON, so not an OCS Inventory NG export") from None
    if not is_ocs_document(doc):
        raise BadFile('not an OCS Inventory NG export (no {"<id>": {"hardware": …}})')
    return [_computer(c) for c in doc.values()]


def _computer(computer: dict[str, Any]) -> Machine:
    hardware = (_rows(computer, "hardware") or [{}])[0]
    bios = (_rows(computer, "bios") or [{}])[0]
    device_id = clean(hardware.get("DEVICEID"))
    os_name, os_version = hardware_os(hardware.get("OSNAME"), hardware.get("OSVERSION"))
    disks = [
        s.get("DISKSIZE")
        for s in _rows(computer, "storages")
        if is_disk(s.get("TYPE"), s.get("DESCRIPTION"), s.get("NAME"))
    ]
    guests = [
        virtual_machine(v.get("NAME"), v.get("UUID"), v.get("VMTYPE"), v.get("SUBSYSTEM"),
                        v.get("MEMORY"), v.get("VCPU"))
        for v in _rows(computer, "virtualmachines")
    ]  # fmt: skip
    return Machine(
        name=first(hardware.get("NAME"), strip_agent_date(device_id)),
        kind=computer_kind(bios.get("TYPE"), "", os_name),
        serial=first(bios.get("SSN")),
        asset_tag=first(bios.get("ASSETTAG")),
        manufacturer=first(bios.get("SMANUFACTURER"), bios.get("MMANUFACTURER")),
        model=first(bios.get("SMODEL"), bios.get("MMODEL")),
        os_name=os_name,
        os_version=os_version,
        cpu=cpu_label([c.get("TYPE") or c.get("NAME") for c in _rows(computer, "cpus")])
        or first(hardware.get("PROCESSORT")),
        ram=ram_cell(
            (m.get("CAPACITY") for m in _rows(computer, "memories")), hardware.get("MEMORY")
        ),  # fmt: skip
        disk=mb(total_mb(disks)),
        assigned_to=person(hardware.get("USERID")),
        taken_at=first(hardware.get("LASTDATE")),
        device_id=device_id,
        guests=[g for g in guests if g],
        # The API leaves out the tables it was not asked for: absent is unknown, not none.
        software=software_list(
            software(s.get("NAME"), s.get("VERSION"), s.get("PUBLISHER"), s.get("INSTALLDATE"))
            for s in _rows(computer, "softwares")
        )
        if "softwares" in computer
        else None,
    )


def sniff(filename: str, head: bytes) -> bool:
    """A JSON object with the OCS tables' upper-case columns (and no GLPI "content")."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start.startswith(b"{") or b'"content"' in head:
        return False
    return b'"hardware"' in head and (b'"DEVICEID"' in head or b'"HARDWARE_ID"' in head)


def read(files: list[tuple[str, BinaryIO]]) -> Table:
    """One row per computer; files that are not OCS exports are named in the problems."""
    table = read_all(files, read_one, OCS_ID)
    table.preset = "ocs"
    return table


FORMAT = Format(name="ocs-json", label="OCS Inventory NG export (JSON)", sniff=sniff, read=read)
