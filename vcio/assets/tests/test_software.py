"""Installed software and antivirus from agent inventories, onto assets.

The agent's lists are the truth: each import of a machine replaces them.
An inventory that does not carry a section (a GLPI partial inventory)
leaves the asset's list as it was.
"""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.assets.inventory import glpi, ocs
from vcio.assets.models import Antivirus, Asset, InstalledSoftware
from vcio.core.importer import engine

FIXTURES = Path(__file__).parent / "fixtures" / "software"
XML, XML_BARE = FIXTURES / "ws-finance.xml", FIXTURES / "srv-bare.xml"
JSON, JSON_BARE = FIXTURES / "lt-sales.json", FIXTURES / "lt-bare.json"
JSON_PARTIAL = FIXTURES / "lt-sales-partial.json"


def run(client, *files) -> engine.ImportReport:
    report = engine.run("assets", client, list(files))
    assert report.committed, [str(p) for p in report.problems]
    return report


def software_of(name: str) -> list[tuple[str, str, str]]:
    return list(
        InstalledSoftware.objects.filter(asset__name=name)
        .order_by("name")
        .values_list("name", "version", "publisher")
    )


# --- readers ---------------------------------------------------------------------


def test_the_xml_reader_lists_software_and_antivirus():
    machine = ocs.read_one("ws-finance.xml", XML.read_bytes())
    assert machine.software == [
        ["7-Zip 23.01 (x64)", "23.01", "Igor Pavlov", ""],  # 01/01/1970: no date
        ["Microsoft 365 Apps for business", "16.0.17029.20068", "Microsoft Corporation", ""],
        ["Mozilla Firefox", "120.0.1", "Mozilla", "2023-09-11"],  # day first
    ]
    assert machine.antivirus == [{
        "name": "Windows Defender", "company": "Microsoft Corporation",
        "version": "4.18.23110.3", "enabled": True, "up_to_date": True,
        "base_version": "1.403.512.0", "base_date": "",
    }]  # fmt: skip


def test_an_xml_inventory_without_the_sections_has_none():
    machine = ocs.read_one("srv-bare.xml", XML_BARE.read_bytes())
    assert machine.software == [] and machine.antivirus == []


def test_the_json_reader_lists_software_and_antivirus():
    machine = glpi.read_one("lt-sales.json", JSON.read_bytes())
    assert [s[0] for s in machine.software] == [
        "Adobe Acrobat Reader", "Google Chrome", "Zoom Workplace",
    ]  # fmt: skip
    assert machine.software[0][3] == "2023-12-12"  # a date-time keeps its day
    assert machine.antivirus == [{
        "name": "ESET Endpoint Security", "company": "ESET", "version": "10.1.2046.0",
        "enabled": True, "up_to_date": True, "base_version": "28512", "base_date": "2024-01-31",
    }]  # fmt: skip


def test_a_json_inventory_without_the_sections_has_none():
    machine = glpi.read_one("lt-bare.json", JSON_BARE.read_bytes())
    assert machine.software == [] and machine.antivirus == []


def test_a_partial_json_inventory_does_not_say():
    machine = glpi.read_one("lt-sales-partial.json", JSON_PARTIAL.read_bytes())
    assert machine.software is None and machine.antivirus is None


def test_a_readers_table_keeps_long_lists_out_of_memory_until_read():
    files = _fleet(2, 200)
    table = ocs.read(files)
    column = table.headers.index("Installed software (inventory)")
    cells = [cells[column] for _, cells in table.rows]
    assert [len(json.loads(c)) for c in cells] == [200, 200]
    assert json.loads(cells[0])[0] == ["pkg-0", "1.0", "Debian", ""]


# --- import ----------------------------------------------------------------------


