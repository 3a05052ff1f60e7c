"""No input produces a 500: every route, fed garbage by its most powerful user.

Like the isolation walker, this enumerates the URLconf and the API router,
so new forms and endpoints are covered without being listed here. The form
fields of a web page are read from the page itself; an API endpoint's from
the serializer behind it.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient

from conftest import shards
from vcio.assessments.tests.isolation import assessment_rows_for
from vcio.assets.tests.factories import asset_rows_for
from vcio.availability.tests.isolation import availability_rows_for
from vcio.capacity.tests.isolation import capacity_rows_for
from vcio.core.models import ImportRun
from vcio.core.tests.factories import make_token
from vcio.core.tests.walker import World, fill, iter_routes, routes_of_shard
from vcio.helpdesk.tests.isolation import helpdesk_rows_for
from vcio.needs.tests.isolation import needs_rows_for
from vcio.practice.tests.isolation import practice_rows_for
from vcio.reviews.tests.factories import review_rows_for
from vcio.strategy.tests.factories import strategy_rows_for

GARBAGE = [
    "",
    "x" * 5000,
    "-1",
    "1e999",
    "NaN",
    "13",
    "2024-02-31",
    "nul\x00byte",
    "<script>alert(1)</script>",
    "💥",
    "9" * 40,
    "acme",
]
QUERY_KEYS = ["q", "search", "ordering", "page", "page_size", "client", "industry", "since"]
_INPUT = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')


def form_fields(html: str) -> list[str]:
    return [n for n in _INPUT.findall(html) if n not in {"csrfmiddlewaretoken", "next"}]


def api_fields(route) -> list[str]:
    serializer_class = getattr(route.view, "serializer_class", None)
    if serializer_class is None:
        return []
    return list(serializer_class().fields)


@pytest.fixture
def world(acme, globex, alice, bob, carol) -> World:
    make_token(alice, name="alice's script")
    ImportRun.objects.create(
        client=acme,
        target="contacts",
        file_names=["people.csv"],
        headers=["First name", "Email"],
        mapping={"First name": "first_name", "Email": "email"},
        files_kept=True,
    )
    asset_rows_for(acme, "x")  # a row for every asset route that takes an id
    availability_rows_for(acme, "x")  # services, monitors, results, outages, alerts
    capacity_rows_for(acme, "x")  # series, rollups, targets, connectors, tokens
    helpdesk_rows_for(acme, "x")  # tickets, topics, a topic model, policy, SLA targets
    strategy_rows_for(acme, "x")
    review_rows_for(acme, "x", alice)
    assessment_rows_for(acme, "x", alice)
    needs_rows_for(acme, "x", alice)  # a survey round, invitations, answers, a need
    practice_rows_for(acme, "x", alice)  # a fee change, a cost rate, a time entry
    return World(victim_client=acme, victim_user=alice, markers=[], owner=alice)


@pytest.mark.parametrize("shard", shards(4))  # minutes in all: shards run on different workers
def test_garbage_never_causes_a_server_error(world, alice, shard):
    http = HttpClient(raise_request_exception=False)
    http.force_login(alice)
    errors: list[str] = []
    for route in routes_of_shard(iter_routes(), shard):
        if route.is_admin or "{format}" in route.template:
            continue
        url = fill(route, world)
        page = http.get(url)
        if page.status_code >= 500:
            errors.append(f"GET {url}: {page.status_code}")
        for value in GARBAGE:
            query = "&".join(f"{k}={value[:200]}" for k in QUERY_KEYS)
            r = http.get(f"{url}?{query}".replace("\x00", "%00"))
            if r.status_code >= 500:
                errors.append(f"GET {url}?{query[:60]}…: {r.status_code}")
        if route.is_api:
            fields = api_fields(route)
            for value in GARBAGE:
                for method in ("post", "put", "patch"):
                    r = getattr(http, method)(
                        url, {f: value for f in fields}, content_type="application/json"
                    )
                    if r.status_code >= 500:
                        errors.append(f"{method.upper()} {url} all={value[:20]!r}: {r.status_code}")
            r = http.post(url, "{not json", content_type="application/json")
            if r.status_code >= 500:
                errors.append(f"POST {url} malformed JSON: {r.status_code}")
        elif (
            page.status_code == 200
            and not page.streaming  # a download (CSV export) holds no form to fill
            and page.get("Content-Type", "").startswith("text/html")  # nor does a PDF
            and not re.search(r"delete|revoke", route.name or "")
        ):
            # Deleting takes no input; posting would only remove the fixture.
            fields = form_fields(page.content.decode())
            for value in GARBAGE:
                r = http.post(url, {f: value for f in fields})
                if r.status_code >= 500:
                    errors.append(f"POST {url} all={value[:20]!r}: {r.status_code}")
    assert errors == []


def test_a_nul_character_is_refused_with_a_message_before_any_view(login, bob, acme):
    http = login(bob)
    r = http.get("/switch/?client=ac%00me")
    assert r.status_code == 400 and "NUL character" in r.content.decode()
    r = http.post(
        "/api/departments/",
        '{"client": "acme", "name": "Fin\\u0000ance"}',
        content_type="application/json",
    )
    assert r.status_code == 400 and "NUL character" in r.json()["detail"]
    r = http.post("/clients/acme/departments/new/", {"name": "Fin\x00ance"})
    assert r.status_code == 400
    assert not acme.departments.filter(name__startswith="Fin").exists()
