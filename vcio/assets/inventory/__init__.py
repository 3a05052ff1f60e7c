"""Agent inventory readers: GLPI agent JSON and FusionInventory/OCS XML → one table row per machine.

The readers turn each file into a :class:`Machine` and the machines into a
:class:`~vcio.core.importer.base.Table` with the columns in :data:`COLUMNS`,
which the ``glpi`` and ``ocs`` presets map onto the asset target. Row numbers
count machines (and the virtual machines their hosts list) in the order
read; a ``File`` column names each row's file for messages.

A file that cannot be read (not JSON/XML, not an inventory, no machine in
it) is left out with a problem in ``Table.skipped`` that names it
("inventory-3.json: not valid JSON (line 4, column 2)"): nothing is written
under an atomic import, the other files are under --no-atomic. When no file
can be read, :class:`InventoryError` lists them all.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import BinaryIO

from vcio.assets.importing.placeholders import is_placeholder
from vcio.assets.models import AssetKind
from vcio.core.importer.base import Problem, Table
from vcio.core.importer.readers import FileProblem

GLPI_ID = "GLPI device ID"
OCS_ID = "OCS device ID"

# Inventory files are small (the largest real sample is 1.4 MB); this bounds
# what a compressed .ocs file may expand to.
MAX_FILE_BYTES = 64 * 1024 * 1024


class InventoryError(FileProblem):
    """Files that could not be read; ``problems`` has one entry per file.

    A :class:`FileProblem`, so the engine reports it as it is: one broken
    file is "inventory-3.json: not valid JSON (line 4, column 2)"; several
    are listed in one message, each with its file name.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        if len(problems) == 1:
            super().__init__(problems[0])
        else:
            super().__init__(Problem("; ".join(str(p) for p in problems)))


class BadFile(Exception):
    """Raised inside a reader for one file; the message says what is wrong with it."""


@dataclass
class Machine:
    """What vcio keeps of one inventoried device (text, as a table cell would hold it)."""

    name: str = ""
    kind: str = ""
    serial: str = ""
    asset_tag: str = ""
    manufacturer: str = ""
    model: str = ""
    os_name: str = ""
    os_version: str = ""
    cpu: str = ""
    ram: str = ""  # "8192 MB": the asset target's size parser converts it
    disk: str = ""
    assigned_to: str = ""
    location: str = ""
    # When the agent took the inventory ("2017-06-09 09:00:49"), to keep the
    # newest of two inventories of one machine given together.
    taken_at: str = ""
    # "yes" for a GLPI partial inventory (one section sent after a change):
    # a full inventory of the same machine in the same import wins over it.
    partial: str = ""
    # A virtual machine's host: the host's device id (or "serial:…").
    host: str = ""
    device_id: str = ""
    # The virtual machines the host's inventory lists (read as rows of their own).
    guests: list[Machine] = field(default_factory=list)
    # What is installed, as :func:`software` and :func:`antivirus` give it; None
    # when the inventory does not say (a partial inventory without the section,
    # a network device), so the import leaves the asset's lists as they are.
    software: list[list[str]] | None = None
    antivirus: list[dict[str, object]] | None = None


# Table column → Machine attribute; the last column is the reader's device id.
COLUMNS = {
    "Name": "name",
    "Kind": "kind",
    "Serial": "serial",
    "Asset tag": "asset_tag",
    "Manufacturer": "manufacturer",
    "Model": "model",
    "OS name": "os_name",
    "OS version": "os_version",
    "CPU": "cpu",
    "RAM (GB)": "ram",
    "Disk (GB)": "disk",
    "Assigned to": "assigned_to",
    "Location": "location",
    "Inventory date": "taken_at",
    "Host": "host",
    "Partial": "partial",
    # Lists, as JSON in one cell (read by vcio/assets/importing/software.py).
    "Installed software (inventory)": "software",
    "Antivirus (inventory)": "antivirus",
}
FILE_HEADER = "File"  # the file each row was read from, to name it in messages
assert {f.name for f in fields(Machine)} == {*COLUMNS.values(), "device_id", "guests"}


