"""Tickets pushed as JSON (PSA webhooks, scripts): the import target's parsing and upsert.

A push is one ticket object or ``{"tickets": [...]}``; keys are the target's
field names (``external_id``, ``subject``, ``opened_at`` …, as in the generic
template), values strings or numbers (``null`` = not given). Each value is
parsed by the same :class:`~vcio.core.importer.base.Field` a file's cell is,
the batch is checked by :meth:`TicketTarget.check_rows` and written by
:meth:`TicketTarget.apply` in one transaction: all or nothing. A key missing
from an object leaves what vcio knows, as an empty cell does in a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from vcio.core.importer.base import ParsedRow
from vcio.helpdesk.importing import ticket_target
from vcio.helpdesk.importing.target import FIELDS
from vcio.helpdesk.models import Ticket

# Above this a sender should split the batch: one request holds one transaction.
MAX_TICKETS = 5000
DEFAULT_SOURCE = "api"
_FIELDS = {f.name: f for f in FIELDS}
_ON_ROW = re.compile(r"\bon row (\d+)")


class PushError(ValueError):
    """The push is refused; ``errors`` maps ``tickets[3].opened_at`` → messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class PushResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # vcio's ids of the pushed tickets, in the order they were sent.
    ids: list[int] = field(default_factory=list)


def tickets_of(body: Any) -> tuple[list[Any], bool]:
    """The ticket objects of a push body and whether it was a batch; PushError for other shapes."""
    if isinstance(body, dict) and "tickets" in body:
        items = body["tickets"]
        if not isinstance(items, list) or not items:
            raise PushError({"tickets": ["must be a non-empty list of ticket objects"]})
        if len(items) > MAX_TICKETS:
            raise PushError({"tickets": [f"at most {MAX_TICKETS} tickets per request, "
                                         f"this one has {len(items)}"]})  # fmt: skip
        return items, True
    if isinstance(body, dict):
        return [body], False
    raise PushError({"non_field_errors": ['send a ticket object or {"tickets": [...]}']})


def parse_ticket(item: Any, index: int, prefix: str) -> tuple[ParsedRow | None, dict]:
    """One pushed object → a parsed row, or the errors keyed by ``prefix + field``."""
    errors: dict[str, list[str]] = {}
    if not isinstance(item, dict):
        return None, {prefix.rstrip(".") or "non_field_errors": ["must be a ticket object"]}
    values: dict[str, Any] = {}
    for key, raw in item.items():
        spec = _FIELDS.get(key)
        if spec is None:
            errors[prefix + key] = [f"not a ticket field (fields: {', '.join(_FIELDS)})"]
            continue
        if isinstance(raw, dict | list | bool):
            errors[prefix + key] = [f"must be a string or a number, not {type(raw).__name__}"]
            continue
        text = "" if raw is None else str(raw).strip()
        try:
            values[key] = spec.parse(text) if text else None
        except (ValueError, ValidationError, ArithmeticError) as exc:
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            errors[prefix + key] = [message]
    for spec in FIELDS:
        if spec.required and values.get(spec.name) is None and prefix + spec.name not in errors:
            errors[prefix + spec.name] = [f"{spec.label} is required"]
    if errors:
        return None, errors
    columns = {name: prefix + name for name in values}
    return ParsedRow(index, values, columns), {}


def push_tickets(client, body: Any, *, source: str = DEFAULT_SOURCE) -> PushResult:
    """Upsert the pushed tickets of ``client``: all or nothing; PushError naming each problem.

    The caller has checked the user may edit ``client``.
    """
    items, batch = tickets_of(body)
    rows: list[ParsedRow] = []
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(items):
        row, problems = parse_ticket(item, index, f"tickets[{index}]." if batch else "")
        errors.update(problems)
        if row is not None:
            rows.append(row)
    if not errors:
        for problem in ticket_target.check_rows(client, rows):
            where = problem.column or (f"tickets[{problem.row}]" if batch else "non_field_errors")
            message = _ON_ROW.sub(lambda m: f"at tickets[{m[1]}]", problem.message)
            errors.setdefault(where, []).append(message)
    if errors:
        raise PushError(errors)
    with transaction.atomic():
        counts = ticket_target.apply(client, rows, source=source)
    return PushResult(counts.created, counts.updated, counts.unchanged, _ids(client, rows, source))


def _ids(client, rows: list[ParsedRow], source: str) -> list[int]:
    """vcio's ids of the rows' tickets, in the rows' order (one query)."""
    keys = [(r.values.get("source") or source, r.values["external_id"]) for r in rows]
    found = {
        (s, e): pk
        for pk, s, e in Ticket.objects.filter(
            client=client, external_id__in=[e for _, e in keys]
        ).values_list("id", "source", "external_id")
    }
    return [found[key] for key in keys]
