"""The isolation walker: every route, tried by users of another client.

Routes are enumerated from the URLconf itself (Django views and the DRF
router alike), never from a hand-kept list, so a new view is covered the
moment it is routed. For each route the walker fills the URL parameters
with the *victim* client's objects and tries every method as each
*attacker*; it reports a finding when an attacker gets anything but a
403/404/405 on the victim's object, sees a victim marker in any response,
changes any of the victim's rows, or gets a 500. Anonymous requests must be
sent to a login page (web) or get a 401 (API), except on public routes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import models
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver

# Routes anybody may open; they must still show no client data.
PUBLIC_ROUTE_NAMES = frozenset(
    {
        "login",
        "logout",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "healthz",
        "favicon",
        "admin:login",
        "admin:logout",
        "admin:password_reset",
        "admin:view_on_site",
        "admin:jsi18n",
        # Inventory agents authenticate by the ingest token in the URL (401 without a good one).
        "capacity-agent",
        "capacity-agent-no-slash",
        # A department head's survey link: the random key in the URL is the credential.
        "needs:answer",
    }
)
DENIED = {401, 403, 404, 405}
WRITE_METHODS = ("post", "put", "patch", "delete")
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")
_CONVERTER = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    """One URL pattern with everything needed to request it."""

    template: str  # "/clients/{client}/departments/{pk}/edit/"
    name: str | None
    params: tuple[str, ...]
    view: Any  # the view class (Django CBV, DRF view) or function
    is_api: bool
    is_admin: bool
    # DRF only: the action's extra arguments (e.g. ``write_perm``) and method → action.
    initkwargs: dict = field(default_factory=dict, hash=False, compare=False)
    actions: dict | None = field(default=None, hash=False, compare=False)

    @property
    def model(self) -> type[models.Model] | None:
        model = getattr(self.view, "model", None)
        if model is None:
            qs = getattr(self.view, "queryset", None)
            model = getattr(qs, "model", None)
        return model


@dataclass
class Finding:
    route: str
    actor: str
    method: str
    problem: str

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.route} as {self.actor}: {self.problem}"


@dataclass
class Actor:
    """Someone who must not reach the victim's data: a session user or a token."""

    name: str
    user: Any = None
    token: str | None = None  # API routes only
    is_staff: bool = False


@dataclass
class World:
    """The victim's client, a user owning user-scoped rows, and strings only it has."""

    victim_client: Any
    victim_user: Any
    markers: list[str]
    owner: Any  # a practice owner: every route must answer them without a 500
    extra_values: dict[str, str] = field(default_factory=dict)


def _template(pattern) -> tuple[str, tuple[str, ...]]:
    raw = str(pattern.pattern) if hasattr(pattern, "pattern") else str(pattern)
    names: list[str] = []
    if raw.startswith("^") or raw.endswith("$") or "(?P<" in raw:

        def repl(m: re.Match) -> str:
            names.append(m["name"])
            return "{" + m["name"] + "}"

        text = _GROUP.sub(repl, raw).lstrip("^").rstrip("$")
        text = text.replace("\\.", ".").replace("\\/", "/").replace("/?", "/")
    else:

        def repl(m: re.Match) -> str:
            names.append(m["name"])
            return "{" + m["name"] + "}"

        text = _CONVERTER.sub(repl, raw)
    return text, tuple(names)


def iter_routes(urlconf: str | None = None) -> Iterator[Route]:
    """Every URL pattern reachable from ``urlconf`` (the project's by default)."""

    def walk(patterns, prefix: str, params: tuple[str, ...], ns: str | None):
        for p in patterns:
            text, names = _template(p.pattern)
            if isinstance(p, URLResolver):
                sub_ns = p.namespace or ns
                if p.namespace and ns:
                    sub_ns = f"{ns}:{p.namespace}"
                yield from walk(p.url_patterns, prefix + text, params + names, sub_ns)
            elif isinstance(p, URLPattern):
                view = getattr(p.callback, "view_class", None) or getattr(p.callback, "cls", None)
                view = view or p.callback
                name = f"{ns}:{p.name}" if ns and p.name else p.name
                full = "/" + prefix + text
                yield Route(
                    template=full,
                    name=name,
                    params=params + names,
                    view=view,
                    is_api=full.startswith("/api/"),
                    is_admin=full.startswith("/admin/"),
                    initkwargs=dict(getattr(p.callback, "initkwargs", None) or {}),
                    actions=getattr(p.callback, "actions", None),
                )

    yield from walk(get_resolver(urlconf).url_patterns, "", (), None)


