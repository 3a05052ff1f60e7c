"""Importing assets and licences: real export layouts, upsert keys, bad input, isolation.

Every test drives the importer engine (``engine.run``/``engine.preview``),
as the CLI, the web flow and the API do. Fixtures under ``fixtures/`` are
small hand-written files in the real layouts (Snipe-IT's asset CSV with its
BOM, its older layout with Serial/Status/Warranty, its licence CSV).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from vcio.assets.importing import AssetTarget
from vcio.assets.importing import parsers as p
from vcio.assets.models import Asset, AssetKind, AssetStatus, BillingPeriod, Licence
from vcio.core.importer import engine
from vcio.core.importer.targets import DEPARTMENT_NOTE

FIXTURES = Path(__file__).parent / "fixtures"


def run(target: str, client, *files, **options) -> engine.ImportReport:
    """Import fixture names or ``(name, bytes)`` pairs for real."""
    args = [
        FIXTURES / f if isinstance(f, str) else (f[0], io.BytesIO(f[1].encode())) for f in files
    ]
    return engine.run(target, client, args, **options)


def problems(report: engine.ImportReport) -> list[str]:
    return [str(p) for p in report.problems]


def counts(report: engine.ImportReport) -> tuple[int, int, int, int]:
    c = report.counts
    return c.created, c.updated, c.unchanged, c.failed


def template_csv(*rows: dict[str, str]) -> tuple[str, str]:
    """A file in vcio's own template layout with the given cells (others empty)."""
    headers = AssetTarget().template_headers()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows([row.get(h, "") for h in headers] for row in rows)
    return "assets.csv", out.getvalue()


# --- Snipe-IT layouts ------------------------------------------------------------


def test_snipeit_asset_export_imports_field_by_field(acme):
    report = run("assets", acme, "snipeit-assets.csv")

    assert problems(report) == []
    assert report.preset == "snipeit-assets"
    assert counts(report) == (7, 0, 0, 0)
    laptop = Asset.objects.get(client=acme, asset_tag="ACM-1001")
    assert laptop.name == "LT-ANN"
    assert laptop.kind == AssetKind.LAPTOP
    assert laptop.manufacturer == "Apple"
    # Snipe-IT's model name and model number share vcio's one Model column.
    assert laptop.model == 'Macbook Pro 13" (MQ2Y3LL/A)'
    assert laptop.purchase_date == date(2023, 1, 23)  # "1/23/23"
    assert laptop.purchase_cost == Decimal("2266.13")
    assert laptop.assigned_to == "Ann Example"
    assert laptop.contact.email == "ann@acme.test"  # the checked-out email links the contact
    assert laptop.notes == "Finance laptop"
    assert (laptop.source, laptop.external_id) == ("snipeit", "")
    assert laptop.first_seen is not None and laptop.last_seen == laptop.first_seen
    desktop = Asset.objects.get(client=acme, asset_tag="ACM-1002")
    assert desktop.kind == AssetKind.WORKSTATION
    assert desktop.purchase_cost == Decimal("1292.94")  # "1,292.94"
    assert desktop.location == "Reception desk"  # checked out to a location
    server = Asset.objects.get(client=acme, asset_tag="ACM-1003")
    assert (server.kind, server.purchase_cost) == (AssetKind.SERVER, Decimal("8400.00"))
    assert server.notes == "File server, RAID 6"
    by_tag = dict(Asset.objects.filter(client=acme).values_list("asset_tag", "kind"))
    assert by_tag["ACM-1004"] == AssetKind.NETWORK
    assert by_tag["ACM-1005"] == AssetKind.PRINTER
    assert by_tag["ACM-1006"] == AssetKind.MOBILE
    assert by_tag["ACM-1007"] == AssetKind.OTHER  # an unknown category is never an error


def test_snipeit_asset_eol_date_is_kept(acme):
    run("assets", acme, "snipeit-assets.csv")
    assert Asset.objects.get(client=acme, asset_tag="ACM-1001").eol_date == date(2028, 10, 27)


