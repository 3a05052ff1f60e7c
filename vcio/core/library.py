"""Practice-wide libraries (frameworks, questionnaires): who reads them and who changes them.

A library belongs to the practice, not to a client: its people read it (an
owner or admin, or a consultant or technician of some client), and only
those who MANAGE the whole practice change it. The web pages use
:class:`LibraryMixin`, the API :class:`LibraryAccess`; both ask the same two
questions here.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from rest_framework.request import Request

from vcio.core.access import access_for
from vcio.core.api.permissions import ScopedAccess
from vcio.core.roles import PRACTICE_ROLES, Perm

READ_METHODS = ("GET", "HEAD", "OPTIONS")


def works_for_practice(user) -> bool:
    """The user is one of the practice's people (on the whole practice or some client).

    A token limited to one client counts only the role held on that client.
    """
    access = access_for(user)
    if access.token_client_id is None and access.can_practice(Perm.VIEW):
        return True
    roles = access.client_roles
    if access.token_client_id is not None:
        roles = {access.token_client_id: roles.get(access.token_client_id)}
    return any(role in PRACTICE_ROLES for role in roles.values())


def may_manage_library(user) -> bool:
    return access_for(user).can_practice(Perm.MANAGE)


class LibraryMixin(LoginRequiredMixin):
    """Web pages of a library: reading needs the practice, writing practice-level MANAGE."""

    library_name = "library"  # e.g. "framework library", in the refusal

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not works_for_practice(request.user):
            raise PermissionDenied(f"The {self.library_name} is the practice's.")
        if request.method not in READ_METHODS and not may_manage_library(request.user):
            raise PermissionDenied("Only the practice's owners and admins change the library.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["may_manage"] = may_manage_library(self.request.user)
        return ctx


class LibraryAccess(ScopedAccess):
    """API of a library: reading for the practice's people, writing for MANAGE on the practice."""

    message = "The library is the practice's: owners and admins change it."

    def has_permission(self, request: Request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in READ_METHODS:
            return works_for_practice(request.user)
        return may_manage_library(request.user)

    def has_object_permission(self, request: Request, view, obj: Model) -> bool:
        return True  # has_permission decided; a library has no per-row owner
