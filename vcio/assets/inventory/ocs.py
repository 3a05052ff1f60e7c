"""FusionInventory / OCS Inventory agent XML (``<REQUEST><CONTENT>…``): one machine per file.

``QUERY`` INVENTORY files describe a computer (HARDWARE, BIOS,
OPERATINGSYSTEM, CPUS, MEMORIES, STORAGES; sizes in MB; what is installed
in SOFTWARES and ANTIVIRUS) whose ``DEVICEID`` is its external id;
NETDISCOVERY and SNMPQUERY files describe a network device (DEVICE, or
DEVICE/INFO), keyed by its serial. The OCS agent's local
``.ocs`` files are the same XML compressed with zlib.

The XML is parsed with defusedxml and DTDs are refused outright: an
inventory has no use for them, and entities are how XML bombs and external
file reads get in.
"""

from __future__ import annotations

import zlib
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from vcio.assets.inventory import (
    MAX_FILE_BYTES,
    OCS_ID,
    BadFile,
    Machine,
    antivirus,
    clean,
    computer_kind,
    cpu_label,
    device_kind,
    first,
    hardware_os,
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
from vcio.core.importer.base import Format, Table

_ZLIB = (b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda")


def _inflate(data: bytes) -> bytes:
    """A zlib-compressed .ocs file's XML, refusing to expand past MAX_FILE_BYTES."""
    inflater = zlib.decompressobj()
    try:
        xml = inflater.decompress(data, MAX_FILE_BYTES)
    except zlib.error:
        raise BadFile("not valid XML, nor a compressed .ocs file") from None
    if inflater.unconsumed_tail:
        raise BadFile(f"expands to more than {MAX_FILE_BYTES // 2**20} MB")
    return xml


def load(data: bytes) -> Element:
    """The ``REQUEST`` element in ``data``; BadFile saying why when there is none."""
    if data[:2] in _ZLIB:
        data = _inflate(data)
    if not data.startswith(b"\xef\xbb\xbf"):
        data = data.lstrip()  # whitespace before <?xml …?> is an XML error
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise BadFile("DTDs and entities are not allowed in inventory files") from None
    except ParseError as exc:
        line, col = exc.position
        raise BadFile(f"not valid XML (line {line}, column {col + 1})") from None
    if root.tag != "REQUEST" or root.find("CONTENT") is None:
        raise BadFile(f"not a FusionInventory/OCS inventory (<{root.tag}>, not <REQUEST><CONTENT>)")
    return root


def _text(element: Element | None, *tags: str) -> str:
    """The first non-empty child text among ``tags``."""
    if element is None:
        return ""
    return first(*(element.findtext(tag) for tag in tags))


def read_one(filename: str, data: bytes) -> Machine:
    """The machine one inventory file describes."""
    root = load(data)
    content = root.find("CONTENT")
    device_id = clean(root.findtext("DEVICEID"))
    hardware = content.find("HARDWARE")
    if hardware is None:
        device = content.find("DEVICE")
        if device is None:
            raise BadFile("no machine in it (no HARDWARE or DEVICE)")
        return _network_device(device, device_id)
    bios, system = content.find("BIOS"), content.find("OPERATINGSYSTEM")
    if system is not None:
        os_name, os_version = operating_system(
            _text(system, "NAME"),
            _text(system, "VERSION"),
            _text(system, "FULL_NAME"),
            _text(system, "KERNEL_VERSION") or _text(hardware, "OSVERSION"),
        )
    else:  # older agents put the OS in HARDWARE only
        os_name, os_version = hardware_os(_text(hardware, "OSNAME"), _text(hardware, "OSVERSION"))
    disks = [
        s.findtext("DISKSIZE")
        for s in content.findall("STORAGES")
        if is_disk(*(s.findtext(tag) for tag in ("TYPE", "DESCRIPTION", "NAME", "INTERFACE")))
    ]
    cpus = [c.findtext("NAME") for c in content.findall("CPUS")]
    guests = [
        virtual_machine(*(v.findtext(t) for t in ("NAME", "UUID", "VMTYPE", "SUBSYSTEM",
                                                   "MEMORY", "VCPU")))
        for v in content.findall("VIRTUALMACHINES")
    ]  # fmt: skip
    return Machine(
        guests=[g for g in guests if g],
        name=first(_text(hardware, "NAME"), strip_agent_date(device_id)),
        kind=computer_kind(_text(hardware, "CHASSIS_TYPE"), _text(hardware, "VMSYSTEM"), os_name),
        serial=_text(bios, "SSN"),
        asset_tag=_text(bios, "ASSETTAG"),
        manufacturer=_text(bios, "SMANUFACTURER", "MMANUFACTURER"),
        model=_text(bios, "SMODEL", "MMODEL"),
        os_name=os_name,
        os_version=os_version,
        cpu=cpu_label(cpus) or _text(hardware, "PROCESSORT"),
        ram=ram_cell(
            (m.findtext("CAPACITY") for m in content.findall("MEMORIES")),
            hardware.findtext("MEMORY"),
        ),
        disk=mb(total_mb(disks)),
        assigned_to=person(hardware.findtext("LASTLOGGEDUSER")),
        taken_at=_text(content.find("ACCESSLOG"), "LOGDATE"),
        device_id=device_id,
        # An agent's inventory is whole: no SOFTWARES or ANTIVIRUS means none.
        software=software_list(
            software(*(s.findtext(t) for t in ("NAME", "VERSION", "PUBLISHER", "INSTALLDATE")))
            for s in content.findall("SOFTWARES")
        ),
        antivirus=[
            a
            for a in (
                antivirus(
                    *(
                        v.findtext(t)
                        for t in (
                            "NAME",
                            "COMPANY",
                            "VERSION",
                            "ENABLED",
                            "UPTODATE",
                            "BASE_VERSION",
                            "BASE_CREATION",
                        )
                    )
                )
                for v in content.findall("ANTIVIRUS")
            )
            if a
        ],  # fmt: skip
    )


def _network_device(device: Element, device_id: str) -> Machine:
    """A device found by network discovery or an SNMP query.

    Keyed by serial (or MAC): the DEVICEID of such a file is the agent's
    that ran the scan, the same for every device it found.
    """
    info = device.find("INFO")
    info = info if info is not None else device
    serial, mac = _text(info, "SERIAL"), _text(info, "MAC")
    machine = Machine(
        name=_text(info, "NAME", "SNMPHOSTNAME", "DNSHOSTNAME", "IP"),
        kind=device_kind(_text(info, "TYPE")),
        serial=serial,
        asset_tag=_text(info, "ASSETTAG"),
        manufacturer=_text(info, "MANUFACTURER"),
        model=_text(info, "MODEL"),
        location=_text(info, "LOCATION"),
        device_id="" if serial else f"mac:{mac}" if mac else "",
    )
    if not (machine.name and (machine.serial or machine.device_id)):
        raise BadFile("no device in it (the DEVICE has no name, serial or MAC)")
    return machine


def sniff(filename: str, head: bytes) -> bool:
    """An XML document whose root is REQUEST, or a zlib-compressed .ocs file."""
    if filename.lower().endswith(".ocs") and head[:2] in _ZLIB:
        return True
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return start.startswith(b"<") and b"<REQUEST" in head


def read(files: list[tuple[str, BinaryIO]]) -> Table:
    """One row per file; raises InventoryError naming every file that is not an inventory."""
    table = read_all(files, read_one, OCS_ID)
    table.preset = "ocs"
    return table


FORMAT = Format(name="ocs", label="FusionInventory / OCS inventory (XML)", sniff=sniff, read=read)
