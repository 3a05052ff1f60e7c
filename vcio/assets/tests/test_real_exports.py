"""Importing what other tools really export (issue 11): placeholders, older layouts, odd files.

The files are written here in the real formats (FusionInventory/OCS XML,
GLPI agent JSON, Snipe-IT's CSV layouts), small enough to read in the test.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest

from vcio.assets.models import Asset
from vcio.core.importer import engine


def ocs_xml(
    name: str,
    *,
    serial: str = "",
    tag: str = "",
    device_id: str = "",
    extra: str = "",
    hardware: str = "",
) -> bytes:
    """A FusionInventory agent inventory of one computer (``extra`` sections in CONTENT)."""
    device_id = device_id or f"{name}-2024-03-01-10-00-00"
    return (
        f"""<?xml version="1.0" encoding="UTF-8" ?>
<REQUEST>
  <CONTENT>
    <BIOS><ASSETTAG>{tag}</ASSETTAG><SMANUFACTURER>Intel Corporation</SMANUFACTURER>
      <SMODEL>NUC7i5BNH</SMODEL><SSN>{serial}</SSN></BIOS>
    <HARDWARE><NAME>{name}</NAME><CHASSIS_TYPE>Desktop</CHASSIS_TYPE>
      <VMSYSTEM>Physical</VMSYSTEM>{hardware}</HARDWARE>
    {extra}
  </CONTENT>
  <DEVICEID>{device_id}</DEVICEID>
  <QUERY>INVENTORY</QUERY>
