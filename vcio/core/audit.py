"""Recording the audit log: called explicitly by the code that saves.

No signal handlers: the places that create, change or delete records on a
user's behalf (the base views, the API base viewset, commands) call these
functions, so the log says who did it.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from vcio.core.models import AuditEvent, Client
from vcio.core.scoping import client_id_of

# Never copied into the log, whatever model they appear on.
SECRET_FIELDS = {"password", "key_hash"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The instance's concrete field values, JSON-ready, keyed by field name."""
    data = {}
    for f in instance._meta.concrete_fields:
        if f.name in SECRET_FIELDS:
            continue
        data[f.name] = _jsonable(getattr(instance, f.attname))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for each field whose value changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def record(
    actor,
    instance: models.Model,
    action: str,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event for ``instance`` done by ``actor``."""
    client_id = client_id_of(instance)
    client_name = ""
    if client_id is not None:
        client_name = (
            instance.name
            if isinstance(instance, Client)
            else Client.objects.filter(pk=client_id).values_list("name", flat=True).first() or ""
        )
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    # A deleted client's own deletion event keeps its name but no link.
    keep_link = not (isinstance(instance, Client) and action == AuditEvent.Action.DELETE)
    return AuditEvent.objects.create(
        client_id=client_id if keep_link else None,
        client_name=client_name,
        actor=actor if is_user else None,
        actor_name=actor.get_username() if is_user else "system",
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes or {},
    )


def record_create(actor, instance: models.Model) -> AuditEvent:
    return record(actor, instance, AuditEvent.Action.CREATE, snapshot(instance))


def record_update(actor, instance: models.Model, before: dict[str, Any]) -> AuditEvent | None:
    """Log the fields that changed since ``before``; nothing when none did."""
    changes = diff(before, snapshot(instance))
    if not changes:
        return None
    return record(actor, instance, AuditEvent.Action.UPDATE, changes)


def record_delete(actor, instance: models.Model) -> AuditEvent:
    return record(actor, instance, AuditEvent.Action.DELETE, snapshot(instance))
