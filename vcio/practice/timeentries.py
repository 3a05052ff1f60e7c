"""Time entries: one by one from the form or the API, or a time tracker's CSV export.

Every entry is checked the same way (:func:`check_entry`): the date is not in
the future (in the practice's time zone), the hours are more than 0 and at
most 24, the person's hours that day on every client stay within 24, and the
person is one of the practice's people on that client. A bad import row
saves nothing at all and is named by row, column and value.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from vcio.core import audit
from vcio.core.models import Client, Membership
from vcio.core.roles import PRACTICE_ROLES, PRACTICE_WIDE_ROLES
from vcio.practice import access
from vcio.practice.models import MAX_HOURS_A_DAY, Activity, TimeEntry

ZERO = Decimal("0")


def hours_text(hours: Decimal) -> str:
    """``Decimal("20.00")`` → ``"20"``, ``Decimal("2.50")`` → ``"2.5"``."""
    text = f"{hours.normalize():f}"
    return text


def person_name(person) -> str:
    return person.get_full_name() or person.username


def is_practice_person(person, client_id: int) -> bool:
    """Whether ``person`` holds a practice role on the client (or practice-wide)."""
    return Membership.objects.filter(
        Q(client_id=client_id) | Q(client__isnull=True),
        user=person,
        role__in=PRACTICE_ROLES,
    ).exists()


def day_total(person, day: datetime.date, exclude_pk: int | None = None) -> Decimal:
    """The person's hours on ``day`` over every client (all entries, whoever may see them)."""
    qs = TimeEntry.objects.filter(person=person, date=day)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.aggregate(total=Sum("hours"))["total"] or ZERO


def too_many_hours(person, day: datetime.date, already: Decimal, more: Decimal) -> str:
    return (
        f"{person_name(person)} already has {hours_text(already)} h on {day.isoformat()}; "
        f"{hours_text(more)} h more would make {hours_text(already + more)} h "
        f"(at most {hours_text(MAX_HOURS_A_DAY)} h a day)."
    )


def check_hours(hours: Decimal | None) -> str | None:
    if hours is None:
        return "Give the hours, e.g. 1.5."
    if hours <= 0:
        return f"{hours_text(hours)} h: give more than 0 hours."
    if hours > MAX_HOURS_A_DAY:
        return f"{hours_text(hours)} h: a day has at most {hours_text(MAX_HOURS_A_DAY)} hours."
    return None


def check_date(day: datetime.date | None) -> str | None:
    if day is None:
        return "Give the date."
    today = timezone.localdate()
    if day > today:
        return f"{day.isoformat()} is in the future (today is {today.isoformat()})."
    return None


def check_entry(*, client: Client, person, day, hours, exclude_pk: int | None = None) -> None:
    """Raise a ValidationError naming each bad field (``date``, ``hours``, ``person``)."""
    errors: dict[str, str] = {}
    if message := check_date(day):
        errors["date"] = message
    if message := check_hours(hours):
        errors["hours"] = message
    if person is not None and not is_practice_person(person, client.pk):
        errors["person"] = f"{person_name(person)} is not one of the practice's people on {client}."
    if not errors:
        already = day_total(person, day, exclude_pk)
        if already + hours > MAX_HOURS_A_DAY:
            errors["hours"] = too_many_hours(person, day, already, hours)
    if errors:
        raise ValidationError(errors)


def check_writer(user, client: Client, person) -> None:
    """Raise PermissionDenied unless ``user`` may record ``person``'s time on ``client``."""
    from django.core.exceptions import PermissionDenied

    if not access.time_clients(user).filter(pk=client.pk).exists():
        raise PermissionDenied("You may not enter time for this client.")
    if person.pk != user.pk and not access.may_enter_for_others(user):
        raise PermissionDenied("You may only enter your own time.")


@transaction.atomic
def add_entry(
    *,
    client: Client,
    person,
    date: datetime.date,
    hours: Decimal,
    activity: str = Activity.AD_HOC,
    note: str = "",
    user=None,
    external_id: str = "",
) -> TimeEntry:
    """Save one checked entry; raises ValidationError (naming the field) and saves nothing."""
    # Serialise concurrent entries of one person: the day total is read, then written.
    get_user_model().objects.select_for_update().filter(pk=person.pk).first()
    check_entry(client=client, person=person, day=date, hours=hours)
    entry = TimeEntry(
        client=client,
        person=person,
        date=date,
        hours=hours,
        activity=activity,
        note=note,
        external_id=external_id,
        created_by=user,
    )
    entry.full_clean()
    entry.save()
    if user is not None:
        audit.record_create(user, entry)
    return entry


# CSV import -------------------------------------------------------------------

TOGGL_COLUMNS = (
    "User",
    "Email",
    "Client",
    "Project",
    "Description",
    "Start date",
    "Start time",
    "Duration",
)
VCIO_COLUMNS = ("client", "person", "date", "hours")  # plus activity, note, id