</REQUEST>
"""
    ).encode()


def run(client, *files: tuple[str, bytes | str], target: str = "assets", **options):
    args = [(n, io.BytesIO(b if isinstance(b, bytes) else b.encode())) for n, b in files]
    return engine.run(target, client, args, **options)


def problems(report: engine.ImportReport) -> list[str]:
    return [str(p) for p in report.problems]


# --- 1. placeholder tags, serials and names --------------------------------------


def test_a_firmware_placeholder_tag_does_not_merge_two_machines(acme):
    placeholder = "SYS_CHASSIS_ASSET_TAG_NUM_1"
    first = ocs_xml("NUC-A", serial="G6BN81400AA1", tag=placeholder)
    second = ocs_xml("NUC-B", serial="G6BN81400BB2", tag=placeholder)

    run(acme, ("nuc-a.xml", first))
    run(acme, ("nuc-b.xml", second))
    run(acme, ("nuc-a.xml", first))  # the next round of inventories flips nothing

    assets = Asset.objects.filter(client=acme).order_by("name")
    assert [(a.name, a.serial, a.asset_tag) for a in assets] == [
        ("NUC-A", "G6BN81400AA1", ""),
        ("NUC-B", "G6BN81400BB2", ""),
    ]


@pytest.mark.parametrize(
    "placeholder",
    ["Default string", "To Be Filled By O.E.M.", "System Serial Number", "0123456789",
     "No Asset Tag", "SYS_CHASSIS_ASSET_TAG_NUM_1", "  default   STRING "],
)  # fmt: skip
def test_placeholders_in_a_spreadsheet_are_empty(acme, placeholder):
    csv = (
        "Name,Serial,Asset tag,Manufacturer\n"
        f"PC-1,{placeholder},T-1,{placeholder}\n"
        f"PC-2,S-2,{placeholder},Dell\n"
    )
    report = run(acme, ("assets.csv", csv))

    assert problems(report) == []
    got = {a.name: (a.serial, a.asset_tag, a.manufacturer) for a in Asset.objects.all()}
    assert got == {"PC-1": ("", "T-1", ""), "PC-2": ("S-2", "", "Dell")}


def test_a_placeholder_name_is_no_name(acme):
    report = run(acme, ("assets.csv", "Name,Serial\nTo Be Filled By O.E.M.,S-1\n"))

    assert problems(report) == [
        "Row 2, column `Name`: Name is required but 'To Be Filled By O.E.M.' stands for no value"
    ]
    assert not Asset.objects.exists()


def test_a_serial_wins_over_a_shared_asset_tag(acme):
    # Someone gave two machines the same sticker: the serials say they are two.
    run(acme, ("a.xml", ocs_xml("PC-A", serial="SER-A", tag="ACM-7")))
    report = run(acme, ("b.xml", ocs_xml("PC-B", serial="SER-B", tag="ACM-7")))

    assert (report.counts.created, report.counts.updated) == (1, 0)
    assert sorted(Asset.objects.values_list("name", "serial")) == [
        ("PC-A", "SER-A"),
        ("PC-B", "SER-B"),
    ]


def test_a_tag_still_finds_the_machine_a_spreadsheet_created_without_a_serial(acme):
    run(acme, ("assets.csv", "Name,Asset tag\nReception PC,ACM-7\n"))
    report = run(acme, ("a.xml", ocs_xml("PC-A", serial="SER-A", tag="ACM-7")))

    assert (report.counts.created, report.counts.updated) == (0, 1)
    assert list(Asset.objects.values_list("name", "serial", "asset_tag")) == [
        ("PC-A", "SER-A", "ACM-7")
    ]


# --- 2. Snipe-IT's older layout: Name is the person -------------------------------

LEGACY_ASSETS = (
    "Name,Email,Username,item Name,Category,Model name,Manufacturer,Model Number,Serial number,"
    "Asset Tag,Location,Notes,Purchase Date,Purchase Cost,Company,Status,Warranty,Supplier\n"
    "Bonnie Nelson,bnelson0@acme.test,bnelson0,LT-0101,Laptops,Latitude 5440,Dell,6377018600094472,"
    "27aa8378-b0f4,970882174-8,Head Office,,2024-04-05,1289.59,Acme,Deployed,36,Byte Shop\n"
    ",,,SRV-02,Servers,PowerEdge R650,Dell,,SV-0002,970882175-9,Server room,,2023-01-10,"
    "6100.00,Acme,Ready to Deploy,60,\n"
)
LEGACY_LICENCES = (
    "Name,Email,Username,Item name,Category,serial number,manufacturer,purchase date,"
    "purchase cost,purchase_order,order number,Licensed To Name,Licensed to Email,"
    "expiration date,maintained,reassignable,seats,company,supplier,notes\n"
    "Helen Anderson,handerson0@acme.test,handerson0,Adobe Acrobat Pro,Productivity,"
    "1aa5b0eb-79c5,Adobe,07/13/2024,$19.99,53008,386436062-5,Helen Anderson,"
    "handerson0@acme.test,07/13/2026,true,yes,12,Acme,Byte Shop,\n"
)


def test_snipeit_older_asset_layout_names_assets_by_item_name(acme):
    report = run(acme, ("snipeit-old.csv", LEGACY_ASSETS))

    assert problems(report) == []
    assert report.preset == "snipeit-assets-legacy"
    got = sorted(Asset.objects.values_list("name", "assigned_to", "serial", "source"))
    assert got == [
        ("LT-0101", "Bonnie Nelson", "27aa8378-b0f4", "snipeit"),
        ("SRV-02", "", "SV-0002", "snipeit"),
    ]


def test_snipeit_older_licence_layout_names_licences_by_item_name(acme):
    from vcio.assets.models import Licence

    report = run(acme, ("licences-old.csv", LEGACY_LICENCES), target="licences")

    assert problems(report) == []
    assert report.preset == "snipeit-licences-legacy"
    licence = Licence.objects.get(client=acme)
    assert (licence.product, licence.vendor, licence.seats_owned) == (
        "Adobe Acrobat Pro",
        "Adobe",
        12,
    )
    assert "column `Name` is not imported" in [str(n) for n in report.notes]


# --- 6. a licence file imported as assets ----------------------------------------

SNIPEIT_LICENCES = (
    "Full Name,Email,Username,Item name,serial number,Category,manufacturer,purchase date,"
    "purchase cost,purchase order,order number,Licensed To Name,Licensed to Email,"
    "expiration date,maintained,reassignable,seats,company,supplier,notes\n"
    "Ann Example,ann@acme.test,ann,Microsoft 365 Business Standard,4c2713a1-5b73,Productivity,"
    "Microsoft,11/24/2025,$12.58,34197,749317252-8,Ann Example,ann@acme.test,11/24/2026,"
    "true,yes,56,Acme,Byte Shop,\n"
)


@pytest.mark.parametrize("licences", [SNIPEIT_LICENCES, LEGACY_LICENCES])
def test_a_licence_file_imported_as_assets_is_refused_with_a_hint(acme, licences):
    report = run(acme, ("licenses.csv", licences))

    [problem] = problems(report)
    assert "looks like Snipe-IT licences" in problem
    assert "`Item name`" in problem and "`seats`" in problem
    assert problem.endswith(
        "not assets: import it as licences and subscriptions instead (`vcio import licences`, "
        "or Licences and subscriptions on the import page)"
    )
    assert not Asset.objects.exists()


def test_the_same_file_imports_as_licences(acme):
    from vcio.assets.models import Licence

    report = run(acme, ("licenses.csv", SNIPEIT_LICENCES), target="licences")
    assert problems(report) == []
    assert Licence.objects.get(client=acme).product == "Microsoft 365 Business Standard"


# --- Pages 9. a kind from category and model names --------------------------------

SNIPEIT_ASSETS = (
    "\ufeffCompany,Name,Asset Tag,Category,Supplier,Manufacturer,Location,Order Number,Model,"
    "Model Notes,Model Number,Asset Notes,Purchase Date,Purchase Cost,Checkout Type,"
    "Checked Out To: Username,Checked Out To: First Name,Checked Out To: Last Name,"
    "Checked Out To: Email,Checked Out To: Location,Asset EOL Date\n"
    'Acme,Backhoe,ICC-2065556,Ornamental Railings,Byte Shop,Apple,HQ,3271901481,"Macbook Pro 13""",'
    ",1786VM80X07,,1/23/23,2266.13,,,,,,,10/27/28\n"
    "Acme,Front desk,ICC-2065557,Ornamental Railings,Byte Shop,Dell,HQ,3271901482,OptiPlex 7010,"
    ",,,1/23/23,900.00,,,,,,,\n"
    "Acme,Dragline,WBH-2841795,Structural Steel,Byte Shop,Acme,HQ,5504512275,Thing 9000,"
    ",9351IS25A51,,11/14/22,1292.94,,,,,,,\n"
    "Acme,Core switch,WBH-2841796,Switches,Byte Shop,Cisco,HQ,5504512276,Thing 9000,"
    ",,,11/14/22,1292.94,,,,,,,\n"
)


