"""API token authentication: ``Authorization: Bearer <key>`` (or ``Token <key>``).

Only the SHA-256 of a key is stored, so a key is looked up by its hash. A
good token narrows the user's access for this request to what the token
allows (one client, read only) through :func:`vcio.core.access.restrict_to_token`,
so every scoped queryset downstream honours the token without knowing of it.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from vcio.core.access import restrict_to_token
from vcio.core.api import token_throttle
from vcio.core.bookkeeping import write_quietly
from vcio.core.models import ApiToken
from vcio.core.models.tokens import hash_key

KEYWORDS = (b"bearer", b"token")
# Recording every use would turn each read into a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenAuthentication(BaseAuthentication):
    """Authenticates a request by its API token; returns ``(user, token)``."""

    def authenticate(self, request: Request) -> tuple | None:
        """``(user, token)`` for a good token, ``None`` when no token was sent."""
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None  # not ours: let session authentication try
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Invalid token header: send 'Authorization: Bearer <key>'."
            )
        # Guessing is slowed down: failures are counted per address (token_throttle).
        token_throttle.refuse_if_blocked(request)
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            token_throttle.record_failure(request)
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        try:
            return self.authenticate_key(key)
        except exceptions.AuthenticationFailed:
            token_throttle.record_failure(request)
            raise

    def authenticate_key(self, key: str) -> tuple:
        """``(user, token)`` for ``key``; raises AuthenticationFailed (401) otherwise."""
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This token was revoked.")
        now = timezone.now()
        if token.expires_at is not None and token.expires_at <= now:
            raise exceptions.AuthenticationFailed("This token has expired.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid token.")
        _touch(token, now)
        restrict_to_token(token.user, token.client_id, token.read_only)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # A WWW-Authenticate value makes DRF answer 401 (not 403) when unauthenticated.
        return "Bearer"


def _touch(token: ApiToken, now) -> None:
    """Record that the token was used, at most once per LAST_USED_RESOLUTION."""
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    # A conditional UPDATE, not save(): concurrent requests don't overwrite other fields.
    # Bookkeeping: skipped (and logged) rather than fail the request when the database is busy.
    if write_quietly(
        f"token {token.pk} last used",
        lambda: ApiToken.objects.filter(pk=token.pk).update(last_used_at=now),
    ):
        token.last_used_at = now


def request_token(request: Request) -> ApiToken | None:
    """The API token this request was authenticated with, ``None`` for a session."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """Shows token authentication as HTTP bearer auth in the OpenAPI schema."""

    target_class = "vcio.core.api.auth.TokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token: `Authorization: Bearer vcio_…` "
            "(create one under your profile or with `vcio token create`).",
        }
