"""Demo inventory: realistic, quick to load, and the same after loading twice."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from vcio.assets.demo import CLIENTS, load_assets
from vcio.assets.figures import replacement_cost_4q
from vcio.assets.lifecycle import assess, renewals_within, seat_waste
from vcio.assets.models import Asset, AssetKind, Licence, LifecyclePolicy
from vcio.core.demo import load_core
from vcio.core.models import Client
from vcio.core.registry import demo_loaders


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Asset, Licence, LifecyclePolicy))


def load(ctx: dict | None = None) -> list[str]:
    lines: list[str] = []
    load_assets(ctx or {}, lines.append)
    return lines


@pytest.fixture
def practice(db):
    load_core({}, lambda msg: None)
    return {c.slug: c for c in Client.objects.all()}


def test_the_loader_is_registered_after_core():
    loader = demo_loaders.get("assets")
    assert loader.order == 20 > demo_loaders.get("core").order


def test_each_demo_client_gets_a_few_hundred_assets(practice):
    lines = load()
    sizes = {slug: Asset.objects.filter(client=c).count() for slug, c in practice.items()}
    assert sizes == {"acme": 320, "globex": 180, "initech": 60}
    assert len(lines) == 3 and "320 assets (320 new, 0 updated)" in " ".join(lines)


def test_loading_twice_changes_no_counts_and_keeps_the_rows(practice):
    load()
    before = counts()
    ids = set(Asset.objects.values_list("pk", flat=True))
    lines = load()
    assert counts() == before
    assert set(Asset.objects.values_list("pk", flat=True)) == ids
    assert "320 assets (0 new, 0 updated)" in " ".join(lines)  # nothing to write


def test_reloading_puts_back_a_demo_row_someone_changed(practice):
    load()
    changed = Asset.objects.filter(client=practice["acme"]).first()
    Asset.objects.filter(pk=changed.pk).update(model="Typo", purchase_date=None)
    lines = load()
    assert "320 assets (0 new, 1 updated)" in " ".join(lines)
    changed_back = Asset.objects.get(pk=changed.pk)
    assert changed_back.model != "Typo"


def test_the_whole_demo_command_is_idempotent(db):
    call_command("demo", "--quiet", stdout=StringIO())
    before = counts()
    call_command("demo", "--quiet", stdout=StringIO())
    assert counts() == before and before[0] == 560


def test_only_existing_demo_clients_get_data(acme):
    load()
    assert set(Asset.objects.values_list("client__slug", flat=True)) == {"acme"}
    assert set(CLIENTS) == {"acme", "globex", "initech"}


def test_the_inventory_looks_like_a_real_one(practice):
    load()
    acme = practice["acme"]
    assets = Asset.objects.filter(client=acme)
    assert {k for k in assets.values_list("kind", flat=True)} == set(AssetKind.values) - {"other"}
    makers = set(assets.values_list("manufacturer", flat=True))
    assert {"Dell", "HP", "Lenovo", "Apple", "Cisco"} <= makers
    assert assets.filter(department__isnull=False).count() > 300
    assert assets.exclude(assigned_to="").count() > 150
    assert assets.filter(contact__isnull=False).exists()
    assert len(set(assets.values_list("serial", flat=True))) > 250
    assert assets.filter(os_name__contains="Windows Server 2012 R2").exists()

    summary = assess(acme)
    windows = assets.filter(kind__in=["workstation", "laptop"], os_name__contains="Windows")
    windows_10 = windows.filter(os_name__contains="Windows 10").count() / windows.count()
    assert 0.1 < windows_10 < 0.3
    assert summary.overdue > 5
    assert summary.ages["7+"] > 0 and summary.ages["0–1"] > 0
    assert all(summary.warranty[s] > 0 for s in ("active", "ending", "expired"))
    assert summary.os["unsupported"] > 0 and summary.os["supported"] > 0


def test_licences_have_waste_and_renewals_and_policies_exist(practice):
    load()
    for client in practice.values():
        licences = Licence.objects.filter(client=client)
        assert licences.count() >= 8
        assert seat_waste(licences).cost_per_year > 0
        assert renewals_within(client.pk, 90).exists()
        assert LifecyclePolicy.objects.filter(client=client).count() == 7
    assert Licence.objects.filter(product="athenaOne EHR", client=practice["globex"]).exists()
    assert Licence.objects.filter(product="NetDocuments DMS", client=practice["initech"]).exists()
    costs = replacement_cost_4q([c.pk for c in practice.values()])
    assert all(cost > 0 for cost in costs.values())


def test_a_policy_the_practice_edited_is_kept(practice):
    load()
    LifecyclePolicy.objects.filter(client=practice["acme"], kind="laptop").update(
        replace_after_years=4
    )
    load()
    assert (
        LifecyclePolicy.objects.get(client=practice["acme"], kind="laptop").replace_after_years == 4
    )