def routes_of_shard(routes: Iterable[Route], shard: tuple[int, int] | None) -> Iterator[Route]:
    """Routes i, i + n, i + 2n, … for ``shard=(i, n)``; every route when None."""
    for index, route in enumerate(routes):
        if shard is None or index % shard[1] == shard[0]:
            yield route


def scoped_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if is_owned(m)]


def is_owned(model: type[models.Model]) -> bool:
    """Whether rows of ``model`` belong to a client or a user (it declares ``scope_field``).

    A model without one is practice-wide reference data every client shares
    (e.g. the EOL table): its rows are nobody's to leak, so a route on it is
    aimed at any row and not judged as "another client's data".
    """
    return bool(getattr(model, "scope_field", None))


def victim_rows(model: type[models.Model], world: World) -> models.QuerySet:
    """The victim's rows of ``model`` (by its declared scope, not by hand)."""
    if getattr(model, "scope_kind", "client") == "user":
        return model._default_manager.filter(**{model.scope_field: world.victim_user.pk})
    return model._default_manager.filter(**{model.scope_field: world.victim_client.pk})


def fingerprint(world: World) -> list[tuple[str, list]]:
    """Every victim row of every scoped model, to detect any write."""
    return [
        (m._meta.label, list(victim_rows(m, world).order_by("pk").values_list()))
        for m in scoped_models()
    ]


def fill(route: Route, world: World) -> str | None:
    """The URL of ``route`` aimed at the victim's objects (``None``: no parameters)."""
    if not route.params:
        return route.template
    if route.name in PUBLIC_ROUTE_NAMES:
        return route.template.format(**{p: "x" for p in route.params})
    if route.is_admin:
        values = {"app_label": "core", "object_id": "1", "content_type_id": "1"}
        values.update({p: "1" for p in route.params if p not in values})
        return route.template.format(**values)
    model = route.model
    obj = None
    if set(route.params) - {"client", "format"}:
        if model is None:
            raise AssertionError(
                f"{route.template} takes {route.params} but its view names no model: set "
                "`model` on the view so the isolation walker can aim it at another client's row"
            )
        rows = victim_rows(model, world) if is_owned(model) else model._default_manager.all()
        obj = rows.order_by("pk").first()
        if obj is None:
            raise AssertionError(
                f"the isolation fixture has no {model.__name__} of the victim client: add one"
            )
    values = {}
    for name in route.params:
        if name == "client":
            values[name] = world.victim_client.slug
        elif name == "format":
            # DRF's suffix group sometimes includes the dot, sometimes not.
            values[name] = "json" if ".{format}" in route.template else ".json"
        elif name in world.extra_values:
            values[name] = world.extra_values[name]
        elif obj is not None and hasattr(obj, name):
            values[name] = str(getattr(obj, name))
        else:
            raise AssertionError(f"{route.template}: the walker cannot fill parameter {name!r}")
    return route.template.format(**values)


def _request(http: HttpClient, actor: Actor, method: str, url: str, route: Route, data):
    headers = {}
    if actor.token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {actor.token}"
    if route.is_api:
        return getattr(http, method)(url, data=data, content_type="application/json", **headers)
    if method in ("post",):
        return http.post(url, data=data or {}, **headers)
    return getattr(http, method)(url, **headers)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _payload(route: Route, world: World) -> dict:
    """A replay of a victim row aimed at the victim client: what an attacker would try."""
    model = route.model
    data: dict[str, Any] = {"client": world.victim_client.slug}
    if model is not None and is_owned(model):
        obj = victim_rows(model, world).order_by("pk").first()
        if obj is not None:
            for f in model._meta.concrete_fields:
                if f.primary_key or f.name == "client":
                    continue
                value = getattr(obj, f.attname)
                if value is None:
                    continue
                data[f.name] = (
                    value if isinstance(value, str | int | bool) or value is None else str(value)
                )
            data["name"] = f"{data.get('name', 'x')} copy"
    return data


@dataclass
class Ledger:
    """What the walk keeps between requests: the victim's rows and one browser per actor.

    The victim's rows as they stand, so each write is compared once, to the
    last state: taking the fingerprint before *and* after every write doubled
    the walk's cost. One test client per actor, logged in once: a new client
    per request loaded the whole middleware stack (WhiteNoise scans the
    static files) for each of thousands of requests.
    """

    state: list[tuple[str, list]] | None = None
    clients: dict[str, HttpClient] = field(default_factory=dict)

    def http(self, name: str, user: Any = None) -> HttpClient:
        """The test client of ``name`` (logged in as ``user`` when given), made once."""
        if name not in self.clients:
            self.clients[name] = HttpClient(raise_request_exception=False)
        http = self.clients[name]
        if user is not None and "_auth_user_id" not in http.session:
            http.force_login(user)  # first use, or a walked logout route logged it out
        return http

    def changed(self, world: World) -> bool:
        """Whether the victim's rows differ from the last state (which becomes the new one)."""
        now = fingerprint(world)
        moved = self.state is not None and now != self.state
        self.state = now
        return moved


