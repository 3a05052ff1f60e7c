"""Bearer-token guessing is slowed down: too many failed tokens from one address, 429.

Each failed token (unknown, revoked, expired) counts against the client
address; past ``VCIO_TOKEN_FAILURE_LIMIT`` failures within
``VCIO_TOKEN_FAILURE_WINDOW_MINUTES``, every token request from that
address is refused with a 429 and a Retry-After until the window ends, good
tokens included (otherwise the guessing would simply go on). The counts live
in Django's cache: per process with the default local-memory cache, shared
between processes and machines when CACHES points at Redis or Memcached.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework import exceptions

_PREFIX = "vcio:token-failures:"


def client_address(request: HttpRequest) -> str:
    """The address failures are counted against (``vcio serve`` resolves trusted proxies)."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def _window_s() -> int:
    return settings.VCIO_TOKEN_FAILURE_WINDOW_MINUTES * 60


def refuse_if_blocked(request: HttpRequest) -> None:
    """Raise Throttled (429) when ``request``'s address has failed too often lately."""
    state = cache.get(_PREFIX + client_address(request))
    if state is None or state[0] < settings.VCIO_TOKEN_FAILURE_LIMIT:
        return
    wait = max(1, math.ceil(state[1] + _window_s() - time.time()))
    minutes = math.ceil(wait / 60)
    refused = exceptions.Throttled(
        detail=(
            f"Too many failed API token attempts from this address: try again in "
            f"{minutes} minute{'s' if minutes != 1 else ''}."
        )
    )
    # Set afterwards: passed to the constructor, DRF appends its own wording in seconds.
    refused.wait = wait  # becomes the Retry-After header
    raise refused


def record_failure(request: HttpRequest) -> None:
    """Count one failed token from ``request``'s address (the window starts at the first)."""
    key = _PREFIX + client_address(request)
    count, started = cache.get(key) or (0, time.time())
    remaining = max(1, math.ceil(started + _window_s() - time.time()))
    cache.set(key, (count + 1, started), timeout=remaining)