def read_all(
    files: list[tuple[str, BinaryIO]],
    read_one: Callable[[str, bytes], Machine | list[Machine]],
    id_header: str,
) -> Table:
    """Read every file with ``read_one``: a table of machines, one row per file.

    Files that cannot be read are left out, each with a problem naming it in
    ``Table.skipped`` (so --no-atomic imports the others); when no file can be
    read, InventoryError names them all.
    """
    rows: list[tuple[int, list[str | tuple[int, int]]]] = []
    problems: list[Problem] = []
    spill = _Spill()
    for filename, handle in files:
        try:
            data = handle.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise BadFile(f"larger than {MAX_FILE_BYTES // 2**20} MB")
            if not data.strip():
                raise BadFile("the file is empty")
            found = read_one(filename, data)
        except BadFile as exc:
            problems.append(Problem(str(exc), file=filename))
            continue
        for machine in found if isinstance(found, list) else [found]:
            for one in (machine, *guests_of(machine)):
                cells = [spill.keep(cell(getattr(one, attr))) for attr in COLUMNS.values()]
                rows.append((len(rows) + 1, [*cells, filename, clean(one.device_id)]))
    if problems and not rows:
        raise InventoryError(problems)
    return Table(
        headers=[*COLUMNS, FILE_HEADER, id_header], rows=spill.rows(rows), skipped=problems
    )


class _Spill:
    """Long cells (a machine's ~800 packages as JSON) kept in a temporary file until read.

    The rows of every file are read before the engine parses them (a file
    that cannot be read must be known first); holding each machine's
    software list as text for a folder of 50,000 inventories would take
    gigabytes, so only its place in the file is kept.
    """

    LONG = 512  # characters; shorter cells stay in the row
    IN_MEMORY_BYTES = 1024 * 1024

    def __init__(self) -> None:
        self.file = tempfile.SpooledTemporaryFile(max_size=self.IN_MEMORY_BYTES)  # noqa: SIM115

    def keep(self, text: str) -> str | tuple[int, int]:
        """``text``, or (offset, length) in the file when it is long."""
        if len(text) < self.LONG:
            return text
        data = text.encode()
        offset = self.file.seek(0, 2)
        self.file.write(data)
        return offset, len(data)

    def rows(
        self, rows: list[tuple[int, list[str | tuple[int, int]]]]
    ) -> Iterator[tuple[int, list[str]]]:
        """The rows with their long cells read back (one pass; the file is closed after it)."""
        try:
            for number, cells in rows:
                yield number, [c if isinstance(c, str) else self._read(*c) for c in cells]
        finally:
            self.file.close()

    def _read(self, offset: int, length: int) -> str:
        self.file.seek(offset)
        return self.file.read(length).decode()


# Application containers come and go by the hour; they are not assets.
_CONTAINERS = frozenset({"docker", "podman", "containerd", "cri-o", "kubernetes"})


def virtual_machine(
    name: object, uuid: object, vmtype: object, subsystem: object, memory: object, vcpu: object
) -> Machine | None:
    """A virtual machine a host's inventory lists, or None for a container or a nameless one.

    Keyed by its UUID ("vm:<uuid>"); its RAM is the inventory's MB figure.
    """
    vmtype, name, uuid = clean(vmtype), clean(name), clean(uuid)
    if not name or vmtype.casefold() in _CONTAINERS:
        return None
    ram = clean(memory)
    cpus = clean(vcpu)
    return Machine(
        name=name,
        kind=AssetKind.VIRTUAL_MACHINE,
        model=first(subsystem, vmtype),
        cpu=f"{cpus} vCPU" if cpus else "",
        ram=f"{ram} MB" if ram.isdigit() else ram,
        device_id=f"vm:{uuid}" if uuid else "",
    )


def guests_of(host: Machine) -> list[Machine]:
    """The host's virtual machines, each pointing at the host and keyed even without a UUID."""
    link = host.device_id or (f"serial:{host.serial}" if host.serial else "")
    guests = []
    for guest in host.guests:
        if not link:
            break  # a host nothing identifies cannot be linked to
        guest.host, guest.taken_at, guest.partial = link, host.taken_at, host.partial
        guest.device_id = guest.device_id or f"vm:{link}:{guest.name}"
        guests.append(guest)
    return guests


def cell(value: object) -> str:
    """A table cell: text cleaned, a list as compact JSON ("[]" when empty), None as ''."""
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return clean(value)


def clean(value: object) -> str:
    """A cell's text: stripped, one line, '' for None and for vendor placeholders."""
    text = " ".join(str(value).split()) if value is not None else ""
    # The placeholder list (vcio/assets/data/placeholders.json) also holds the
    # firmware's "System manufacturer" and Android's "release-keys" asset tag.
    return "" if is_placeholder(text) else text


def first(*values: object) -> str:
    """The first value that is not empty once cleaned."""
    for value in values:
        text = clean(value)
        if text:
            return text
    return ""


