"""Checking ingest tokens: which client a pushed batch or agent report belongs to.

An ingest token writes one client's metrics and inventory and reads
nothing; it is not an API token and authenticates no user. Failures count
against the sender's address like API tokens do (``token_throttle``), so a
key cannot be guessed by brute force through the ingest endpoints either.
"""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from rest_framework import exceptions

from vcio.capacity.models import IngestToken
from vcio.core.api import token_throttle
from vcio.core.bookkeeping import write_quietly
from vcio.core.models.tokens import hash_key

LAST_USED_RESOLUTION = timedelta(minutes=1)


def key_from_header(request: HttpRequest) -> str:
    """The key of ``Authorization: Bearer <key>``, or "" when there is none."""
    parts = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(parts) == 2 and parts[0].lower() in ("bearer", "token"):
        return parts[1]
    return ""


def authenticate(request: HttpRequest, key: str) -> IngestToken:
    """The active ingest token whose key is ``key``.

    Raises AuthenticationFailed (401) for a missing, unknown or revoked key
    and Throttled (429) while the sender's address is blocked for guessing.
    """
    token_throttle.refuse_if_blocked(request)
    if not key:
        raise exceptions.AuthenticationFailed(
            "An ingest token is required: send 'Authorization: Bearer <key>'."
        )
    token = IngestToken.objects.filter(key_hash=hash_key(key)).first()
    if token is None or token.revoked_at is not None:
        token_throttle.record_failure(request)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid ingest token.")
        raise exceptions.AuthenticationFailed("This ingest token was revoked.")
    _touch(token)
    return token


def _touch(token: IngestToken) -> None:
    """Record that the token was used, at most once a minute (a write per push is too many)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    if write_quietly(
        f"ingest token {token.pk} last used",
        lambda: IngestToken.objects.filter(pk=token.pk).update(last_used_at=now),
    ):
        token.last_used_at = now
