"""The Django admin is for practice owners only."""

from __future__ import annotations

from vcio.core.roles import Role
from vcio.core.tests.factories import make_user


def test_an_owner_opens_the_admin_without_being_marked_staff(client, db, acme):
    owner = make_user("olga", Role.OWNER)
    assert not owner.is_staff and not owner.is_superuser
    client.force_login(owner)
    assert client.get("/admin/").status_code == 200
    page = client.get("/admin/core/client/")
    assert page.status_code == 200 and "Acme Corp" in page.content.decode()


def test_admins_consultants_and_client_users_are_kept_out(login, frank, bob, carol):
    for user in (frank, bob, carol):
        r = login(user).get("/admin/core/client/")
        assert r.status_code == 302 and r["Location"].startswith("/admin/login/"), user


def test_the_audit_log_is_read_only_even_for_owners(login, alice, acme):
    http = login(alice)
    assert http.get("/admin/core/auditevent/").status_code == 200
    assert http.get("/admin/core/auditevent/add/").status_code == 403


def test_the_admin_link_shows_for_owners_only(login, alice, bob):
    assert 'href="/admin/"' in login(alice).get("/").content.decode()
    assert 'href="/admin/"' not in login(bob).get("/").content.decode()