def total_mb(values: Iterable[object]) -> Decimal:
    """The sum of the sizes (MB) that are positive numbers; 0 when there is none."""
    total = Decimal(0)
    for value in values:
        try:
            total += max(Decimal(str(value).strip()), Decimal(0))
        except ArithmeticError:
            continue  # "", None, "unknown": a size the agent could not read
    return total


def mb(total: Decimal) -> str:
    """A cell for a size in MB ("8192 MB"), '' for 0; the asset target converts it to GB."""
    return f"{total.normalize():f} MB" if total > 0 else ""


def ram_cell(modules: Iterable[object], system: object) -> str:
    """Installed RAM: the memory modules' sum, unless the agent listed fewer modules
    than the OS sees (then the OS's figure, ``hardware.memory``, is the better one)."""
    return mb(max(total_mb(modules), total_mb([system])))


# Logins that say nothing about who uses the machine.
_SYSTEM_USERS = frozenset({"root", "administrator", "admin", "system", "local", "localadmin",
                           "guest", "user", "default"})  # fmt: skip


def person(login: object) -> str:
    """The last logged-in user as the assigned person, unless it is a system account."""
    text = clean(login)
    return "" if text.casefold() in _SYSTEM_USERS else text


def cpu_label(names: list[str]) -> str:
    """One CPU name, prefixed by the socket count when there are several ("2 × Xeon …")."""
    names = [n for n in (clean(x) for x in names) if n]
    if not names:
        return ""
    return names[0] if len(names) == 1 else f"{len(names)} × {names[0]}"


_NOT_DISKS = re.compile(
    r"\b(?:cd|dvd|cd-?rom|optical|card reader|floppy|usb|removable)\b", re.IGNORECASE
)


def is_disk(*descriptions: object) -> bool:
    """False for optical drives, card readers and USB sticks, which are not the machine's disk."""
    return not any(_NOT_DISKS.search(str(d)) for d in descriptions if d)


# --- operating systems ----------------------------------------------------------

_MS_NOISE = re.compile(r"\bmicrosoft\b|\(r\)|\(tm\)|®|™", re.IGNORECASE)
_ANDROID = re.compile(r"android\s*(\d+(?:\.\d+)*)", re.IGNORECASE)
_FEATURE = re.compile(r"^\d{2}H[12]$", re.IGNORECASE)


def operating_system(
    name: object, version: object, full_name: object, kernel: object = ""
) -> tuple[str, str]:
    """(OS name, version) as the end-of-life matcher (:mod:`vcio.assets.eol`) reads them.

    "Microsoft Windows 10 Pro" → "Windows 10 Pro" with its feature update
    ("22H2") or else its build ("10.0.19045": the build, unlike the agent's
    "2009" release id, tells 20H2 from 22H2); "MacOSX" "10.13.5 (17F77)" →
    "macOS" "10.13.5"; "Snow Cone Android 12.0" (version = API level 31) →
    "Android" "12.0"; others as the agent wrote them.
    """
    name, version, full_name, kernel = (clean(x) for x in (name, version, full_name, kernel))
    both = f"{name} {full_name}".casefold()
    if "windows" in both:
        label = " ".join(_MS_NOISE.sub(" ", full_name or name).split())
        if not _FEATURE.match(version) and kernel:
            version = kernel
        return label.split(",")[0].strip(), version
    if "android" in both:
        match = _ANDROID.search(f"{name} {full_name}")
        return "Android", match[1] if match else version
    if any(word in both for word in ("macos", "mac os", "os x", "darwin")):
        return "macOS", version.split(" ")[0]
    return name or full_name, version


_RELEASE = re.compile(
    r"^(?P<name>.*?[A-Za-z].*?)\s+(?:release\s+|version\s+)?(?P<version>\d[\w.]*(?:\s.*)?)$",
    re.IGNORECASE,
)


def hardware_os(os_name: object, os_version: object) -> tuple[str, str]:
    """(OS name, version) from an inventory's HARDWARE section alone (no OPERATINGSYSTEM).

    There OSVERSION is the kernel on anything but Windows ("4.8.11-040811-generic"),
    which no end-of-life table knows: the version is taken from the name
    instead ("Ubuntu 16.04.3 LTS" → "Ubuntu", "16.04.3 LTS"), or left empty.
    """
    name, version = clean(os_name), clean(os_version)
    if "windows" in name.casefold():
        return operating_system(name, version, name)
    match = _RELEASE.match(name)
    if match:
        return operating_system(match["name"], match["version"], name)
    return operating_system(name, "", name)


