"""The ticket import target: help-desk tickets upserted by (source, external id).

One path for every way tickets arrive: a file through core's importer (the
``vcio import tickets`` command, the web import pages, ``POST /api/imports/``)
and the push API (:mod:`vcio.helpdesk.api.push`) all parse with
:data:`FIELDS` and write with :meth:`TicketTarget.apply`.

- **Identity.** A ticket is (client, source, external id). Re-importing an
  export updates the tickets it names (a changed status, a new resolution
  time) and never duplicates them; an identical replay changes nothing.
- **Empty never erases.** An empty cell or a missing column leaves what vcio
  knows (a later export without the satisfaction column keeps the ratings).
- **Checks across rows.** One ticket id twice in a file, a ticket resolved or
  closed before it was created, and a ticket with neither subject nor body are
  problems naming row and column; under an atomic import nothing is written.
- **Departments** match the client's by name (any case); an unknown name is
  kept in ``source_department`` and creates nothing.
- **Assets** are linked by :mod:`.assetlink`; a link a person set is never
  replaced by an import.
- **Long subjects** (over 500 characters) are cut with "…": a subject that long
  is a body pasted in the wrong field, not a reason to refuse the ticket.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from vcio.core.importer.base import Counts, Field, ParsedRow, Problem
from vcio.core.importer.targets import (
    Departments,
    DuplicateCheck,
    Upsert,
    batched,
    casefold,
    labels_of,
    source_name,
)
from vcio.core.importer.values import int_parser, parse_datetime, parse_email, text_parser
from vcio.helpdesk.importing.assetlink import AssetIndex
from vcio.helpdesk.importing.values import (
    limited,
    parse_body,
    parse_priority,
    parse_satisfaction,
    parse_status,
)
from vcio.helpdesk.models import AssetMatch, Ticket


def _max(name: str) -> int:
    return Ticket._meta.get_field(name).max_length


FIELDS: list[Field] = [
    Field("external_id", "Ticket ID", text_parser(_max("external_id")), required=True,
          help="The ticket's id in the source; a re-import updates the ticket with this id.",
          aliases=("ID", "Ticket number", "Ticket #", "Number", "Ticket", "Key", "Issue key",
                   "Reference", "Ticket no", "External ID")),
    Field("subject", "Subject", limited(str.strip, _max("subject")),
          aliases=("Title", "Summary", "Short description", "Ticket title")),
    Field("body", "Body", parse_body, help="Plain text or HTML (converted to text).",
          aliases=("Description", "Details", "Message", "Text", "Content", "Detail")),
    Field("requester", "Requester", text_parser(_max("requester")),
          aliases=("Requester name", "Requested by", "Customer", "Caller", "Contact", "Reporter",
                   "From", "Contact name", "User")),
    Field("requester_email", "Requester email", parse_email,
          aliases=("Email", "Requester e-mail", "From email", "Contact email", "Customer email")),
    Field("department", "Department", text_parser(_max("source_department")),
          help="Matched by name among the client's departments.",
          aliases=("Dept", "Department name", "Business unit")),
    Field("asset", "Asset", text_parser(200),
          help="Host name, serial or asset tag of one of the client's assets.",
          aliases=("Configuration item", "CI", "Device", "Hostname", "Host name", "Computer",
                   "Asset name", "Configuration Item(s)")),
    Field("opened_at", "Created", parse_datetime, required=True,
          help="When the ticket was opened (date and time; a zone, else the installation's).",
          aliases=("Created at", "Opened", "Opened at", "Created date", "Date created",
                   "Created time", "Date opened", "Open date", "Create date", "Date entered")),
    Field("first_response_at", "First response", parse_datetime,
          aliases=("First response at", "First responded at", "First response date",
                   "Responded at", "Date responded")),
    Field("resolved_at", "Resolved", parse_datetime,
          aliases=("Resolved at", "Resolved time", "Resolution date", "Date resolved",
                   "Solved at", "Resolved date")),
    Field("closed_at", "Closed", parse_datetime,
          aliases=("Closed at", "Closed date", "Closed time", "Date closed", "Close date",
                   "Completed date", "Date completed")),
    Field("reopen_count", "Reopen count", int_parser(minimum=0),
          aliases=("Reopened", "Times reopened", "Reopens")),
    Field("priority", "Priority", parse_priority,
          help="critical/high/medium/low or the source's own scale (kept as written).",
          aliases=("Severity", "Priority level", "Prio")),
    Field("status", "Status", parse_status,
          help="new/open/pending/resolved/closed/cancelled or the source's own word.",
          aliases=("State", "Ticket status", "Current status")),
    Field("source_category", "Category", text_parser(_max("source_category")),
          help="The source's own category (vcio's topic is assigned separately).",
          aliases=("Type", "Ticket type", "Help topic", "Issue type", "Request type",
                   "Service", "Category name")),
    Field("assignee", "Assignee", text_parser(_max("assignee")),
          aliases=("Agent", "Owner", "Assigned to", "Technician", "Agent assigned",
                   "Assigned agent", "Resource")),
    Field("satisfaction", "Satisfaction", parse_satisfaction,
          help="1–5, a score out of 10, a percentage, or good/bad.",
          aliases=("Satisfaction rating", "CSAT", "Rating", "Survey result", "Customer rating")),
    Field("source", "Source", text_parser(_max("source")),
          help="The system the ticket came from (default: the preset's, else vcio).",
          aliases=("Source system", "Origin system")),
]  # fmt: skip

TEMPLATE = [f.label for f in FIELDS]
_TEXT = ("subject", "body", "requester", "requester_email", "assignee", "source_category",
         "opened_at", "first_response_at", "resolved_at", "closed_at", "reopen_count",
         "satisfaction")  # fmt: skip
# A person's link outranks any guess an import makes.
_PERSON_SET = AssetMatch.PERSON


def prepare(values: dict[str, Any], source: str) -> dict[str, Any]:
    """A parsed row → model field values (empty ones left out); department/asset still names."""
    data = {name: values[name] for name in _TEXT if values.get(name) is not None}
    if (mapped := values.get("priority")) is not None:
        data["priority"], data["source_priority"] = mapped.value, mapped.raw[:60]
    if (mapped := values.get("status")) is not None:
        data["status"], data["source_status"] = mapped.value, mapped.raw[:60]
    data["source"] = values.get("source") or source
    data["external_id"] = values.get("external_id")
    return data


class TicketTarget:
    """Help-desk tickets: exports of help desks and PSAs, and event logs folded to tickets."""

    key = "tickets"
    label = "Help-desk tickets"
    fields = FIELDS
    labels = labels_of(FIELDS)

    def template_headers(self) -> list[str]:
        return list(TEMPLATE)

    def check_rows(self, client, rows: Iterable[ParsedRow]) -> list[Problem]:
        """A ticket id used twice, times out of order, neither subject nor body."""
        dup = DuplicateCheck(self.labels)
        problems: list[Problem] = []
        for row in rows:
            values = row.values
            key = (values.get("source") or "", casefold(values["external_id"]))
            dup.see(row, key, "external_id", "ticket", values["external_id"])
            problems += row_problems(row)
        return problems + dup.problems

    def apply(
        self, client, rows: Iterable[ParsedRow], *, source: str, dry_run: bool = False
    ) -> Counts:
        """Create new tickets and update changed ones, a thousand rows at a time.

        Existing tickets are indexed by (source, external id) → id with one
        query; each batch loads the tickets it updates with one more.
        """
        source = source_name(source)
        known = {
            (s, e): pk
            for pk, s, e in Ticket.objects.filter(client=client).values_list(
                "id", "source", "external_id"
            )
        }
        departments = Departments(client)
        assets = AssetIndex(client)
        upsert = Upsert(Ticket, client, timezone.now(), write=not dry_run)
        for batch in batched(rows):
            found = []
            for row in batch:
                data = prepare(row.values, source)
                found.append((row.values, data, known.get((data["source"], data["external_id"]))))
            tickets = Ticket.objects.filter(client=client).in_bulk([pk for *_, pk in found if pk])
            for values, data, pk in found:
                current = tickets.get(pk) if pk else None
                link(data, values, departments, assets, current)
                if current is None:
                    upsert.create(data)
                else:
                    upsert.update(current, data)
            upsert.flush()
        counts = upsert.finish()
        if counts.created and not dry_run:
            # Inside the import's transaction: the tickets and their topics land together.
            from vcio.helpdesk.topics.jobs import topics_after_import

            topics_after_import(client)
        return counts


def link(data: dict[str, Any], values: dict[str, Any], departments: Departments,
         assets: AssetIndex, current: Ticket | None) -> None:  # fmt: skip
    """Set the department and asset of ``data`` from the row's names and text."""
    name = values.get("department")
    if name is not None:
        pk = departments.ids.get(casefold(name))
        data["department_id"] = pk
        data["source_department"] = "" if pk else name
    if current is not None and current.asset_matched_by == _PERSON_SET:
        return
    named = values.get("asset")
    if named is None and values.get("subject") is None and values.get("body") is None:
        return
    pk, how = assets.match(named, values.get("subject") or "", values.get("body") or "")
    if pk is not None:
        data["asset_id"], data["asset_matched_by"] = pk, how


def row_problems(row: ParsedRow) -> list[Problem]:
    """What is wrong within one ticket: times out of order, nothing to say what it is about."""
    values, problems = row.values, []
    opened = values["opened_at"]
    for name in ("resolved_at", "closed_at"):
        moment = values.get(name)
        if moment is not None and moment < opened:
            column = row.columns.get(name, name)
            problems.append(
                Problem(
                    f"{FIELD_LABELS[name]} {moment:%Y-%m-%d %H:%M} is before the ticket was "
                    f"created ({opened:%Y-%m-%d %H:%M})",
                    row=row.number,
                    column=column,
                    value=f"{moment:%Y-%m-%d %H:%M}",
                )
            )
    # A file without either column (an event log) says nothing about them: no problem.
    given = "subject" in values or "body" in values
    if given and not values.get("subject") and not values.get("body"):
        column = row.columns.get("subject") or row.columns.get("body") or "Subject"
        problems.append(
            Problem("the ticket has neither a subject nor a body", row=row.number, column=column)
        )
    return problems


FIELD_LABELS = labels_of(FIELDS)
