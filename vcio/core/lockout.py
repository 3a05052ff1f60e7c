"""Sign-in lockout (django-axes), as vcio uses it.

django-axes counts failed sign-ins per username and address and refuses
the next attempt once the limit is reached (settings ``AXES_*``, from
``VCIO_LOGIN_FAILURE_LIMIT`` and ``VCIO_LOGIN_LOCKOUT_MINUTES``); the lockout
page (``registration/locked_out.html``) says so and for how long.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_username
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, for sign-ins that come with a request.

    A call without a request is code authenticating (a test's
    ``Client.login``, a management command), not someone at a sign-in
    form: there is no address to count against, so it is left to the
    other backends instead of failing.
    """

    def authenticate(self, request: HttpRequest | None, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """The lockout page (429): how many failures locked what, and for how many minutes."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "username": get_client_username(request, credentials) or "",
        "minutes": minutes,
    }
    return render(request, "registration/locked_out.html", context, status=429)


# The longest username django-axes can store (a varchar(255) column).
USERNAME_MAX = 255


def username(request: HttpRequest | None, credentials: dict | None = None) -> str | None:
    """The sign-in's username as django-axes records it, cut to what its table holds.

    A 5,000-character "username" broke PostgreSQL's varchar(255) with a 500
    (SQLite does not enforce lengths); no real username is that long.
    """
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username")
    return value[:USERNAME_MAX] if isinstance(value, str) else value
