"""API tokens: how they authenticate, what they are limited to, how they are managed."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from vcio.core.models import ApiToken, AuditEvent, Client
from vcio.core.models.tokens import hash_key
from vcio.core.tests.factories import make_token


def bearer(key: str, keyword: str = "Bearer") -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    return api


def session(user) -> APIClient:
    api = APIClient()
    api.force_login(user)
    return api


def slugs(response) -> list[str]:
    return [row["slug"] for row in response.json()["results"]]


# --- authentication -------------------------------------------------------------


@pytest.mark.parametrize("keyword", ["Bearer", "Token"])
def test_a_token_authenticates_with_either_keyword(bob, keyword):
    _, key = make_token(bob)
    response = bearer(key, keyword).get("/api/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "bob"


def test_the_key_is_stored_only_as_its_hash(bob):
    token, key = make_token(bob)
    stored = ApiToken.objects.values().get(pk=token.pk)
    assert key not in [str(v) for v in stored.values()]
    assert stored["key_hash"] == hash_key(key)


def test_anonymous_requests_get_401_with_a_bearer_challenge(acme):
    response = APIClient().get("/api/clients/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header", ["Bearer nope", "Bearer", "Bearer a b", "Token vcio_wrong", "Bearer vcio_é"]
)
def test_a_bad_token_header_is_401(bob, header):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get("/api/clients/")
    assert response.status_code == 401
    assert "token" in response.json()["detail"].lower()


def test_a_revoked_token_is_401_with_a_clear_message(bob):
    token, key = make_token(bob)
    token.revoke()
    response = bearer(key).get("/api/clients/")
    assert response.status_code == 401
    assert response.json()["detail"] == "This token was revoked."


def test_an_expired_token_is_401(bob):
    _, key = make_token(bob, expires_at=timezone.now() - timedelta(seconds=1))
    response = bearer(key).get("/api/clients/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_an_inactive_users_token_is_401(bob):
    _, key = make_token(bob)
    bob.is_active = False
    bob.save()
    assert bearer(key).get("/api/clients/").status_code == 401


def test_last_used_is_written_at_most_once_a_minute(bob):
    token, key = make_token(bob)
    api = bearer(key)
    api.get("/api/me/")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api.get("/api/me/")
    token.refresh_from_db()
    assert token.last_used_at == first  # no second write within the minute
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    api.get("/api/me/")
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=2)


@pytest.mark.django_db(transaction=True)
def test_a_locked_database_never_fails_a_request_over_the_tokens_last_used_time(bob):
    # Another connection holds the write lock, as a long import did on SQLite.
    token, key = make_token(bob)
    other = connections.create_connection("default")
    other.set_autocommit(False)
    try:
        with other.cursor() as cursor:
            if other.vendor == "sqlite":  # any write holds SQLite's one write lock
                cursor.execute("UPDATE core_importrun SET target = target")
            else:  # PostgreSQL locks rows: hold the token's
                cursor.execute("SELECT id FROM core_apitoken WHERE id = %s FOR UPDATE", [token.pk])
        response = bearer(key).get("/api/me/")
    finally:
        other.rollback()
        other.close()
    assert response.status_code == 200
    assert response.json()["username"] == "bob"
    token.refresh_from_db()
    assert token.last_used_at is None  # skipped, not waited for
    bearer(key).get("/api/me/")  # the lock is gone: the next use is recorded
    token.refresh_from_db()
    assert token.last_used_at is not None


# --- limits -----------------------------------------------------------------------


def test_a_read_only_token_may_not_write(bob, acme):
    _, key = make_token(bob, read_only=True)
    api = bearer(key)
    dept = acme.departments.get()
    assert api.get(f"/api/departments/{dept.pk}/").status_code == 200
    responses = [
        api.post("/api/departments/", {"client": "acme", "name": "Ops"}, format="json"),
        api.patch(f"/api/departments/{dept.pk}/", {"name": "Renamed"}, format="json"),
        api.delete(f"/api/departments/{dept.pk}/"),
    ]
    for response in responses:
        assert response.status_code == 403
        assert response.json()["detail"] == "This token is read-only."
    assert acme.departments.get().name == dept.name


def test_a_token_limited_to_acme_sees_acme_only(alice, acme, globex):
    _, key = make_token(alice, client=acme)
    api = bearer(key)
    assert slugs(api.get("/api/clients/")) == ["acme"]
    globex_dept = globex.departments.get()
    globex_contact = globex.contacts.get()
    assert api.get("/api/clients/globex/").status_code == 404
    assert api.get(f"/api/departments/{globex_dept.pk}/").status_code == 404
    assert api.get(f"/api/contacts/{globex_contact.pk}/").status_code == 404
    contacts = api.get("/api/contacts/").json()["results"]
    assert {c["client"] for c in contacts} == {"acme"}


def test_a_client_limited_token_cannot_do_practice_things(alice, acme, globex):
    # A practice-level event (a deleted client's) has no client: practice-wide only.
    AuditEvent.objects.create(
        client=None,
        client_name="Gone Ltd",
        action="delete",
        content_type=ContentType.objects.get_for_model(Client),
        object_id="99",
        object_repr="Gone Ltd",
    )
    _, key = make_token(alice, client=acme)
    api = bearer(key)
    create = api.post("/api/clients/", {"name": "New", "slug": "new"}, format="json")
    assert create.status_code == 403
    memberships = api.get("/api/memberships/").json()["results"]
    assert memberships == []  # alice's practice-wide membership is not acme's
    events = api.get("/api/audit-events/").json()["results"]
    assert all(e["client"] == "acme" for e in events)
    me = api.get("/api/me/").json()
    assert me["practice_perms"] == []
    assert me["token"]["client"] == "acme"
    # The same user through a session still sees everything.
    assert len(slugs(session(alice).get("/api/clients/"))) == 2


def test_a_token_cannot_exceed_its_user(bob, acme, globex):
    _, key = make_token(bob, client=globex)  # bob has no access to globex
    assert slugs(bearer(key).get("/api/clients/")) == []


# --- the tokens endpoint ------------------------------------------------------------


def test_creating_a_token_shows_the_key_once(bob, acme):
    api = session(bob)
    response = api.post(
        "/api/tokens/", {"name": "RMM sync", "client": "acme", "read_only": True}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    key = body["key"]
    assert key.startswith("vcio_")
    assert body["client"] == "acme" and body["read_only"] is True
    token = ApiToken.objects.get(pk=body["id"])
    assert token.key_hash == hash_key(key)
    assert "key" not in api.get(f"/api/tokens/{token.pk}/").json()
    assert all("key" not in row for row in api.get("/api/tokens/").json()["results"])
    assert bearer(key).get("/api/clients/").status_code == 200
    assert AuditEvent.objects.filter(action="create", object_id=str(token.pk)).exists()


def test_a_token_cannot_create_tokens(bob):
    _, key = make_token(bob)
    response = bearer(key).post("/api/tokens/", {"name": "more"}, format="json")
    assert response.status_code == 403
    assert "log in" in response.json()["detail"]
    assert ApiToken.objects.filter(user=bob).count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "x", "client": "globex"}, "client"),  # bob cannot see globex
        ({"name": "x", "client": "nope"}, "client"),
        ({"name": "x", "expires_at": "2000-01-01T00:00:00Z"}, "expires_at"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
    ],
)
def test_token_creation_errors_name_the_field(bob, globex, payload, field):
    response = session(bob).post("/api/tokens/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_users_see_and_revoke_only_their_own_tokens(bob, carol):
    mine, key = make_token(bob, name="mine")
    theirs, _ = make_token(carol, name="theirs")
    api = session(bob)
    assert [t["name"] for t in api.get("/api/tokens/").json()["results"]] == ["mine"]
    assert api.delete(f"/api/tokens/{theirs.pk}/").status_code == 404
    assert api.delete(f"/api/tokens/{mine.pk}/").status_code == 204
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None
    assert api.get(f"/api/tokens/{mine.pk}/").json()["is_active"] is False
    assert bearer(key).get("/api/me/").status_code == 401


def test_me_reports_memberships_and_token_limits(bob, acme):
    me = session(bob).get("/api/me/").json()
    assert me["username"] == "bob"
    assert me["token"] is None
    assert me["memberships"][0]["client"] == "acme"
    assert me["memberships"][0]["role"] == "consultant"
    assert "manage" in me["memberships"][0]["perms"]
    _, key = make_token(bob, read_only=True)
    me = bearer(key).get("/api/me/").json()
    assert me["token"]["read_only"] is True
    assert me["memberships"][0]["perms"] == ["commercial", "internal", "view"]


# --- the `vcio token` command -------------------------------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


def test_token_command_creates_lists_and_revokes(bob, acme):
    output = run(
        "create",
        "--user",
        "bob",
        "--name",
        "RMM",
        "--client",
        "acme",
        "--read-only",
        "--expires-days",
        "30",
    )
    assert "will not be shown again" in output
    key = next(line for line in output.splitlines() if line.startswith("vcio_"))
    token = ApiToken.objects.get(key_hash=hash_key(key))
    assert token.client == acme and token.read_only and token.expires_at is not None
    assert bearer(key).get("/api/clients/").status_code == 200

    listing = run("list", "--user", "bob")
    assert "RMM" in listing and token.prefix in listing and key not in listing
    assert "active" in listing

    assert "Revoked" in run("revoke", "--id", str(token.pk))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "already revoked" in run("revoke", "--id", str(token.pk))
    assert "revoked" in run("list", "--user", "bob")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "--user", "nobody", "--name", "x"], "No user named 'nobody'"),
        (["create", "--user", "bob", "--name", "x", "--client", "nope"], "No client with slug"),
        (["create", "--user", "bob", "--name", "x", "--client", "globex"], "no access to client"),
        (["create", "--user", "bob", "--name", "x", "--expires-days", "0"], "--expires-days"),
        (["create", "--user", "bob", "--name", " "], "--name"),
        (["list", "--user", "nobody"], "No user named"),
        (["revoke", "--id", "999"], "No token with id 999"),
    ],
)
def test_token_command_errors_are_clear(bob, globex, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
