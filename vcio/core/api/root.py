"""``/api/``: every collection of the API, whichever app's router registered it.

Each app mounts its own router under ``/api/``, so a router's own root view
only knew its own seven collections. This root reads the URLconf instead:
every list route under ``/api/`` is listed, and a collection added by any
app tomorrow appears without anybody listing it here (core never imports
the domain apps).
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.urls import URLPattern, URLResolver, get_resolver, get_urlconf
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.routers import APIRootView

API_PREFIX = "api/"
_PARAMETER = re.compile(r"\(\?P<|<")


def _route_text(pattern: URLPattern | URLResolver) -> str:
    """The pattern's path without regex anchors: ``"action-items/"``."""
    return str(pattern.pattern).lstrip("^").rstrip("$")


@lru_cache(maxsize=4)
def api_collections(urlconf: str | None = None) -> tuple[tuple[str, str], ...]:
    """``(collection, url name)`` of every parameterless list route under ``/api/``, sorted."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for p in patterns:
            text = _route_text(p)
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                if p.namespace and namespace:
                    ns = f"{namespace}:{p.namespace}"
                walk(p.url_patterns, prefix + text, ns)
                continue
            full = prefix + text
            name = p.name or ""
            if not name.endswith("-list") or _PARAMETER.search(full):
                continue
            if not full.startswith(API_PREFIX):
                continue
            key = full.removeprefix(API_PREFIX).rstrip("/")
            found.setdefault(key, f"{namespace}:{name}" if namespace else name)

    walk(get_resolver(urlconf).url_patterns, "", None)
    return tuple(sorted(found.items()))


class AllCollectionsRootView(APIRootView):
    """Links to every collection of the API (and the schema and docs)."""

    def get(self, request: Request, *args, **kwargs) -> Response:
        links = {
            key: reverse(name, request=request) for key, name in api_collections(get_urlconf())
        }
        links["me"] = reverse("api:me", request=request)
        links["schema"] = reverse("api:schema", request=request)
        links["docs"] = reverse("api:docs", request=request)
        return Response(links)
