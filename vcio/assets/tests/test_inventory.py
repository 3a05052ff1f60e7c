"""Agent inventories: GLPI agent JSON and FusionInventory/OCS XML, one machine per file.

Imports go through the importer engine, which recognises the files by
content (no ``format`` needed). The fixtures are trimmed from the structure
of the real samples in glpi-project/inventory_format.
"""

from __future__ import annotations

import io
import zlib
from decimal import Decimal
from pathlib import Path

import pytest

from vcio.assets.inventory import computer_kind, glpi, ocs, operating_system
from vcio.assets.models import Asset, AssetKind
from vcio.core.importer import engine

FIXTURES = Path(__file__).parent / "fixtures"
LAPTOP, SERVER, SWITCH = "glpi/laptop-ann.json", "glpi/server-vm.json", "glpi/switch-core.json"
DESKTOP, PRINTER = "ocs/desktop-reception.xml", "ocs/printer-2f.xml"


def run(client, *files, **options) -> engine.ImportReport:
    args = [FIXTURES / f if isinstance(f, str) else f for f in files]
    return engine.run("assets", client, args, **options)


def problems(report: engine.ImportReport) -> list[str]:
    return [str(p) for p in report.problems]


def counts(report: engine.ImportReport) -> tuple[int, int, int, int]:
    c = report.counts
    return c.created, c.updated, c.unchanged, c.failed


# --- GLPI JSON -------------------------------------------------------------------


def test_one_glpi_inventory_becomes_one_asset(acme):
    report = run(acme, LAPTOP)

    assert problems(report) == []
    assert (report.format, report.preset) == ("glpi", "glpi")
    laptop = Asset.objects.get(client=acme)
    assert laptop.name == "LT-ANN"
    assert laptop.kind == AssetKind.LAPTOP  # chassis "Notebook"
    assert laptop.serial == "5CG1234XYZ"
    assert (laptop.manufacturer, laptop.model) == ("HP", "HP EliteBook 840 G8 Notebook PC")
    assert (laptop.os_name, laptop.os_version) == ("Windows 11 Pro", "23H2")
    assert laptop.cpu == "11th Gen Intel(R) Core(TM) i5-1145G7 @ 2.60GHz"
    assert laptop.ram_gb == Decimal("16.00")  # two 8192 MB modules
    assert laptop.disk_gb == Decimal("512.11")  # the card reader is not a disk
    assert laptop.assigned_to == "ann"
    assert (laptop.source, laptop.external_id) == ("glpi", "LT-ANN-2023-01-23-09-12-44")


def test_many_glpi_inventories_at_once(acme):
    report = run(acme, LAPTOP, SERVER, SWITCH)

    assert problems(report) == []
    assert counts(report) == (3, 0, 0, 0)
    assets = {a.name: a for a in Asset.objects.filter(client=acme)}
    server = assets["SRV-APP01"]
    assert server.kind == AssetKind.VIRTUAL_MACHINE  # vmsystem VMware
    assert (server.os_name, server.os_version) == ("Windows Server 2019 Standard", "10.0.17763")
    assert server.cpu == "2 × Intel(R) Xeon(R) Gold 6226R CPU @ 2.90GHz"
    assert (server.ram_gb, server.disk_gb) == (Decimal("16.00"), Decimal("322.12"))
    assert server.assigned_to == ""  # "Administrator" says nothing about who uses it
    switch = assets["SW-CORE"]
    assert (switch.kind, switch.serial, switch.location) == (
        AssetKind.NETWORK,
        "JAE12345ABC",
        "Server room",
    )
    # A network inventory's deviceid is the scanning agent's: the switch is keyed by serial.
    assert switch.external_id == ""


def test_the_same_inventories_again_change_nothing(acme):
    run(acme, LAPTOP, SERVER, SWITCH)
    assert counts(run(acme, LAPTOP, SERVER, SWITCH)) == (0, 0, 3, 0)


