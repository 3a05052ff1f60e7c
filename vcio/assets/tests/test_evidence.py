"""The assets app's evidence rules, as a CIO reads them, as of 30 June 2026.

Hand facts used below (the shipped end-of-support rules): Windows 10 22H2
ended 2025-10-14; Ubuntu 24.04 runs to 2029-05-31; Windows Server 2022 to
2031-10-14; "BeOS" matches no rule (its support is unknown).
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.assets import evidence
from vcio.assets.models import Asset, AssetKind, AssetStatus
from vcio.assets.models_software import Antivirus, InstalledSoftware
from vcio.assets.tests.factories import AssetFactory
from vcio.core.registry import evidence_rules
from vcio.core.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db
AT = datetime.date(2026, 6, 30)
UBUNTU = {"os_name": "Ubuntu 24.04 LTS", "os_version": ""}
WIN10 = {"os_name": "Microsoft Windows 10 Pro", "os_version": "10.0.19045"}
KEYS = [
    "assets.supported_os",
    "assets.server_warranty",
    "assets.inventory_fresh",
    "assets.endpoint_protection",
]


def seen(days_before: int) -> datetime.datetime:
    """Noon UTC ``days_before`` days before ``AT``."""
    day = AT - datetime.timedelta(days=days_before)
    return datetime.datetime(day.year, day.month, day.day, 12, tzinfo=datetime.UTC)


def device(client, name: str, **fields) -> Asset:
    fields.setdefault("kind", AssetKind.LAPTOP)
    fields = {**UBUNTU, **fields}
    return AssetFactory(client=client, name=name, **fields)


def evaluate(key: str, *clients) -> dict:
    return evidence_rules.get(key).evaluate([c.pk for c in clients], AT)


def test_every_rule_is_registered_under_its_key():
    for key in KEYS:
        rule = evidence_rules.get(key)
        assert rule.app == "assets" and rule.label and rule.description
    assert evidence_rules.get("assets.supported_os").evaluate is evidence.supported_os


# Supported OS -------------------------------------------------------------------------


def test_supported_os_names_the_unsupported_and_unknown_devices(acme):
    supported = [f"PC-{n:03d}" for n in range(1, 10)]
    for name in supported:
        device(acme, name)
    device(acme, "SRV-01", kind=AssetKind.SERVER, os_name="Windows Server 2022 Standard")
    supported.append("SRV-01")
    pc17 = device(acme, "PC-017", **WIN10)
    device(acme, "OLD-1", os_name="BeOS", os_version="5")
    # Not judged: retired, a printer, a cloud service.
    device(acme, "PC-OLD", status=AssetStatus.RETIRED, **WIN10)
    device(acme, "PRN-1", kind=AssetKind.PRINTER, **WIN10)
    device(acme, "M365", kind=AssetKind.CLOUD, **WIN10)

    got = evaluate("assets.supported_os", acme)[acme.pk]

    assert got.counts == {"ok": len(supported), "total": len(supported) + 1, "unknown": 1}
    assert got.status == "partly"  # 10 / 11 = 90.9 %: at least 90 %, not all
    assert got.sentence == (
        "10 of 11 devices run a supported OS; 1 does not: "
        "PC-017 (Windows 10 22H2, support ended 2025-10-14); "
        "the OS of 1 more device is unknown: OLD-1 (BeOS 5: support unknown)."
    )
    assert [(r.label, r.ok) for r in got.rows[:2]] == [("PC-017", False), ("OLD-1", False)]
    assert all(r.ok for r in got.rows[2:]) and len(got.rows) == 12
    assert got.rows[0].url == f"/clients/{acme.slug}/assets/{pc17.pk}/"


def test_supported_os_thresholds_and_no_data(acme, globex):
    for n in range(8):
        device(acme, f"PC-{n}")
    device(acme, "PC-X", **WIN10)  # 8 of 9 = 88.9 %: under 90 %
    device(globex, "G-1")
    empty = ClientFactory()
    device(empty, "RETIRED", status=AssetStatus.RETIRED)
    unknown_only = ClientFactory()
    device(unknown_only, "ODD", os_name="", os_version="")

    got = evaluate("assets.supported_os", acme, globex, empty, unknown_only)

    assert got[acme.pk].status == "not_aligned"
    assert got[globex.pk].status == "aligned"
    assert got[globex.pk].sentence == "1 of 1 device runs a supported OS."
    assert got[empty.pk].status == "no_data"
    assert got[empty.pk].sentence == "No device in use is recorded."
    assert got[unknown_only.pk].status == "no_data"
    assert got[unknown_only.pk].sentence == (
        "None of the 1 device in use has a known OS: ODD (no OS recorded: support unknown)."
    )


# Server warranty -----------------------------------------------------------------------


def test_server_warranty_counts_servers_covered_on_the_day(acme, globex):
    covered = ["SRV-A", "SRV-B", "SRV-C"]
    for name in covered:
        device(acme, name, kind=AssetKind.SERVER, warranty_end=AT)  # ends that day: covered
    device(acme, "SRV-OLD", kind=AssetKind.SERVER, warranty_end=datetime.date(2026, 6, 29))
    device(acme, "SRV-NONE", kind=AssetKind.SERVER, warranty_end=None)
    device(acme, "VM-1", kind=AssetKind.VIRTUAL_MACHINE, warranty_end=None)  # not a server
    device(acme, "PC-1", warranty_end=None)  # not a server
    device(globex, "PC-1")

    got = evaluate("assets.server_warranty", acme, globex)

    servers = Asset.objects.filter(client=acme, kind=AssetKind.SERVER)
    assert got[acme.pk].counts == {"ok": len(covered), "total": servers.count()}
    assert got[acme.pk].status == "not_aligned"  # 3 / 5 = 60 % < 75 %
    assert got[acme.pk].sentence == (
        "3 of 5 servers are under warranty; 2 are not: "
        "SRV-NONE (no warranty end recorded), SRV-OLD (warranty ended 2026-06-29)."
    )
    assert [r.ok for r in got[acme.pk].rows] == [False, False, True, True, True]
    assert got[globex.pk].status == "no_data"
    assert got[globex.pk].sentence == "No server in use is recorded."


# Inventory freshness -------------------------------------------------------------------


def test_inventory_fresh_counts_devices_seen_in_the_30_days(acme):
    fresh = [f"PC-{n}" for n in range(19)]
    for name in fresh:
        device(acme, name, last_seen=seen(29))  # the 30th day back still counts
    device(acme, "PC-STALE", last_seen=seen(30))
    device(acme, "PC-MANUAL", last_seen=None)

    got = evaluate("assets.inventory_fresh", acme)[acme.pk]

    assert got.counts == {"ok": len(fresh), "total": len(fresh) + 2}
    assert got.status == "partly"  # 19 / 21 = 90.5 %: under 95 %, at least 75 %
    assert got.sentence == (
        "19 of 21 devices were reported by an agent or an import in the last 30 days; "
        "2 were not: PC-MANUAL (never reported by an agent or import), "
        "PC-STALE (last seen 2026-05-31)."
    )
    assert [r.label for r in got.rows[:2]] == ["PC-MANUAL", "PC-STALE"]


# Endpoint protection ---------------------------------------------------------------------


def av(asset, name="Microsoft Defender", enabled=True, up_to_date=True) -> Antivirus:
    return Antivirus.objects.create(asset=asset, name=name, enabled=enabled, up_to_date=up_to_date)


def test_endpoint_protection_judges_devices_with_an_agent_inventory(acme):
    good = [device(acme, f"PC-{n}") for n in range(3)]
    for d in good:
        av(d)
    both = device(acme, "PC-BOTH")
    av(both, "Old AV", enabled=False)
    av(both, "Sophos")  # one good product is enough
    off = device(acme, "PC-OFF")
    av(off, enabled=False)
    stale = device(acme, "PC-STALE")
    av(stale, up_to_date=False)
    bare = device(acme, "SRV-LINUX", kind=AssetKind.SERVER)
    InstalledSoftware.objects.create(asset=bare, name="openssh-server")
    device(acme, "PC-NO-AGENT")  # no agent inventory: not judged

    got = evaluate("assets.endpoint_protection", acme)[acme.pk]

    judged = Asset.objects.filter(client=acme).exclude(name="PC-NO-AGENT")
    assert got.counts == {"ok": len(good) + 1, "total": judged.count()}
    assert got.status == "not_aligned"  # 4 / 7
    assert got.sentence == (
        "4 of 7 devices with an agent inventory have an enabled, up-to-date antivirus; "
        "3 do not: PC-OFF (Microsoft Defender disabled), PC-STALE (Microsoft Defender out "
        "of date), SRV-LINUX (no antivirus reported)."
    )
    assert [r.ok for r in got.rows] == [False] * 3 + [True] * 4
    assert "PC-NO-AGENT" not in {r.label for r in got.rows}


def test_endpoint_protection_without_agent_data_is_no_data(acme, globex):
    device(acme, "PC-1")
    protected = device(globex, "G-1")
    av(protected)

    got = evaluate("assets.endpoint_protection", acme, globex)

    assert got[acme.pk].status == "no_data"
    assert got[acme.pk].sentence == "No agent inventory reports antivirus data yet."
    assert got[globex.pk].status == "aligned"
    assert got[globex.pk].counts == {"ok": 1, "total": 1}


# Query counts ------------------------------------------------------------------------------


def _client_with_everything():
    client = ClientFactory()
    device(client, "SRV", kind=AssetKind.SERVER, last_seen=seen(1))
    av(device(client, "PC-A", **WIN10, last_seen=seen(40)))
    InstalledSoftware.objects.create(asset=device(client, "PC-B"), name="7-Zip")
    return client


@pytest.mark.parametrize("key", KEYS)
def test_queries_do_not_grow_with_the_number_of_clients(key):
    clients = [_client_with_everything() for _ in range(5)]
    rule = evidence_rules.get(key)
    with CaptureQueriesContext(connection) as one:
        rule.evaluate([clients[0].pk], AT)
    with CaptureQueriesContext(connection) as five:
        got = rule.evaluate([c.pk for c in clients], AT)
    # As of each client's own today too (no day given).
    assert set(rule.evaluate([c.pk for c in clients], None)) == {c.pk for c in clients}
    assert len(five) == len(one)
    assert set(got) == {c.pk for c in clients}
