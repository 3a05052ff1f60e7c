"""Shared fixtures: two clients and named users of every role.

``alice`` owns the practice, ``frank`` administers it, ``bob`` consults for
Acme only, ``tess`` is Acme's technician, ``carol`` is Acme's executive,
``erin`` edits for Acme, ``dave`` is Globex's executive and ``gina``
consults for Globex only. Acme's rows carry the marker ``ACME-ONLY`` so a
leak into another user's page can be spotted by text.
"""

from __future__ import annotations

import os

import pytest

from vcio.core.roles import Role
from vcio.core.tests.factories import (
    PASSWORD,
    ClientFactory,
    ContactFactory,
    DepartmentFactory,
    make_user,
)

# Playwright fixtures (``browser``) for every app's browser tests.
pytest_plugins = ["vcio.core.tests.browser"]

ACME_MARKER = "ACME-ONLY"

# Route walkers are the slowest tests (minutes each): they run in shards, and a
# test whose id holds SHARD_ID goes to any xdist worker on its own. Every other
# test keeps its whole file on one worker, so module-scoped fixtures are built once.
SHARD_ID = "shard-"


def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class FileOrShardScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return nodeid if SHARD_ID in nodeid else super()._split_scope(nodeid)

    return FileOrShardScheduling(config, log)


def shards(count: int) -> list:
    """``count`` parameters for a sharded walker: (index, count), with ids xdist spreads."""
    return [pytest.param((i, count), id=f"{SHARD_ID}{i + 1}-of-{count}") for i in range(count)]


# The tests' monitor targets are servers they start on 127.0.0.1 (nothing else
# may be reached from here), which the monitor policy refuses by default: allow
# them, here and in the worker processes tests start. Tests of the policy itself
# set VCIO_MONITOR_ALLOW_LOCAL back to False.
os.environ.setdefault("VCIO_MONITOR_ALLOW_LOCAL", "1")


@pytest.fixture(autouse=True)
def _monitors_may_target_local_test_servers(settings):
    settings.VCIO_MONITOR_ALLOW_LOCAL = True


@pytest.fixture(autouse=True)
def _fresh_failure_counts():
    # Failed API tokens are counted per address in the cache, which outlives a
    # test; each test starts with a clean count (sign-in lockouts live in the
    # database and roll back with it).
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a user; tests check behaviour, not PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _shipped_eol_rules(request):
    """Put back the end-of-support table that a data migration loads.

    A transactional test ends by flushing every table, this one included.
    Run alone, pytest-django orders those tests last; under pytest-xdist a
    worker may run one before tests that expect the shipped rules.
    """
    names = set(request.fixturenames)
    if not (request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & names):
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in names else "db")
    from vcio.assets.eol import sync_shipped
    from vcio.assets.models import EolRule

    if not EolRule.objects.exists():
        sync_shipped()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def acme(db):
    client = ClientFactory(
        name="Acme Corp",
        slug="acme",
        industry="manufacturing",
        employee_count=120,
        notes=f"{ACME_MARKER} client note",
        internal_notes=f"{ACME_MARKER} internal practice note",
    )
    dept = DepartmentFactory(client=client, name=f"{ACME_MARKER} Finance")
    ContactFactory(
        client=client,
        first_name=f"{ACME_MARKER}-Ann",
        email="ann@acme.test",
        department=dept,
    )
    return client


@pytest.fixture
def globex(db):
    client = ClientFactory(name="Globex Health", slug="globex", industry="healthcare")
    dept = DepartmentFactory(client=client, name="Globex Clinic")
    ContactFactory(client=client, first_name="Gary", email="gary@globex.test", department=dept)
    return client


@pytest.fixture
def alice(db):
    user = make_user("alice", Role.OWNER)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def frank(db):
    return make_user("frank", Role.ADMIN)


@pytest.fixture
def bob(acme):
    return make_user("bob", Role.CONSULTANT, acme)


@pytest.fixture
def tess(acme):
    return make_user("tess", Role.TECHNICIAN, acme)


@pytest.fixture
def carol(acme):
    return make_user("carol", Role.EXECUTIVE, acme)


@pytest.fixture
def erin(acme):
    return make_user("erin", Role.EDITOR, acme)


@pytest.fixture
def dave(globex):
    return make_user("dave", Role.EXECUTIVE, globex)


@pytest.fixture
def gina(globex):
    return make_user("gina", Role.CONSULTANT, globex)


@pytest.fixture
def everyone(alice, frank, bob, tess, carol, erin, dave, gina):
    """Every named user, keyed by name."""
    return {u.username: u for u in (alice, frank, bob, tess, carol, erin, dave, gina)}


@pytest.fixture
def api():
    """``api(user)``: a DRF APIClient logged in as ``user``; ``api(token=key)`` a bearer one."""
    from rest_framework.test import APIClient

    def _api(user=None, token: str | None = None) -> APIClient:
        http = APIClient()
        if token:
            http.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        else:
            http.force_login(user)
        return http

    return _api


@pytest.fixture
def login(client):
    """``login(user)`` logs the Django test client in as ``user`` and returns it."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