def test_an_import_writes_the_software_and_antivirus_onto_the_asset(acme):
    run(acme, XML, XML_BARE, JSON, JSON_BARE)
    assert len(software_of("WS-FINANCE")) == 3 and len(software_of("LT-SALES")) == 3
    assert software_of("SRV-BARE") == [] and software_of("LT-BARE") == []
    firefox = InstalledSoftware.objects.get(name="Mozilla Firefox")
    assert firefox.install_date == datetime.date(2023, 9, 11)
    assert firefox.asset.client == acme
    eset = Antivirus.objects.get(asset__name="LT-SALES")
    assert (eset.name, eset.enabled, eset.up_to_date) == ("ESET Endpoint Security", True, True)
    assert eset.base_date == datetime.date(2024, 1, 31)
    assert not Antivirus.objects.filter(asset__name__in=["SRV-BARE", "LT-BARE"]).exists()


def test_importing_again_replaces_the_list(acme):
    run(acme, XML)
    run(acme, XML)
    assert len(software_of("WS-FINANCE")) == 3  # no duplicates
    assert Antivirus.objects.filter(asset__name="WS-FINANCE").count() == 1
    changed = (
        XML.read_bytes()
        .replace(b"120.0.1", b"121.0")
        .replace(b"<NAME>7-Zip 23.01 (x64)</NAME>", b"<NAME>Notepad++</NAME>")
        .replace(b"<UPTODATE>1</UPTODATE>", b"<UPTODATE>0</UPTODATE>")
    )
    run(acme, ("ws-finance.xml", io.BytesIO(changed)))
    assert software_of("WS-FINANCE") == [
        ("Microsoft 365 Apps for business", "16.0.17029.20068", "Microsoft Corporation"),
        ("Mozilla Firefox", "121.0", "Mozilla"),
        ("Notepad++", "23.01", "Igor Pavlov"),
    ]
    assert Antivirus.objects.get(asset__name="WS-FINANCE").up_to_date is False
    assert Asset.objects.filter(client=acme).count() == 1


def test_an_inventory_without_software_empties_the_list(acme):
    run(acme, XML)
    bare = XML.read_bytes()
    start, end = bare.index(b"<ANTIVIRUS>"), bare.index(b"<BIOS>")
    bare = bare[:start] + bare[end:]
    start, end = bare.index(b"<SOFTWARES>"), bare.index(b"</CONTENT>")
    run(acme, ("ws-finance.xml", io.BytesIO(bare[:start] + bare[end:])))
    assert software_of("WS-FINANCE") == []
    assert not Antivirus.objects.exists()


def test_a_partial_inventory_keeps_the_list(acme):
    run(acme, JSON)
    run(acme, JSON_PARTIAL)
    assert len(software_of("LT-SALES")) == 3
    assert Antivirus.objects.filter(asset__name="LT-SALES").count() == 1


def test_a_spreadsheet_import_leaves_the_software_alone(acme):
    run(acme, XML)
    csv = b"Name,Serial,Kind\nWS-FINANCE,SWFIN001,workstation\n"
    run(acme, ("assets.csv", io.BytesIO(csv)))
    assert len(software_of("WS-FINANCE")) == 3


def test_a_preview_writes_no_software(acme):
    report = engine.preview("assets", acme, [XML])
    assert report.counts.created == 1
    assert not InstalledSoftware.objects.exists()


def _fleet(machines: int, packages: int) -> list[tuple[str, io.BytesIO]]:
    files = []
    for m in range(machines):
        software = "".join(
            f"<SOFTWARES><NAME>pkg-{p}</NAME><VERSION>1.{p}</VERSION>"
            f"<PUBLISHER>Debian</PUBLISHER></SOFTWARES>"
            for p in range(packages)
        )
        xml = (
            f"<REQUEST><CONTENT><BIOS><SSN>SN{m:05d}</SSN></BIOS>"
            f"<HARDWARE><NAME>host-{m}</NAME></HARDWARE>"
            f"<ANTIVIRUS><NAME>ClamAV</NAME><ENABLED>1</ENABLED></ANTIVIRUS>{software}"
            f"</CONTENT><DEVICEID>host-{m}-2024-01-01-00-00-00</DEVICEID></REQUEST>"
        )
        files.append((f"host-{m}.xml", io.BytesIO(xml.encode())))
    return files


