"""Column sets of the ticket exports users have, one preset each (detected by their headers).

Where each column set comes from, and what could not be checked here (no
live instance of any of these products was available):

- **Zammad** — the ticket report's XLSX/CSV download: ``lib/excel_sheet/ticket.rb``
  in zammad/zammad (headers ``#, Title, State, Priority, Group, Owner, Customer,
  Organization, Create Channel, Sender, Tags, Time Units Total``, the object
  manager's attributes, then ``Created At, Updated At, Closed At, … First
  Response At …``). Verified from the source. Zammad keeps no "resolved" time:
  Closed At is used for both.
- **osTicket** — the agent panel's ticket export (``include/class.export.php``):
  ``Ticket Number, Date Created, Subject, From, From Email, Priority,
  Department, Help Topic, Source, Current Status, Last Updated, Due Date,
  Closed Date, Agent Assigned, Team Assigned, Reopen Count …`` as osTicket 1.10
  named them. The stored copy of the file is a later version in which the
  columns come from ``CustomQueue::getExportableFields()`` (not read): the
  1.10 labels are from memory, not re-verified.
- **GLPI** — the ticket list's CSV export writes the search options' names:
  ``ID, Title, Status, Opening date, Priority, Requester - Requester, Assigned to
  - Technician, Category, Resolution date, Closing date, Description``.
  Field names verified against GLPI's ticket documentation (Opening date,
  Title, Category, Priority …); the "Requester - Requester" spelling of the
  actor columns is from memory, not verified.
- **Jira Service Management** — "Export issues → CSV (all fields)": ``Issue key,
  Issue id, Summary, Status, Priority, Created, Resolved, Reporter, Assignee,
  Issue Type, Description, Custom field (Request Type), Custom field
  (Satisfaction)``. The system field names match Atlassian's export schema
  (summary, status, priority, created, resolution date); the CSV header
  spellings and the custom-field names are from memory, not verified.
- **Freshdesk** — the ticket export: ``Ticket ID, Subject, Description, Status,
  Priority, Source, Type, Agent, Group, Created time, Due by Time, Resolved
  time, Closed time, First response time (in hrs), Requester Name, Requester
  Email, Satisfaction survey``. The core (Ticket Id, Subject, Description, Status,
  Priority, Source, Requester, Agent, Group, Created Time, Due by Time,
  Resolved Time) is the export's header list in Freshdesk's own former code
  (``lib/helpdesk/ticket_model_extension.rb`` of freshconsult); Closed time,
  Requester Name/Email and the survey column are from memory. "Source" is the
  channel (email, phone), not a system: it is not imported.
- **ConnectWise Manage (PSA)** — the service board's export: ``Ticket #,
  Summary, Company, Contact, Status, Priority, Type, Subtype, Board, Resources,
  Date Entered, Date Responded, Date Resolved, Closed Date``. From memory; not
  verified. Its priorities read "Priority 1 - Emergency Response" … "Priority
  4 - Schedule Maintenance", mapped by their number.
- **Autotask (Datto/Kaseya)** — ticket search export "in import template
  format": ``Autotask Ticket Number, External (Legacy) Ticket ID, Title,
  Description, Account, Contact, Status, Priority, Queue, Primary Resource,
  Issue Type, Create Date/Time, Complete Date/Time``. Autotask Ticket Number,
  External (Legacy) Ticket ID and Create Date/Time are verified in Autotask's
  help ("Populating the Ticket import template"); the others from memory.
- **HaloPSA** — a ticket report export: ``Ticket ID, Summary, Details, Client,
  Site, User, Status, Priority, Ticket Type, Category, Agent, Date Logged,
  Response Date, Date Closed``. From memory; not verified (Halo's columns are
  whatever the report's author chose; presets match the default ticket list).

A file whose headers differ can still be imported with the mapping page or
``--mapping``; every header is also matched against the fields' aliases.
"""

from __future__ import annotations

from vcio.core.importer.base import Preset
from vcio.core.importer.mapping import IGNORE

TARGET = "tickets"


def _preset(name: str, label: str, columns: dict[str, str], detect: set[str], **kw) -> Preset:
    return Preset(
        name=name,
        label=label,
        target=TARGET,
        columns=columns,
        detect=frozenset(detect),
        defaults={"source": name, **kw.pop("defaults", {})},
        **kw,
    )


