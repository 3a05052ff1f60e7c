"""The capacity evidence rule (disk headroom), as a CIO reads it, as of 30 November 2026.

Hand numbers (see ``test_figures`` for the helpers):

* FS01 D: at 88 % growing 0.1 point a day: full (90 %) in 20 days → no headroom.
* SQL01 C: flat at 93 %: over 90 % → no headroom.
* PC01 C: (a workstation: every machine counts here) flat at 95 % → no headroom.
* WEB01 C: flat at 50 %; APP01 /: flat at 60 %; APP01 /data: 70 % growing 0.1
  point a day, full in 200 days (beyond 90) → headroom.
* OLD01 /: stopped reporting 10 days before: not judged.

So 3 of 6 disks have headroom.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.assets.models import AssetKind
from vcio.assets.tests.factories import AssetFactory
from vcio.capacity import evidence
from vcio.capacity.tests.test_figures import AS_OF, TB, linear, machine, rollups
from vcio.core.registry import evidence_rules
from vcio.core.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db
KEY = "capacity.disk_headroom"


def evaluate(*clients, at=AS_OF) -> dict:
    return evidence_rules.get(KEY).evaluate([c.pk for c in clients], at)


def test_the_rule_is_registered_under_its_key():
    rule = evidence_rules.get(KEY)
    assert rule.evaluate is evidence.disk_headroom
    assert rule.app == "capacity" and rule.label and rule.description


def constructed(client):
    fs01 = machine(client, "FS01", disks=[("D:", linear(0.88, 0.001), 4 * TB)])
    machine(client, "SQL01", disks=[("C:", 0.93, TB)])
    machine(client, "PC01", AssetKind.WORKSTATION, disks=[("C:", 0.95, TB)])
    machine(client, "WEB01", disks=[("C:", 0.5, TB)])
    machine(client, "APP01", disks=[("/", 0.6, None), ("/data", linear(0.7, 0.001), None)])
    old = AssetFactory(client=client, name="OLD01", kind=AssetKind.SERVER)
    rollups(old, "fs", "mountpoint=/", p95=0.99, as_of=AS_OF - timedelta(days=10))
    return fs01


def test_disk_headroom_names_the_disks_short_of_space(acme, globex):
    fs01 = constructed(acme)

    got = evaluate(acme, globex)

    with_headroom = ["Disk C: on WEB01", "Disk / on APP01", "Disk /data on APP01"]
    short = ["Disk D: on FS01", "Disk C: on PC01", "Disk C: on SQL01"]
    assert got[acme.pk].counts == {"ok": len(with_headroom), "total": len(with_headroom) + 3}
    assert got[acme.pk].status == "not_aligned"
    full_on = AS_OF + timedelta(days=20)
    assert got[acme.pk].sentence == (
        "3 of 6 disks have headroom (under 90 % used and not forecast full within 90 days); "
        f"3 do not: Disk D: on FS01 (88 % used, forecast full on {full_on}, 20 days away), "
        "Disk C: on PC01 (95 % used), Disk C: on SQL01 (93 % used)."
    )
    rows = got[acme.pk].rows
    assert [r.label for r in rows[:3]] == short
    assert sorted(r.label for r in rows[3:]) == sorted(with_headroom)
    assert all(r.ok for r in rows[3:]) and not any(r.ok for r in rows[:3])
    assert rows[0].url == f"/clients/acme/capacity/assets/{fs01.pk}/"
    assert got[globex.pk].status == "no_data"
    assert got[globex.pk].sentence == "No machine reports disk usage."


def test_thresholds(acme, globex):
    for n in range(9):
        machine(acme, f"SRV{n}", disks=[("C:", 0.5, None)])
    machine(acme, "FULL", disks=[("C:", 0.95, None)])  # 9 of 10: partly
    machine(globex, "ONE", disks=[("C:", 0.89, None)])  # under 90 %, flat: headroom
    got = evaluate(acme, globex)
    assert got[acme.pk].status == "partly"
    assert got[globex.pk].status == "aligned"
    assert got[globex.pk].sentence == (
        "1 of 1 disk has headroom (under 90 % used and not forecast full within 90 days)."
    )


def test_a_machine_without_disks_is_no_data(acme):
    machine(acme, "APP01")  # CPU and memory only
    assert evaluate(acme)[acme.pk].status == "no_data"


def test_queries_do_not_grow_with_the_number_of_clients():
    clients = [ClientFactory() for _ in range(5)]
    for client in clients:
        machine(client, "FS01", disks=[("D:", linear(0.88, 0.001), TB), ("C:", 0.5, TB)])
    rule = evidence_rules.get(KEY)
    with CaptureQueriesContext(connection) as one:
        rule.evaluate([clients[0].pk], AS_OF)
    with CaptureQueriesContext(connection) as five:
        got = rule.evaluate([c.pk for c in clients], AS_OF)
    # As of each client's own today too (no day given).
    assert set(rule.evaluate([c.pk for c in clients], None)) == {c.pk for c in clients}
    assert len(five) == len(one)
    assert {r.counts["ok"] for r in got.values()} == {1}
