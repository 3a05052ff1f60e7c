"""Event logs folded into tickets: ServiceNow, Volvo IT (BPIC 2013) and the Italian help desk.

An event log has one row per change of a ticket, not one per ticket. Each
reader here is a core :class:`~vcio.core.importer.base.Format`: recognised by
its header (plain or gzip-compressed, ``.csv.gz``), it reads the events once,
streaming, keeps one small summary per ticket (memory grows with the tickets,
never with the events) and hands the engine one row per ticket, numbered by
the line of the ticket's first event, with the ticket target's own field
names as headers. From there the import is the ordinary ticket import
(checks, dry run, atomic, idempotent).

Decisions, per log:

- **ServiceNow** (``incident_event_log.csv``, UCI): ``number`` is the id;
  ``opened_at``/``resolved_at``/``closed_at`` (day first, ``?`` = none),
  ``reopen_count``, ``priority`` ("1 - Critical" …), ``category``,
  ``caller_id`` and ``assigned_to`` come from the ticket's last event. The log
  records no replies, so the **first response** is the ``sys_updated_at`` of the
  first event whose state is no longer New: the first time the desk touched
  the incident. ``made_sla`` is not imported: vcio computes SLA from the
  client's own targets. The copy in ``shared/data`` is cut off mid-log: its last
  incident has one "New" event. It is imported as what the log says (a new,
  open incident); a later complete export updates it by its number.
- **Volvo IT** (BPIC 2013 ``VINST-new.csv``): ``SR Number`` is the id; opened =
  the first event's ``Change Date+Time``; first response = the first event
  with Status "Accepted" (someone took it); resolved = the last event with
  Sub Status "Resolved"; closed = the last "Closed"; every return from
  Completed to Accepted/Queued counts as a reopen; ``SR Latest Impact`` →
  priority (Major critical, High high, Medium medium, Low low); ``Product`` is
  the category and the subject (the log has no text); ``Resource`` the assignee.
- **Italian help desk** (``finale.csv``, 4TU): ``Case ID`` is the id; opened =
  the first event; "Take in charge ticket" → first response; the last "Resolve
  ticket" → resolved, each further one a reopen; "Closed" → closed;
  ``seriousness_2`` "Value N" → priority, read as 1 low … 4 critical (the log
  anonymises it; the direction is a guess, kept in source_priority to redo);
  ``product`` the subject, ``service_type`` the category, ``Resource`` of the
  last event the assignee. The file holds 127 exact duplicate events, each
  right after its original: a row equal to the one before it is skipped, so a
  duplicate "Resolve ticket" does not count as a reopen.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from vcio.core.importer.base import Format, Preset, Table

GZIP_MAGIC = b"\x1f\x8b"
# The readers' headers are the target's field names; each log's preset maps them 1:1.
COLUMNS = ("external_id", "subject", "opened_at", "first_response_at", "resolved_at",
           "closed_at", "reopen_count", "priority", "status", "source_category",
           "requester", "assignee")  # fmt: skip


def _head_text(head: bytes) -> str:
    """The first line of a (possibly gzip-compressed) file's first bytes."""
    if head.startswith(GZIP_MAGIC):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head)
        except zlib.error:
            return ""
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    return text.split("\n", 1)[0].strip()


def _header_sniffer(*starts: str) -> Callable[[str, bytes], bool]:
    def sniff(filename: str, head: bytes) -> bool:
        first = _head_text(head)
        return any(first.startswith(s) for s in starts)

    return sniff


def _lines(fileobj: BinaryIO) -> Iterator[list[str]]:
    """The CSV records of ``fileobj``, gunzipped when compressed, UTF-8 (BOM dropped)."""
    fileobj.seek(0)
    magic = fileobj.read(2)
    fileobj.seek(0)
    raw = gzip.GzipFile(fileobj=fileobj, mode="rb") if magic == GZIP_MAGIC else fileobj
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
    return csv.reader(text)


@dataclass
class Folded:
    """What one ticket's events add up to (a few strings, whatever the number of events)."""

    line: int
    values: dict[str, str] = field(default_factory=dict)
    state: str = ""
    reopens: int = 0


def _iso(moment: dt.datetime | None) -> str:
    return moment.isoformat() if moment else ""


def _table(name: str, tickets: Callable[[], Iterator[Folded]]) -> Table:
    rows = ((t.line, [t.values.get(c, "") for c in COLUMNS]) for t in tickets())
    return Table(headers=list(COLUMNS), rows=rows, preset=name)


