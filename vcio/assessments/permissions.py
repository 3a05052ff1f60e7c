"""Who may do what with assessments, on top of core's permission matrix.

Answers and their notes are the practice's working material: a client
editor holds EDIT on the client's data but is not the practice's engineer,
so answering and reading notes also need a practice role. Signing off is the
CIO's call: the PLAN permission (consultants, admins, owners).
"""

from __future__ import annotations

from vcio.core.access import access_for
from vcio.core.roles import PRACTICE_ROLES, Perm


def is_practice_person(user, client_id: int) -> bool:
    """The user works for the practice on this client (not one of the client's own people)."""
    access = access_for(user)
    if access.can_practice(Perm.VIEW) and access.token_client_id is None:
        return True
    if access.token_client_id not in (None, client_id):
        return False
    role = access.client_roles.get(client_id)
    if role is None and access.practice_perms:
        return True
    return role in PRACTICE_ROLES


def may_answer(user, client_id: int) -> bool:
    """Answer items, attach evidence, write internal notes: practice people with EDIT."""
    return access_for(user).can(Perm.EDIT, client_id) and is_practice_person(user, client_id)


def may_see_notes(user, client_id: int) -> bool:
    """Read internal notes and override reasons: practice people who can see the client."""
    return access_for(user).can(Perm.VIEW, client_id) and is_practice_person(user, client_id)


def may_sign_off(user, client_id: int) -> bool:
    """Start, submit back, sign off and re-open assessments: the CIO's planning permission."""
    return access_for(user).can(Perm.PLAN, client_id)
