"""Absolute links for e-mails and webhooks: what a reader opens outside the browser.

An e-mail is read away from vcio, so a path ("/clients/acme/reviews/") leads
nowhere: every link sent goes through :func:`absolute_url`, built from
``VCIO_BASE_URL``. When that is unset vcio falls back to
``http://localhost:8000`` (where ``vcio serve`` answers on a trial machine),
logs a warning once, and ``vcio check --deploy`` reports it.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

log = logging.getLogger(__name__)

FALLBACK_BASE_URL = "http://localhost:8000"
_warned: list[bool] = []


def base_url() -> str:
    """``VCIO_BASE_URL`` without a trailing slash, or the trial fallback (warned once)."""
    configured = (getattr(settings, "VCIO_BASE_URL", "") or "").rstrip("/")
    if configured:
        return configured
    if not _warned:
        _warned.append(True)
        log.warning(
            "VCIO_BASE_URL is not set: links in e-mails point at %s, which only works on "
            "this machine. Set VCIO_BASE_URL to the address people reach vcio at.",
            FALLBACK_BASE_URL,
        )
    return FALLBACK_BASE_URL


def absolute_url(path: str) -> str:
    """``path`` ("/clients/acme/reviews/") as a full address; a full address is kept."""
    if urlsplit(path).scheme:
        return path
    return base_url() + "/" + path.lstrip("/")


def protocol_and_domain() -> tuple[str, str] | None:
    """(scheme, host[:port]) of ``VCIO_BASE_URL`` for Django's e-mail templates; None if unset."""
    configured = getattr(settings, "VCIO_BASE_URL", "") or ""
    if not configured:
        return None
    parts = urlsplit(configured)
    return parts.scheme, parts.netloc


@checks.register(checks.Tags.security, deploy=True)
def base_url_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """``vcio check --deploy``: e-mails need the address people reach vcio at."""
    if getattr(settings, "VCIO_BASE_URL", ""):
        return []
    return [
        checks.Warning(
            "VCIO_BASE_URL is not set: links in e-mails and webhooks point at "
            f"{FALLBACK_BASE_URL}.",
            hint="Set VCIO_BASE_URL to the address people reach vcio at, "
            "e.g. https://vcio.example.com.",
            id="vcio.W001",
        )
    ]