# --- ServiceNow ------------------------------------------------------------------------------


def _servicenow_time(text: str) -> str:
    """``29/2/2016 01:16`` (day first) → ISO; ``?`` → empty; anything else unchanged."""
    text = text.strip()
    if not text or text == "?":
        return ""
    # Split by hand: strptime costs ~10 µs a cell, and the log has 360,000 of them.
    try:
        date, time = text.split(" ")
        day, month, year = date.split("/")
        hour, minute = time.split(":")
        return dt.datetime(int(year), int(month), int(day), int(hour), int(minute)).isoformat()
    except ValueError:
        return text  # the target names it as not a date, with row and column


def servicenow_tickets(fileobj: BinaryIO) -> Iterator[Folded]:
    """One :class:`Folded` per incident number, in order of first appearance."""
    reader = _lines(fileobj)
    header = next(reader)
    at = {h: i for i, h in enumerate(header)}
    tickets: dict[str, Folded] = {}

    def cell(row: list[str], name: str) -> str:
        value = row[at[name]].strip() if at[name] < len(row) else ""
        return "" if value == "?" else value

    for row in reader:
        if not row:
            continue
        number = cell(row, "number")
        t = tickets.get(number)
        if t is None:
            t = tickets[number] = Folded(reader.line_num, {"external_id": number})
        state = cell(row, "incident_state")
        if state != "New" and "first_response_at" not in t.values:
            t.values["first_response_at"] = _servicenow_time(cell(row, "sys_updated_at"))
        v = t.values
        v["opened_at"] = _servicenow_time(cell(row, "opened_at"))
        v["resolved_at"] = _servicenow_time(cell(row, "resolved_at"))
        v["closed_at"] = _servicenow_time(cell(row, "closed_at"))
        v["reopen_count"] = cell(row, "reopen_count")
        v["priority"] = cell(row, "priority")
        v["status"] = state
        v["source_category"] = cell(row, "category")
        v["subject"] = " / ".join(
            x
            for x in (cell(row, "category"), cell(row, "subcategory"), cell(row, "u_symptom"))
            if x
        )
        v["requester"] = cell(row, "caller_id")
        v["assignee"] = cell(row, "assigned_to")
    for t in tickets.values():
        # Every cell is "?" in a few incidents: the number then says what it is.
        t.values["subject"] = t.values["subject"] or f"Incident {t.values['external_id']}"
        if t.values.get("status") not in ("Resolved", "Closed"):
            # A resolution time the log pre-fills on open incidents is not a resolution.
            t.values["resolved_at"] = t.values["closed_at"] = ""
    return iter(tickets.values())


# --- Volvo IT (BPIC 2013) -------------------------------------------------------------------

_VOLVO_IMPACT = {"Major": "critical", "High": "high", "Medium": "medium", "Low": "low"}


def _volvo_status(status: str, sub: str) -> str:
    if status == "Completed":
        return {"Closed": "closed", "Cancelled": "cancelled"}.get(sub, "resolved")
    if sub.startswith("Wait"):
        return "pending"
    return "open"


def volvo_tickets(fileobj: BinaryIO) -> Iterator[Folded]:
    """One :class:`Folded` per service request (SR Number)."""
    reader = _lines(fileobj)
    header = next(reader)
    at = {h.strip(): i for i, h in enumerate(header)}
    tickets: dict[str, Folded] = {}
    for row in reader:
        if not row:
            continue
        number = row[at["SR Number"]].strip()
        when = row[at["Change Date+Time"]].strip()
        status, sub = row[at["Status"]].strip(), row[at["Sub Status"]].strip()
        t = tickets.get(number)
        if t is None:
            t = tickets[number] = Folded(reader.line_num, {"external_id": number,
                                                           "opened_at": when})  # fmt: skip
        v = t.values
        if status == "Accepted" and "first_response_at" not in v:
            v["first_response_at"] = when
        if t.state == "Completed" and status in ("Accepted", "Queued"):
            t.reopens += 1
        t.state = status
        if sub == "Resolved":
            v["resolved_at"] = when
        elif sub == "Closed":
            v["closed_at"] = when
        impact = row[at["SR Latest Impact"]].strip()
        v["priority"] = _VOLVO_IMPACT.get(impact, impact)
        v["status"] = _volvo_status(status, sub)
        v["subject"] = v["source_category"] = row[at["Product"]].strip()
        v["assignee"] = row[at["Resource"]].strip()
    for t in tickets.values():
        t.values["reopen_count"] = str(t.reopens)
        t.values["subject"] = t.values["subject"] or f"Service request {t.values['external_id']}"
    return iter(tickets.values())