def test_snipeit_rows_get_a_kind_from_the_model_and_the_rest_are_named(acme):
    report = run(acme, ("assets-sample.csv", SNIPEIT_ASSETS))

    assert problems(report) == []
    kinds = dict(Asset.objects.values_list("name", "kind"))
    assert kinds == {
        "Backhoe": "laptop",  # "Macbook Pro 13" (the category says nothing)
        "Front desk": "workstation",  # OptiPlex
        "Dragline": "other",
        "Core switch": "network",  # the category decides
    }
    assert (
        "1 row is of kind Other: nothing in `Category` or the model name says what it is "
        "(row 4; e.g. `Thing 9000`). Fill a Kind column (laptop, server, …) or "
        "fix the category and import again"
    ) in [str(n) for n in report.notes]


def test_no_warning_when_every_kind_is_known_or_other_on_purpose(acme):
    csv = "Name,Kind,Serial,Model\nPC-1,Laptop,S-1,\nBox,Other,S-2,Latitude 5440\n"
    report = run(acme, ("assets.csv", csv))
    assert not [n for n in report.notes if "Other" in str(n)]
    # "Other" in so many words is the user's choice, whatever the model says.
    assert dict(Asset.objects.values_list("name", "kind")) == {"PC-1": "laptop", "Box": "other"}


# --- 8. a Western file that is not UTF-8 -----------------------------------------