def test_snipeit_older_layout_reads_status_serial_and_warranty_months(acme):
    report = run("assets", acme, "snipeit-assets-legacy.csv")

    assert problems(report) == []
    assert report.preset == "snipeit-assets"
    assets = {a.asset_tag: a for a in Asset.objects.filter(client=acme)}
    first = assets["T-0001"]
    assert (first.name, first.serial, first.model) == (
        "LT-0001",
        "SN-AAA-001",
        "Latitude 5440 (6.37702E+15)",  # a spreadsheet's mangled model number, kept as text
    )
    assert first.assigned_to == "Ann Example"
    assert first.purchase_date == date(2021, 4, 5)
    # Snipe-IT's Warranty is months from the purchase date.
    assert first.warranty_end == date(2024, 4, 5)
    assert assets["T-0004"].warranty_end == date(2021, 2, 28)  # Jan 31 + 13 months
    assert assets["T-0003"].warranty_end is None  # no warranty given
    assert {t: a.status for t, a in assets.items()} == {
        "T-0001": AssetStatus.IN_USE,  # Deployed
        "T-0002": AssetStatus.SPARE,  # Ready to Deploy
        "T-0003": AssetStatus.IN_REPAIR,  # Pending Diagnostics
        "T-0004": AssetStatus.RETIRED,  # Archived
        "T-0005": AssetStatus.IN_REPAIR,  # Undeployable
    }
    assert assets["T-0003"].purchase_cost is None


def test_snipeits_deliberately_bad_layout_still_imports(acme):
    # CR-only line endings, Mac Roman text, Category and Company twice in the header.
    report = run("assets", acme, "snipeit-assets-bad.csv")

    assert problems(report) == []
    assert report.preset == "snipeit-assets"
    notes = " | ".join(str(n) for n in report.notes)
    assert "not UTF-8" in notes and "the header repeats `Category`" in notes
    zoe = Asset.objects.get(client=acme, asset_tag="B-0001")
    assert (zoe.assigned_to, zoe.location) == ("Zoë Müller", "Zürich Büro")
    assert (zoe.status, zoe.warranty_end) == (AssetStatus.RETIRED, date(2017, 6, 5))  # Lost, 14
    assert zoe.purchase_cost == Decimal("133289.59")
    assert Asset.objects.get(client=acme, asset_tag="B-0002").status == AssetStatus.IN_REPAIR
    assert Asset.objects.get(client=acme, asset_tag="B-0003").status == AssetStatus.SPARE


def test_snipeit_licences_import_field_by_field(acme):
    report = run("licences", acme, "snipeit-licences.csv")

    assert problems(report) == []
    assert report.preset == "snipeit-licences"
    assert counts(report) == (3, 0, 0, 0)
    m365 = Licence.objects.get(client=acme, product="Microsoft 365 Business Standard")
    assert m365.vendor == "Microsoft"
    assert m365.seats_owned == 56
    # Snipe-IT's licence purchase cost is per seat: it multiplies it by the seats.
    assert m365.unit_cost == Decimal("12.58")
    assert m365.billing_period == BillingPeriod.ANNUAL
    assert m365.kind == Licence.Kind.LICENCE
    assert m365.renewal_date == date(2026, 11, 24)
    assert m365.license_key == "4c2713a1-5b73-4ecb-b2e9-62bf0ff57165"
    assert m365.notes == "Renewed every November.\n\nAsk finance before adding seats."
    veeam = Licence.objects.get(client=acme, product="Veeam Backup")
    assert (veeam.vendor, veeam.unit_cost, veeam.seats_owned) == ("", Decimal("1200.00"), 10)


def test_licences_same_file_twice_changes_nothing(acme):
    run("licences", acme, "snipeit-licences.csv")
    report = run("licences", acme, "snipeit-licences.csv")
    assert counts(report) == (0, 0, 3, 0)
    assert Licence.objects.filter(client=acme).count() == 3


def test_a_licence_twice_in_one_file_is_refused(acme):
    text = (
        "Product,Vendor,Licence key,Seats owned\nOffice,Microsoft,K-1,5\noffice,microsoft,k-1,6\n"
    )
    report = run("licences", acme, ("l.csv", text))
    assert problems(report) == [
        "Row 3, column `Product`: licence microsoft / office / k-1 also appears on row 2"
    ]
    assert not Licence.objects.exists()


