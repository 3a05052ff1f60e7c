"""Roles and what each may do.

Two kinds of role: practice roles (the fractional CIO's own people) and
client roles (the business leaders of one client). Owners and admins reach
every client; everybody else reaches only the clients they are members of.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Practice owner"
    ADMIN = "admin", "Practice admin"
    CONSULTANT = "consultant", "Consultant"
    TECHNICIAN = "technician", "Technician"
    EXECUTIVE = "executive", "Client executive"
    EDITOR = "editor", "Client editor"


class Perm(StrEnum):
    """An action on a client's data: the columns of the permission matrix."""

    VIEW = "view"  # read the client's data: pages, portal, reports, API
    EDIT = "edit"  # create, change and delete the client's records
    PLAN = "plan"  # the CIO's planning: optimiser, scenarios, reviews, cadence, declining
    APPROVE = "approve"  # decide for the client: approve or decline proposals
    COMMERCIAL = "commercial"  # see the commercial terms (monthly fee, contract dates)
    INTERNAL = "internal"  # see the practice's internal notes, the audit log and the members
    MANAGE = "manage"  # change the client itself (contract, fee, fiscal year, policies)
    MEMBERS = "members"  # grant and revoke access to the client


# What each action means, in the words of the README's permission table.
PERM_LABELS: dict[Perm, str] = {
    Perm.VIEW: "View the client's data (pages, portal, reports, API)",
    Perm.EDIT: "Edit the client's data (assets, contacts, services, goals, initiatives)",
    Perm.PLAN: "Plan: optimiser and scenarios, reviews and their cadence, "
    "promoting recommendations, withdrawing initiatives",
    Perm.APPROVE: "Decide for the client: approve or decline initiatives",
    Perm.COMMERCIAL: "See commercial terms (monthly fee, contract dates)",
    Perm.INTERNAL: "See internal notes, the audit log and who has access",
    Perm.MANAGE: "Manage the client (contract, fee, fiscal year, policies, weights)",
    Perm.MEMBERS: "Manage members: grant and revoke access",
}


# Roles whose membership has no client: they reach every client.
PRACTICE_WIDE_ROLES = frozenset({Role.OWNER, Role.ADMIN})
PRACTICE_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.CONSULTANT, Role.TECHNICIAN})
CLIENT_ROLES = frozenset({Role.EXECUTIVE, Role.EDITOR})

# The permission matrix: the one place that says which role may do what.
# Consultants run the account but neither decide for the client nor grant
# access. Technicians do the hands-on work (edit data) but neither plan nor decide,
# and see neither the practice's fee nor its internal notes. A client's
# executive decides for the client and sees its own contract's terms, not the
# practice's notes, audit log or members; a client editor keeps the data
# current and nothing more.
ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.OWNER: frozenset(Perm),
    Role.ADMIN: frozenset(Perm),
    Role.CONSULTANT: frozenset(Perm) - {Perm.APPROVE, Perm.MEMBERS},
    Role.TECHNICIAN: frozenset({Perm.VIEW, Perm.EDIT}),
    Role.EXECUTIVE: frozenset({Perm.VIEW, Perm.APPROVE, Perm.COMMERCIAL}),
    Role.EDITOR: frozenset({Perm.VIEW, Perm.EDIT}),
}

# A read-only API token keeps only these (the reading ones), whatever its user's role.
READ_ONLY_PERMS = frozenset({Perm.VIEW, Perm.COMMERCIAL, Perm.INTERNAL})

# Role order for "the strongest role wins" when a user has several.
ROLE_RANK = {
    Role.OWNER: 0,
    Role.ADMIN: 1,
    Role.CONSULTANT: 2,
    Role.TECHNICIAN: 3,
    Role.EDITOR: 4,
    Role.EXECUTIVE: 5,
}

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def perm_for(view: object, method: str) -> Perm:
    """The permission ``view`` declares for an HTTP ``method`` on a client's data.

    Views declare, never check by hand: ``client_perm`` (pages) or
    ``read_perm`` (API) for reading, ``write_perm`` for changing. A view that
    declares no ``write_perm`` needs its reading permission to write, and at
    least EDIT when that is only VIEW: deny by default. The page mixin, the
    API permission class and the permission-matrix test all ask this.
    """
    read = getattr(view, "read_perm", None) or getattr(view, "client_perm", None) or Perm.VIEW
    if method.upper() in SAFE_METHODS:
        return Perm(read)
    write = getattr(view, "write_perm", None)
    if write:
        return Perm(write)
    return Perm.EDIT if read == Perm.VIEW else Perm(read)


def role_may(role: str, perm: Perm) -> bool:
    return perm in ROLE_PERMS[role]


def role_may_use(role: str, view: object, method: str) -> bool:
    """Whether ``role`` (on the view's client) may send ``method`` to ``view``.

    A view marked ``practice_wide`` (deleting a whole client) needs its
    permission from a practice-wide role, not from a role on the one client.
    """
    if getattr(view, "practice_wide", False) and role not in PRACTICE_WIDE_ROLES:
        return False
    return role_may(role, perm_for(view, method))


def matrix_markdown() -> str:
    """The permission matrix as a Markdown table (README's "Permissions" section)."""
    roles = list(Role)
    head = "| Action | " + " | ".join(r.label for r in roles) + " |"
    rule = "|---|" + "---|" * len(roles)
    rows = [
        f"| {PERM_LABELS[p]} | "
        + " | ".join("yes" if role_may(r, p) else "—" for r in roles)
        + " |"
        for p in Perm
    ]
    return "\n".join([head, rule, *rows]) + "\n"