def test_a_non_utf8_file_is_read_as_windows_1252_not_latin_1(acme):
    # LF endings, a curly apostrophe (0x92), an é, and 0x81 (undefined in
    # Windows-1252, which made the reader fall back to Latin-1 before).
    data = b"Name,Serial\nO\x92Brien laptop,S-1\nCaf\xe9 PC,S-2\nOdd\x81PC,S-3\n"
    report = engine.run("assets", acme, [("assets.csv", io.BytesIO(data))])

    assert problems(report) == []
    names = sorted(Asset.objects.values_list("name", flat=True))
    assert names == ["Café PC", "Odd\ufffdPC", "O\u2019Brien laptop"]
    assert not any(0x80 <= ord(c) <= 0x9F for name in names for c in name)  # no C1 controls
    assert (
        "assets.csv: the file is not UTF-8: it was read as Windows-1252 (Western European) "
        "(1 byte that means nothing there became �). If accented letters look wrong below, "
        "save the file as UTF-8 (CSV UTF-8) and import it again"
    ) in [str(n) for n in report.notes]


# --- 3. never replace a known value with a worse one ------------------------------

UBUNTU_OS = """<OPERATINGSYSTEM><NAME>Ubuntu</NAME><VERSION>16.04</VERSION>
      <FULL_NAME>Ubuntu 16.04.3 LTS</FULL_NAME>
      <KERNEL_VERSION>4.8.11-040811-generic</KERNEL_VERSION></OPERATINGSYSTEM>"""
UBUNTU_HARDWARE = "<OSNAME>Ubuntu 16.04.3 LTS</OSNAME><OSVERSION>4.8.11-040811-generic</OSVERSION>"


def ubuntu(*, full: bool) -> tuple[str, bytes]:
    """The same server, inventoried with or without the OPERATINGSYSTEM section."""
    xml = ocs_xml(
        "SRV-FILES",
        serial="CZ1234",
        device_id="SRV-FILES-2024-01-01-00-00-00",
        hardware=UBUNTU_HARDWARE,
        extra=UBUNTU_OS if full else "",
    )
    return ("srv-files.xml", xml)


def test_an_inventory_without_its_os_section_does_not_store_the_kernel_as_os_version(acme):
    run(acme, ubuntu(full=False))
    server = Asset.objects.get(client=acme)
    assert (server.os_name, server.os_version) == ("Ubuntu", "16.04.3 LTS")


def test_a_partial_inventory_never_replaces_a_fuller_one(acme):
    run(acme, ubuntu(full=True))
    assert Asset.objects.get(client=acme).os_version == "16.04"
    run(acme, ubuntu(full=False))  # "16.04.3 LTS" says more than "16.04": kept
    run(acme, ubuntu(full=True))  # and "16.04" no longer replaces it
    server = Asset.objects.get(client=acme)
    assert (server.os_name, server.os_version) == ("Ubuntu", "16.04.3 LTS")


def test_a_spreadsheet_never_replaces_a_known_value_with_a_worse_one(acme):
    run(acme, ubuntu(full=True))
    csv = (
        "Name,Serial,Kind,OS name,OS version,Location\n"
        "SRV-FILES,CZ1234,Misc,Linux,4.8.11-040811-generic,Server room\n"
    )
    report = run(acme, ("cmdb.csv", csv))

    assert (report.counts.updated, problems(report)) == (1, [])
    server = Asset.objects.get(client=acme)
    assert (server.kind, server.os_name, server.os_version, server.location) == (
        "workstation",  # the agent's kind, not the spreadsheet's "Misc" (Other)
        "Ubuntu",
        "16.04",
        "Server room",  # what the spreadsheet adds is taken
    )


# --- 5. several inventory files at once -------------------------------------------


