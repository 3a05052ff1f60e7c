"""The permission-matrix walker: every role against every client page and API action.

Like the isolation walker (and with its route enumeration, so a new view is
covered the moment it is routed), but the users belong to the victim client:
one per role. What each of them should get comes from the matrix
(:data:`vcio.core.roles.ROLE_PERMS`) and the permission the view declares
(:func:`vcio.core.roles.perm_for`), never from a list kept here:

- a role the matrix refuses gets 403/404/405 (or, on an API list, no rows),
  and its writes are rolled back whatever happens, so the walk never
  changes the data it aims at;
- a role the matrix allows to read a page gets what the practice owner gets.

Writes of allowed roles are not sent: a form posted with a replayed row may
legitimately succeed, fail validation or depend on the row's state, and the
feature tests cover them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from vcio.core.roles import perm_for, role_may_use
from vcio.core.tests.walker import (
    DENIED,
    PUBLIC_ROUTE_NAMES,
    WRITE_METHODS,
    Finding,
    Ledger,
    Route,
    World,
    _body,
    _payload,
    _request,
    fill,
    is_owned,
    iter_routes,
)


class _Rollback(Exception):
    """Raised inside the atomic block so whatever a request wrote is undone."""


@dataclass
class Member:
    """A user of the victim client holding one role."""

    role: str
    user: Any


class Declared:
    """The view as the matrix sees it: its class, with a DRF action's own arguments on top."""

    def __init__(self, route: Route) -> None:
        self._cls = route.view
        self._extra = route.initkwargs

    def __getattr__(self, name: str) -> Any:
        if name in self._extra:
            return self._extra[name]
        return getattr(self._cls, name)


def walks(route: Route) -> bool:
    """Whether ``route`` reaches one client's data: a client page, or an API on client rows."""
    if route.is_admin or route.name in PUBLIC_ROUTE_NAMES:
        return False
    if "client" in route.params:
        return True
    model = route.model
    return (
        route.is_api
        and model is not None
        and is_owned(model)
        and getattr(model, "scope_kind", "client") == "client"
    )


def methods_of(route: Route) -> list[str]:
    """The HTTP methods ``route`` answers (all of them for a plain function view)."""
    if route.actions is not None:
        return [m for m in ("get", *WRITE_METHODS) if m in route.actions]
    names = getattr(route.view, "http_method_names", None)
    if names is None:
        return ["get", *WRITE_METHODS]
    return [m for m in ("get", *WRITE_METHODS) if m in names and hasattr(route.view, m)]


def is_list(route: Route) -> bool:
    return bool(route.actions) and route.actions.get("get") == "list"


def no_rows(body: str) -> bool:
    """True when an API list answered with no rows at all."""
    try:
        data = json.loads(body)
    except ValueError:
        return False
    rows = data.get("results") if isinstance(data, dict) else data
    return rows == []


@dataclass
class _Session:
    """The walker's request helper takes an actor; members use their session, no token."""

    token: None = None


SESSION = _Session()


def send(ledger: Ledger, member: Member, method: str, url: str, route: Route, world: World):
    """One request as ``member``; anything it writes is rolled back."""
    http = ledger.http(member.role, member.user)
    data = _payload(route, world) if method != "get" else None
    box: dict[str, Any] = {}
    try:
        with transaction.atomic():
            box["r"] = _request(http, SESSION, method, url, route, data)
            raise _Rollback
    except _Rollback:
        pass
    return box["r"]


def check_member(
    route: Route, url: str, member: Member, world: World, owner_status: int, ledger: Ledger
) -> Iterator[Finding]:
    """What ``member`` gets on ``url``, against what the matrix says."""
    view = Declared(route)
    for method in methods_of(route):
        needed = perm_for(view, method)
        allowed = role_may_use(member.role, view, method)
        if allowed and method != "get":
            continue
        r = send(ledger, member, method, url, route, world)
        who = f"{member.role} ({member.user.username})"
        if r.status_code >= 500:
            yield Finding(url, who, method, f"server error {r.status_code}")
        elif not allowed:
            if r.status_code in DENIED:
                continue
            if method == "get" and is_list(route) and no_rows(_body(r)):
                continue
            yield Finding(url, who, method, f"answered {r.status_code} without {needed!s}")
        elif r.status_code != owner_status:
            yield Finding(
                url,
                who,
                method,
                f"answered {r.status_code} (owner: {owner_status}) with {needed!s}",
            )


def walk_matrix(
    world: World,
    members: list[Member],
    on_route: Callable[[Route], None] | None = None,
) -> list[Finding]:
    """Every disagreement between the matrix and what the routes answer; empty when they agree."""
    findings: list[Finding] = []
    ledger = Ledger()
    for route in iter_routes():
        if not walks(route):
            continue
        url = fill(route, world)
        if on_route:
            on_route(route)
        owner_status = ledger.http("owner", world.owner).get(url).status_code
        for member in members:
            findings += check_member(route, url, member, world, owner_status, ledger)
    return findings
