"""What the OpenAPI schema promises, checked against what the API returns.

Fields that are null on real rows are marked nullable (a client library
generated from the schema crashed on them), a KPI's value is a number, and
a page size that is not one is refused instead of silently ignored.
"""

from __future__ import annotations

import pytest

NULLABLE = [
    ("AuditEvent", "client"),
    ("Membership", "client"),
    ("Review", "finalised_by"),
    ("Initiative", "approved_by"),
    ("Scenario", "applied_by"),
    ("Recommendation", "dismissed_by"),
]


@pytest.fixture
def openapi(api, alice) -> dict:
    return api(alice).get("/api/schema/?format=json").json()


@pytest.mark.parametrize(("component", "field"), NULLABLE)
def test_fields_that_can_be_null_are_nullable_in_the_schema(openapi, component, field):
    prop = openapi["components"]["schemas"][component]["properties"][field]
    assert prop.get("nullable") is True, prop


def test_practice_wide_rows_really_have_a_null_client(api, alice):
    from vcio.core import audit

    audit.record_create(alice, alice)
    http = api(alice)
    memberships = http.get("/api/memberships/").json()["results"]
    assert {"user": "alice", "client": None} in [
        {"user": m["user"], "client": m["client"]} for m in memberships
    ]
    events = http.get("/api/audit-events/").json()["results"]
    assert any(e["client"] is None for e in events)


def test_a_membership_without_a_client_is_refused_by_name(api, alice, acme, erin):
    r = api(alice).post(
        "/api/memberships/", {"client": None, "user": "erin", "role": "editor"}, format="json"
    )
    assert r.status_code == 400
    assert r.json()["client"] == [
        "give a client slug: practice-wide roles are not managed through the API"
    ]


def test_a_kpi_value_is_a_number_as_the_schema_says(api, alice, acme, openapi):
    from decimal import Decimal

    from vcio.strategy.models import Kpi
    from vcio.strategy.tests.factories import strategy_rows_for

    strategy_rows_for(acme, "x")
    Kpi.objects.filter(name="x KPI").update(figure_key="", entered_value=Decimal("47.9"))
    kpis = {k["name"]: k for k in api(alice).get("/api/kpis/").json()["results"]}
    kpi = kpis["x KPI"]
    assert kpi["current_value"] == 47.9 and isinstance(kpi["current_value"], float)
    prop = openapi["components"]["schemas"]["Kpi"]["properties"]["current_value"]
    assert prop["type"] == "number" and prop["nullable"] is True


@pytest.mark.parametrize("value", ["abc", "0", "-3", "2.5", "501", "99999999999999999999"])
def test_a_page_size_that_is_not_one_is_refused(api, alice, value):
    r = api(alice).get("/api/clients/", {"page_size": value})
    assert r.status_code == 400
    assert r.json() == {
        "page_size": [f"“{value}” is not a page size: give a whole number from 1 to 500."]
    }


def test_a_good_page_size_pages(api, alice, acme, globex):
    body = api(alice).get("/api/clients/", {"page_size": "1"}).json()
    assert len(body["results"]) == 1 and body["count"] == 2 and body["next"]


def test_the_schema_gives_the_page_size_range(openapi):
    params = openapi["paths"]["/api/clients/"]["get"]["parameters"]
    page_size = next(p for p in params if p["name"] == "page_size")
    assert page_size["schema"] == {"type": "integer", "minimum": 1, "maximum": 500}


def test_an_unknown_choice_in_a_filter_is_refused(api, alice):
    r = api(alice).get("/api/initiatives/", {"status": "nonsense"})
    assert r.status_code == 400 and "nonsense" in r.json()["status"][0]
