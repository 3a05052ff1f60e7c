"""Ingest tokens: the keys agents and scripts use to write one client's metrics and inventory."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from vcio.core.models.tokens import hash_key
from vcio.core.scoping import ClientScopedModel

INGEST_PREFIX = "vcioi_"


class IngestToken(ClientScopedModel):
    """A write-only key bound to one client: it can push metrics and inventory, read nothing.

    Only the SHA-256 of the key and its first characters are kept; the key
    itself is shown once, when it is issued.
    """

    name = models.CharField(max_length=100, help_text="Where it is used, e.g. 'FS01 agent'.")
    prefix = models.CharField(max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def issue(cls, client, name: str, user=None) -> tuple[IngestToken, str]:
        """Create a token for ``client``; returns ``(token, key)``. The key is never stored."""
        key = INGEST_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            client=client,
            name=name,
            prefix=key[: len(INGEST_PREFIX) + 6],
            key_hash=hash_key(key),
            created_by=user,
        )
        return token, key

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