def _import_queries(client, machines: int, packages: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        engine.run("assets", client, _fleet(machines, packages), format="ocs")
    return len(queries)


def test_the_queries_of_an_import_do_not_grow_with_machines_or_packages(
    acme, globex, django_assert_max_num_queries
):
    small = _import_queries(acme, 2, 3)
    assert InstalledSoftware.objects.filter(asset__client=acme).count() == 6
    # 30 machines: Django inserts ~33 assets per INSERT on SQLite (30 columns of 999
    # parameters), so more machines would add asset INSERTs, not software ones.
    with django_assert_max_num_queries(small):
        engine.run("assets", globex, _fleet(30, 150), format="ocs")
    assert InstalledSoftware.objects.filter(asset__client=globex).count() == 4500
    # Again, now replacing every list: still the same few queries.
    again = _import_queries(globex, 30, 150)
    assert again <= small + 1  # + the seen-again assets' UPDATE
    assert InstalledSoftware.objects.filter(asset__client=globex).count() == 4500


# --- the asset page and the API ---------------------------------------------------


def _asset(name: str) -> Asset:
    return Asset.objects.get(name=name)


def test_the_asset_page_shows_the_software_and_the_antivirus(acme, login, bob):
    run(acme, XML, XML_BARE)
    page = login(bob).get(f"/clients/acme/assets/{_asset('WS-FINANCE').pk}/").content.decode()
    assert "Installed software" in page and "(3)" in page
    assert "Mozilla Firefox" in page and "120.0.1" in page and "Igor Pavlov" in page
    assert "Windows Defender" in page and "No antivirus reported" not in page
    bare = login(bob).get(f"/clients/acme/assets/{_asset('SRV-BARE').pk}/").content.decode()
    assert "No antivirus reported by the last agent inventory" in bare
    assert "No installed software reported" in bare


def test_the_page_shows_fifty_packages_and_links_to_all(acme, login, bob):
    run(acme, *_fleet(1, 120))
    url = f"/clients/acme/assets/{_asset('host-0').pk}/"
    page = login(bob).get(url).content.decode()
    assert page.count("<td>pkg-") == 50 and "Show all 120" in page
    everything = login(bob).get(url + "?software=all").content.decode()
    assert everything.count("<td>pkg-") == 120


def test_the_asset_page_queries_do_not_grow_with_packages(
    acme, login, bob, django_assert_max_num_queries
):
    run(acme, *_fleet(1, 3))
    url = f"/clients/acme/assets/{_asset('host-0').pk}/"
    http = login(bob)
    http.get(url)  # warm the caches
    with CaptureQueriesContext(connection) as few:
        http.get(url)
    run(acme, *_fleet(1, 400))
    with django_assert_max_num_queries(len(few)):
        assert http.get(url + "?software=all").status_code == 200


def test_the_api_lists_an_assets_software_and_antivirus(acme, api, bob):
    run(acme, XML)
    pk = _asset("WS-FINANCE").pk
    body = api(bob).get(f"/api/assets/{pk}/software/").json()
    assert body["count"] == 3
    assert body["results"][2] == {
        "name": "Mozilla Firefox", "version": "120.0.1", "publisher": "Mozilla",
        "install_date": "2023-09-11",
    }  # fmt: skip
    antivirus = api(bob).get(f"/api/assets/{pk}/antivirus/").json()
    assert antivirus == [{
        "name": "Windows Defender", "company": "Microsoft Corporation",
        "version": "4.18.23110.3", "enabled": True, "up_to_date": True,
        "base_version": "1.403.512.0", "base_date": None,
    }]  # fmt: skip


def test_another_clients_user_gets_404(acme, api, login, dave):
    run(acme, XML)
    pk = _asset("WS-FINANCE").pk
    for url in (f"/api/assets/{pk}/software/", f"/api/assets/{pk}/antivirus/"):
        response = api(dave).get(url)
        assert response.status_code == 404 and b"Firefox" not in response.content
    assert login(dave).get(f"/clients/acme/assets/{pk}/").status_code == 404
    assert InstalledSoftware.objects.for_user(dave).count() == 0
    assert Antivirus.objects.for_user(dave).count() == 0
