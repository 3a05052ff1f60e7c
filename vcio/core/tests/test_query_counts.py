"""Pages run a fixed number of queries whatever the number of clients."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.core import audit
from vcio.core.roles import Role
from vcio.core.tests.factories import (
    ClientFactory,
    ContactFactory,
    DepartmentFactory,
    MembershipFactory,
)


def make_clients(n: int, consultant) -> None:
    for _ in range(n):
        client = ClientFactory()
        DepartmentFactory(client=client)
        ContactFactory(client=client)
        MembershipFactory(user=consultant, client=client, role=Role.CONSULTANT)


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/", "/clients/"])
@pytest.mark.parametrize("who", ["alice", "bob"])
def test_same_queries_for_5_and_50_clients(login, alice, bob, url, who):
    user = {"alice": alice, "bob": bob}[who]
    make_clients(5, bob)
    http = login(user)
    with_5 = queries(http, url)
    make_clients(45, bob)
    with_50 = queries(http, url)
    assert with_50 == with_5
    page = http.get(url)
    assert len(page.context["rows"]) == 51  # and Acme from the fixtures


@pytest.mark.parametrize("path", ["departments/", "contacts/", "members/", "audit/", ""])
def test_client_pages_do_not_grow_with_rows(login, bob, acme, path):
    http = login(bob)
    url = f"/clients/acme/{path}"
    for _ in range(3):
        DepartmentFactory(client=acme)
        audit.record_create(bob, ContactFactory(client=acme))
    few = queries(http, url)
    for _ in range(30):
        contact = ContactFactory(client=acme, department=DepartmentFactory(client=acme))
        audit.record_create(bob, contact)
    assert queries(http, url) == few
