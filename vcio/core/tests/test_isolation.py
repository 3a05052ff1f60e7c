"""Client isolation: every route, walked by users of another client.

The walker enumerates the URLconf and the API router itself, so a view
added tomorrow is covered without anybody adding it here. If a new model
belongs to a client, add one row of it to ``isolation_world`` below: the
walker refuses to run a route whose model has no victim row.
"""

from __future__ import annotations

import pytest

from conftest import ACME_MARKER, shards
from vcio.assessments.tests.isolation import assessment_rows_for
from vcio.assets.tests.factories import asset_rows_for
from vcio.availability.tests.isolation import availability_rows_for
from vcio.capacity.tests.isolation import capacity_rows_for
from vcio.core import audit
from vcio.core.models import Department, ImportRun
from vcio.core.tests.factories import make_token
from vcio.core.tests.walker import Actor, World, fill, iter_routes, routes_of_shard, walk
from vcio.helpdesk.tests.isolation import helpdesk_rows_for
from vcio.needs.tests.isolation import needs_rows_for
from vcio.practice.tests.isolation import practice_rows_for
from vcio.reviews.tests.factories import review_rows_for
from vcio.strategy.tests.factories import strategy_rows_for

# The walk takes minutes; its shards run on different test workers at once.
WALK_SHARDS = 4


@pytest.fixture
def isolation_world(acme, globex, alice, bob, carol, erin, tess, dave, gina) -> World:
    """Acme is the victim (one row of every scoped model); Globex's people attack."""
    make_token(bob, name=f"{ACME_MARKER} bob's sync token", client=acme)
    audit.record_create(bob, Department.objects.get(client=acme))
    ImportRun.objects.create(
        client=acme, target="contacts", file_names=[f"{ACME_MARKER}-people.csv"], user=bob
    )
    asset_rows_for(acme, ACME_MARKER)  # an asset, a licence, a policy (and a shared EOL rule)
    availability_rows_for(acme, ACME_MARKER)  # services, monitors, results, outages, alerts
    capacity_rows_for(acme, ACME_MARKER)  # series, rollups, targets, connectors, tokens
    helpdesk_rows_for(acme, ACME_MARKER)  # tickets, topics, a topic model, policy, SLA targets
    strategy_rows_for(acme, ACME_MARKER)  # goals, KPIs, initiatives, recommendations, ...
    review_rows_for(acme, ACME_MARKER, bob)  # reviews (final + draft), decisions, action items
    assessment_rows_for(acme, ACME_MARKER, bob)  # an assessment, answers, evidence, a risk
    needs_rows_for(acme, ACME_MARKER, bob)  # a survey round, invitations, answers, a need
    practice_rows_for(acme, ACME_MARKER, bob)  # a fee change, a cost rate, a time entry
    return World(
        victim_client=acme,
        victim_user=bob,
        markers=[ACME_MARKER, acme.name],
        owner=alice,
    )


@pytest.fixture
def attackers(globex, alice, gina, dave) -> list[Actor]:
    _, owner_token_for_globex = make_token(alice, name="globex only", client=globex)
    _, gina_token = make_token(gina, name="gina")
    return [
        Actor("gina (Globex consultant)", user=gina),
        Actor("dave (Globex executive)", user=dave),
        Actor("owner's token limited to Globex", user=alice, token=owner_token_for_globex),
        Actor("gina's token", user=gina, token=gina_token),
    ]


@pytest.mark.parametrize("shard", shards(WALK_SHARDS))
def test_no_route_leaks_another_clients_data(isolation_world, attackers, shard):
    findings = walk(isolation_world, attackers, shard=shard)
    assert [str(f) for f in findings] == []


def test_the_shards_together_walk_every_route_once():
    routes = list(iter_routes())
    walked = [r for i in range(WALK_SHARDS) for r in routes_of_shard(routes, (i, WALK_SHARDS))]
    assert sorted(walked, key=repr) == sorted(routes, key=repr)


def test_the_walk_reaches_pages_the_api_and_the_admin(isolation_world):
    walked = [r for r in iter_routes() if fill(r, isolation_world) is not None]
    names = {r.name for r in walked}
    assert {"core:client_detail", "core:department_update", "core:token_revoke"} <= names
    assert any(r.is_api and "{pk}" in r.template for r in walked)
    assert any(r.is_api and "{slug}" in r.template for r in walked)
    assert any(r.is_admin for r in walked)


def test_walker_enumerates_every_route_of_the_urlconf():
    routes = list(iter_routes())
    templates = {r.template for r in routes}
    assert "/clients/{client}/departments/{pk}/edit/" in templates
    assert "/api/departments/{pk}/" in templates
    assert len(routes) > 40


def test_walker_catches_an_unscoped_view(isolation_world, attackers, settings):
    # Switched after the world is built: its rows link to the real pages.
    settings.ROOT_URLCONF = "vcio.core.tests.leaky_urls"
    findings = walk(isolation_world, attackers)
    by_route: dict[str, set[str]] = {}
    for f in findings:
        by_route.setdefault(f.route, set()).add(f.problem)
    assert any("another client's data" in p for p in by_route["/leak/acme/"])
    assert any(ACME_MARKER in p for p in by_route["/leak/acme/"])
    assert any(ACME_MARKER in p for p in by_route["/leak-list/"])
    assert "changed the victim's data" in by_route["/leak-write/acme/"]
    # The properly scoped view in the same URLconf is not reported.
    assert "/safe/acme/" not in by_route