def test_licence_total_cost_is_divided_by_seats(acme):
    report = run(
        "licences",
        acme,
        ("subs.csv", "Product,Vendor,Seats owned,Total cost,Billing period\n"
                     "Zoom Pro,Zoom,4,$600.00,yearly\n"),
    )  # fmt: skip
    assert problems(report) == []
    zoom = Licence.objects.get(client=acme)
    assert (zoom.unit_cost, zoom.billing_period) == (Decimal("150.00"), BillingPeriod.ANNUAL)


def test_vcio_template_is_detected_and_imports(acme):
    name, text = template_csv(
        {"Name": "LT-01", "Serial": "S1", "Kind": "laptop", "Status": "in_use",
         "RAM (GB)": "16", "Disk (GB)": "512", "Purchase cost": "1.234,50 €",
         "OS name": "Windows 11 Pro", "OS version": "23H2", "External ID": "42"},
    )  # fmt: skip
    report = run("assets", acme, (name, text))

    assert problems(report) == []
    assert report.preset == "vcio-assets"
    asset = Asset.objects.get(client=acme)
    assert (asset.ram_gb, asset.disk_gb) == (Decimal("16.00"), Decimal("512.00"))
    assert asset.purchase_cost == Decimal("1234.50")
    assert (asset.source, asset.external_id) == ("vcio", "42")


def test_targets_presets_and_formats_are_registered():
    from vcio.core.importer.base import formats, presets, targets

    assert {"assets", "licences"} <= {t.key for t in targets}
    assert {"snipeit-assets", "snipeit-licences", "vcio-assets", "vcio-licences", "glpi",
            "ocs"} <= {p.name for p in presets}  # fmt: skip
    assert {"glpi", "ocs"} <= {f.name for f in formats}
    assert AssetTarget().template_headers() == [
        "Name", "Asset tag", "Serial", "Kind", "Manufacturer", "Model", "OS name", "OS version",
        "CPU", "RAM (GB)", "Disk (GB)", "Purchase date", "Purchase cost", "Warranty end",
        "Status", "Department", "Assigned to", "Location", "Notes", "Source", "External ID",
    ]  # fmt: skip


# --- words and units -------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "kind"),
    [
        ("Laptops", AssetKind.LAPTOP),
        ("Notebook", AssetKind.LAPTOP),
        ("Desktops", AssetKind.WORKSTATION),
        ("Servers", AssetKind.SERVER),
        ("Virtual Machines", AssetKind.VIRTUAL_MACHINE),
        ("Network", AssetKind.NETWORK),
        ("Switches", AssetKind.NETWORK),
        ("Network Attached Storage", AssetKind.STORAGE),
        ("Storage", AssetKind.STORAGE),
        ("Printers", AssetKind.PRINTER),
        ("Mobile Phones", AssetKind.MOBILE),
        ("Tablets", AssetKind.MOBILE),
        ("Cloud service", AssetKind.CLOUD),
        ("vm", AssetKind.VIRTUAL_MACHINE),
        ("Ornamental Railings", AssetKind.OTHER),
    ],
)
def test_categories_map_to_kinds(category, kind):
    assert p.kind(category) == kind


@pytest.mark.parametrize(
    ("label", "status"),
    [
        ("Ready to Deploy", AssetStatus.SPARE),
        ("Deployed", AssetStatus.IN_USE),
        ("Pending", AssetStatus.SPARE),
        ("Pending Diagnostics", AssetStatus.IN_REPAIR),
        ("Archived", AssetStatus.RETIRED),
        ("Broken", AssetStatus.IN_REPAIR),
        ("Out for Repair", AssetStatus.IN_REPAIR),
        ("Lost", AssetStatus.RETIRED),
        ("Stolen", AssetStatus.RETIRED),
        ("Undeployable", AssetStatus.IN_REPAIR),
        ("in_use", AssetStatus.IN_USE),
        ("Not in use", AssetStatus.SPARE),
    ],
)
def test_snipeit_statuses_map_to_ours(label, status):
    assert p.status(label) == status