def test_a_later_inventory_updates_the_machine(acme):
    run(acme, LAPTOP)
    newer = (FIXTURES / LAPTOP).read_text().replace('"23H2"', '"24H2"')
    newer = newer.replace('"10.0.22631"', '"10.0.26100"')

    report = run(acme, ("laptop-ann.json", io.BytesIO(newer.encode())))

    assert counts(report) == (0, 1, 0, 0)
    assert Asset.objects.get(client=acme).os_version == "24H2"


def test_an_inventory_fills_in_the_asset_a_spreadsheet_created(acme):
    engine.run("assets", acme, [FIXTURES / "snipeit-assets.csv"])
    desktop = Asset.objects.get(client=acme, asset_tag="ACM-1002")

    report = run(acme, DESKTOP)  # found by its asset tag; it brings the serial and OS

    assert counts(report) == (0, 1, 0, 0)
    desktop.refresh_from_db()
    assert (desktop.serial, desktop.os_name) == ("CZC9876543", "Windows 10 Pro")
    assert desktop.purchase_cost == Decimal("1292.94")  # what the inventory lacks is kept
    assert (desktop.source, desktop.external_id) == ("ocs", "DT-RECEPTION-2022-10-05-14-21-07")


# --- FusionInventory / OCS XML ---------------------------------------------------


def test_an_ocs_inventory_becomes_one_asset(acme):
    report = run(acme, DESKTOP)

    assert problems(report) == []
    assert (report.format, report.preset) == ("ocs", "ocs")
    desktop = Asset.objects.get(client=acme)
    assert (desktop.name, desktop.kind) == ("DT-RECEPTION", AssetKind.WORKSTATION)
    assert (desktop.serial, desktop.asset_tag) == ("CZC9876543", "ACM-1002")
    assert (desktop.manufacturer, desktop.model) == ("Dell Inc.", "OptiPlex 7010")
    # The agent's "2009" release id cannot tell 20H2 from 22H2; the build can.
    assert (desktop.os_name, desktop.os_version) == ("Windows 10 Pro", "10.0.19045")
    assert (desktop.ram_gb, desktop.disk_gb) == (Decimal("16.00"), Decimal("476.94"))
    assert desktop.assigned_to == "reception"
    assert desktop.source == "ocs"


def test_network_discovery_and_computers_from_several_xml_files(acme):
    report = run(acme, DESKTOP, PRINTER)

    assert counts(report) == (2, 0, 0, 0)
    printer = Asset.objects.get(client=acme, kind=AssetKind.PRINTER)
    assert (printer.name, printer.serial, printer.location) == (
        "PRN-2F",
        "PHCVN191TG",
        "Second floor",
    )


def test_a_compressed_ocs_file_is_read(acme):
    packed = zlib.compress((FIXTURES / DESKTOP).read_bytes())
    report = run(acme, ("DT-RECEPTION.ocs", io.BytesIO(packed)))
    assert problems(report) == []
    assert Asset.objects.get(client=acme).name == "DT-RECEPTION"


def test_sniffing_tells_the_formats_apart():
    laptop, desktop = (FIXTURES / LAPTOP).read_bytes(), (FIXTURES / DESKTOP).read_bytes()
    assert glpi.sniff("laptop-ann.json", laptop[:4096])
    assert not glpi.sniff("desktop.xml", desktop[:4096])
    assert ocs.sniff("desktop.xml", desktop[:4096])
    assert not ocs.sniff("laptop-ann.json", laptop[:4096])
    assert not glpi.sniff("assets.csv", b"Name,Serial\nPC-1,S1\n")
    assert not ocs.sniff("assets.csv", b"Name,Serial\nPC-1,S1\n")


