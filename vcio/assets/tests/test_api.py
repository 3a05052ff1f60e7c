"""The asset API: assets, licences, policies, EOL rules and per-client lifecycle figures."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from vcio.assets.lifecycle import client_today
from vcio.assets.models import Asset, EolRule, Licence, LifecyclePolicy
from vcio.assets.tests.factories import AssetFactory, LicenceFactory, lifecycle_mix
from vcio.core.models import AuditEvent, Department
from vcio.core.tests.factories import make_token


@pytest.fixture
def today():
    return client_today("UTC")


@pytest.fixture
def mix(acme, today):
    return lifecycle_mix(acme, today)


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


NEW_ASSET = {"client": "acme", "name": "API-PC", "kind": "laptop", "purchase_date": "2024-01-10"}


# --- assets ---------------------------------------------------------------------------


def test_assets_carry_their_computed_lifecycle(api, carol, mix):
    rows = {r["name"]: r for r in results(api(carol).get("/api/assets/"))}
    assert rows["old-server"]["warranty_status"] == "expired"
    assert rows["old-server"]["os_status"] == "unsupported"
    assert rows["old-server"]["replacement_overdue"] is True
    assert "6-year policy for servers" in rows["old-server"]["replacement_reason"]
    assert rows["ending-laptop"]["os_end_of_support"]
    assert rows["mystery-box"]["age_years"] is None
    assert rows["fresh-laptop"]["client"] == "acme"
    assert rows["fresh-laptop"]["replacement_cost"] == "1500"  # the default laptop policy


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("warranty=ending", ["ending-laptop"]),
        ("os_status=unsupported", ["old-server"]),
        ("kind=laptop&ordering=-purchase_date", ["fresh-laptop", "ending-laptop"]),
        ("search=mystery", ["mystery-box"]),
        ("q=nina", ["fresh-laptop"]),
        (
            "client=acme&ordering=name",
            ["ending-laptop", "fresh-laptop", "mystery-box", "old-server"],
        ),
    ],
)
def test_asset_filters_are_the_pages(api, bob, mix, query, expected):
    assert [r["name"] for r in results(api(bob).get(f"/api/assets/?{query}"))] == expected


def test_bad_filter_values_are_400s_naming_the_filter(api, bob, mix):
    response = api(bob).get("/api/assets/?warranty=sometimes&os_status=1")
    assert response.status_code == 400
    assert set(response.json()) == {"warranty", "os_status"}
    response = api(bob).get("/api/assets/?client=globex")
    assert response.status_code == 400 and "client" in response.json()


def test_asset_list_is_paginated(api, bob, acme):
    AssetFactory.create_batch(7, client=acme)
    body = api(bob).get("/api/assets/?page_size=5").json()
    assert body["count"] == 7 and len(body["results"]) == 5 and body["next"]


def test_an_editor_creates_changes_and_deletes_an_asset(api, erin, acme):
    http = api(erin)
    response = http.post("/api/assets/", NEW_ASSET, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["warranty_status"] == "unknown" and body["replacement_due"] == "2029-01-10"
    pk = body["id"]
    response = http.patch(f"/api/assets/{pk}/", {"warranty_end": "2027-01-10"}, format="json")
    assert response.status_code == 200 and response.json()["warranty_status"] != "unknown"
    assert http.delete(f"/api/assets/{pk}/").status_code == 204
    assert not Asset.objects.filter(pk=pk).exists()
    actions = AuditEvent.objects.filter(object_id=str(pk)).values_list("action", flat=True)
    assert sorted(actions) == ["create", "delete", "update"]


def test_the_executive_reads_but_may_not_write(api, carol, mix):
    http = api(carol)
    pk = mix["fresh-laptop"].pk
    assert http.get(f"/api/assets/{pk}/").status_code == 200
    assert http.post("/api/assets/", NEW_ASSET, format="json").status_code == 403
    assert http.patch(f"/api/assets/{pk}/", {"name": "x"}, format="json").status_code == 403
    assert http.delete(f"/api/assets/{pk}/").status_code == 403


def test_another_clients_assets_are_invisible(api, dave, gina, mix):
    pk = mix["fresh-laptop"].pk
    for user in (dave, gina):
        assert results(api(user).get("/api/assets/")) == []
        assert api(user).get(f"/api/assets/{pk}/").status_code == 404
        response = api(user).post("/api/assets/", NEW_ASSET, format="json")
        assert response.status_code in (400, 403)
    assert api(gina).post("/api/assets/", NEW_ASSET, format="json").json() == {
        "client": ["no client with slug 'acme' that you can access"]
    }


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"purchase_cost": "-1"}, "purchase_cost", "a cost cannot be negative"),
        ({"purchase_date": "2024-02-31"}, "purchase_date", "Date has wrong format"),
        ({"warranty_end": "2020-01-01"}, "warranty_end", "cannot end (2020-01-01) before"),
        ({"kind": "toaster"}, "kind", "not a valid choice"),
        ({"ram_gb": "lots"}, "ram_gb", "valid number"),
        ({"department": 999999}, "department", "no department with id 999999"),
        ({"client": "globex"}, "client", "no client with slug 'globex'"),
    ],
)
def test_asset_mistakes_are_400s_naming_the_field(api, bob, acme, globex, change, field, message):
    response = api(bob).post("/api/assets/", {**NEW_ASSET, **change}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field] and message in response.json()[field][0]
    assert not Asset.objects.exists()


def test_a_department_of_another_client_is_refused(api, alice, acme, globex):
    # alice sees both clients' departments, so the id resolves: the client check refuses it.
    foreign = Department.objects.get(client=globex)
    response = api(alice).post(
        "/api/assets/", {**NEW_ASSET, "department": foreign.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"department": ["this department belongs to another client"]}


def test_an_asset_cannot_move_to_another_client(api, alice, mix, globex):
    pk = mix["fresh-laptop"].pk
    response = api(alice).patch(f"/api/assets/{pk}/", {"client": "globex"}, format="json")
    assert response.status_code == 400 and "another client" in response.json()["client"][0]


# --- licences --------------------------------------------------------------------------


def test_licences_carry_yearly_cost_and_waste(api, bob, acme, today):
    LicenceFactory(client=acme, product="M365", seats_owned=10, seats_used=7,
                   unit_cost=Decimal("20"), billing_period="monthly",
                   renewal_date=today + datetime.timedelta(days=10))  # fmt: skip
    LicenceFactory(client=acme, product="CAD", seats_owned=2, seats_used=2,
                   unit_cost=Decimal("500"), billing_period="annual")  # fmt: skip
    rows = results(api(bob).get("/api/licences/?ordering=-annual_cost"))
    assert [r["product"] for r in rows] == ["M365", "CAD"]
    assert rows[0]["annual_cost"] == "2400.00" and rows[0]["unused_seats"] == 3
    assert rows[0]["waste_cost"] == "720.00" and rows[0]["renews_within_90_days"] is True
    assert [r["product"] for r in results(api(bob).get("/api/licences/?renewing=true"))] == ["M365"]


def test_licence_create_update_and_mistakes(api, erin, acme):
    http = api(erin)
    data = {"client": "acme", "vendor": "Zoom", "product": "Pro", "seats_owned": 5,
            "seats_used": 1, "unit_cost": "13.33", "billing_period": "monthly"}  # fmt: skip
    response = http.post("/api/licences/", data, format="json")
    assert response.status_code == 201 and response.json()["waste_cost"] == "639.84"
    pk = response.json()["id"]
    response = http.patch(f"/api/licences/{pk}/", {"seats_used": 5}, format="json")
    assert response.json()["waste_cost"] == "0.00"  # recomputed, not the stale annotation
    bad = http.post("/api/licences/", {**data, "unit_cost": "-1", "seats_owned": -2}, format="json")
    assert bad.status_code == 400
    assert bad.json()["unit_cost"] == ["a cost cannot be negative"] and "seats_owned" in bad.json()
    assert Licence.objects.count() == 1


# --- lifecycle policies ----------------------------------------------------------------


def test_policies_need_manage_to_change(api, bob, erin, carol, acme):
    data = {
        "client": "acme",
        "kind": "laptop",
        "replace_after_years": "4",
        "replacement_cost": "1700",
    }
    assert api(erin).post("/api/lifecycle-policies/", data, format="json").status_code == 403
    response = api(bob).post("/api/lifecycle-policies/", data, format="json")
    assert response.status_code == 201, response.content
    assert [p["kind"] for p in results(api(carol).get("/api/lifecycle-policies/"))] == ["laptop"]
    again = api(bob).post("/api/lifecycle-policies/", data, format="json")
    assert again.status_code == 400
    assert again.json() == {
        "kind": ["Acme Corp already has a policy for 'laptop': change that one"]
    }
    pk = response.json()["id"]
    assert (
        api(erin).patch(f"/api/lifecycle-policies/{pk}/", {"replacement_cost": "1"}).status_code
        == 403
    )
    bad = api(bob).patch(f"/api/lifecycle-policies/{pk}/", {"replace_after_years": "0.1"})
    assert bad.status_code == 400 and "replace_after_years" in bad.json()
    assert LifecyclePolicy.objects.get().replacement_cost == Decimal("1700")


# --- EOL rules: shared reference data -------------------------------------------------------

NEW_RULE = {"product": "FortiOS", "version": "7.0", "end_of_support": "2026-09-30"}


def test_everyone_reads_eol_rules(api, carol, dave):
    for user in (carol, dave):
        rows = results(api(user).get("/api/eol-rules/?search=windows 10&page_size=200"))
        assert rows and all(r["shipped"] for r in rows)


def test_only_practice_owners_and_admins_change_eol_rules(api, alice, frank, bob, carol, acme):
    for user in (bob, carol):
        response = api(user).post("/api/eol-rules/", NEW_RULE, format="json")
        assert response.status_code == 403 and "only practice owners" in response.json()["detail"]
    response = api(frank).post("/api/eol-rules/", NEW_RULE, format="json")
    assert response.status_code == 201 and response.json()["shipped"] is False
    rule = EolRule.objects.get(product="FortiOS")
    assert AuditEvent.objects.filter(object_id=str(rule.pk), client=None, action="create").exists()
    assert api(bob).delete(f"/api/eol-rules/{rule.pk}/").status_code == 403
    assert api(alice).delete(f"/api/eol-rules/{rule.pk}/").status_code == 204


def test_tokens_narrow_eol_rule_writes(api, alice, acme):
    _, read_only = make_token(alice, name="ro", read_only=True)
    _, acme_only = make_token(alice, name="acme", client=acme)
    for key in (read_only, acme_only):
        assert api(token=key).get("/api/eol-rules/").status_code == 200
        assert api(token=key).post("/api/eol-rules/", NEW_RULE, format="json").status_code == 403
    assert APIClient().get("/api/eol-rules/").status_code == 401
    assert not EolRule.objects.filter(product="FortiOS").exists()


def test_changing_a_shipped_rule_makes_it_the_practices(api, alice):
    rule = EolRule.objects.filter(shipped=True, product="Windows 10", version="22H2").first()
    response = api(alice).patch(
        f"/api/eol-rules/{rule.pk}/", {"end_of_support": "2026-10-13"}, format="json"
    )
    assert response.status_code == 200 and response.json()["shipped"] is False
    rule.refresh_from_db()
    assert rule.end_of_support == datetime.date(2026, 10, 13) and not rule.shipped


def test_eol_rule_mistakes(api, alice):
    http = api(alice)
    http.post("/api/eol-rules/", NEW_RULE, format="json")
    twice = http.post("/api/eol-rules/", {**NEW_RULE, "product": "fortios"}, format="json")
    assert twice.status_code == 400
    assert twice.json() == {"version": ["there is already a rule for FortiOS 7.0: change that one"]}
    bad = http.post("/api/eol-rules/", {"product": " ", "end_of_support": "soon"}, format="json")
    assert bad.status_code == 400 and set(bad.json()) >= {"product", "end_of_support"}


# --- per-client lifecycle figures ---------------------------------------------------------


def test_the_lifecycle_summary_of_a_client(api, carol, mix, acme, today):
    LicenceFactory(client=acme, seats_owned=4, seats_used=1, unit_cost=Decimal("10"),
                   billing_period="monthly", renewal_date=today)  # fmt: skip
    body = api(carol).get("/api/lifecycle/acme/").json()
    assert body["client"] == "acme" and body["devices"] == 4
    assert body["warranty"] == {"active": 1, "ending": 1, "expired": 1, "unknown": 1}
    assert body["os"] == {"supported": 1, "ending": 1, "unsupported": 1, "unknown": 1}
    assert body["overdue_replacements"] == 1
    assert sum(b["devices"] for b in body["age_histogram"]) == 4
    assert body["licences"] == {
        "annual_cost": "480.00",
        "unused_seats": 3,
        "waste_cost": "360.00",
        "renewing_within_90_days": 1,
    }


def test_the_forecast_by_fiscal_quarter(api, bob, mix, acme):
    body = api(bob).get("/api/lifecycle/acme/forecast/?quarters=4").json()
    assert len(body["quarters"]) == 4 and body["currency"] == "USD"
    first = body["quarters"][0]
    assert first["overdue"] == 1 and first["by_kind"] == {"server": 1}
    assert first["label"].startswith("FY") and first["start"] <= first["end"]
    assert body["total_count"] == sum(q["count"] for q in body["quarters"])
    assert len(api(bob).get("/api/lifecycle/acme/forecast/").json()["quarters"]) == 12


@pytest.mark.parametrize("value", ["0", "41", "x", "1e9"])
def test_a_bad_number_of_quarters_is_a_400(api, bob, acme, value):
    response = api(bob).get(f"/api/lifecycle/acme/forecast/?quarters={value}")
    assert response.status_code == 400 and "quarters" in response.json()


def test_another_clients_lifecycle_is_a_404(api, dave, mix):
    assert api(dave).get("/api/lifecycle/acme/").status_code == 404
    assert api(dave).get("/api/lifecycle/acme/forecast/").status_code == 404
    assert api(dave).get("/api/lifecycle/globex/").status_code == 200