# --- kinds ----------------------------------------------------------------------

_LAPTOP_CHASSIS = {"laptop", "notebook", "portable", "sub notebook", "convertible", "detachable"}
_MOBILE_CHASSIS = {"tablet", "hand held"}
_SERVER_CHASSIS = {"rack mount chassis", "blade", "blade enclosure", "main server chassis",
                   "multi-system chassis", "server"}  # fmt: skip
_PHYSICAL = {"", "physical"}
_DEVICE_TYPES = {
    "networking": AssetKind.NETWORK,
    "printer": AssetKind.PRINTER,
    "storage": AssetKind.STORAGE,
    "phone": AssetKind.MOBILE,
    "computer": AssetKind.WORKSTATION,
}


def computer_kind(chassis: str, vmsystem: str, os_name: str) -> str:
    """The kind of an inventoried computer, from its chassis, hypervisor and OS.

    A virtual machine first (vmsystem other than Physical), then a server OS
    or a server chassis, then phones and tablets, laptops, and everything
    else is a workstation.
    """
    chassis, os_folded = clean(chassis).casefold(), os_name.casefold()
    if clean(vmsystem).casefold() not in _PHYSICAL:
        return AssetKind.VIRTUAL_MACHINE
    if "server" in os_folded or chassis in _SERVER_CHASSIS:
        return AssetKind.SERVER
    if chassis in _MOBILE_CHASSIS or any(x in os_folded for x in ("android", "ios", "ipados")):
        return AssetKind.MOBILE
    if chassis in _LAPTOP_CHASSIS:
        return AssetKind.LAPTOP
    return AssetKind.WORKSTATION


def device_kind(device_type: str) -> str:
    """The kind of a network-discovered device from its TYPE (NETWORKING, PRINTER, …)."""
    return _DEVICE_TYPES.get(clean(device_type).casefold(), AssetKind.OTHER)


def strip_agent_date(device_id: str) -> str:
    """'LF014-2017-02-20-12-19-56' → 'LF014': a name of last resort for a nameless machine."""
    return re.sub(r"-\d{4}(?:-\d{2}){5}$", "", device_id)


# --- installed software and antivirus ---------------------------------------------

_DATES = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ T].*)?$"),  # GLPI: 2019-12-19
    re.compile(r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})$"),  # FusionInventory: 11/09/2015
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),  # the Windows registry: 20150911
)


def inventory_date(value: object) -> str:
    """An agent's date as ISO text ("2015-09-11"), '' when unknown or the epoch placeholder.

    FusionInventory writes day first (its Windows module turns the
    registry's 20150911 into 11/09/2015); GLPI agents write ISO dates.
    """
    text = clean(value)
    for pattern in _DATES:
        match = pattern.match(text)
        if match:
            try:
                day = date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return ""
            return day.isoformat() if day.year > 1970 else ""
    return ""


def flag(value: object) -> bool | None:
    """An agent's yes/no ("1", "0", true, "false"), None when it does not say."""
    if isinstance(value, bool):
        return value
    # Not clean(): "0" is a placeholder serial, but here it means "no".
    text = str(value).strip().casefold() if value is not None else ""
    if text in {"1", "true", "yes"}:
        return True
    if text in {"0", "false", "no"}:
        return False
    return None


def software(name: object, version: object, publisher: object, installed: object) -> list[str]:
    """One installed package as [name, version, publisher, ISO install date]; [] without a name."""
    name = clean(name)
    if not name:
        return []
    return [name, clean(version), clean(publisher), inventory_date(installed)]


def software_list(entries: Iterable[list[str]]) -> list[list[str]]:
    """The entries that have a name, each (name, version, publisher) once, sorted by name."""
    unique = {(e[0], e[1], e[2]): e for e in entries if e}
    return sorted(unique.values(), key=lambda e: (e[0].casefold(), e[1]))


def antivirus(
    name: object,
    company: object = "",
    version: object = "",
    enabled: object = None,
    up_to_date: object = None,
    base_version: object = "",
    base_date: object = "",
) -> dict[str, object]:
    """One antivirus product and its state; {} without a name."""
    name = clean(name)
    if not name:
        return {}
    return {
        "name": name,
        "company": clean(company),
        "version": clean(version),
        "enabled": flag(enabled),
        "up_to_date": flag(up_to_date),
        "base_version": clean(base_version),
        "base_date": inventory_date(base_date),
    }
