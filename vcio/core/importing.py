"""core's own import target: a client's contacts from a CSV or XLSX file.

A contact is matched by email (any case), else by first and last name, so
importing the same file twice changes nothing and an edited file updates
the people it names. Departments are matched by name and created when new.
Every query is limited to the client being imported into.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vcio.core.importer.base import Counts, Field, ParsedRow, Preset, Problem, presets, targets
from vcio.core.importer.values import parse_bool, parse_email, text_parser
from vcio.core.models import Client, Contact, Department

TEXT_FIELDS = ("first_name", "last_name", "email", "title", "phone")
BOOL_FIELDS = ("is_primary", "is_decision_maker")
BATCH = 1000


class ContactTarget:
    """Rows become :class:`~vcio.core.models.Contact` of one client."""

    key = "contacts"
    label = "Contacts"
    fields = [
        Field(
            "first_name",
            "First name",
            text_parser(80),
            required=True,
            aliases=("First", "Firstname", "Given name", "Forename"),
        ),
        Field("last_name", "Last name", text_parser(80), aliases=("Surname", "Family name")),
        Field(
            "email",
            "Email",
            parse_email,
            help="Identifies the contact: a row with a known email updates that contact.",
            aliases=("E-mail", "Email address", "Mail"),
        ),
        Field("title", "Job title", text_parser(120), aliases=("Title", "Position")),
        Field("phone", "Phone", text_parser(40), aliases=("Telephone", "Mobile", "Tel")),
        Field(
            "department",
            "Department",
            text_parser(120),
            help="A department name; a new name creates the department.",
            aliases=("Dept", "Team"),
        ),
        Field("is_primary", "Primary contact", parse_bool, aliases=("Primary",)),
        Field("is_decision_maker", "Decision maker", parse_bool, aliases=("Approver",)),
    ]

    def template_headers(self) -> list[str]:
        """The labels of every field: vcio's own contacts template."""
        return [f.label for f in self.fields]

    def check_rows(self, client: Client, rows: Iterable[ParsedRow]) -> list[Problem]:
        """A problem for each row whose contact appeared on an earlier row of the file."""
        problems = []
        first_seen: dict[Any, int] = {}
        for row in rows:
            key = contact_key(row.values)
            if key is None:
                continue
            if key in first_seen:
                column = row.columns.get("email" if key[0] == "email" else "first_name")
                problems.append(
                    Problem(
                        f"{_describe_key(key)} is also on row {first_seen[key]}: "
                        "each contact may appear once",
                        row=row.number,
                        column=column,
                        value=str(key[1]) if key[0] == "email" else None,
                    )
                )
            else:
                first_seen[key] = row.number
        return problems

    def apply(
        self, client: Client, rows: Iterable[ParsedRow], *, source: str, dry_run: bool = False
    ) -> Counts:
        """Create or update the client's contacts; returns what changed.

        Only the fields the file has columns for are written, so importing a
        list of emails and phone numbers does not blank anybody's job title.
        """
        counts = Counts()
        existing = list(Contact.objects.filter(client=client))
        by_email = {c.email.lower(): c for c in existing if c.email}
        by_name: dict[tuple[str, str], Contact] = {}
        for c in existing:
            by_name.setdefault(_name_key(c.first_name, c.last_name), c)
        departments = _Departments(client, create=not dry_run)
        new: list[Contact] = []
        changed: list[Contact] = []
        changed_fields: set[str] = set()
        for row in rows:
            attrs = _attributes(row.values, departments)
            contact = _match(row.values, by_email, by_name)
            if contact is None:
                counts.created += 1
                if not dry_run:
                    new.append(Contact(client=client, **attrs))
                    if len(new) == BATCH:  # a long file's new contacts are not all held at once
                        Contact.objects.bulk_create(new)
                        new = []
                continue
            diff = {k: v for k, v in attrs.items() if getattr(contact, k) != v}
            if not diff:
                counts.unchanged += 1
                continue
            for k, v in diff.items():
                setattr(contact, k, v)
            changed.append(contact)
            changed_fields |= diff.keys()
            counts.updated += 1
        if dry_run:
            return counts
        Contact.objects.bulk_create(new)
        if changed:
            Contact.objects.bulk_update(changed, sorted(changed_fields), batch_size=BATCH // 2)
        return counts


def contact_key(values: dict[str, Any]) -> tuple[str, Any] | None:
    """``("email", address)`` or ``("name", (first, last))``; None without either."""
    if values.get("email"):
        return "email", values["email"].lower()
    if values.get("first_name"):
        return "name", _name_key(values["first_name"], values.get("last_name") or "")
    return None


def _describe_key(key: tuple[str, Any]) -> str:
    if key[0] == "email":
        return f"'{key[1]}'"
    return "'" + " ".join(part for part in key[1] if part) + "'"


def _name_key(first: str, last: str) -> tuple[str, str]:
    return first.strip().casefold(), last.strip().casefold()


def _match(
    values: dict[str, Any],
    by_email: dict[str, Contact],
    by_name: dict[tuple[str, str], Contact],
) -> Contact | None:
    """The existing contact a row describes: by email, else by name (if that one has no email)."""
    email = (values.get("email") or "").lower()
    if email and email in by_email:
        return by_email[email]
    if values.get("first_name"):
        found = by_name.get(_name_key(values["first_name"], values.get("last_name") or ""))
        if found is not None and (not email or not found.email):
            return found
    return None


def _attributes(values: dict[str, Any], departments: _Departments) -> dict[str, Any]:
    """Model attributes for the fields present in the row (empty text → "", empty yes/no → no)."""
    attrs: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if name in values:
            attrs[name] = values[name] or ""
    for name in BOOL_FIELDS:
        if name in values:
            attrs[name] = bool(values[name])
    if "department" in values:
        attrs["department_id"] = departments.id_for(values["department"])
    return attrs


class _Departments:
    """The client's departments by name, creating the missing ones once."""

    def __init__(self, client: Client, create: bool = True) -> None:
        self.client, self.create = client, create
        self.ids = {
            name.casefold(): pk
            for pk, name in Department.objects.filter(client=client).values_list("pk", "name")
        }

    def id_for(self, name: str | None) -> int | None:
        if not name:
            return None
        key = name.casefold()
        if key not in self.ids:
            # A dry run creates nothing: a stand-in id, distinct per new name, does for counting.
            self.ids[key] = (
                Department.objects.create(client=self.client, name=name).pk
                if self.create
                else -len(self.ids) - 1
            )
        return self.ids[key]


SNIPEIT_USERS = Preset(
    name="snipeit-users",
    label="Snipe-IT users export",
    target="contacts",
    columns={
        "First Name": "first_name",
        "Last Name": "last_name",
        "Email": "email",
        "Phone": "phone",
        "Job Title": "title",
    },
    detect=frozenset({"First Name", "Last Name", "Username", "Activated"}),
    description="The people of a Snipe-IT users CSV; logins and addresses are not imported.",
)


def register(extra: Iterable[Preset] = ()) -> None:
    """Register the contacts target and its presets (from core's AppConfig.ready)."""
    targets.register(CONTACTS)
    for preset in (SNIPEIT_USERS, *extra):
        presets.register(preset)


CONTACTS = ContactTarget()