@pytest.mark.parametrize(
    ("header", "cell", "field", "gb"),
    [
        ("RAM", "16 GB", "ram_gb", "16.00"),
        ("RAM", "16384 MB", "ram_gb", "16.00"),
        ("Memory", "16384", "ram_gb", "16.00"),  # a bare number this large is MB
        ("RAM", "8", "ram_gb", "8.00"),
        ("RAM (MB)", "8192", "ram_gb", "8.00"),
        ("Memory (MB)", "7800", "ram_gb", "7.62"),
        ("Disk", "1 TB", "disk_gb", "1000.00"),
        ("Disk", "256060 MB", "disk_gb", "256.06"),
        ("Disk", "512", "disk_gb", "512.00"),
        ("Storage", '"1,5 TB"', "disk_gb", "1500.00"),
    ],
)
def test_ram_and_disk_units_are_converted_to_gb(acme, header, cell, field, gb):
    report = run("assets", acme, ("units.csv", f"Name,Serial,{header}\nPC-1,S1,{cell}\n"))
    assert problems(report) == []
    assert getattr(Asset.objects.get(client=acme), field) == Decimal(gb)


@pytest.mark.parametrize(
    ("header", "cell", "message"),
    [
        ("Purchase cost", "-12.00", "Row 2, column `Purchase cost`: '-12.00' is negative"),
        ("Purchase cost", "twelve", "Row 2, column `Purchase cost`: 'twelve' is not an amount"),
        ("Purchase date", "31/02/2024",
         "Row 2, column `Purchase date`: '31/02/2024' is not a date"),
        ("Status", "Borrowed by Bob", "Row 2, column `Status`: 'Borrowed by Bob' is not a status"),
        ("RAM", "lots", "Row 2, column `RAM`: 'lots' is not a size"),
        ("Model", "M" * 201, "Row 2, column `Model`: 'MMMM"),
    ],
)  # fmt: skip
def test_bad_cells_name_row_and_column_and_write_nothing(acme, header, cell, message):
    report = run("assets", acme, ("bad.csv", f"Name,Serial,{header}\nPC-1,S1,{cell}\nPC-2,S2,\n"))
    assert [m for m in problems(report) if m.startswith(message)], problems(report)
    assert not report.committed
    assert not Asset.objects.filter(client=acme).exists()


# --- upsert keys -----------------------------------------------------------------


def test_same_file_twice_leaves_every_row_unchanged(acme):
    run("assets", acme, "snipeit-assets.csv")
    before = dict(Asset.objects.filter(client=acme).values_list("id", "updated_at"))
    first_seen = Asset.objects.filter(client=acme).values_list("last_seen", flat=True)[0]

    report = run("assets", acme, "snipeit-assets.csv")

    assert counts(report) == (0, 0, 7, 0)
    assert dict(Asset.objects.filter(client=acme).values_list("id", "updated_at")) == before
    # Seen again: the sighting is recorded, nothing else.
    assert all(a.last_seen > first_seen for a in Asset.objects.filter(client=acme))


def test_a_changed_cost_updates_that_row_only(acme):
    run("assets", acme, "snipeit-assets.csv")
    text = (FIXTURES / "snipeit-assets.csv").read_text("utf-8-sig").replace("2266.13", "2100.00")

    report = run("assets", acme, ("snipeit-assets.csv", text))

    assert counts(report) == (0, 1, 6, 0)
    assert Asset.objects.get(client=acme, asset_tag="ACM-1001").purchase_cost == Decimal("2100.00")


def test_a_row_from_another_source_updates_the_asset_it_shares_a_serial_with(acme):
    run("assets", acme, template_csv({"Name": "PC-7", "Serial": "ABC123", "Purchase cost": "900"}))
    report = run(
        "assets", acme, ("glpi.csv", "Name,Serial,OS name,Source,External ID\n"
                                     "pc-7.acme.local,abc123,Windows 11 Pro,glpi,dev-7\n"),
    )  # fmt: skip

    assert counts(report) == (0, 1, 0, 0)
    asset = Asset.objects.get(client=acme)
    assert (asset.name, asset.os_name) == ("pc-7.acme.local", "Windows 11 Pro")
    assert asset.purchase_cost == Decimal("900.00")  # an empty or absent column never erases
    # The asset adopts the external identity, so the next inventory finds it by it.
    assert (asset.source, asset.external_id) == ("glpi", "dev-7")


