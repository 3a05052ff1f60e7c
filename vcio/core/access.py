"""Who may reach which client: computed once per request, used everywhere.

This module and :mod:`vcio.core.scoping` are the one path through which
every view, API endpoint and command decides what a user sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vcio.core.roles import PRACTICE_WIDE_ROLES, READ_ONLY_PERMS, ROLE_PERMS, Perm

_CACHE_ATTR = "_vcio_access"


@dataclass(frozen=True)
class Access:
    """A user's reach: practice-wide perms plus per-client roles.

    ``token_client_id`` and ``read_only`` narrow it further when the request
    came with an API token limited to one client or to reading.
    """

    user_id: int | None
    practice_perms: frozenset[Perm] = frozenset()
    client_roles: dict[int, str] = field(default_factory=dict)
    token_client_id: int | None = None
    read_only: bool = False
    practice_role: str | None = None  # owner or admin, when the user has one

    @property
    def is_practice_wide(self) -> bool:
        return bool(self.practice_perms) and self.token_client_id is None

    def perms_for(self, client_id: int) -> frozenset[Perm]:
        """The permissions this user holds on one client (empty: no access)."""
        if self.token_client_id is not None and client_id != self.token_client_id:
            return frozenset()
        perms = set(self.practice_perms)
        role = self.client_roles.get(client_id)
        if role:
            perms |= ROLE_PERMS[role]
        if self.read_only:
            perms &= READ_ONLY_PERMS
        return frozenset(perms)

    def can(self, perm: Perm, client_id: int | None) -> bool:
        if client_id is None:
            return self.can_practice(perm)
        return perm in self.perms_for(client_id)

    def can_practice(self, perm: Perm) -> bool:
        """Practice-level actions (create a client, see practice-wide rows)."""
        if self.token_client_id is not None:
            return False
        if self.read_only and perm not in READ_ONLY_PERMS:
            return False
        return perm in self.practice_perms

    def client_ids(self, perm: Perm = Perm.VIEW) -> set[int] | None:
        """Ids of clients where ``perm`` holds; ``None`` means every client."""
        if self.user_id is None:
            return set()
        if self.token_client_id is not None:
            return {self.token_client_id} if self.can(perm, self.token_client_id) else set()
        if perm in self.practice_perms and not (self.read_only and perm not in READ_ONLY_PERMS):
            return None
        return {cid for cid in self.client_roles if self.can(perm, cid)}


NO_ACCESS = Access(user_id=None)


def access_for(user) -> Access:
    """The user's :class:`Access`, cached on the user object for the request.

    Anonymous and inactive users get no access at all (deny by default).
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from vcio.core.models import Membership  # the models import this module

    practice: set[Perm] = set()
    practice_role = None
    client_roles: dict[int, str] = {}
    for client_id, role in Membership.objects.filter(user=user).values_list("client_id", "role"):
        if role in PRACTICE_WIDE_ROLES and client_id is None:
            practice |= ROLE_PERMS[role]
            practice_role = role
        elif client_id is not None:
            client_roles[client_id] = role
    if user.is_superuser:
        practice |= set(Perm)
    access = Access(user.pk, frozenset(practice), client_roles, practice_role=practice_role)
    setattr(user, _CACHE_ATTR, access)
    return access


def restrict_to_token(user, client_id: int | None, read_only: bool) -> Access:
    """Narrow the user's access to what an API token allows, for this request."""
    base = access_for(user)
    narrowed = Access(
        base.user_id,
        base.practice_perms,
        base.client_roles,
        token_client_id=client_id,
        read_only=read_only,
        practice_role=base.practice_role,
    )
    setattr(user, _CACHE_ATTR, narrowed)
    return narrowed


def forget_access(user) -> None:
    """Drop the cached access, e.g. after the user's memberships changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