# --- Italian help desk (finale.csv) ---------------------------------------------------------

_SERIOUSNESS = {"Value 1": "low", "Value 2": "medium", "Value 3": "high", "Value 4": "critical"}


def _italian_time(text: str) -> str:
    """``2012/10/09 14:50:17.000`` → ISO (the log's local time, no zone)."""
    text = text.strip()
    try:
        return dt.datetime.fromisoformat(text.replace("/", "-")).isoformat()
    except ValueError:
        return text


def italian_tickets(fileobj: BinaryIO) -> Iterator[Folded]:
    """One :class:`Folded` per Case ID; an event equal to the one before it is skipped."""
    reader = _lines(fileobj)
    header = next(reader)
    at: dict[str, int] = {}
    for i, h in enumerate(header):
        at.setdefault(h.strip(), i)  # "Variant" is there twice: the first one is kept
    tickets: dict[str, Folded] = {}
    previous: list[str] | None = None
    for row in reader:
        if not row or row == previous:
            previous = row
            continue
        previous = row
        case = row[at["Case ID"]].strip()
        activity = row[at["Activity"]].strip()
        when = _italian_time(row[at["Complete Timestamp"]])
        t = tickets.get(case)
        if t is None:
            t = tickets[case] = Folded(reader.line_num, {"external_id": case, "opened_at": when})
        v = t.values
        if activity == "Take in charge ticket" and "first_response_at" not in v:
            v["first_response_at"] = when
        elif activity == "Resolve ticket":
            if "resolved_at" in v:
                t.reopens += 1
            v["resolved_at"] = when
        elif activity == "Closed":
            v["closed_at"] = when
        t.state = activity
        raw = row[at["seriousness_2"]].strip()
        v["priority"] = f"{_SERIOUSNESS[raw]} ({raw})" if raw in _SERIOUSNESS else raw
        v["subject"] = row[at["product"]].strip()
        v["source_category"] = row[at["service_type"]].strip()
        v["assignee"] = row[at["Resource"]].strip()
    for t in tickets.values():
        v = t.values
        v["reopen_count"] = str(t.reopens)
        v["subject"] = v["subject"] or v["external_id"]
        if "closed_at" in v:
            v["status"] = "closed"
        elif "resolved_at" in v:
            v["status"] = "resolved"
        elif t.state == "Wait":
            v["status"] = "pending"
        else:
            v["status"] = "open"
    return iter(tickets.values())


def _reader(name: str, fold: Callable[[BinaryIO], Iterator[Folded]]):
    def read(files: list[tuple[str, BinaryIO]]) -> Table:
        def tickets() -> Iterator[Folded]:
            for _, f in files:
                yield from fold(f)

        return _table(name, tickets)

    return read


SERVICENOW = Format(
    name="servicenow",
    label="ServiceNow incident event log (CSV, .csv.gz)",
    sniff=_header_sniffer("number,incident_state,"),
    read=_reader("servicenow", servicenow_tickets),
)
VOLVO = Format(
    name="volvo-bpic2013",
    label="Volvo IT incident log, BPI Challenge 2013 (CSV, .csv.gz)",
    sniff=_header_sniffer("SR Number,Change Date+Time,"),
    read=_reader("volvo-bpic2013", volvo_tickets),
)
ITALIAN = Format(
    name="helpdesk-eventlog",
    label="Help-desk event log, Case ID / Activity / Complete Timestamp (CSV)",
    sniff=_header_sniffer("Case ID,Activity,Resource,Complete Timestamp"),
    read=_reader("helpdesk-eventlog", italian_tickets),
)
FORMATS = (SERVICENOW, VOLVO, ITALIAN)


def presets() -> list[Preset]:
    """One preset per log, named as its reader: the reader's columns are the field names."""
    return [
        Preset(name=f.name, label=f.label, target="tickets", columns={c: c for c in COLUMNS},
               defaults={"source": f.name}, description="Event log folded into tickets.")
        for f in FORMATS
    ]  # fmt: skip


__all__ = ["FORMATS", "ITALIAN", "SERVICENOW", "VOLVO", "presets"]
