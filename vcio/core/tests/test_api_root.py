"""``/api/`` lists every collection of every app, and each link opens its list."""

from __future__ import annotations

from vcio.core.tests.walker import iter_routes


def list_route_paths() -> set[str]:
    """Every parameterless API list route, read from the URLconf by the walker."""
    return {
        route.template
        for route in iter_routes()
        if route.is_api and (route.name or "").endswith("-list") and not route.params
    }


def test_the_api_root_links_every_collection(api, alice):
    http = api(alice)
    root = http.get("/api/")
    assert root.status_code == 200
    links = root.json()
    paths = {url.removeprefix("http://testserver") for url in links.values()}
    expected = list_route_paths()
    assert expected <= paths
    # The reported missing ones, by name, from each app.
    for name in ("assets", "monitors", "goals", "initiatives", "reviews", "action-items"):
        assert links[name] == f"http://testserver/api/{name}/"
    assert len(expected) >= 25


def test_every_link_of_the_api_root_opens(api, alice, acme):
    http = api(alice)
    for name, url in http.get("/api/").json().items():
        if name == "docs":
            continue  # an HTML page for browsers
        r = http.get(url)
        assert r.status_code == 200, f"{name}: {url} answered {r.status_code}"


def test_the_api_root_needs_a_login(client):
    assert client.get("/api/").status_code == 401