class ImportFailed(Exception):
    """The file was refused: ``errors`` name each bad row, column and value."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class ImportResult:
    added: list[TimeEntry] = field(default_factory=list)
    skipped: int = 0  # rows imported before (same tracker id or same row)


@dataclass
class Row:
    number: int
    client: str
    person: str
    date: str
    hours: str
    activity: str
    note: str
    external_id: str
    columns: dict[str, str]  # our field → the file's column, for messages


def _key(raw: dict[str, str]) -> dict[str, str]:
    return {(k or "").strip().lstrip("\ufeff"): (v or "").strip() for k, v in raw.items()}


def duration_hours(text: str) -> Decimal:
    """``"01:30:00"`` → 1.5 (hours), ``"0:45:00"`` → 0.75; ValueError otherwise."""
    parts = text.split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(text)
    h, m, s = (int(p) for p in parts)
    if m >= 60 or s >= 60:
        raise ValueError(text)
    return (Decimal(h) + Decimal(m) / 60 + Decimal(s) / 3600).quantize(Decimal("0.01"))


def activity_of(text: str) -> str:
    """An activity from a project name or activity cell: review, assessment, project, ad hoc."""
    low = text.strip().lower().replace(" ", "_").replace("-", "_")
    for choice in Activity:
        if low in (choice.value, choice.label.lower().replace(" ", "_")):
            return choice.value
    for word, choice in (
        ("review", Activity.REVIEW),
        ("qbr", Activity.REVIEW),
        ("assess", Activity.ASSESSMENT),
        ("project", Activity.PROJECT),
    ):
        if word in low:
            return choice
    return Activity.AD_HOC


def _row_hash(prefix: str, values: list[str], seen: dict[str, int]) -> str:
    digest = hashlib.sha256("\x1f".join(values).encode()).hexdigest()[:32]
    seen[digest] += 1  # identical rows in one file stay distinct, stably
    return f"{prefix}:{digest}:{seen[digest]}"


def read_rows(text: str) -> list[Row]:
    """The file's rows in our terms, Toggl Track's detailed export or vcio's own columns."""
    reader = csv.DictReader(io.StringIO(text))
    header = [(h or "").strip().lstrip("\ufeff") for h in (reader.fieldnames or [])]
    seen: dict[str, int] = defaultdict(int)
    rows: list[Row] = []
    toggl = "Start date" in header and any(h.startswith("Duration") for h in header)
    if not toggl and not all(c in header for c in VCIO_COLUMNS):
        raise ImportFailed(
            [
                "Row 1: the header is neither Toggl Track's detailed export (User, Email, "
                "Client, Project, Description, Start date, Start time, Duration) nor vcio's "
                "(client, person, date, hours, activity, note, id)."
            ]
        )
    duration_col = next((h for h in header if h.startswith("Duration")), "Duration")
    for number, raw in enumerate(reader, start=2):
        cells = _key(raw)
        if not any(cells.values()):
            continue
        if toggl:
            person = cells.get("Email") or cells.get("User", "")
            values = [cells.get(c, "") for c in TOGGL_COLUMNS[:-1]] + [cells.get(duration_col, "")]
            rows.append(
                Row(
                    number,
                    cells.get("Client", ""),
                    person,
                    cells.get("Start date", ""),
                    cells.get(duration_col, ""),
                    activity_of(cells.get("Project", "")),
                    cells.get("Description", "")[:300],
                    cells.get("ID") or _row_hash("toggl", values, seen),
                    {
                        "client": "Client",
                        "person": "Email" if cells.get("Email") else "User",
                        "date": "Start date",
                        "hours": duration_col,
                    },
                )
            )
        else:
            values = [
                cells.get(c, "") for c in ("client", "person", "date", "hours", "activity", "note")
            ]
            rows.append(
                Row(
                    number,
                    cells["client"],
                    cells["person"],
                    cells["date"],
                    cells["hours"],
                    cells.get("activity", ""),
                    cells.get("note", "")[:300],
                    cells.get("id") or _row_hash("vcio", values, seen),
                    {"client": "client", "person": "person", "date": "date", "hours": "hours"},
                )
            )
    return rows


def _lookups(user, rows: list[Row]) -> tuple[dict[str, Client], dict[str, object], set]:
    clients: dict[str, Client] = {}
    for c in access.economics_clients(user).only("pk", "name", "slug"):
        clients[c.slug.lower()] = c
        clients[c.name.lower()] = c
    # Practice people only (a bounded set), matched by username, email or name as
    # trackers write it ("Tess" or "Tess Ivanova" in Toggl's User column).
    practice = Membership.objects.filter(role__in=PRACTICE_ROLES).values("user_id")
    people: dict[str, object] = {}
    for u in get_user_model().objects.filter(is_active=True, pk__in=practice):
        for name in (u.username, u.email, u.get_full_name(), u.first_name):
            if name:
                people.setdefault(name.lower(), u)
    roles = set(
        Membership.objects.filter(
            user__in=set(people.values()), role__in=PRACTICE_ROLES
        ).values_list("user_id", "client_id", "role")
    )
    return clients, people, roles


def _practice_on(roles: set, user_id: int, client_id: int) -> bool:
    return any(
        uid == user_id and (cid == client_id or (cid is None and role in PRACTICE_WIDE_ROLES))
        for uid, cid, role in roles
    )