def check_actor(
    route: Route, url: str, actor: Actor, world: World, ledger: Ledger | None = None
) -> list[Finding]:
    """Try every method on ``url`` as ``actor``; return what went wrong."""
    findings: list[Finding] = []
    ledger = ledger or Ledger()
    if ledger.state is None:
        ledger.changed(world)  # the starting state
    if actor.token and not route.is_api:
        return findings
    session_user = actor.user if not actor.token else None
    http = ledger.http(actor.name, session_user)
    if route.is_admin and not actor.is_staff:
        r = http.get(url)
        if not (
            r.status_code in (302, 403, 404)
            or r.status_code == 200
            and route.name in PUBLIC_ROUTE_NAMES
        ):
            findings.append(Finding(url, actor.name, "get", f"admin answered {r.status_code}"))
        return findings
    shared = route.model is not None and not is_owned(route.model)
    aimed = "client" in route.params or (not shared and bool(set(route.params) - {"format"}))
    for method in ("get",) + WRITE_METHODS:
        http = ledger.http(actor.name, session_user)
        data = _payload(route, world) if method != "get" else None
        r = _request(http, actor, method, url, route, data)
        body = _body(r)
        if r.status_code >= 500:
            findings.append(Finding(url, actor.name, method, f"server error {r.status_code}"))
        leaked = [m for m in world.markers if m in body]
        if leaked:
            findings.append(Finding(url, actor.name, method, f"shows the victim's {leaked[0]!r}"))
        if aimed and route.name not in PUBLIC_ROUTE_NAMES and r.status_code not in DENIED:
            findings.append(
                Finding(
                    url, actor.name, method, f"answered {r.status_code} on another client's data"
                )
            )
        if method != "get" and ledger.changed(world):
            findings.append(Finding(url, actor.name, method, "changed the victim's data"))
            break  # later methods would only repeat the finding
    return findings


def check_anonymous(
    route: Route, url: str, world: World, ledger: Ledger | None = None
) -> list[Finding]:
    """Anonymous users: login page (web) or 401 (API), except on public routes."""
    http = (ledger or Ledger()).http("anonymous")
    r = http.get(url)
    body = _body(r)
    findings = []
    leaked = [m for m in world.markers if m in body]
    if leaked:
        findings.append(Finding(url, "anonymous", "get", f"shows {leaked[0]!r}"))
    if route.name in PUBLIC_ROUTE_NAMES:
        return findings
    login_redirect = r.status_code == 302 and r.get("Location", "").startswith("/accounts/login/")
    if route.is_api:
        # Scripts get a 401; the HTML docs page sends a browser to the login page.
        ok = r.status_code == 401 or login_redirect
    elif route.is_admin:
        ok = r.status_code == 302 and "/admin/login/" in r.get("Location", "")
    else:
        ok = (
            login_redirect or r.status_code == 405
        )  # POST-only endpoints refuse GET before anything
    if not ok:
        findings.append(Finding(url, "anonymous", "get", f"answered {r.status_code}, not a login"))
    return findings


def check_owner_reaches(
    route: Route, url: str, world: World, ledger: Ledger | None = None
) -> list[Finding]:
    """The practice owner can open every page: no 500, so the walk means something."""
    r = (ledger or Ledger()).http("owner", world.owner).get(url)
    if r.status_code >= 500:
        return [Finding(url, "owner", "get", f"server error {r.status_code}")]
    return []


def walk(
    world: World,
    attackers: list[Actor],
    urlconf: str | None = None,
    on_route: Callable[[Route], None] | None = None,
    shard: tuple[int, int] | None = None,
) -> list[Finding]:
    """Every finding over every route; an empty list means isolation holds.

    ``shard=(i, n)`` walks only routes i, i + n, i + 2n, … of the URLconf, so n
    walks (on as many test workers) together cover every route exactly once.
    """
    findings: list[Finding] = []
    ledger = Ledger()
    for route in routes_of_shard(iter_routes(urlconf), shard):
        url = fill(route, world)
        if url is None:
            continue
        if on_route:
            on_route(route)
        # Each route starts with no failed tokens counted: the walk sends bad tokens to the
        # ingest routes on purpose, and the address would otherwise be throttled (429) for the
        # rest of the walk, hiding what later routes really answer.
        cache.clear()
        findings += check_owner_reaches(route, url, world, ledger)
        findings += check_anonymous(route, url, world, ledger)
        for actor in attackers:
            findings += check_actor(route, url, actor, world, ledger)
    return findings