def test_an_external_id_wins_over_a_changed_serial(acme):
    csv = "Name,Serial,Source,External ID\nPC-8,{serial},glpi,dev-8\n"
    run("assets", acme, ("a.csv", csv.format(serial="OLD-1")))
    report = run("assets", acme, ("a.csv", csv.format(serial="NEW-1")))  # a new mainboard
    assert counts(report) == (0, 1, 0, 0)
    assert Asset.objects.get(client=acme).serial == "NEW-1"


def test_duplicate_serials_in_one_file_name_both_rows_and_write_nothing(acme):
    report = run("assets", acme, "snipeit-assets-dup-serial.csv")

    assert "Row 4, column `Serial`: serial SN-AAA-001 also appears on row 2" in problems(report)
    assert not report.committed
    assert not Asset.objects.filter(client=acme).exists()


def test_a_row_with_no_key_is_refused_naming_the_key_columns(acme):
    report = run("assets", acme, ("k.csv", "Name,Serial,Asset Tag,Model\nPC-1,,,OptiPlex\n"))
    assert problems(report) == [
        "Row 2: nothing identifies this asset for the next import: "
        "fill `Serial`, `Asset Tag` or `External ID`"
    ]
    assert not Asset.objects.filter(client=acme).exists()


def test_placeholder_serials_are_not_keys(acme):
    report = run(
        "assets", acme, ("p.csv", "Name,Serial,Asset Tag\nPC-1,To Be Filled By O.E.M.,T1\n"
                                  "PC-2,To Be Filled By O.E.M.,T2\nPC-3,0000000000,T3\n"),
    )  # fmt: skip
    assert problems(report) == []
    assert set(Asset.objects.filter(client=acme).values_list("serial", flat=True)) == {""}


def test_two_rows_matching_one_existing_asset_are_refused(acme):
    run("assets", acme, ("a.csv", "Name,Serial,Asset Tag\nPC-1,S1,T1\n"))
    report = run("assets", acme, ("b.csv", "Name,Serial,Asset Tag\nPC-1,S1,\nPC-1b,,T1\n"))
    assert problems(report) == [
        "Row 3, column `Asset Tag`: matches the same existing asset as row 2"
    ]
    assert Asset.objects.get(client=acme).name == "PC-1"


def test_importing_for_globex_never_touches_acmes_assets(acme, globex):
    run("assets", acme, "snipeit-assets.csv")
    acme_rows = list(Asset.objects.filter(client=acme).order_by("id").values())
    text = (FIXTURES / "snipeit-assets.csv").read_text("utf-8-sig").replace("2266.13", "1.00")

    report = run("assets", globex, ("snipeit-assets.csv", text))

    assert counts(report) == (7, 0, 0, 0)  # same tags, another client: all new
    assert list(Asset.objects.filter(client=acme).order_by("id").values()) == acme_rows
    assert Asset.objects.get(client=globex, asset_tag="ACM-1001").purchase_cost == Decimal("1.00")
    assert Asset.objects.get(client=globex, asset_tag="ACM-1001").contact is None


def test_departments_are_matched_by_name_and_unknown_ones_noted(acme, globex):
    name, text = template_csv(
        {"Name": "PC-1", "Serial": "S1", "Department": "acme-only finance"},
        {"Name": "PC-2", "Serial": "S2", "Department": "Sales", "Notes": "Desk 4"},
        {"Name": "PC-3", "Serial": "S3", "Department": "Globex Clinic"},  # another client's
    )
    report = run("assets", acme, (name, text))

    assert problems(report) == []
    assets = {a.name: a for a in Asset.objects.filter(client=acme)}
    assert assets["PC-1"].department.name == "ACME-ONLY Finance"
    assert assets["PC-2"].department is None
    assert assets["PC-2"].notes == f"Desk 4\n{DEPARTMENT_NOTE}Sales"
    assert assets["PC-3"].department is None
    assert counts(run("assets", acme, (name, text))) == (0, 0, 3, 0)