def _parse_row(row: Row, clients, people, roles, toggl: bool) -> tuple[dict | None, list[str]]:
    errors: list[str] = []

    def bad(field_name: str, value: str, why: str) -> None:
        errors.append(f"Row {row.number}, column `{row.columns[field_name]}`: '{value}' {why}")

    client = clients.get(row.client.lower())
    if client is None:
        bad("client", row.client, "is not a client you may import time into.")
    person = people.get(row.person.lower())
    if person is None:
        bad(
            "person",
            row.person,
            "is not one of the practice's people (give a username, an email or a name).",
        )
    elif client is not None and not _practice_on(roles, person.pk, client.pk):
        bad("person", row.person, f"is not one of the practice's people on {client.name}.")
    try:
        day = datetime.date.fromisoformat(row.date)
    except ValueError:
        day = None
        bad("date", row.date, "is not a date (YYYY-MM-DD).")
    if day is not None and (message := check_date(day)):
        bad("date", row.date, message)
    try:
        hours = duration_hours(row.hours) if toggl else Decimal(row.hours.replace(",", "."))
        if not hours.is_finite():
            raise InvalidOperation
    except (ValueError, InvalidOperation):
        hours = None
        shape = "a duration (hh:mm:ss)" if toggl else "a number of hours, e.g. 1.5"
        bad("hours", row.hours, f"is not {shape}.")
    if hours is not None and (message := check_hours(hours)):
        bad("hours", row.hours, message)
    if errors:
        return None, errors
    return {
        "client": client,
        "person": person,
        "date": day,
        "hours": hours,
        "activity": activity_of(row.activity) if row.activity else Activity.AD_HOC,
        "note": row.note,
        "external_id": row.external_id[:100],
        "row": row,
    }, []


def _check_days(parsed: list[dict]) -> list[str]:
    """Rows that would take a person over 24 h a day, counting entries already saved."""
    people = {p["person"].pk for p in parsed}
    days = {p["date"] for p in parsed}
    saved: dict[tuple[int, datetime.date], Decimal] = defaultdict(lambda: ZERO)
    for pid, day, total in (
        TimeEntry.objects.filter(person_id__in=people, date__in=days)
        .values("person_id", "date")
        .annotate(total=Sum("hours"))
        .values_list("person_id", "date", "total")
        .order_by()
    ):
        saved[(pid, day)] = total
    errors = []
    for p in parsed:
        key = (p["person"].pk, p["date"])
        if saved[key] + p["hours"] > MAX_HOURS_A_DAY:
            row = p["row"]
            errors.append(
                f"Row {row.number}, column `{row.columns['hours']}`: '{row.hours}' "
                + too_many_hours(p["person"], p["date"], saved[key], p["hours"])
            )
        saved[key] += p["hours"]
    return errors


def _decode(file) -> str:
    data = file.read() if hasattr(file, "read") else file
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed(["The file is not UTF-8 text: export it as CSV (UTF-8)."]) from None


@transaction.atomic
def import_csv(file, user) -> ImportResult:
    """Import a time tracker's CSV: every row or none. Raises :class:`ImportFailed`.

    Rows already imported (same client and tracker id, or the same row's hash)
    are skipped, so importing the same file twice adds nothing.
    """
    rows = read_rows(_decode(file))
    toggl = bool(rows) and rows[0].columns["date"] == "Start date"
    clients, people, roles = _lookups(user, rows)
    parsed, errors = [], []
    for row in rows:
        found, row_errors = _parse_row(row, clients, people, roles, toggl)
        errors += row_errors
        if found:
            parsed.append(found)
    if errors:
        raise ImportFailed(errors)
    done = set(
        TimeEntry.objects.filter(
            client_id__in={p["client"].pk for p in parsed},
            external_id__in=[p["external_id"] for p in parsed],
        ).values_list("client_id", "external_id")
    )
    fresh = [p for p in parsed if (p["client"].pk, p["external_id"]) not in done]
    if errors := _check_days(fresh):
        raise ImportFailed(errors)
    added = TimeEntry.objects.bulk_create(
        [
            TimeEntry(
                client=p["client"],
                person=p["person"],
                date=p["date"],
                hours=p["hours"],
                activity=p["activity"],
                note=p["note"],
                external_id=p["external_id"],
                created_by=user,
            )
            for p in fresh
        ]
    )
    return ImportResult(added=added, skipped=len(parsed) - len(fresh))


@transaction.atomic
def change_entry(entry: TimeEntry, user=None, **changes) -> TimeEntry:
    """Change an entry's date, hours, activity, note or person, checked like a new one."""
    before = audit.snapshot(entry)
    for name, value in changes.items():
        setattr(entry, name, value)
    get_user_model().objects.select_for_update().filter(pk=entry.person_id).first()
    check_entry(
        client=entry.client,
        person=entry.person,
        day=entry.date,
        hours=entry.hours,
        exclude_pk=entry.pk,
    )
    entry.full_clean()
    entry.save()
    if user is not None:
        audit.record_update(user, entry, before)
    return entry
