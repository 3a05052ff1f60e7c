"""Capacity recommendations: disks and memory full soon, saturated machines, idle servers.

Hand numbers (as of 30 Nov 2026, prices at the practice defaults in USD):

* FS01's D: (4 TB) is at 85.2 % today and grows 0.1 point a day: it reaches
  90 % after ceil(4.8 / 0.1) = 48 days, on 17 Jan 2027 (medium risk). In a
  year it would hold (0.852 + 0.365) × 4 = 4.868 TB; under 70 % that needs
  4.868 / 0.7 = 6.954 TB, i.e. 2.954 TB more: 3 TB at $200 = $600.
* APP01's memory (32 GiB) at 80.1 % grows 0.2 point a day: 90 % after
  ceil(9.9 / 0.2) = 50 days. In a year (0.801 + 0.73) × 32 = 48.99 GiB,
  / 0.7 = 69.99 GiB, 37.99 more: 40 GB (8 GB steps) at $10 = $400.
* SQL01 has had CPU p95 95 % for the last 90 days, 50 % before: saturated
  3 months running; the client's server policy says $12,000.
* IDLE1, IDLE2, IDLE3 idle: consolidate, retiring 2 × $1,500 = $3,000 a year.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.assets.models import AssetKind
from vcio.assets.tests.factories import AssetFactory, LifecyclePolicyFactory
from vcio.capacity import figures
from vcio.capacity import recommendations as rec
from vcio.capacity.tests.test_figures import AS_OF, GIB, TB, linear, machine, rollups

pytestmark = pytest.mark.django_db


def by_key(drafts):
    return {d.key: d for d in drafts}


def test_a_disk_full_soon_gets_the_space_to_add_and_its_cost(acme):
    fs01 = machine(acme, "FS01", disks=[("D:", linear(0.852, 0.001), 4 * TB)])
    (draft,) = rec.disk_full([acme.pk], AS_OF)
    assert draft.title == "FS01 D: full in ~48 days: add 3 TB, ~$600"
    assert draft.one_time_cost == Decimal("600")
    assert draft.risk == "medium"
    assert draft.due_date == AS_OF + timedelta(days=48) == date(2027, 1, 17)
    assert draft.key.startswith("capacity.disk_full.")
    assert draft.evidence_url == f"/clients/acme/capacity/assets/{fs01.pk}/"
    ev = draft.evidence
    assert ev["level_pct"] == pytest.approx(85.2)
    assert ev["slope_pct_per_day"] == pytest.approx(0.1)
    assert ev["days_left"] == 48 and ev["crossing"] == "2027-01-17"
    assert ev["add_tb"] == "3"
    assert "85.2 % full today" in draft.why


def test_a_noisy_disk_shows_the_range_of_its_forecast(acme):
    wobble = [0.0, 0.004, -0.003, 0.002, -0.004, 0.001, -0.001]
    line = linear(0.85, 0.001)
    machine(acme, "FS01", disks=[("D:", lambda i: line(i) + wobble[i % 7], 4 * TB)])
    (draft,) = rec.disk_full([acme.pk], AS_OF)
    assert re.fullmatch(
        r"FS01 D: full in ~\d+ days \(\d+–(\d+|365\+)\): add 3 TB, ~\$600", draft.title
    )
    ev = draft.evidence
    assert ev["crossing_early"] <= ev["crossing"] <= (ev["crossing_late"] or "9999")


def test_a_new_disk_already_full_is_critical(acme):
    asset = AssetFactory(client=acme, name="FS03", kind=AssetKind.SERVER)
    rollups(asset, "fs", "mountpoint=D:", days=3, p95=0.95)
    rollups(asset, "fs_size", "mountpoint=D:", days=3, p95=TB)
    (draft,) = rec.disk_full([acme.pk], AS_OF)
    # Three days: no trend yet, so the year ahead is today's 95 %: 0.95 / 0.7 - 1 = 0.357 TB.
    assert draft.title == "FS03 D: full already: add 0.5 TB, ~$100"
    assert draft.risk == "critical" and "nan" not in draft.why
    assert draft.why.startswith("Disk D: of FS03 is 95.0 % full: over 90 % since 28 November 2026.")
    assert draft.evidence["slope_pct_per_day"] is None


def test_the_space_to_add_by_hand():
    # 1 TB at 80 % growing 0.05 point a day: (0.8 + 0.1825) / 0.7 - 1 = 0.4036 TB → 0.5 TB.
    assert rec.tb_step(rec.bytes_needed(TB, 0.8, 0.0005)) == Decimal("0.5")
    # 10 TB at 89 %, flat: 8.9 / 0.7 - 10 = 2.714 TB → 3 TB.
    assert rec.tb_step(rec.bytes_needed(10 * TB, 0.89, 0.0)) == Decimal("3")
    assert rec.gb_step(rec.bytes_needed(16 * GIB, 0.85, 0.0)) == 8  # 3.43 GB → 8


@pytest.mark.parametrize(
    ("days", "risk"), [(0, "critical"), (7, "critical"), (20, "high"), (60, "medium"), (120, "low")]
)
def test_risk_follows_the_days_left(days, risk):
    assert rec.risk_for(days) == risk


def test_a_disk_far_from_full_or_flat_gets_nothing(acme):
    machine(acme, "FS02", disks=[("D:", 0.5, 4 * TB), ("E:", linear(0.3, 0.001), TB)])
    assert rec.disk_full([acme.pk], AS_OF) == []


def test_memory_full_soon(acme):
    machine(acme, "APP01", mem=linear(0.801, 0.002), mem_size=32 * GIB)
    (draft,) = rec.memory_full([acme.pk], AS_OF)
    assert draft.title.startswith("APP01 memory full in ~50 days")
    assert draft.title.endswith(": add 40 GB, ~$400")
    assert draft.one_time_cost == Decimal("400")
    assert draft.due_date == AS_OF + timedelta(days=50)
    assert draft.key.endswith(f".{draft.evidence['asset_id']}")


def saturated_sql(client):
    """SQL01: CPU p95 95 % over the last 90 days, 50 % over the 275 days before."""
    asset = AssetFactory(client=client, name="SQL01", kind=AssetKind.SERVER)
    rollups(asset, "cpu", days=365, p95=lambda i: 0.95 if i >= 275 else 0.5)
    rollups(asset, "mem", days=365, p95=0.6)
    return asset


def test_a_machine_saturated_for_three_months_gets_an_upgrade_at_its_policy_cost(acme):
    LifecyclePolicyFactory(client=acme, kind=AssetKind.SERVER, replacement_cost=Decimal("12000"))
    sql = saturated_sql(acme)
    (draft,) = rec.saturated([acme.pk], AS_OF)
    assert draft.title == "SQL01 saturated 3 months running: upgrade"
    assert draft.key == f"capacity.saturated.{sql.pk}"
    assert draft.risk == "high"
    assert draft.one_time_cost == Decimal("12000")
    assert draft.evidence["months_saturated"] == 3
    assert draft.evidence["cpu_p95_pct"] == 95.0


def test_without_a_client_policy_the_default_server_cost_applies(acme):
    saturated_sql(acme)
    (draft,) = rec.saturated([acme.pk], AS_OF)
    assert draft.one_time_cost == Decimal("9000")  # vcio's default server price in USD


def test_idle_servers_make_one_consolidation_per_client(acme, globex):
    for name in ("IDLE1", "IDLE2"):
        machine(acme, name, cpu=0.03, mem=0.2)
    machine(acme, "IDLE3", AssetKind.VIRTUAL_MACHINE, cpu=0.03, mem=0.2)
    machine(acme, "PC01", AssetKind.WORKSTATION, cpu=0.03, mem=0.2)  # not a server
    machine(globex, "LONE", cpu=0.03, mem=0.2)  # one idle server: nothing to consolidate
    (draft,) = rec.idle([acme.pk, globex.pk], AS_OF)
    assert draft.client_id == acme.pk and draft.key == "capacity.consolidate"
    assert draft.title == "3 servers idle: consolidate, saves ~$3,000/yr"
    assert draft.recurring_cost_per_year == Decimal("-3000")
    assert [
        (m["name"], m["cpu_p95_pct"], m["mem_p95_pct"]) for m in draft.evidence["machines"]
    ] == [
        ("IDLE1", 3.0, 20.0),
        ("IDLE2", 3.0, 20.0),
        ("IDLE3", 3.0, 20.0),
    ]


def test_prices_come_from_settings_when_set(acme, settings):
    settings.VCIO_CAPACITY_SERVER_RUN_COST_PER_YEAR = 1000
    for name in ("IDLE1", "IDLE2"):
        machine(acme, name, cpu=0.03, mem=0.2)
    (draft,) = rec.idle([acme.pk], AS_OF)
    assert draft.recurring_cost_per_year == Decimal("-1000")


def test_keys_are_stable_across_runs(acme):
    machine(acme, "FS01", disks=[("D:", linear(0.852, 0.001), 4 * TB)])
    assert [d.key for d in rec.disk_full([acme.pk], AS_OF)] == [
        d.key for d in rec.disk_full([acme.pk], AS_OF)
    ]


@pytest.mark.parametrize("generator", rec.GENERATORS, ids=lambda g: g.key)
def test_generators_run_a_fixed_number_of_queries(acme, globex, generator, monkeypatch):
    monkeypatch.setattr(figures, "client_today", lambda _tz: AS_OF)

    def world(client):
        machine(client, "FS01", disks=[("D:", linear(0.852, 0.001), 4 * TB)])
        machine(client, "APP01", mem=linear(0.801, 0.002), mem_size=32 * GIB)
        machine(client, "IDLE1", cpu=0.03, mem=0.2)
        machine(client, "IDLE2", cpu=0.03, mem=0.2)
        saturated_sql(client)

    world(acme)
    with CaptureQueriesContext(connection) as one:
        assert generator.generate([acme.pk])
    world(globex)
    with CaptureQueriesContext(connection) as two:
        drafts = generator.generate([acme.pk, globex.pk])
    assert {d.client_id for d in drafts} == {acme.pk, globex.pk}
    assert len(two) == len(one)


def test_the_drafts_are_stored_once_by_the_recommendation_sync(acme, monkeypatch):
    from vcio.strategy.models import Recommendation
    from vcio.strategy.recommend import sync_recommendations

    monkeypatch.setattr(figures, "client_today", lambda _tz: AS_OF)
    machine(acme, "FS01", disks=[("D:", linear(0.852, 0.001), 4 * TB)])
    machine(acme, "IDLE1", cpu=0.03, mem=0.2)
    machine(acme, "IDLE2", cpu=0.03, mem=0.2)
    saturated_sql(acme)
    sync_recommendations([acme.pk])
    sync_recommendations([acme.pk])
    stored = Recommendation.objects.filter(client=acme, source_app="capacity")
    assert sorted(r.key.rsplit(".", 1)[0] for r in stored) == [
        "capacity",  # capacity.consolidate
        "capacity.disk_full",
        "capacity.saturated",
    ]
    saving = stored.get(key="capacity.consolidate")
    assert saving.recurring_cost_per_year == Decimal("-1500")