def glpi_json(name: str, *, serial: str, os_version: str = "22H2", logdate: str = "") -> bytes:
    """A GLPI agent inventory of one Windows laptop."""
    doc = {
        "deviceid": f"{name}-2023-01-01-00-00-00",
        "itemtype": "Computer",
        "content": {
            "hardware": {"name": name, "chassis_type": "Notebook"},
            "bios": {"ssn": serial, "smanufacturer": "Dell Inc.", "smodel": "Latitude 5440"},
            "operatingsystem": {"name": "Windows", "full_name": "Microsoft Windows 11 Pro",
                                "version": os_version, "kernel_version": "10.0.22631"},
        },
    }  # fmt: skip
    if logdate:
        doc["content"]["accesslog"] = {"logdate": logdate}
    return json.dumps(doc).encode()


def test_two_inventories_of_one_machine_keep_the_newest(acme):
    newer = glpi_json("LT-BOB", serial="SN-BOB", os_version="23H2", logdate="2024-06-02 09:00:00")
    older = glpi_json("LT-BOB", serial="SN-BOB", os_version="22H2", logdate="2024-05-01 09:00:00")
    other = glpi_json("LT-EVE", serial="SN-EVE")

    report = run(acme, ("bob-june.json", newer), ("eve.json", other), ("bob-may.json", older))

    assert problems(report) == []
    assert report.counts.created == 2
    assert Asset.objects.get(client=acme, serial="SN-BOB").os_version == "23H2"
    assert (
        "bob-may.json: an older inventory of LT-BOB (2024-05-01 09:00:00) than bob-june.json "
        "(2024-06-02 09:00:00): not imported"
    ) in [str(n) for n in report.notes]


def test_an_empty_file_does_not_stop_the_others_without_atomic(acme):
    bob, eve = glpi_json("LT-BOB", serial="SN-BOB"), glpi_json("LT-EVE", serial="SN-EVE")
    files = (("bob.json", bob), ("empty.json", b""), ("junk.json", b"{not json"), ("eve.json", eve))

    report = run(acme, *files, atomic=False)

    assert problems(report) == [
        "empty.json: the file is empty",
        "junk.json: not valid JSON (line 1, column 2)",
    ]
    assert (report.counts.created, report.counts.failed) == (2, 2)
    assert sorted(Asset.objects.values_list("name", flat=True)) == ["LT-BOB", "LT-EVE"]


def test_with_atomic_an_empty_file_means_nothing_is_written(acme):
    report = run(acme, ("bob.json", glpi_json("LT-BOB", serial="SN-BOB")), ("empty.json", b""))

    assert problems(report) == ["empty.json: the file is empty"]
    assert not report.committed
    assert not Asset.objects.exists()


def test_a_problem_with_an_inventory_names_its_file_not_a_row(acme):
    run(acme, ("assets.csv", "Name,Asset tag\nReception PC,ACM-7\n"))
    # Two machines carry the tag of the one asset the spreadsheet created.
    report = run(acme, ("a.xml", ocs_xml("PC-A", serial="SER-A", tag="ACM-7")),
                 ("b.xml", ocs_xml("PC-B", serial="SER-B", tag="ACM-7")))  # fmt: skip

    assert problems(report) == [
        "b.xml, column `Asset tag`: matches the same existing asset as a.xml",
        "b.xml, column `Asset tag`: asset tag ACM-7 also appears in a.xml",
    ]
    assert not report.committed


# --- 7. virtual machines listed in a host's inventory ------------------------------

HOST_VMS = """<VIRTUALMACHINES><MEMORY>2048</MEMORY><NAME>centos7.0</NAME><STATUS>running</STATUS>
      <SUBSYSTEM>kvm</SUBSYSTEM><UUID>c37f7ce8-af95-4676-b454-0959f2c5e162</UUID><VCPU>2</VCPU>
      <VMTYPE>libvirt</VMTYPE></VIRTUALMACHINES>
    <VIRTUALMACHINES><MEMORY>4194MB</MEMORY><NAME>win8.1</NAME><STATUS>off</STATUS>
      <SUBSYSTEM>kvm</SUBSYSTEM><UUID>fcb505ed-0ffa-419e-a5a0-fd20bed80f1e</UUID><VCPU>1</VCPU>
      <VMTYPE>libvirt</VMTYPE></VIRTUALMACHINES>
    <VIRTUALMACHINES><NAME>db</NAME><STATUS>running</STATUS><UUID>7e64b4b09941</UUID>
      <VMTYPE>docker</VMTYPE></VIRTUALMACHINES>"""


