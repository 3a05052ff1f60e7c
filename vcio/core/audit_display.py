"""The audit log for people: field labels, related objects by name, large fields summarised.

The log stores raw field values (ids, ISO dates, whole JSON snapshots, stored
HTML) so it stays a faithful record; this module turns one page of events
into lines a client's leaders can read. Rules:

- a field shows under its model's label (``verbose_name``), not its attribute;
- a related object shows by name (one query per related model for the whole
  page, through ``for_user`` where the model is client-scoped), never its id;
- choices show their label, booleans "yes"/"no", timestamps in local time;
- structured values (JSON snapshots, lists) show as "snapshot stored", stored
  markup (a report's HTML with its SVG charts) as "document stored", and long
  text is cut to ``TEXT_LIMIT`` characters;
- bookkeeping fields Django sets itself (``auto_now``) are left out, and
  internal notes only reach users who may read internal notes.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst

from vcio.core.models import AuditEvent

TEXT_LIMIT = 160
EMPTY = "—"
# Only for users who may read internal notes: the practice's notes about a
# client and its fee (the overview shows the contract to the same users).
INTERNAL_FIELDS = frozenset({"internal_notes", "monthly_fee"})
# Abbreviations a field name spells in lower case.
_UPPER = {"html": "HTML", "url": "URL", "sla": "SLA", "os": "OS", "ip": "IP", "id": "ID"}
_MARKUP = re.compile(r"<\s*[a-zA-Z!/]")


@dataclass(frozen=True)
class ChangeLine:
    """One changed field as a person reads it."""

    label: str
    old: str
    new: str


def field_label(field: models.Field | None, name: str) -> str:
    """The field's label for people: its verbose name, abbreviations in capitals."""
    text = str(field.verbose_name) if field is not None else name.replace("_", " ")
    words = [_UPPER.get(w.lower(), w) for w in text.split()]
    return capfirst(" ".join(words))


def _model_field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except Exception:  # a field since renamed or removed: fall back to its name
        return None
    return field if isinstance(field, models.Field) else None


def _is_bookkeeping(field: models.Field | None) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _related_key(field: models.Field | None) -> type[models.Model] | None:
    if field is not None and field.many_to_one and field.related_model is not None:
        return field.related_model
    return None


def _name_of(obj: models.Model) -> str:
    if isinstance(obj, get_user_model()):
        return obj.get_full_name() or obj.get_username()
    return str(obj)


def _names_by_model(
    wanted: dict[type[models.Model], set[Any]], user
) -> dict[type[models.Model], dict[str, str]]:
    """``{model: {str(pk): name}}``: one query per related model, scoped where it can be."""
    names: dict[type[models.Model], dict[str, str]] = {}
    for model, pks in wanted.items():
        manager = model._default_manager
        qs = manager.for_user(user) if hasattr(manager, "for_user") else manager.all()
        names[model] = {str(o.pk): _name_of(o) for o in qs.filter(pk__in=pks)}
    return names


def _timestamp(value: str) -> str:
    moment = parse_datetime(value)
    if moment is None:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M")


def format_value(
    value: Any, field: models.Field | None, names: dict[type[models.Model], dict[str, str]]
) -> str:
    """One stored value as a person reads it (see the module's rules)."""
    if value is None or value == "":
        return EMPTY
    related = _related_key(field)
    if related is not None:
        found = names.get(related, {}).get(str(value))
        return found if found is not None else f"a deleted {related._meta.verbose_name}"
    if isinstance(value, dict | list):
        return "snapshot stored" if value else EMPTY
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        return _timestamp(value)
    if isinstance(value, datetime.datetime):
        return _timestamp(value.isoformat())
    text = str(value)
    if _MARKUP.search(text) and len(text) > TEXT_LIMIT:
        return "document stored"
    if len(text) > TEXT_LIMIT:
        return text[:TEXT_LIMIT].rstrip() + "…"
    return text


def _visible_changes(event: AuditEvent, show_internal: bool):
    """``(field, old, new)`` for each change a person should see on this event."""
    if event.action != AuditEvent.Action.UPDATE or not isinstance(event.changes, dict):
        return
    model = event.content_type.model_class()
    for name, pair in event.changes.items():
        if name in INTERNAL_FIELDS and not show_internal:
            continue
        field = _model_field(model, name)
        if _is_bookkeeping(field):
            continue
        old, new = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
        yield name, field, old, new


def describe(events: Iterable[AuditEvent], user, show_internal: bool) -> list[AuditEvent]:
    """The events, each given ``change_lines``: a list of ``ChangeLine`` for people.

    Related objects of the whole page are looked up together, so a page of
    events costs one query per related model, whatever the number of events.
    """
    events = list(events)
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for event in events:
        for _name, field, old, new in _visible_changes(event, show_internal):
            related = _related_key(field)
            if related is not None:
                wanted[related].update(v for v in (old, new) if v not in (None, ""))
    names = _names_by_model(wanted, user)
    for event in events:
        event.change_lines = [
            ChangeLine(
                field_label(field, name),
                format_value(old, field, names),
                format_value(new, field, names),
            )
            for name, field, old, new in _visible_changes(event, show_internal)
        ]
    return events
