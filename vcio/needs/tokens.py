"""Private survey links: a random key in the URL, only its SHA-256 stored.

The key is 32 random bytes (URL-safe base64, 43 characters): unguessable,
so the answer page needs no login; the rate limit on that page only slows
down someone trying. The prefix kept beside the hash lets the practice tell
links apart on the round's page without the key itself.
"""

from __future__ import annotations

import secrets

from vcio.core.models.tokens import hash_key

KEY_BYTES = 32
PREFIX_LENGTH = 8


def new_key() -> tuple[str, str, str]:
    """A fresh key with its hash and prefix: ``(key, key_hash, prefix)``."""
    key = secrets.token_urlsafe(KEY_BYTES)
    return key, hash_key(key), key[:PREFIX_LENGTH]


def key_hash(key: str) -> str:
    return hash_key(key)