def test_virtual_machines_in_a_host_inventory_become_assets_linked_to_it(acme, login, api, bob):
    host_xml = ocs_xml("KVM-01", serial="HOST-SN", extra=HOST_VMS)

    report = run(acme, ("kvm-01.xml", host_xml))

    assert problems(report) == []
    assert report.counts.created == 3  # the host and two VMs; a docker container is no asset
    host = Asset.objects.get(client=acme, name="KVM-01")
    vms = {a.name: a for a in Asset.objects.filter(client=acme, host=host)}
    assert sorted(vms) == ["centos7.0", "win8.1"]
    centos = vms["centos7.0"]
    assert (centos.kind, centos.ram_gb, centos.cpu, centos.model) == ("vm", 2, "2 vCPU", "kvm")
    assert vms["win8.1"].ram_gb == Decimal("4.10")  # 4194 MB
    assert (centos.source, centos.external_id) == ("ocs", "vm:c37f7ce8-af95-4676-b454-0959f2c5e162")

    page = login(bob).get(f"/clients/acme/assets/{centos.pk}/").content.decode()
    assert "Runs on" in page and ">KVM-01</a>" in page
    page = login(bob).get(f"/clients/acme/assets/{host.pk}/").content.decode()
    assert ">centos7.0</a>" in page and ">win8.1</a>" in page

    rows = api(bob).get("/api/assets/?page_size=50").json()["results"]
    assert {r["name"]: r["host"] for r in rows} == {
        "KVM-01": None,
        "centos7.0": host.pk,
        "win8.1": host.pk,
    }

    again = run(acme, ("kvm-01.xml", host_xml))
    assert (again.counts.created, again.counts.updated, again.counts.unchanged) == (0, 0, 3)


def test_a_glpi_host_lists_its_vms_even_without_uuids(acme):
    doc = json.loads(glpi_json("HV-02", serial="HV2-SN"))
    doc["content"]["virtualmachines"] = [
        {"name": "web01", "vmtype": "hyperv", "memory": 8192, "vcpu": 4},
        {"name": "skydive-agent_1", "vmtype": "docker", "uuid": "5506c9cf948e"},
    ]
    report = run(acme, ("hv-02.json", json.dumps(doc)))

    assert problems(report) == []
    web = Asset.objects.get(client=acme, name="web01")
    assert (web.kind, web.host.name, web.ram_gb) == ("vm", "HV-02", 8)
    assert web.external_id == "vm:HV-02-2023-01-01-00-00-00:web01"


# --- 4. OCS Inventory NG JSON (its REST API's computers) ---------------------------


def ocs_api_json() -> str:
    """Two computers as /ocsapi/v1/computers returns them: id → tables."""
    return json.dumps({
        "7": {
            "hardware": {"ID": 7, "DEVICEID": "DT-RECEPTION-2022-10-05-14-21-07",
                         "NAME": "DT-RECEPTION", "OSNAME": "Microsoft Windows 10 Pro",
                         "OSVERSION": "10.0.19045", "MEMORY": 16236, "USERID": "reception",
                         "LASTDATE": "2024-05-02 08:12:00", "PROCESSORT": "Intel Core i5"},
            "bios": [{"HARDWARE_ID": 7, "SSN": "CZC9876543", "ASSETTAG": "ACM-1002",
                      "SMANUFACTURER": "Dell Inc.", "SMODEL": "OptiPlex 7010", "TYPE": "Desktop"}],
            "memories": [{"HARDWARE_ID": 7, "CAPACITY": "8192"},
                         {"HARDWARE_ID": 7, "CAPACITY": "8192"}],
            "storages": [{"HARDWARE_ID": 7, "DISKSIZE": 476940, "TYPE": "Fixed hard disk media",
                          "NAME": "PHYSICALDRIVE0"},
                         {"HARDWARE_ID": 7, "DISKSIZE": 0, "TYPE": "CD-ROM", "NAME": "CDROM0"}],
        },
        "9": {
            "hardware": {"ID": 9, "DEVICEID": "SRV-FILES-2023-01-01-00-00-00", "NAME": "SRV-FILES",
                         "OSNAME": "Ubuntu 22.04.4 LTS", "OSVERSION": "5.15.0-91-generic",
                         "MEMORY": 32000, "USERID": "root", "LASTDATE": "2024-05-02 08:00:00"},
            "bios": [{"HARDWARE_ID": 9, "SSN": "To Be Filled By O.E.M.",
                      "TYPE": "Rack Mount Chassis", "SMANUFACTURER": "Supermicro",
                      "SMODEL": "SYS-5019C-M"}],
        },
    })  # fmt: skip


