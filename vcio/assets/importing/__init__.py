"""Asset and licence imports: targets, presets for real export layouts, inventory formats.

Decisions a user sees (documented here once, tested in ``tests/test_importing.py``):

- **Keys.** An asset is matched by (source, external id), else serial, else
  asset tag; a licence by (source, external id), else (vendor, product,
  licence key). Serials and tags match in any case. A row with none of the
  asset keys is a problem: it could not be found again by the next import.
- **Empty never erases.** An empty cell, or a column the file lacks, leaves
  what vcio knows as it is, so an agent inventory never wipes the purchase
  cost or assignment a Snipe-IT export brought.
- **Identity.** A matched asset adopts the row's source and external id only
  when it has none yet; it never trades one identity for another.
- **Departments** are matched by name among the client's; an unknown name
  creates nothing and fails nothing: the department stays empty and a line
  "Department in import, not found in vcio: …" in the notes keeps the name.
- **Snipe-IT** "Warranty" is months from the purchase date; its licence
  "purchase cost" is per seat (Snipe-IT multiplies it by the seats for the
  total), so it is the unit cost; its licences are billed annually.
- **Inventories** (GLPI JSON, FusionInventory/OCS XML, OCS Inventory NG's
  JSON export) give one row per machine, plus one per virtual machine a
  host lists (kind virtual machine, linked to the host; containers are not
  assets). A file that cannot be read is left out with a problem naming it
  (nothing is written unless --no-atomic); problems about a machine name
  its file, not a row. Of two inventories of one machine given together,
  the newest (by the agent's date, else the later file) is kept.
- **Placeholders** ("Default string", "To Be Filled By O.E.M.",
  ``SYS_CHASSIS_ASSET_TAG_NUM_1`` …, listed in ``assets/data/placeholders.json``)
  are empty serials, tags, names, manufacturers and models. A serial or an
  agent's device id outranks an asset tag: a row found by its tag alone is
  another asset when the serials (or the device ids) differ.
- **Worse never replaces better**: kind Other, a generic OS name ("Linux"),
  a kernel release as OS version, or a less precise version ("16.04" where
  "16.04.3 LTS" is known) leaves the stored value (``quality.py``).
- **Kinds**: a category no rule places takes its kind from the model or
  name ("Macbook Pro 13" → laptop); rows still Other are named in a note.
- **Installed software and antivirus** (agent inventories only) replace the
  asset's lists on each import: the inventory is the truth. An inventory
  without the section (a GLPI partial inventory, an OCS NG export without
  the table) leaves them as they are; a full agent inventory without it
  empties them. Spreadsheets never touch them (``importing/software.py``).
"""

from __future__ import annotations

from vcio.assets.importing.assets import AssetTarget
from vcio.assets.importing.licences import LicenceTarget
from vcio.core.importer.base import Preset
from vcio.core.importer.mapping import IGNORE

__all__ = ["AssetTarget", "LicenceTarget", "register"]

asset_target = AssetTarget()
licence_target = LicenceTarget()

# Headers are compared ignoring case, spaces, "_" and "-" (the engine folds them).
# Both layouts Snipe-IT ships (sample_csvs/assets-sample.csv and the older one
# with "item Name", "Serial", "Status", "Warranty"), plus its UI export headers.
SNIPEIT_ASSET_COLUMNS = {
    "Name": "name",
    "item Name": "name",
    "Asset Name": "name",
    "Asset Tag": "asset_tag",
    "Serial": "serial",
    "Serial Number": "serial",
    "Category": "kind",
    "Manufacturer": "manufacturer",
    "Model": "model",
    "Model name": "model",
    "Model Number": "model_number",
    "Model No.": "model_number",
    "Location": "location",
    "Asset Notes": "notes",
    "Notes": "notes",
    "Purchase Date": "purchase_date",
    "Purchase Cost": "purchase_cost",
    "Status": "status",
    "Warranty": "warranty_months",
    "Warranty Months": "warranty_months",
    "Warranty Expires": "warranty_end",
    "Full Name": "assigned_to",
    "Checked Out To": "assigned_to",
    "Username": "assigned_username",
    "Email": "assigned_email",
    "Checked Out To: Username": "assigned_username",
    "Checked Out To: First Name": "assigned_first_name",
    "Checked Out To: Last Name": "assigned_last_name",
    "Checked Out To: Email": "assigned_email",
    "Checked Out To: Location": "checked_out_location",
    "Asset EOL Date": "eol_date",
    "ID": "external_id",
}
SNIPEIT_LICENCE_COLUMNS = {
    "Item name": "product",
    "Name": "product",
    "manufacturer": "vendor",
    "seats": "seats_owned",
    "purchase cost": "unit_cost",
    "expiration date": "renewal_date",
    "serial number": "license_key",
    "Product Key": "license_key",
    "notes": "notes",
    "ID": "external_id",
}


