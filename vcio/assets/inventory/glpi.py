"""GLPI agent inventory (JSON, the format of glpi-project/inventory_format): one machine per file.

Computers (and phones) are read from ``content.hardware``, ``bios``,
``operatingsystem``, ``cpus``, ``memories`` and ``storages``; network
equipment and printers from ``content.network_device``. Sizes in the format
are MB. The ``deviceid`` the agent generated once at install is the
machine's external id.
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO

from vcio.assets.inventory import (
    GLPI_ID,
    BadFile,
    Machine,
    antivirus,
    clean,
    computer_kind,
    cpu_label,
    device_kind,
    first,
    is_disk,
    mb,
    operating_system,
    person,
    ram_cell,
    read_all,
    software,
    software_list,
    strip_agent_date,
    total_mb,
    virtual_machine,
)
from vcio.assets.models import AssetKind
from vcio.core.importer.base import Format, Table


def _obj(parent: dict[str, Any], key: str) -> dict[str, Any]:
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _items(parent: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = parent.get(key)
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def load(data: bytes) -> dict[str, Any]:
    """The inventory document in ``data``; BadFile saying why when it is not one."""
    try:
        doc = json.loads(data)
    except UnicodeDecodeError:
        raise BadFile("not UTF-8 text, so not a GLPI inventory") from None
    except json.JSONDecodeError as exc:
        raise BadFile(f"not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise BadFile("not a GLPI inventory (nested too deeply)") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("content"), dict):
        from vcio.assets.inventory.ocs_json import is_ocs_document

        if is_ocs_document(doc):
            raise BadFile("an OCS Inventory NG export, not a GLPI inventory: import it with "
                          "format ocs-json (`--format ocs-json`)")  # fmt: skip
        raise BadFile('not a GLPI inventory (no "content" object)')
    return doc


def read_one(filename: str, data: bytes) -> Machine:
    """The machine one GLPI inventory file describes."""
    doc = load(data)
    content = doc["content"]
    device_id = clean(doc.get("deviceid"))
    network = _obj(content, "network_device")
    if network:
        return _network_device(network, device_id)
    hardware, bios = _obj(content, "hardware"), _obj(content, "bios")
    if not hardware and not bios:
        raise BadFile('no machine in it (no "hardware", "bios" or "network_device")')
    system = _obj(content, "operatingsystem")
    os_name, os_version = operating_system(
        system.get("name"),
        system.get("version"),
        system.get("full_name"),
        system.get("kernel_version"),
    )
    if doc.get("itemtype") == "Phone":
        kind = AssetKind.MOBILE
    else:
        kind = computer_kind(hardware.get("chassis_type"), hardware.get("vmsystem"), os_name)
    disks = [
        s.get("disksize")
        for s in _items(content, "storages")
        if is_disk(s.get("type"), s.get("description"), s.get("name"), s.get("interface"))
    ]
    guests = [
        # An entry with an image and no type is a container (agents omit "docker").
        virtual_machine(v.get("name"), v.get("uuid"),
                        v.get("vmtype") or ("docker" if v.get("image") else ""),
                        v.get("subsystem"), v.get("memory"), v.get("vcpu"))
        for v in _items(content, "virtualmachines")
    ]  # fmt: skip
    return Machine(
        guests=[g for g in guests if g],
        name=first(hardware.get("name"), system.get("fqdn"), strip_agent_date(device_id)),
        kind=kind,
        serial=first(bios.get("ssn")),
        asset_tag=first(bios.get("assettag")),
        manufacturer=first(bios.get("smanufacturer"), bios.get("mmanufacturer")),
        model=first(bios.get("smodel"), bios.get("mmodel")),
        os_name=os_name,
        os_version=os_version,
        cpu=cpu_label([c.get("name") for c in _items(content, "cpus")]),
        # The modules' sum is the installed RAM; hardware.memory is what the OS sees.
        ram=ram_cell(
            (m.get("capacity") for m in _items(content, "memories")), hardware.get("memory")
        ),
        disk=mb(total_mb(disks)),
        assigned_to=person(hardware.get("lastloggeduser")),
        taken_at=first(_obj(content, "accesslog").get("logdate")),
        partial="yes" if doc.get("partial") is True else "",
        device_id=device_id,
        software=_software(content, partial=doc.get("partial") is True),
        antivirus=_antivirus(content, partial=doc.get("partial") is True),
    )


def _software(content: dict[str, Any], partial: bool) -> list[list[str]] | None:
    """The installed software; None when a partial inventory does not send the section."""
    if partial and "softwares" not in content:
        return None
    return software_list(
        software(s.get("name"), s.get("version"), s.get("publisher"), s.get("install_date"))
        for s in _items(content, "softwares")
    )


def _antivirus(content: dict[str, Any], partial: bool) -> list[dict[str, object]] | None:
    """The antivirus products; None when a partial inventory does not send the section."""
    if partial and "antivirus" not in content:
        return None
    found = (
        antivirus(a.get("name"), a.get("company"), a.get("version"), a.get("enabled"),
                  a.get("uptodate"), a.get("base_version"), a.get("base_creation"))
        for a in _items(content, "antivirus")
    )  # fmt: skip
    return [a for a in found if a]


def _network_device(device: dict[str, Any], device_id: str) -> Machine:
    """A switch, printer, … from a network inventory.

    Its key is its serial, not the deviceid: a network inventory's deviceid
    can be the agent's that ran the scan, shared by every device it found.
    """
    serial = first(device.get("serial"))
    mac = first(device.get("mac"))
    machine = Machine(
        name=first(device.get("name"), strip_agent_date(device_id)),
        kind=device_kind(device.get("type")),
        serial=serial,
        asset_tag=first(device.get("assettag")),
        manufacturer=first(device.get("manufacturer")),
        model=first(device.get("model")),
        location=first(device.get("location")),
        device_id="" if serial else f"mac:{mac}" if mac else "",
    )
    if not (machine.name and (machine.serial or machine.device_id)):
        raise BadFile("no device in it (the network_device has no name, serial or MAC)")
    return machine


def sniff(filename: str, head: bytes) -> bool:
    """A JSON object that looks like an agent inventory (or a .json file holding an object)."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start.startswith(b"{"):
        return False
    return filename.lower().endswith(".json") or b'"content"' in head or b'"deviceid"' in head


def read(files: list[tuple[str, BinaryIO]]) -> Table:
    """One row per file; raises InventoryError naming every file that is not an inventory."""
    table = read_all(files, read_one, GLPI_ID)
    table.preset = "glpi"
    return table


FORMAT = Format(name="glpi", label="GLPI agent inventory (JSON)", sniff=sniff, read=read)
