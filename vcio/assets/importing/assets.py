"""The asset import target: rows from any inventory → the client's Asset rows, upserted.

A row finds the asset it updates by the first of these keys it has:
(source, external id), serial, asset tag. So an agent inventory updates the
machine a Snipe-IT export created, through the serial they share.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone

from vcio.assets.importing import parsers as p
from vcio.assets.importing.quality import worse
from vcio.assets.importing.software import InstalledWriter, parse_antivirus, parse_software
from vcio.assets.models import Asset
from vcio.core.importer.base import Counts, Field, ParsedRow, Problem
from vcio.core.importer.targets import (
    Departments,
    DuplicateCheck,
    Upsert,
    batched,
    casefold,
    column,
    labels_of,
    source_name,
)
from vcio.core.importer.values import parse_date
from vcio.core.models import Contact


def _text(name: str) -> Any:
    return p.text(Asset._meta.get_field(name).max_length)


def _id(name: str) -> Any:
    """Text where a placeholder ("Default string", "To Be Filled By O.E.M.") is empty."""
    return p.identifier(Asset._meta.get_field(name).max_length)


# Snipe-IT's "Asset EOL Date" is kept only if the model has somewhere to put it.

# vcio's own template, in column order.
TEMPLATE_FIELDS = [
    Field("name", "Name", _id("name"), required=True, help="Name or hostname.",
          aliases=("Hostname", "Host name", "Computer name", "Computer", "Device name",
                   "Device", "Asset name", "Item name", "Machine name", "DNS name")),
    Field("asset_tag", "Asset tag", _id("asset_tag"),
          aliases=("Tag", "Asset number", "Asset No", "Asset #",
                   "Inventory number", "Inventory no", "Inventory tag")),
    Field("serial", "Serial", _id("serial"),
          aliases=("Serial number", "Serial No", "Serial No.", "Serial #",
                   "S/N", "SN", "Service tag", "Serialnumber")),
    Field("kind", "Kind", p.kind, help="Laptop, server, … or a category such as 'Laptops'.",
          aliases=("Category", "Type", "Asset type", "Device type", "Item type", "Class")),
    Field("manufacturer", "Manufacturer", _id("manufacturer"),
          aliases=("Vendor", "Make", "Brand", "Maker")),
    Field("model", "Model", _id("model"), aliases=("Model name",)),
    Field("os_name", "OS name", _text("os_name"),
          aliases=("OS", "Operating system", "Platform")),
    Field("os_version", "OS version", _text("os_version"),
          aliases=("Operating system version", "OS release", "OS build")),
    Field("cpu", "CPU", _text("cpu"), aliases=("Processor", "Processors", "CPU model", "CPU type")),
    Field("ram_gb", "RAM (GB)", p.size("g", binary=True, mb_threshold=p.RAM_MB_THRESHOLD),
          help="GB; '16384 MB' is converted, and so is a bare number of 1024 or more.",
          aliases=("RAM", "Memory", "Memory (GB)", "Installed RAM", "Total memory",
                   "RAM size")),
    Field("disk_gb", "Disk (GB)", p.size("g", binary=False),
          help="GB; '1 TB' and '256060 MB' are converted.",
          aliases=("Disk", "Disk size", "Storage", "Storage (GB)", "HDD", "SSD", "Hard drive",
                   "Disk capacity", "Disk space")),
    Field("purchase_date", "Purchase date", parse_date,
          aliases=("Purchased", "Date purchased", "Acquisition date")),
    Field("purchase_cost", "Purchase cost", p.cost,
          aliases=("Cost", "Price", "Purchase price", "Value", "Unit price")),
    Field("warranty_end", "Warranty end", parse_date,
          aliases=("Warranty Expires", "Warranty expiration",
                   "Warranty expiry", "Warranty end date", "Warranty until")),
    Field("status", "Status", p.status, aliases=("State", "Asset status", "Status label")),
    Field("department", "Department", p.text(120), help="Matched by name among the client's.",
          aliases=("Dept", "Department name", "Business unit")),
    Field("assigned_to", "Assigned to", _text("assigned_to"),
          aliases=("Checked Out To", "User", "Owner",
                   "Full Name", "Assignee", "Employee", "Used by")),
    Field("location", "Location", _text("location"),
          aliases=("Site", "Office", "Room", "Building")),
    Field("notes", "Notes", p.text(), aliases=("Note", "Comments", "Comment", "Description",
                                               "Asset Notes", "Remarks")),
    Field("source", "Source", _text("source"), help="The tool the row comes from, e.g. snipeit.",
          aliases=("Source system", "Origin")),
    Field("external_id", "External ID", _text("external_id"),
          help="The row's id in the source tool; with Source, the surest key.",
          aliases=("ID", "Asset ID", "Record ID", "Device ID", "deviceid")),
]  # fmt: skip

# Columns other layouts have, folded into the fields above by `prepare`.
EXTRA_FIELDS = [
    Field("warranty_months", "Warranty (months)", p.warranty,
          help="Months from the purchase date (Snipe-IT), or an end date.",
          aliases=("Warranty", "Warranty period",
                   "Warranty term")),
    Field("ram_mb", "RAM (MB)", p.size("m", binary=True),
          aliases=("Memory (MB)", "Memory MB", "RAM in MB")),
    Field("disk_mb", "Disk (MB)", p.size("m", binary=False),
          aliases=("Disk size (MB)", "Storage (MB)")),
    Field("model_number", "Model number", _text("model"),
          aliases=("Model No", "Model No.", "Part number", "Product number",
                   "SKU")),
    Field("assigned_username", "Assigned username", p.text(200),
          aliases=("Username", "User name", "Login", "Checked Out To: Username")),
    Field("assigned_email", "Assigned email", p.text(254),
          aliases=("Email", "E-mail", "User email", "Checked Out To: Email")),
    Field("assigned_first_name", "Assigned first name", p.text(100),
          aliases=("First Name", "Checked Out To: First Name")),
    Field("assigned_last_name", "Assigned last name", p.text(100),
          aliases=("Last Name", "Checked Out To: Last Name")),
    Field("checked_out_location", "Checked-out location", _text("location"),
          help="Where the asset is now; wins over Location.",
          aliases=("Checked Out To: Location",)),
]  # fmt: skip
EXTRA_FIELDS.append(
    Field("eol_date", "End of life", parse_date,
          aliases=("Asset EOL Date", "EOL", "EOL date", "End of life date"))
)  # fmt: skip
# Filled by the agent inventory readers only (never stored): which file a row
# is, and when its inventory was taken ("2017-06-09 09:00:49", sorts as text).
EXTRA_FIELDS += [
    Field("inventory_file", "Inventory file", p.text()),
    Field("taken_at", "Inventory date", p.text()),
    Field("host", "Host", p.text(), help="A virtual machine's host: its device id, or serial:…"),
    Field("partial", "Partial inventory", p.text()),
    # What is installed (agent inventories only): replaces the asset's lists.
    Field("software", "Installed software (inventory)", parse_software),
    Field("antivirus", "Antivirus (inventory)", parse_antivirus),
]

# Fields copied to the model as they are (department is resolved per client).
DIRECT = tuple(f.name for f in TEMPLATE_FIELDS if f.name not in ("source", "external_id")) + (
    "eol_date",
)
KEY_FIELDS = ("serial", "asset_tag", "external_id")
MODEL_LENGTH = Asset._meta.get_field("model").max_length
ASSIGNED_LENGTH = Asset._meta.get_field("assigned_to").max_length


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (Jan 31 + 1 month = Feb 28/29)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def prepare(values: dict[str, Any], source: str) -> tuple[dict[str, Any], str | None]:
    """A parsed row → (model field values to write, the assigned person's email).

    Folds the extra columns in: warranty months become an end date counted
    from the purchase date (left unknown without one), MB columns fill the GB
    fields, the model number joins the model, the assigned person's name is
    built from first/last name, email or username. Empty values are left out.
    """
    data = {name: values[name] for name in DIRECT if values.get(name) is not None}
    if data.get("kind", p.UNPLACED) is p.UNPLACED:
        # A category vcio cannot place (or none): the model or name may say it.
        guessed = p.guess_kind(values.get("model"), values.get("model_number"), values.get("name"))
        if guessed:
            data["kind"] = guessed
    for field, fallback in (("ram_gb", "ram_mb"), ("disk_gb", "disk_mb")):
        if field not in data and values.get(fallback) is not None:
            data[field] = values[fallback]
    warranty = values.get("warranty_months")
    if warranty is not None and "warranty_end" not in data:
        if isinstance(warranty, date):
            data["warranty_end"] = warranty
        elif "purchase_date" in data:
            data["warranty_end"] = add_months(data["purchase_date"], warranty)
    number = values.get("model_number")
    if number:
        model = data.get("model")
        # Snipe-IT keeps "Macbook Pro 13" and "MQ2Y3LL/A" apart; vcio has one column.
        both = f"{model} ({number})"
        if not model:
            data["model"] = number
        elif number not in model and len(both) <= MODEL_LENGTH:
            data["model"] = both
    email = values.get("assigned_email")
    if "assigned_to" not in data:
        first, last = values.get("assigned_first_name"), values.get("assigned_last_name")
        person = " ".join(x for x in (first, last) if x) or email or values.get("assigned_username")
        if person:
            data["assigned_to"] = person[:ASSIGNED_LENGTH]  # an email may be longer
    if values.get("checked_out_location"):
        data["location"] = values["checked_out_location"]
    data["source"] = values.get("source") or source or ""
    if values.get("external_id"):
        data["external_id"] = values["external_id"]
    return data, email


def keys(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """The row's keys, surest first: (field, value) pairs."""
    found = []
    if data.get("external_id") and data.get("source"):
        found.append(("external_id", (data["source"], data["external_id"])))
    if data.get("serial"):
        found.append(("serial", casefold(data["serial"])))
    if data.get("asset_tag"):
        found.append(("asset_tag", casefold(data["asset_tag"])))
    return found


class Index:
    """Existing assets (or their ids) by each key; the oldest asset wins a shared key.

    A serial or an agent's device id names one machine; an asset tag is only
    a label someone (or a firmware default) stuck on it. So a row found by
    its tag alone is not that asset when both have a serial, or both an id
    from the same source, and these differ: two machines with one tag stay
    two assets instead of one record that flips on every import.
    """

    def __init__(self) -> None:
        self.by: dict[str, dict[Any, Any]] = {"external_id": {}, "serial": {}, "asset_tag": {}}
        # item → (source, external id, folded serial), to check a match by tag.
        self.identity: dict[Any, tuple[str, str, str]] = {}

    def add(self, item: Any, source: str, external_id: str, serial: str, tag: str) -> None:
        self.identity[_key(item)] = (source, external_id, casefold(serial) if serial else "")
        if source and external_id:
            self.by["external_id"].setdefault((source, external_id), item)
        if serial:
            self.by["serial"].setdefault(casefold(serial), item)
        if tag:
            self.by["asset_tag"].setdefault(casefold(tag), item)

    def find(self, row_keys: list[tuple[str, Any]]) -> tuple[Any, str] | None:
        for field, key in row_keys:
            item = self.by[field].get(key)
            if item is not None and (field != "asset_tag" or self._same(item, row_keys)):
                return item, field
        return None

    def _same(self, item: Any, row_keys: list[tuple[str, Any]]) -> bool:
        """False when the row's serial or device id says ``item`` is another machine."""
        source, external_id, serial = self.identity[_key(item)]
        for field, key in row_keys:
            if field == "serial" and serial and key != serial:
                return False
            other_id = field == "external_id" and key[0] == source and key[1] != external_id
            if other_id and external_id:
                return False
        return True


def _key(item: Any) -> Any:
    return item if isinstance(item, int) else item.pk


def existing(client) -> Index:
    """The client's assets by key, as ids (the oldest wins a shared key): one query."""
    index = Index()
    for pk, *identity in (
        Asset.objects.filter(client=client)
        .order_by("id")
        .values_list("id", "source", "external_id", "serial", "asset_tag")
    ):
        index.add(pk, *identity)
    return index


class AssetTarget:
    """Imports rows into the client's inventory (devices and services)."""

    key = "assets"
    label = "Assets"
    fields = TEMPLATE_FIELDS + EXTRA_FIELDS
    labels = labels_of(fields)

    def template_headers(self) -> list[str]:
        return [f.label for f in TEMPLATE_FIELDS]

    def check_rows(self, client, rows: Iterable[ParsedRow]) -> list[Problem]:
        """Rows without a key, keys used twice in the file, two rows for one existing asset."""
        problems: list[Problem] = []
        dup = DuplicateCheck(self.labels)
        index = existing(client)
        claimed: dict[int, int] = {}
        files: dict[int, str] = {}  # inventory rows: number → file, to name them in problems
        for row in rows:
            if row.values.get("inventory_file"):
                files[row.number] = row.values["inventory_file"]
            # The engine passes the import's source to apply() only; a stand-in
            # keeps rows with an external id but no Source column keyed here too.
            data, _ = prepare(row.values, "(this import)")
            row_keys = keys(data)
            if not row_keys:
                a, b, c = (f"`{column(row, f, self.labels)}`" for f in KEY_FIELDS)
                problems.append(Problem(f"nothing identifies this asset for the next import: "
                                        f"fill {a}, {b} or {c}", row=row.number))  # fmt: skip
            for field, key in row_keys:
                shown = key[1] if field == "external_id" else data[field]
                what = {"external_id": "external id", "asset_tag": "asset tag"}.get(field, field)
                dup.see(row, key, field, what, shown)
            hit = index.find(row_keys)
            if hit is not None:
                pk, field = hit
                earlier = claimed.setdefault(pk, row.number)
                if earlier != row.number:
                    problems.append(Problem(f"matches the same existing asset as row {earlier}",
                                            row=row.number, value=str(data.get(field, "")),
                                            column=column(row, field, self.labels)))  # fmt: skip
        return [in_file(p, files) for p in problems + dup.problems]

    def finish_row(self, values: dict[str, Any]) -> None:
        """A category no rule places takes the kind the model or name gives (shown in previews)."""
        kind = values.get("kind")
        if kind is p.UNPLACED:
            get = values.get
            values["kind"] = p.guess_kind(get("model"), get("model_number"), get("name")) or kind

    def review_rows(self, client, rows: Iterable[ParsedRow]) -> tuple[set[int], list[Problem]]:
        """The numbers of the rows not to import, and the notes about the rows.

        Of several inventories of one machine given together, the newest is
        kept and the others left out with a note; the rows left of kind
        Other are named in a note.
        """
        older, notes = newest_inventories(rows)
        kept = (row for row in rows if row.number not in older)
        return older, notes + left_other(kept, self.labels)

    def apply(
        self, client, rows: Iterable[ParsedRow], *, source: str, dry_run: bool = False
    ) -> Counts:
        """Create the new assets and update the changed ones a batch of rows at a time.

        Existing assets are indexed by their keys only; the ones a batch
        matches are loaded with one query, so memory holds one batch of
        models however many the client or the file has.
        """
        source = source_name(source)
        index = existing(client)
        departments = Departments(client)
        contacts = _Contacts(client)
        upsert = Upsert(
            Asset, client, timezone.now(), seen_field="last_seen", worse=worse, write=not dry_run
        )
        installed = InstalledWriter(write=not dry_run)
        matched: set[int] = set()
        guests: list[tuple[str, str, str]] = []
        for batch in batched(rows):
            found: list[tuple[dict[str, Any], int | None, str | None, str | None]] = []
            for row in batch:
                data, email = prepare(row.values, source)
                if row.values.get("host") and data.get("external_id"):
                    guests.append((data["source"], data["external_id"], row.values["host"]))
                contacts.link(data, email)
                hit = index.find(keys(data))
                pk = hit[0] if hit else None
                if pk in matched:  # check_rows reports this; never merge two rows silently
                    raise ValueError(f"Row {row.number}: matches an asset another row updates")
                if pk is not None:
                    matched.add(pk)
                found.append((data, pk, row.values.get("software"), row.values.get("antivirus")))
            assets = Asset.objects.filter(client=client).in_bulk([f[1] for f in found if f[1]])
            for data, pk, software, antivirus in found:
                if pk is None:
                    departments.resolve(data, "")
                    installed.add(upsert.create(data), software, antivirus)
                else:
                    departments.resolve(data, assets[pk].notes)
                    upsert.update(assets[pk], data)
                    installed.add(pk, software, antivirus)
            upsert.flush()
            installed.flush()  # after the batch's new assets have their ids
        counts = upsert.finish()
        if not dry_run:  # a preview counts; it links nothing
            link_hosts(client, guests)
        return counts


class _Contacts:
    """The client's contacts by email (any case), loaded on the first email seen."""

    def __init__(self, client) -> None:
        self.client = client
        self.ids: dict[str, int] | None = None

    def link(self, data: dict[str, Any], email: str | None) -> None:
        """Set ``contact_id`` when the assigned person's email is one of the client's contacts."""
        if not email:
            return
        if self.ids is None:
            self.ids = {
                casefold(address): pk
                for pk, address in Contact.objects.filter(client=self.client)
                .exclude(email="")
                .values_list("id", "email")
            }
        pk = self.ids.get(casefold(email))
        if pk is not None:
            data["contact_id"] = pk


SHOWN = 10


def left_other(rows: Iterable[ParsedRow], labels: dict[str, str]) -> list[Problem]:
    """One note naming the rows whose kind is Other: neither category nor model said more.

    Rows without a kind column, or whose kind is "Other" in so many words,
    are not counted. Lists the first rows and the categories they gave, so
    the user sees what to map or fix.
    """
    other: list[ParsedRow] = []  # the first SHOWN of them; `count` counts them all
    count = 0
    examples_seen: dict[str, None] = {}
    for row in rows:
        if row.values.get("kind") is p.UNPLACED and prepare(row.values, "")[0]["kind"] == "other":
            count += 1
            if len(other) < SHOWN:
                other.append(row)
            if len(examples_seen) < 3:
                examples_seen[str(row.values.get("model") or row.values.get("name") or "")] = None
    if not count:
        return []
    numbers = ", ".join(str(r.number) for r in other) + (", …" if count > SHOWN else "")
    header = column(other[0], "kind", labels)
    examples = ", ".join(f"`{v}`" for v in examples_seen if v)
    rows_word = "row is" if count == 1 else "rows are"
    return [
        Problem(
            f"{count} {rows_word} of kind Other: nothing in `{header}` or the model name "
            f"says what {'it is' if count == 1 else 'they are'} "
            f"({'row' if count == 1 else 'rows'} {numbers}"
            + (f"; e.g. {examples}" if examples else "")
            + "). Fill a Kind column (laptop, server, …) or fix the category and import again"
        )
    ]


_ROW_REF = re.compile(r"\b(?:(on|in|as) )?row (\d+)\b")


def in_file(problem: Problem, files: dict[int, str]) -> Problem:
    """``problem`` about an inventory row named by its file ("copy.json: … in laptop.json").

    ``files`` maps the numbers of the inventory rows to their files.
    """
    if problem.row is None or not files.get(problem.row):
        return problem

    def name(match: re.Match) -> str:
        file = files.get(int(match[2]))
        return f"{'as' if match[1] == 'as' else 'in'} {file}" if file else match[0]

    return replace(
        problem, message=_ROW_REF.sub(name, problem.message), file=files[problem.row],
        whole_file=True,
    )  # fmt: skip


def newest_inventories(rows: Iterable[ParsedRow]) -> tuple[set[int], list[Problem]]:
    """Of inventory rows (one per file) that share a key, the numbers of all but the newest.

    Agents send an inventory a day: a folder of them holds the same machine
    several times. The newest by the inventory's own date wins (the later
    file when the dates are equal or missing); the others are not imported.
    Rows that are not inventories are left for check_rows to report.
    """
    # Inventories are one row per file, so keeping them (not other rows) stays small.
    newest: dict[Any, ParsedRow] = {}
    inventories: list[ParsedRow] = []
    for row in rows:
        if row.values.get("inventory_file"):
            inventories.append(row)
            for key in _machine_keys(row):
                older = newest.get(key)
                if older is None or _taken(older) <= _taken(row):
                    newest[key] = row
    left_out: set[int] = set()
    notes = []
    for row in inventories:
        newer = [newest[k] for k in _machine_keys(row) if newest[k] is not row]
        if not newer:
            continue
        left_out.add(row.number)
        data, winner = prepare(row.values, "(this import)")[0], newer[0]
        notes.append(Problem(
            f"an older inventory of {data.get('name', 'this machine')} "
            f"({row.values.get('taken_at') or 'no date'}) than "
            f"{winner.values['inventory_file']} ({winner.values.get('taken_at') or 'no date'}): "
            "not imported", file=row.values["inventory_file"],
        ))  # fmt: skip
    return left_out, notes


def _machine_keys(row: ParsedRow) -> list[tuple[str, Any]]:
    """The keys that name one machine (device id, serial): a shared tag does not."""
    return [k for k in keys(prepare(row.values, "(this import)")[0]) if k[0] != "asset_tag"]


def _taken(row: ParsedRow) -> tuple[str, bool, int]:
    """Newest first by the agent's date, then a full inventory over a partial one, then order."""
    return (row.values.get("taken_at") or "", not row.values.get("partial"), row.number)


def link_hosts(client, guests: list[tuple[str, str, str]]) -> None:
    """Point each virtual machine at its host: (source, VM's external id, host's link).

    The link is the host's device id in the same source, or "serial:…". Runs
    after the rows are written, so hosts and guests new in this import are
    found; three queries whatever the number of machines.
    """
    if not guests:
        return
    links = {(src, ext): link for src, ext, link in guests}
    device_ids = {link for link in links.values() if not link.startswith("serial:")}
    serials = {link[7:] for link in links.values() if link.startswith("serial:")}
    hosts: dict[tuple[str, str], int] = {}
    for pk, src, ext, serial in (
        Asset.objects.filter(client=client)
        .filter(Q(external_id__in=device_ids) | Q(serial__in=serials))
        .values_list("id", "source", "external_id", "serial")
    ):
        hosts.setdefault((src, ext), pk)
        if serial:
            hosts.setdefault(("serial", f"serial:{serial}"), pk)
    changed = []
    for vm in Asset.objects.filter(client=client, external_id__in={ext for _, ext in links}).only(
        "id", "source", "external_id", "host_id"
    ):
        link = links.get((vm.source, vm.external_id))
        if link is None:
            continue
        host_id = hosts.get(("serial", link) if link.startswith("serial:") else (vm.source, link))
        if host_id is not None and host_id != vm.host_id and host_id != vm.pk:
            vm.host_id = host_id
            changed.append(vm)
    Asset.objects.bulk_update(changed, ["host"], batch_size=BATCH_UPDATE)


BATCH_UPDATE = 500