# Snipe-IT's older sample layout starts "Name,Email,Username,item Name,…": there
# `Name` is the person the asset (or licence) is checked out to and `item Name`
# the asset or product. Both headers together identify it (with "Asset Tag"
# for assets, "seats" for licences); the newer layouts have "Full Name" for
# the person, or `Name` alone for the asset.
SNIPEIT_LEGACY_DETECT = frozenset({"Name", "item Name"})
SNIPEIT_LEGACY_ASSET_COLUMNS = {**SNIPEIT_ASSET_COLUMNS, "Name": "assigned_to"}
# The licence target keeps no person, so the person's columns are not imported.
SNIPEIT_LEGACY_LICENCE_COLUMNS = {
    **SNIPEIT_LICENCE_COLUMNS, "Name": IGNORE, "Email": IGNORE, "Username": IGNORE,
}  # fmt: skip


def _presets() -> list[Preset]:
    from vcio.assets.inventory import COLUMNS, FILE_HEADER, GLPI_ID, OCS_ID

    # The readers' columns are the asset fields (RAM and disk as text with units).
    inventory = {
        header: {"ram": "ram_gb", "disk": "disk_gb"}.get(a, a) for header, a in COLUMNS.items()
    }
    inventory[FILE_HEADER] = "inventory_file"
    return [
        Preset(
            name="snipeit-assets",
            label="Snipe-IT assets (CSV)",
            target="assets",
            columns=SNIPEIT_ASSET_COLUMNS,
            detect=frozenset(
                {
                    "Asset Tag",
                    "Category",
                    "Manufacturer",
                    "Model Number",
                    "Purchase Date",
                    "Purchase Cost",
                }
            ),  # fmt: skip
            defaults={"source": "snipeit"},
            description="Snipe-IT's asset import/export layout; Warranty is in months.",
        ),
        Preset(
            name="snipeit-assets-legacy",
            label="Snipe-IT assets, older layout (CSV)",
            target="assets",
            columns=SNIPEIT_LEGACY_ASSET_COLUMNS,
            detect=SNIPEIT_LEGACY_DETECT | {"Asset Tag"},
            defaults={"source": "snipeit"},
            description="Name,Email,Username,item Name,…: Name is the person, item Name the asset.",
            priority=1,
        ),
        Preset(
            name="snipeit-licences-legacy",
            label="Snipe-IT licences, older layout (CSV)",
            target="licences",
            columns=SNIPEIT_LEGACY_LICENCE_COLUMNS,
            detect=SNIPEIT_LEGACY_DETECT | {"seats"},
            defaults={"source": "snipeit", "kind": "licence", "billing_period": "annual"},
            description="Name,Email,Username,Item name,…: Name is the person, Item name the "
            "product.",
            priority=1,
        ),
        Preset(
            name="snipeit-licences",
            label="Snipe-IT licences (CSV)",
            target="licences",
            columns=SNIPEIT_LICENCE_COLUMNS,
            detect=frozenset({"Item name", "serial number", "seats", "expiration date"}),
            defaults={"source": "snipeit", "kind": "licence", "billing_period": "annual"},
            description="Snipe-IT's licence layout; purchase cost is per seat, billed yearly.",
        ),
        Preset(
            name="vcio-assets",
            label="vcio asset template",
            target="assets",
            columns=dict(_template(asset_target)),
            detect=frozenset({"Name", "Kind", "Serial"}),
            defaults={"source": "vcio"},
            description="vcio's own template (download it from the import page).",
        ),
        Preset(
            name="vcio-licences",
            label="vcio licence template",
            target="licences",
            columns=dict(_template(licence_target)),
            detect=frozenset({"Product", "Vendor", "Seats owned"}),
            defaults={"source": "vcio"},
            description="vcio's own template (download it from the import page).",
        ),
        Preset(
            name="glpi",
            label="GLPI agent inventory (JSON)",
            target="assets",
            columns={**inventory, GLPI_ID: "external_id"},
            detect=frozenset({GLPI_ID}),
            defaults={"source": "glpi"},
            description="One machine per file, as the GLPI agent writes it.",
        ),
        Preset(
            name="ocs",
            label="FusionInventory / OCS inventory (XML)",
            target="assets",
            columns={**inventory, OCS_ID: "external_id"},
            detect=frozenset({OCS_ID}),
            defaults={"source": "ocs"},
            description="One machine per file (<REQUEST><CONTENT>…), .xml or zlib .ocs.",
        ),
    ]


def _template(target) -> list[tuple[str, str]]:
    headers = set(target.template_headers())
    return [(f.label, f.name) for f in target.fields if f.label in headers]


def register() -> None:
    """Register the targets, presets and inventory formats with the importer."""
    from vcio.assets.inventory import glpi, ocs, ocs_json
    from vcio.core.importer.base import formats, presets, targets

    targets.register(asset_target)
    targets.register(licence_target)
    for preset in _presets():
        presets.register(preset)
    formats.register(ocs_json.FORMAT)  # before GLPI's, which claims any .json object
    formats.register(glpi.FORMAT)
    formats.register(ocs.FORMAT)