def test_an_ocs_inventory_ng_json_export_imports_its_computers(acme):
    report = run(acme, ("computers.json", ocs_api_json()))

    assert problems(report) == []
    assert (report.format, report.counts.created) == ("ocs-json", 2)
    desktop = Asset.objects.get(client=acme, name="DT-RECEPTION")
    assert (desktop.serial, desktop.asset_tag, desktop.model) == (
        "CZC9876543",
        "ACM-1002",
        "OptiPlex 7010",
    )
    assert (desktop.os_name, desktop.os_version) == ("Windows 10 Pro", "10.0.19045")
    assert (desktop.ram_gb, desktop.disk_gb, desktop.kind) == (16, Decimal("476.94"), "workstation")
    assert (desktop.source, desktop.external_id) == ("ocs", "DT-RECEPTION-2022-10-05-14-21-07")
    server = Asset.objects.get(client=acme, name="SRV-FILES")
    assert (server.kind, server.serial, server.assigned_to) == ("server", "", "")
    assert (server.os_name, server.os_version) == ("Ubuntu", "22.04.4 LTS")  # not the kernel


def test_the_ocs_json_export_and_the_agent_xml_update_one_asset(acme):
    run(acme, ("computers.json", ocs_api_json()))
    desktop_xml = ocs_xml("DT-RECEPTION", serial="CZC9876543",
                          device_id="DT-RECEPTION-2022-10-05-14-21-07")  # fmt: skip
    report = run(acme, ("dt.xml", desktop_xml))
    assert report.counts.created == 0
    assert Asset.objects.filter(client=acme).count() == 2


def test_other_json_is_named_not_called_xml(acme):
    report = run(acme, ("export.json", '{"computers": [{"name": "PC-1"}]}'))
    assert problems(report) == ['export.json: not a GLPI inventory (no "content" object)']


def test_a_file_is_named_when_json_and_xml_inventories_are_mixed(acme):
    run(acme, ("assets.csv", "Name,Asset tag\nReception PC,ACM-7\n"))
    report = run(acme, ("eve.json", glpi_json("LT-EVE", serial="SN-EVE")),
                 ("a.xml", ocs_xml("PC-A", serial="SER-A", tag="ACM-7")),
                 ("b.xml", ocs_xml("PC-B", serial="SER-B", tag="ACM-7")))  # fmt: skip

    assert problems(report)[0] == (
        "b.xml, column `Asset tag`: matches the same existing asset as a.xml"
    )


def test_a_full_inventory_wins_over_a_partial_one_of_the_same_day(acme):
    full = json.loads(glpi_json("LT-BOB", serial="SN-BOB", os_version="23H2"))
    partial = {"deviceid": full["deviceid"], "partial": True, "content": {
        "hardware": {"name": "LT-BOB"}, "bios": {"ssn": "SN-BOB"},
        "virtualmachines": [{"name": "web", "image": "nginx", "uuid": "abc123"}]}}  # fmt: skip

    report = run(acme, ("bob.json", json.dumps(full)), ("bob-partial.json", json.dumps(partial)))

    assert problems(report) == []
    bob = Asset.objects.get(client=acme)  # and the container (image, no type) is no asset
    assert (bob.name, bob.os_version) == ("LT-BOB", "23H2")
