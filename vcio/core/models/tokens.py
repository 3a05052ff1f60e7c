"""API tokens: shown once, stored hashed, revocable, optionally narrowed."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from vcio.core.scoping import ScopedManager, ScopedRow

TOKEN_PREFIX = "vcio_"


def hash_key(key: str) -> str:
    """SHA-256 of a token key: keys are long and random, so no salt is needed."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(ScopedRow):
    """A user's key for scripts. Only its hash and first characters are stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'RMM sync'.")
    prefix = models.CharField(max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    client = models.ForeignKey(
        "core.Client",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Limit the token to this client's data.",
    )
    read_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    # Tokens belong to a user, not a client: each user sees only their own.
    scope_field = "user_id"
    scope_kind = "user"

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()

    @classmethod
    def issue(cls, user, name: str, *, client=None, read_only: bool = False, expires_at=None):
        """Create a token; returns ``(token, key)``. The key is never stored."""
        key = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            prefix=key[: len(TOKEN_PREFIX) + 6],
            key_hash=hash_key(key),
            client=client,
            read_only=read_only,
            expires_at=expires_at,
        )
        return token, key

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
