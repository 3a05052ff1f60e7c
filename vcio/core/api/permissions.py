"""The API's one permission class: authenticated, scoped, deny by default."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Model
from django.http import Http404
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from vcio.core.access import access_for
from vcio.core.roles import perm_for
from vcio.core.scoping import require


class ScopedAccess(BasePermission):
    """Logged-in (or token) users only; object access decided by the scoping path.

    Which rows a user may *see* is decided by the viewset's scoped queryset;
    this class decides what they may *do* with a row they can see.
    """

    def has_permission(self, request: Request, view) -> bool:
        """True for an active authenticated user; read-only tokens may only read."""
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False  # DRF turns this into 401 (WWW-Authenticate: Bearer)
        if request.method not in SAFE_METHODS and access_for(user).read_only:
            raise exceptions.PermissionDenied("This token is read-only.")
        return True

    def has_object_permission(self, request: Request, view, obj: Model) -> bool:
        """True when the user holds the needed perm on ``obj``'s client, else False (403)."""
        perm = perm_for(view, request.method)
        # DRF's own exceptions, not Django's: the browsable API probes this to
        # decide which forms to show and only expects DRF's.
        try:
            require(request.user, perm, obj)
        except DjangoPermissionDenied as exc:
            self.message = str(exc)
            return False
        except Http404:
            raise exceptions.NotFound() from None
        return True
