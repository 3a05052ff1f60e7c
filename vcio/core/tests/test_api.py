"""The REST API: what each user sees and may change, and how mistakes are answered."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from vcio.core.api.errors import exception_handler, integrity_detail
from vcio.core.api.serializers import DepartmentSerializer
from vcio.core.models import AuditEvent, Client, Contact, Department, Membership
from vcio.core.tests.factories import (
    ClientFactory,
    ContactFactory,
    DepartmentFactory,
    UserFactory,
)

NEW_CLIENT = {"name": "Initech", "slug": "initech", "monthly_fee": "1500.00"}


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- lists: pagination, filters, scoping ----------------------------------------------


def test_client_list_is_paginated_and_filterable(api, alice, acme, globex):
    ClientFactory.create_batch(3, industry="retail")
    body = api(alice).get("/api/clients/?page_size=2").json()
    assert body["count"] == 5 and len(body["results"]) == 2 and body["next"]
    retail = results(api(alice).get("/api/clients/?industry=retail"))
    assert len(retail) == 3
    assert [c["slug"] for c in results(api(alice).get("/api/clients/?q=glob"))] == ["globex"]
    assert [c["slug"] for c in results(api(alice).get("/api/clients/?search=acme"))] == ["acme"]
    ordered = results(api(alice).get("/api/clients/?ordering=-name"))
    assert [c["name"] for c in ordered] == sorted((c["name"] for c in ordered), reverse=True)


@pytest.mark.parametrize("endpoint", ["departments", "contacts", "memberships", "audit-events"])
def test_client_owned_lists_filter_by_client_slug(api, alice, bob, dave, acme, globex, endpoint):
    # Some audit events for both clients, written through the API.
    for slug in ("acme", "globex"):
        api(alice).post("/api/departments/", {"client": slug, "name": "IT"}, format="json")
    rows = results(api(alice).get(f"/api/{endpoint}/?client=acme"))
    assert rows and {r["client"] for r in rows} == {"acme"}
    everything = results(api(alice).get(f"/api/{endpoint}/"))
    assert {r["client"] for r in everything} >= {"acme", "globex"}


@pytest.mark.parametrize("endpoint", ["departments", "contacts", "memberships", "audit-events"])
def test_a_foreign_client_filter_widens_nothing(api, bob, dave, acme, globex, endpoint):
    response = api(bob).get(f"/api/{endpoint}/?client=globex")
    assert response.status_code == 400  # not one of bob's clients: an invalid choice
    assert "client" in response.json()
    assert "Globex" not in response.content.decode()


def test_contact_filters(api, bob, acme):
    dept = acme.departments.get()
    ContactFactory(client=acme, first_name="Zed", is_decision_maker=True)
    rows = results(api(bob).get("/api/contacts/?is_decision_maker=true"))
    assert [r["first_name"] for r in rows] == ["Zed"]
    rows = results(api(bob).get(f"/api/contacts/?department={dept.pk}"))
    assert [r["email"] for r in rows] == ["ann@acme.test"]
    assert [r["first_name"] for r in results(api(bob).get("/api/contacts/?q=zed"))] == ["Zed"]


def test_membership_and_audit_filters(api, alice, bob, carol, acme):
    assert [m["user"] for m in results(api(alice).get("/api/memberships/?role=executive"))] == [
        "carol"
    ]
    api(bob).post("/api/departments/", {"client": "acme", "name": "Ops"}, format="json")
    rows = results(api(alice).get("/api/audit-events/?actor=bob&action=create&since=2000-01-01"))
    assert [r["object_repr"] for r in rows] == ["Ops"]
    assert results(api(alice).get("/api/audit-events/?until=2000-01-01")) == []
    assert api(alice).get("/api/audit-events/?since=yesterday").status_code == 400


def test_other_clients_rows_are_404(api, dave, acme, globex):
    dept, contact = acme.departments.get(), acme.contacts.get()
    assert [c["slug"] for c in results(api(dave).get("/api/clients/"))] == ["globex"]
    for url in (
        "/api/clients/acme/",
        "/api/clients/acme/figures/",
        f"/api/departments/{dept.pk}/",
        f"/api/contacts/{contact.pk}/",
    ):
        assert api(dave).get(url).status_code == 404
        assert api(dave).delete(url).status_code in (404, 405)
    assert api(dave).patch(f"/api/contacts/{contact.pk}/", {"title": "x"}).status_code == 404


# --- validation: 400 with the field named ---------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"slug": "acme"}, "slug", "a client with this slug already exists"),
        ({"monthly_fee": "-1"}, "monthly_fee", "greater than or equal to 0"),
        ({"monthly_fee": "lots"}, "monthly_fee", "give a number"),
        ({"fiscal_year_start_month": 13}, "fiscal_year_start_month", "1 to 12"),
        ({"name": "x" * 201}, "name", "200 characters"),
        ({"currency": "usd"}, "currency", "three capital letters"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "not a time zone"),
        ({"slug": "not a slug!"}, "slug", "letters"),
        ({"employee_count": -3}, "employee_count", "greater than or equal to 0"),
    ],
)
def test_client_validation_names_the_field(api, alice, acme, changes, field, words):
    response = api(alice).post("/api/clients/", {**NEW_CLIENT, **changes}, format="json")
    assert response.status_code == 400
    assert words in " ".join(response.json()[field])
    assert not Client.objects.filter(slug="initech").exists()


def test_a_contact_cannot_use_another_clients_department(api, alice, acme, globex):
    globex_dept = globex.departments.get()
    response = api(alice).post(
        "/api/contacts/",
        {"client": "acme", "first_name": "Mix", "department": globex_dept.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["department"] == ["this department belongs to another client"]
    contact = acme.contacts.get()
    response = api(alice).patch(
        f"/api/contacts/{contact.pk}/", {"department": globex_dept.pk}, format="json"
    )
    assert response.status_code == 400 and "department" in response.json()


def test_a_department_for_an_invisible_client_is_a_field_error(api, bob, globex):
    response = api(bob).post("/api/departments/", {"client": "globex", "name": "X"}, format="json")
    assert response.status_code == 400
    assert response.json()["client"] == ["no client with slug 'globex' that you can access"]
    assert not Department.objects.filter(name="X").exists()


def test_a_record_cannot_move_to_another_client(api, alice, acme, globex):
    dept = acme.departments.get()
    response = api(alice).patch(f"/api/departments/{dept.pk}/", {"client": "globex"}, format="json")
    assert response.status_code == 400 and "client" in response.json()


def test_duplicate_department_names_are_a_field_error(api, bob, acme):
    name = acme.departments.get().name
    response = api(bob).post("/api/departments/", {"client": "acme", "name": name}, format="json")
    assert response.status_code == 400
    assert "already has a department" in response.json()["name"][0]


@pytest.mark.parametrize(
    "body",
    ["not json", "[1, 2]", '{"client": ["acme"], "name": {"a": 1}}', '{"client": 12}'],
)
def test_malformed_bodies_are_400_never_500(api, bob, acme, body):
    response = api(bob).post("/api/departments/", body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/api/contacts/99999999999999999999999/",
        "/api/contacts/?department=99999999999999999999999",
        "/api/contacts/?department=abc",
        "/api/clients/?page=999",
        "/api/clients/?is_active=maybe",
        "/api/clients/?ordering=internal_notes",
    ],
)
def test_odd_query_input_is_never_500(api, alice, acme, url):
    assert api(alice).get(url).status_code in (200, 400, 404)


def test_a_constraint_the_validators_missed_is_still_a_400(api, bob, acme, monkeypatch):
    # As if two requests raced past validation: the database constraint answers.
    monkeypatch.setattr(DepartmentSerializer, "validate", lambda self, attrs: attrs)
    name = acme.departments.get().name
    response = api(bob).post("/api/departments/", {"client": "acme", "name": name}, format="json")
    assert response.status_code == 400
    assert "already exists" in response.json()["name"][0]
    assert acme.departments.count() == 1
    assert not AuditEvent.objects.filter(action="create").exists()


@pytest.mark.parametrize(
    ("exc", "status", "key"),
    [
        (DjangoValidationError({"slug": "bad"}), 400, "slug"),
        (DjangoValidationError("bad"), 400, "non_field_errors"),
        (Http404("No Client matches"), 404, "detail"),
        (PermissionDenied("You may not edit this."), 403, "detail"),
    ],
)
def test_django_exceptions_become_json(exc, status, key):
    response = exception_handler(exc, {})
    assert response.status_code == status and key in response.data
    assert "Client" not in str(response.data)  # a 404 does not name what was looked for


def test_integrity_errors_name_the_column():
    sqlite = IntegrityError("UNIQUE constraint failed: core_client.slug")
    assert integrity_detail(sqlite) == {"slug": ["A record with this slug already exists."]}
    pg = IntegrityError("duplicate key value violates unique constraint\nDETAIL: Key (slug)=(a)")
    assert "slug" in integrity_detail(pg)
    assert "non_field_errors" in integrity_detail(IntegrityError("CHECK constraint failed"))


# --- who may write what -----------------------------------------------------------------


def test_an_executive_reads_but_may_not_write(api, carol, acme):
    dept, contact = acme.departments.get(), acme.contacts.get()
    carol_api = api(carol)
    assert carol_api.get(f"/api/departments/{dept.pk}/").status_code == 200
    attempts = [
        carol_api.post("/api/departments/", {"client": "acme", "name": "Ops"}, format="json"),
        carol_api.post("/api/departments/", {"garbage": True}, format="json"),
        carol_api.patch(f"/api/departments/{dept.pk}/", {"name": "x"}, format="json"),
        carol_api.delete(f"/api/contacts/{contact.pk}/"),
        carol_api.patch("/api/clients/acme/", {"notes": "x"}, format="json"),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert Department.objects.count() == 1 and Contact.objects.filter(pk=contact.pk).exists()


def test_an_editor_writes_people_but_not_the_client(api, erin, acme):
    erin_api = api(erin)
    created = erin_api.post("/api/departments/", {"client": "acme", "name": "Ops"}, format="json")
    assert created.status_code == 201
    contact = erin_api.post(
        "/api/contacts/",
        {"client": "acme", "first_name": "Eve", "department": created.json()["id"]},
        format="json",
    )
    assert contact.status_code == 201, contact.json()
    assert erin_api.delete(f"/api/contacts/{contact.json()['id']}/").status_code == 204
    assert erin_api.patch("/api/clients/acme/", {"notes": "x"}, format="json").status_code == 403
    assert erin_api.post("/api/clients/", NEW_CLIENT, format="json").status_code == 403


def test_a_consultant_manages_but_may_not_create_or_delete_clients(api, bob, acme):
    bob_api = api(bob)
    assert bob_api.patch("/api/clients/acme/", {"monthly_fee": "99.50"}).status_code == 200
    assert Client.objects.get(slug="acme").monthly_fee == 99.5
    assert bob_api.post("/api/clients/", NEW_CLIENT, format="json").status_code == 403
    assert bob_api.delete("/api/clients/acme/").status_code == 403
    assert Client.objects.filter(slug="acme").exists()


def test_the_owner_creates_and_deletes_clients(api, alice):
    alice_api = api(alice)
    assert alice_api.post("/api/clients/", NEW_CLIENT, format="json").status_code == 201
    assert alice_api.delete("/api/clients/initech/").status_code == 204
    assert not Client.objects.filter(slug="initech").exists()


def test_internal_notes_are_for_the_practice_only(api, bob, carol, erin, acme):
    assert "ACME-ONLY internal" in api(bob).get("/api/clients/acme/").json()["internal_notes"]
    for user in (carol, erin):
        body = api(user).get("/api/clients/acme/").json()
        assert "internal_notes" not in body
        assert "internal_notes" not in results(api(user).get("/api/clients/"))[0]
    api(bob).patch("/api/clients/acme/", {"internal_notes": "secret plan"}, format="json")
    # The audit log is the practice's record: the client's own people get none of it.
    assert results(api(carol).get("/api/audit-events/?client=acme")) == []
    bob_events = results(api(bob).get("/api/audit-events/?client=acme"))
    assert "secret plan" in str(bob_events)


def test_client_figures(api, carol, acme):
    rows = api(carol).get("/api/clients/acme/figures/").json()
    by_key = {r["key"]: r for r in rows}
    assert by_key["core.departments"]["value"] == 1
    assert by_key["core.contacts"]["value"] == 1
    assert set(rows[0]) == {"key", "label", "value", "unit", "better", "description"}
    assert api(carol).get("/api/clients/acme/figures.json").json() == rows


# --- memberships ---------------------------------------------------------------------------


def test_memberships_need_the_members_permission(api, alice, bob, carol, acme):
    newcomer = UserFactory(username="nina")
    payload = {"client": "acme", "user": "nina", "role": "editor"}
    assert len(results(api(bob).get("/api/memberships/"))) >= 2  # the practice sees members
    assert results(api(carol).get("/api/memberships/")) == []  # the client's people do not
    assert api(bob).post("/api/memberships/", payload, format="json").status_code == 403
    response = api(alice).post("/api/memberships/", payload, format="json")
    assert response.status_code == 201, response.json()
    membership = Membership.objects.get(user=newcomer)
    again = api(alice).post("/api/memberships/", payload, format="json")
    assert again.status_code == 400 and "already has a role" in again.json()["user"][0]
    url = f"/api/memberships/{membership.pk}/"
    assert api(alice).patch(url, {"role": "executive"}, format="json").status_code == 200
    assert api(bob).delete(url).status_code == 403
    assert api(alice).delete(url).status_code == 204


@pytest.mark.parametrize("role", ["owner", "admin", "wizard"])
def test_practice_wide_roles_are_not_granted_here(api, alice, acme, role):
    UserFactory(username="nina")
    response = api(alice).post(
        "/api/memberships/", {"client": "acme", "user": "nina", "role": role}, format="json"
    )
    assert response.status_code == 400 and "role" in response.json()


def test_the_owners_own_membership_cannot_be_removed_here(api, alice):
    own = Membership.objects.get(user=alice)
    assert api(alice).delete(f"/api/memberships/{own.pk}/").status_code == 400
    assert Membership.objects.filter(pk=own.pk).exists()


# --- audit log -------------------------------------------------------------------------------


def test_api_writes_are_audited_with_the_actor(api, erin, acme):
    erin_api = api(erin)
    dept_id = erin_api.post(
        "/api/departments/", {"client": "acme", "name": "Ops"}, format="json"
    ).json()["id"]
    erin_api.patch(f"/api/departments/{dept_id}/", {"cost_centre": "CC-9"}, format="json")
    erin_api.delete(f"/api/departments/{dept_id}/")
    events = AuditEvent.objects.filter(object_id=str(dept_id)).order_by("id")
    assert [e.action for e in events] == ["create", "update", "delete"]
    assert {e.actor_name for e in events} == {"erin"}
    assert {e.client_id for e in events} == {acme.pk}
    assert events[1].changes == {"cost_centre": ["", "CC-9"]}


def test_audit_events_are_read_only(api, alice, acme):
    assert api(alice).post("/api/audit-events/", {}, format="json").status_code == 405


# --- schema and docs ---------------------------------------------------------------------------


def test_schema_and_docs_need_a_login(api, bob):
    assert APIClient().get("/api/schema/").status_code == 401
    docs = APIClient().get("/api/docs/")
    assert docs.status_code == 302 and "/accounts/login/" in docs["Location"]
    schema = api(bob).get("/api/schema/")
    assert schema.status_code == 200 and b"bearerAuth" in schema.content
    docs = api(bob).get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


# --- query counts stay flat ------------------------------------------------------------------


def _queries(api_client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert api_client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("endpoint", ["clients", "contacts", "departments", "memberships"])
def test_list_query_count_does_not_grow_with_rows(api, alice, acme, endpoint):
    def add(n: int) -> None:
        for _ in range(n):
            other = ClientFactory()
            dept = DepartmentFactory(client=other)
            ContactFactory(client=other, department=dept)
            # No password: hashing 50 of them would dominate the test's time.
            user = get_user_model().objects.create(username=f"member-{other.slug}")
            Membership.objects.create(user=user, client=other, role="editor")

    alice_api = api(alice)
    add(4)
    few = _queries(alice_api, f"/api/{endpoint}/")
    add(45)
    many = _queries(alice_api, f"/api/{endpoint}/")
    assert few == many


# --- the browsable API -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/",
        "/api/clients/",
        "/api/clients/acme/",
        "/api/departments/",
        "/api/contacts/",
        "/api/memberships/",
        "/api/audit-events/",
        "/api/tokens/",
        "/api/me/",
    ],
)
def test_browsable_pages_render_without_foreign_data(api, alice, carol, dave, gina, url):
    assert api(alice).get(url, HTTP_ACCEPT="text/html").status_code == 200
    response = api(carol).get(url, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    page = response.content.decode()
    # Not even in the choices of a form: other clients' names and users stay hidden.
    for foreign in ("Globex", "globex", "dave", "gina", "internal practice note"):
        assert foreign not in page, (url, foreign)
