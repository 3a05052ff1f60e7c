"""Column sets of the ticket exports users have, one preset each (detected by their headers).

No live instance of any of these products was available. Each column set was
checked against the product's own source where it is public, else against
public code that reads or writes that product's files; what could not be
checked is said so. Headers are matched case-insensitively with ``-`` and
``_`` read as spaces (``mapping.fold``), so "Opening Date" (GLPI's en_US) and
"Opening date" (en_GB) are one header.

- **Zammad** — the ticket report's XLSX/CSV download. *Verified* in
  zammad/zammad ``lib/excel_sheet/ticket.rb`` (``ticket_header``): ``#, Title,
  State, Priority, Group, Owner, Customer, Organization, Create Channel, Sender,
  Tags, Time Units Total``, the object manager's attributes, then ``Created At,
  Updated At, Closed At, Close Escalation At, …, First Response At, …``.
  Zammad keeps no "resolved" time: Closed At is the only end time.
- **osTicket** — the agent panel's ticket export. *Verified* in
  osTicket/osTicket ``include/class.queue.php`` at commit 8876338
  (``CustomQueue::getExportableFields``, which ``include/class.export.php``
  ``dumpTickets`` uses): ``Ticket Number, Date Created, Subject, From, From
  Email, Priority, Department, Help Topic, Source, Current Status, Last Updated,
  SLA Due Date, Due Date, Closed Date, Overdue, Merged, Linked, Answered, Agent
  Assigned, Team Assigned, Thread Count, Reopen Count, Attachment Count, Task
  Count`` then the ticket form's custom fields. An older ``class.export.php``
  wrote its own list, without Closed Date and Reopen Count. "Source" is the
  channel (email, web), not a system: not imported.
- **GLPI** — the ticket list's CSV export writes each search option's name,
  prefixed by its group: ``"$groupname - $name"`` where the search builds its
  header line (glpi-project/glpi ``inc/search.class.php``; the same code in the
  later CSV/spreadsheet outputs). *Verified* names (``CommonITILObject::
  getSearchOptionsMain``, ``inc/commonitilobject.class.php``): ``Title, ID,
  Status, Priority, Opening date, Closing date, Time to resolve, Resolution
  date, Last update, Category, Entity``; the actor options sit in the groups
  "Requester" and "Assigned to" (``getSearchOptionsActors``), hence
  ``Requester - Requester`` and ``Assigned to - Technician``. Those two and
  ``Satisfaction survey - Satisfaction``, ``Type``, ``Associated elements``
  were also seen as header lists in third-party scripts that read GLPI exports
  (found by text search; the index did not name their repositories). GLPI
  separates columns with ``;``. "Type" (Incident/Request) is not imported: its
  alias would otherwise take the Category field.
- **Jira Service Management** — "Export → CSV (all fields)". *Verified* against
  many public importers and test fixtures of real exports: the header starts
  ``Summary, Issue key, Issue id, Issue Type, Status, Project key, …,
  Priority, Resolution, Assignee, Reporter, Creator, Created, Updated, Last
  Viewed, Resolved, …, Description``; custom fields read ``Custom field
  (Request Type)``, ``Custom field (Time to first response)`` …; Cloud writes
  the CSAT score as ``Satisfaction rating``, while some sites export it as
  ``Custom field (Satisfaction)`` (both seen). Dates read ``01/Mar/24 9:05 AM``.
- **Freshdesk** — the ticket export. *Verified* in Freshdesk's own code as
  published in Ramesh-Veeriaperumal/freshconsult (``lib/helpdesk/
  ticket_model_extension.rb``, the old list: ``Ticket Id, Subject, Description,
  Status, Priority, Source, Customer, Requester, Agent, Group, Created Time, Due
  by Time, Resolved Time``) and in a Freshdesk (helpkit) functional test of
  ``Tickets::Export::TicketsExport`` (found by text search; the index did not
  name its repository), whose ``@ticket_fields`` are the current list:
  ``Ticket ID, Subject, Description, Status, Priority, Source, Type, Agent,
  Group, Created time, Due by Time, Resolved time, Closed time, Last update
  time, Initial response time, Time tracked, First response time (in hrs),
  Resolution time (in hrs), Agent interactions, Customer interactions,
  Resolution status, First response status, Tags, Survey results, Product``.
  "Initial response time" is a timestamp (``first_response_time``); the "(in
  hrs)" columns are durations and are not imported. Contact columns (``Full
  name``, ``Email``, ``Contact ID``) follow when chosen; they were seen in
  third-party readers, not in Freshdesk's code. The values of "Survey results"
  (e.g. "Extremely Happy") are not verified.
- **ConnectWise Manage (PSA)** — the service board's export: ``Ticket #,
  Summary, Company, Contact, Status, Priority, Type, Subtype, Board, Resources,
  Date Entered, Date Responded, Date Resolved, Closed Date``. **Not verified**:
  no public code reading this screen's export was found. Public code confirms
  only the API's names (``summary, board, status, priority, company, contact,
  dateEntered, dateResponded, closedDate``) and the reporting view's
  (``Summary, Status_Description, Urgency, SR_Board_Name, Date_Entered_UTC,
  Date_Closed_UTC``), which a different file layout would need. Priorities read
  "Priority 1 - Emergency Response" … "Priority 4 - Schedule Maintenance".
- **Autotask (Datto/Kaseya)** — tickets in the ticket import template's layout.
  *Verified* against a public PowerShell script that reads and writes that
  template: ``External (Legacy) Ticket ID, Autotask Ticket Number (updates
  only), [required] Title, Description, …, [required] Company, Location,
  Contact, [required] Status, [required] Priority, [required] Source, …,
  [required if no Queue] Primary Resource, Role, [required if no Primary
  Resource] Queue, [required] Ticket Type, Ticket Category, Issue Type, …,
  Configuration Item Name, …, Create Date/Time, …, Complete Date/Time,
  [required] Due Date/Time, First Response Date/Time, …``. The unprefixed
  spellings (Title, Primary Resource, Autotask Ticket Number) of other Autotask
  views are kept as extra names; those views' other columns are not verified.
- **HaloPSA** — a ticket report export: ``Ticket ID, Summary, Details, Client,
  Site, User, Status, Priority, Ticket Type, Category, Agent, Date Logged,
  Response Date, Date Closed``. **Not verified**: Halo's report columns are
  whatever the report's author chose; public code confirms only the API's
  names (``summary, details, client_name, user_name, agent_name, dateoccurred,
  dateclosed``), not a report's headers.

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
    "Satisfaction survey - Satisfaction": "satisfaction",
    "Associated elements": "asset", "Type": IGNORE,
}  # fmt: skip
JIRA = {
    "Issue key": "external_id", "Issue id": IGNORE, "Summary": "subject", "Status": "status",
    "Priority": "priority", "Created": "opened_at", "Resolved": "resolved_at",
    "Reporter": "requester", "Assignee": "assignee", "Issue Type": IGNORE,
    "Description": "body", "Custom field (Request Type)": "source_category",
    "Satisfaction rating": "satisfaction", "Custom field (Satisfaction)": "satisfaction",
}  # fmt: skip
FRESHDESK = {
    "Ticket ID": "external_id", "Subject": "subject", "Description": "body", "Status": "status",
    "Priority": "priority", "Source": IGNORE, "Type": "source_category", "Agent": "assignee",
    "Group": IGNORE, "Created time": "opened_at", "Due by Time": IGNORE,
    "Resolved time": "resolved_at", "Closed time": "closed_at",
    "Initial response time": "first_response_at", "Survey results": "satisfaction",
    "Full name": "requester", "Email": "requester_email",
    # The old export's "Requester" is the contact, its "Customer" the company.
    "Requester": "requester", "Customer": IGNORE,
}  # fmt: skip
CONNECTWISE = {
    "Ticket #": "external_id", "Summary": "subject", "Company": IGNORE, "Contact": "requester",
    "Status": "status", "Priority": "priority", "Type": "source_category", "Board": IGNORE,
    "Resources": "assignee", "Date Entered": "opened_at", "Date Responded": "first_response_at",
    "Date Resolved": "resolved_at", "Closed Date": "closed_at", "Configuration": "asset",
}  # fmt: skip
AUTOTASK = {
    "Autotask Ticket Number (updates only)": "external_id",
    "Autotask Ticket Number": "external_id", "External (Legacy) Ticket ID": IGNORE,
    "[required] Title": "subject", "Title": "subject", "Description": "body",
    "[required] Company": IGNORE, "Contact": "requester", "[required] Status": "status",
    "[required] Priority": "priority", "[required] Source": IGNORE,
    "[required if no Queue] Primary Resource": "assignee", "Primary Resource": "assignee",
    "[required if no Primary Resource] Queue": IGNORE, "Issue Type": "source_category",
    "Configuration Item Name": "asset", "Create Date/Time": "opened_at",
    "First Response Date/Time": "first_response_at", "Complete Date/Time": "resolved_at",
    "[required] Due Date/Time": IGNORE,
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
                {"Ticket ID", "Created time", "Due by Time"}),
        _preset("connectwise", "ConnectWise Manage service tickets (CSV)", CONNECTWISE,
                {"Ticket #", "Summary", "Board"}),
        _preset("autotask", "Autotask tickets, import template layout (CSV)", AUTOTASK,
                {"External (Legacy) Ticket ID", "Create Date/Time"}),
        _preset("halopsa", "HaloPSA tickets (CSV/XLSX)", HALOPSA,
                {"Ticket ID", "Summary", "Date Logged"}),
    ]  # fmt: skip
