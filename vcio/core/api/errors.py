"""The API's exception handler: every user mistake becomes a 4xx JSON answer.

DRF already turns its own exceptions into JSON. This adds the Django ones
that can escape from models and the scoping helpers, so that no input
produces a 500: a model ValidationError or a database constraint becomes a
400 naming the field, Http404 a 404, PermissionDenied a 403.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

log = logging.getLogger(__name__)

# "UNIQUE constraint failed: core_client.slug" (SQLite) and
# "Key (slug)=(acme) already exists." (PostgreSQL) name the offending columns.
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ([\w., ]+)")
_PG_KEY = re.compile(r"Key \(([^)]+)\)=")


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler after mapping Django's exceptions to DRF ones.

    Returns the JSON response, or ``None`` for an unexpected exception (a
    bug, which Django then reports as a 500 and logs).
    """
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    elif isinstance(exc, IntegrityError):
        log.info("integrity error turned into 400: %s", exc)
        exc = exceptions.ValidationError(integrity_detail(exc))
    elif isinstance(exc, Http404):
        # The generic message: which model was asked for is nobody's business.
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


def validation_detail(exc: DjangoValidationError) -> dict[str, list[str]]:
    """``{field: [messages]}`` from a Django ValidationError (``non_field_errors`` when none)."""
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
    return {"non_field_errors": list(exc.messages)}


def integrity_detail(exc: IntegrityError) -> dict[str, list[str]]:
    """A field-named message for a constraint the validators did not catch first."""
    text = str(exc)
    fields: list[str] = []
    if match := _SQLITE_UNIQUE.search(text):
        fields = [col.strip().rsplit(".", 1)[-1] for col in match.group(1).split(",")]
    elif match := _PG_KEY.search(text):
        fields = [col.strip() for col in match.group(1).split(",")]
    fields = [f.removesuffix("_id") for f in fields]
    if fields:
        message = f"A record with this {' and '.join(fields)} already exists."
        return {fields[-1]: [message]}
    return {
        "non_field_errors": [
            "This change conflicts with existing data (a duplicate or a broken link)."
        ]
    }