ZAMMAD = {
    "#": "external_id", "Number": "external_id", "Title": "subject", "State": "status",
    "Priority": "priority", "Group": "source_category", "Owner": "assignee",
    "Customer": "requester", "Organization": IGNORE, "Created At": "opened_at",
    "Closed At": "closed_at", "First Response At": "first_response_at",
}  # fmt: skip
OSTICKET = {
    "Ticket Number": "external_id", "Date Created": "opened_at", "Subject": "subject",
    "From": "requester", "From Email": "requester_email", "Priority": "priority",
    "Department": "department", "Help Topic": "source_category", "Source": IGNORE,
    "Current Status": "status", "Closed Date": "closed_at", "Agent Assigned": "assignee",
    "Reopen Count": "reopen_count",
}  # fmt: skip
GLPI = {
    "ID": "external_id", "Title": "subject", "Status": "status", "Opening date": "opened_at",
    "Priority": "priority", "Requester - Requester": "requester",
    "Assigned to - Technician": "assignee", "Category": "source_category",
    "Resolution date": "resolved_at", "Closing date": "closed_at", "Description": "body",
    "Satisfaction": "satisfaction", "Items - Item": "asset",
}  # fmt: skip
JIRA = {
    "Issue key": "external_id", "Issue id": IGNORE, "Summary": "subject", "Status": "status",
    "Priority": "priority", "Created": "opened_at", "Resolved": "resolved_at",
    "Reporter": "requester", "Assignee": "assignee", "Issue Type": IGNORE,
    "Description": "body", "Custom field (Request Type)": "source_category",
    "Custom field (Satisfaction)": "satisfaction",
}  # fmt: skip
FRESHDESK = {
    "Ticket ID": "external_id", "Subject": "subject", "Description": "body", "Status": "status",
    "Priority": "priority", "Source": IGNORE, "Type": "source_category", "Agent": "assignee",
    "Group": IGNORE, "Created time": "opened_at", "Due by Time": IGNORE,
    "Resolved time": "resolved_at", "Closed time": "closed_at", "Requester": "requester",
    "Requester Name": "requester", "Requester Email": "requester_email",
    "Satisfaction survey": "satisfaction", "First response time (in hrs)": IGNORE,
}  # fmt: skip
CONNECTWISE = {
    "Ticket #": "external_id", "Summary": "subject", "Company": IGNORE, "Contact": "requester",
    "Status": "status", "Priority": "priority", "Type": "source_category", "Board": IGNORE,
    "Resources": "assignee", "Date Entered": "opened_at", "Date Responded": "first_response_at",
    "Date Resolved": "resolved_at", "Closed Date": "closed_at", "Configuration": "asset",
}  # fmt: skip
AUTOTASK = {
    "Autotask Ticket Number": "external_id", "External (Legacy) Ticket ID": IGNORE,
    "Title": "subject", "Description": "body", "Account": IGNORE, "Contact": "requester",
    "Status": "status", "Priority": "priority", "Queue": IGNORE,
    "Primary Resource": "assignee", "Issue Type": "source_category",
    "Create Date/Time": "opened_at", "Complete Date/Time": "resolved_at",
    "Configuration Item": "asset",
}  # fmt: skip
HALOPSA = {
    "Ticket ID": "external_id", "Summary": "subject", "Details": "body", "Client": IGNORE,
    "Site": IGNORE, "User": "requester", "Status": "status", "Priority": "priority",
    "Ticket Type": IGNORE, "Category": "source_category", "Agent": "assignee",
    "Date Logged": "opened_at", "Response Date": "first_response_at",
    "Date Closed": "closed_at", "Asset": "asset",
}  # fmt: skip


def presets() -> list[Preset]:
    """Every ticket preset; detect headers are chosen so no two layouts claim one file."""
    return [
        _preset("zammad", "Zammad ticket report (XLSX/CSV)", ZAMMAD,
                {"#", "Title", "State", "Created At"}),
        _preset("osticket", "osTicket ticket export (CSV)", OSTICKET,
                {"Ticket Number", "Date Created", "Current Status"}),
        _preset("glpi-tickets", "GLPI ticket list export (CSV)", GLPI,
                {"Title", "Opening date", "Status"}, defaults={"source": "glpi"}),
        _preset("jira", "Jira Service Management issues (CSV)", JIRA,
                {"Issue key", "Summary", "Created"}),
        _preset("freshdesk", "Freshdesk ticket export (CSV/XLSX)", FRESHDESK,
                {"Ticket ID", "Created time", "Agent", "Group"}),
        _preset("connectwise", "ConnectWise Manage service tickets (CSV)", CONNECTWISE,
                {"Ticket #", "Summary", "Board"}),
        _preset("autotask", "Autotask tickets (CSV)", AUTOTASK,
                {"Autotask Ticket Number", "Create Date/Time"}),
        _preset("halopsa", "HaloPSA tickets (CSV/XLSX)", HALOPSA,
                {"Ticket ID", "Summary", "Date Logged"}),
    ]  # fmt: skip
