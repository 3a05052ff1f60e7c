"""The asset import target: rows from any inventory → the client's Asset rows, upserted.

A row finds the asset it updates by the first of these keys it has:
(source, external id), serial, asset tag. So an agent inventory updates the
machine a Snipe-IT export created, through the serial they share.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from django.utils import timezone

from vcio.assets.importing import parsers as p
from vcio.assets.importing.common import (
    Departments,
    DuplicateCheck,
    Upsert,
    casefold,
    column,
    labels_of,
    source_name,
)
from vcio.assets.models import Asset
from vcio.core.importer.base import Counts, Field, ParsedRow, Problem
from vcio.core.importer.values import parse_date
from vcio.core.models import Contact


def _text(name: str) -> Any:
    return p.text(Asset._meta.get_field(name).max_length)


def _id(name: str) -> Any:
    return p.identifier(Asset._meta.get_field(name).max_length)


# Snipe-IT's "Asset EOL Date" is kept only if the model has somewhere to put it.

# vcio's own template, in column order.
TEMPLATE_FIELDS = [
    Field("name", "Name", _text("name"), required=True, help="Name or hostname.",
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
    Field("manufacturer", "Manufacturer", _text("manufacturer"),
          aliases=("Vendor", "Make", "Brand", "Maker")),
    Field("model", "Model", _text("model"), aliases=("Model name",)),
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
    """Existing assets (or their ids) by each key; the oldest asset wins a shared key."""

    def __init__(self) -> None:
        self.by: dict[str, dict[Any, Any]] = {"external_id": {}, "serial": {}, "asset_tag": {}}

    def add(self, item: Any, source: str, external_id: str, serial: str, tag: str) -> None:
        if source and external_id:
            self.by["external_id"].setdefault((source, external_id), item)
        if serial:
            self.by["serial"].setdefault(casefold(serial), item)
        if tag:
            self.by["asset_tag"].setdefault(casefold(tag), item)

    def find(self, row_keys: list[tuple[str, Any]]) -> tuple[Any, str] | None:
        for field, key in row_keys:
            item = self.by[field].get(key)
            if item is not None:
                return item, field
        return None


class AssetTarget:
    """Imports rows into the client's inventory (devices and services)."""

    key = "assets"
    label = "Assets"
    fields = TEMPLATE_FIELDS + EXTRA_FIELDS
    labels = labels_of(fields)

    def template_headers(self) -> list[str]:
        return [f.label for f in TEMPLATE_FIELDS]

    def check_rows(self, client, rows: list[ParsedRow]) -> list[Problem]:
        """Rows without a key, keys used twice in the file, two rows for one existing asset."""
        problems: list[Problem] = []
        dup = DuplicateCheck(self.labels)
        index = Index()
        for pk, *identity in (
            Asset.objects.filter(client=client)
            .order_by("id")
            .values_list("id", "source", "external_id", "serial", "asset_tag")
        ):
            index.add(pk, *identity)
        claimed: dict[int, int] = {}
        for row in rows:
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
                dup.see(row, (field, key), field, what, shown)
            hit = index.find(row_keys)
            if hit is not None:
                pk, field = hit
                earlier = claimed.setdefault(pk, row.number)
                if earlier != row.number:
                    problems.append(Problem(f"matches the same existing asset as row {earlier}",
                                            row=row.number, value=str(data.get(field, "")),
                                            column=column(row, field, self.labels)))  # fmt: skip
        return problems + dup.problems

    def apply(self, client, rows: list[ParsedRow], *, source: str, dry_run: bool = False) -> Counts:
        """Create the new assets and update the changed ones, in batches; no query per row."""
        source = source_name(source)
        index = Index()
        for asset in Asset.objects.filter(client=client).order_by("id"):
            index.add(asset, asset.source, asset.external_id, asset.serial, asset.asset_tag)
        departments = Departments(client)
        contacts = _Contacts(client)
        upsert = Upsert(Asset, client, timezone.now(), seen_field="last_seen", write=not dry_run)
        matched: set[int] = set()
        for row in rows:
            data, email = prepare(row.values, source)
            contacts.link(data, email)
            hit = index.find(keys(data))
            if hit is None:
                departments.resolve(data, "")
                upsert.create(data)
                continue
            asset = hit[0]
            if asset.pk in matched:  # check_rows reports this; never merge two rows silently
                raise ValueError(f"Row {row.number}: matches an asset another row updates")
            matched.add(asset.pk)
            departments.resolve(data, asset.notes)
            upsert.update(asset, data)
        return upsert.finish()


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
