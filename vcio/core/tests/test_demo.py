"""``vcio demo``: a realistic practice, loaded once, safe to load again."""

from __future__ import annotations

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command

from vcio.core.models import Client, Contact, Department, Membership
from vcio.core.roles import Role


def load(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count() for m in (Client, Department, Contact, Membership, get_user_model())
    )


def test_demo_has_three_different_clients_and_every_role(db):
    output = load()
    clients = list(Client.objects.order_by("employee_count"))
    assert len(clients) >= 3
    assert len({c.industry for c in clients}) == len(clients)
    assert clients[0].employee_count < 50 < clients[-1].employee_count
    assert {m.role for m in Membership.objects.all()} == set(Role.values)
    for client in clients:
        assert client.departments.exists() and client.contacts.exists()
    assert "alice" in output and "vcio-demo" in output


def test_demo_is_idempotent(db):
    load()
    before = counts()
    load()
    assert counts() == before


def test_if_empty_leaves_an_existing_practice_alone(db, acme):
    output = load("--if-empty")
    assert "already has clients" in output
    assert Client.objects.count() == 1
    assert "No demo logins here" in output  # no promise of logins that don't exist


def test_logins_are_printed_after_the_demo_was_loaded(db):
    load("--quiet")
    output = load("--logins")
    assert "alice" in output and "vcio-demo" in output and "carol" in output


def test_demo_logins_work(client, db):
    load()
    assert client.login(username="carol", password="vcio-demo")
    # A client executive lands on the client portal, on their own client.
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/portal/acme/"
    page = response.content.decode()
    assert "Acme Manufacturing" in page and "Globex" not in page.split("<main")[1]
