"""Who sees what of the practice's economics: one place, asked by every page and endpoint.

Levels (the strongest a user holds):

- ``full`` — owners and admins (a practice-wide role, no client-limited token): every
  client's fees, hours, costs, margins and targets, every person's cost rate and
  capacity, everybody's time.
- ``consultant`` — a consultant (or a token limited to one client) holding INTERNAL on
  some clients: for those clients only, fees, hours, effective hourly rate, health and
  last contact, every person's time on them, and their own capacity row — but never a
  cost rate, a cost, a margin or a target.
- ``technician`` — a practice person with EDIT but not INTERNAL (technicians): their own
  time entries on their clients, nothing else (the practice page sends them to time entry).
- ``None`` — client roles (executives, editors) and anonymous users: every practice URL
  answers 404 (the API 403), and the portal never links to it.

Rows are always reached through ``for_user``; a technician's time is ``for_user(EDIT)``
narrowed to their own entries, and only practice people can hold entries at all
(:func:`vcio.practice.timeentries.check_person`).
"""

from __future__ import annotations

from django.db.models import QuerySet

from vcio.core.access import access_for
from vcio.core.models import Client
from vcio.core.roles import PRACTICE_ROLES, Perm
from vcio.practice.models import TimeEntry

FULL = "full"
CONSULTANT = "consultant"
TECHNICIAN = "technician"


def level(user) -> str | None:
    """The user's practice level: ``full``, ``consultant``, ``technician`` or ``None``."""
    access = access_for(user)
    if access.user_id is None:
        return None
    if access.is_practice_wide:
        return FULL
    if access.client_ids(Perm.INTERNAL):
        return CONSULTANT
    practice_person = any(role in PRACTICE_ROLES for role in access.client_roles.values())
    if practice_person and access.client_ids(Perm.EDIT):
        return TECHNICIAN
    return None


def sees_margins(user) -> bool:
    """Costs, margins, cost rates and targets: owners and admins only."""
    return level(user) == FULL


def economics_clients(user) -> QuerySet[Client]:
    """Clients whose fees and hours the user may see (INTERNAL): none for technicians."""
    return Client.objects.for_user(user, Perm.INTERNAL)


def time_clients(user) -> QuerySet[Client]:
    """Clients the user may enter time for: INTERNAL ones, or EDIT ones for a technician."""
    lvl = level(user)
    if lvl is None:
        return Client.objects.none()
    if lvl == TECHNICIAN:
        return Client.objects.for_user(user, Perm.EDIT)
    return Client.objects.for_user(user, Perm.INTERNAL)


def visible_entries(user) -> QuerySet[TimeEntry]:
    """Time entries the user may see: all of their INTERNAL clients', plus their own."""
    lvl = level(user)
    if lvl is None:
        return TimeEntry.objects.none()
    base = TimeEntry.objects.for_user(user, Perm.INTERNAL)
    own = TimeEntry.objects.for_user(user, Perm.EDIT).filter(person_id=user.pk)
    return base | own


def may_enter_for_others(user) -> bool:
    """Whether the user may record time for another person (owners, admins, consultants)."""
    return level(user) in (FULL, CONSULTANT)
