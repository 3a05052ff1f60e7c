"""The answer page is rate-limited per client address: guessing links gets slow, floods stop.

Every request to a survey link (GET and POST, good links or not) counts
against the address; past ``VCIO_SURVEY_RATE_LIMIT`` requests within
``VCIO_SURVEY_RATE_WINDOW_MINUTES`` the page answers 429 with a
Retry-After until the window ends, before looking at the link or writing
anything. The counts live in Django's cache (per process with the default
local-memory cache; shared when CACHES points at Redis or Memcached), like
the API token throttle (vcio.core.api.token_throttle).
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from vcio.core.api.token_throttle import client_address

_PREFIX = "vcio:survey-requests:"


def window_seconds() -> int:
    return settings.VCIO_SURVEY_RATE_WINDOW_MINUTES * 60


def count_request(request: HttpRequest) -> int | None:
    """Count one request; the seconds to wait when the address is over the limit, else None."""
    key = _PREFIX + client_address(request)
    window = window_seconds()
    now = time.time()
    cache.add(key + ":start", now, timeout=window)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add() and incr(): a new one starts
        cache.set(key + ":start", now, timeout=window)
        cache.set(key, 1, timeout=window)
        count = 1
    if count <= settings.VCIO_SURVEY_RATE_LIMIT:
        return None
    started = cache.get(key + ":start") or now
    return max(1, math.ceil(started + window - now))