# --- broken files ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("glpi/broken.json", "broken.json: not valid JSON (line 4, column 48)"),
        ("glpi/not-inventory.json",
         'not-inventory.json: not a GLPI inventory (no "content" object)'),
        ("ocs/broken.xml", "broken.xml: not valid XML (line 5, column 3)"),
        ("ocs/entities.xml", "entities.xml: DTDs and entities are not allowed in inventory files"),
    ],
)  # fmt: skip
def test_a_broken_file_is_named_and_nothing_is_written(acme, fixture, message):
    report = run(acme, LAPTOP, fixture) if fixture.endswith(".json") else run(acme, fixture)

    assert problems(report) == [message]
    assert not report.committed
    assert not Asset.objects.filter(client=acme).exists()


def test_every_broken_file_is_listed(acme):
    report = run(acme, "glpi/broken.json", LAPTOP, "glpi/not-inventory.json")
    assert problems(report) == [
        "broken.json: not valid JSON (line 4, column 48)",
        'not-inventory.json: not a GLPI inventory (no "content" object)',
    ]
    assert not Asset.objects.filter(client=acme).exists()


def test_an_inventory_that_is_not_utf8_is_named(acme):
    report = run(acme, ("latin.json", io.BytesIO('{"content": {"hardware": {"name": "Café"}}}'
                                                 .encode("latin-1"))))  # fmt: skip
    assert problems(report) == ["latin.json: not UTF-8 text, so not a GLPI inventory"]


def test_one_machine_in_two_files_is_imported_once(acme):
    report = run(acme, LAPTOP, ("copy.json", io.BytesIO((FIXTURES / LAPTOP).read_bytes())))
    assert problems(report) == []
    assert counts(report) == (1, 0, 0, 0)
    # Neither has a date: the later file is the newer one.
    assert "laptop-ann.json: an older inventory of LT-ANN (no date) than copy.json (no date): " \
        "not imported" in [str(n) for n in report.notes]  # fmt: skip


# --- what the readers infer ------------------------------------------------------


@pytest.mark.parametrize(
    ("chassis", "vmsystem", "os_name", "kind"),
    [
        ("Notebook", "Physical", "Windows 11 Pro", AssetKind.LAPTOP),
        ("Laptop", "", "Fedora", AssetKind.LAPTOP),
        ("Desktop", "Physical", "Windows 10 Pro", AssetKind.WORKSTATION),
        ("Rack Mount Chassis", "Physical", "Ubuntu", AssetKind.SERVER),
        ("Tower", "Physical", "Windows Server 2022 Standard", AssetKind.SERVER),
        ("Other", "VMware", "Windows Server 2019 Standard", AssetKind.VIRTUAL_MACHINE),
        ("", "kvm", "Debian", AssetKind.VIRTUAL_MACHINE),
        ("", "", "Android", AssetKind.MOBILE),
        ("Tablet", "Physical", "Windows 11 Pro", AssetKind.MOBILE),
    ],
)
def test_computer_kinds(chassis, vmsystem, os_name, kind):
    assert computer_kind(chassis, vmsystem, os_name) == kind


@pytest.mark.parametrize(
    ("name", "version", "full_name", "kernel", "expected"),
    [
        ("Windows", "22H2", "Microsoft Windows 10 Pro", "10.0.19045", ("Windows 10 Pro", "22H2")),
        ("Windows", "2009", "Microsoft Windows 10 Pro", "10.0.19045",
         ("Windows 10 Pro", "10.0.19045")),
        ("Windows", "", "Microsoft(R) Windows(R) Server 2003, Enterprise Edition x64", "",
         ("Windows Server 2003", "")),
        ("MacOSX", "10.13.5 (17F77)", "macOS", "", ("macOS", "10.13.5")),
        ("Snow Cone Android 12.0", "31", "Snow Cone Android 12.0 api 31", "", ("Android", "12.0")),
        ("Ubuntu", "22.04.3 LTS (Jammy Jellyfish)", "Ubuntu 22.04.3 LTS", "6.5.0",
         ("Ubuntu", "22.04.3 LTS (Jammy Jellyfish)")),
    ],
)  # fmt: skip
def test_operating_systems_are_named_as_the_eol_table_reads_them(
    name, version, full_name, kernel, expected
):
    assert operating_system(name, version, full_name, kernel) == expected
