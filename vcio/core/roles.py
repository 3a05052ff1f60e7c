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
    """What a user wants to do with a client's data."""

    VIEW = "view"  # read the client's data
    EDIT = "edit"  # create, change and delete the client's records
    APPROVE = "approve"  # approve or decline proposals for the client
    MANAGE = "manage"  # change the client itself (contract, fee, fiscal year)
    MEMBERS = "members"  # grant and revoke access to the client
    INTERNAL = "internal"  # read the practice's internal notes


# Roles whose membership has no client: they reach every client.
PRACTICE_WIDE_ROLES = frozenset({Role.OWNER, Role.ADMIN})
PRACTICE_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.CONSULTANT, Role.TECHNICIAN})
CLIENT_ROLES = frozenset({Role.EXECUTIVE, Role.EDITOR})

ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.OWNER: frozenset(Perm),
    Role.ADMIN: frozenset(Perm),
    Role.CONSULTANT: frozenset({Perm.VIEW, Perm.EDIT, Perm.MANAGE, Perm.INTERNAL}),
    Role.TECHNICIAN: frozenset({Perm.VIEW, Perm.EDIT, Perm.INTERNAL}),
    Role.EXECUTIVE: frozenset({Perm.VIEW, Perm.APPROVE}),
    Role.EDITOR: frozenset({Perm.VIEW, Perm.EDIT}),
}

# A read-only API token keeps only these, whatever its user's role.
READ_ONLY_PERMS = frozenset({Perm.VIEW, Perm.INTERNAL})

# Role order for "the strongest role wins" when a user has several.
ROLE_RANK = {
    Role.OWNER: 0,
    Role.ADMIN: 1,
    Role.CONSULTANT: 2,
    Role.TECHNICIAN: 3,
    Role.EDITOR: 4,
    Role.EXECUTIVE: 5,
}
