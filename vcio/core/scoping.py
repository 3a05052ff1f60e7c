"""The one scoping path: querysets and get-or-404 helpers.

Every model that belongs to a client (or to a user) declares how to reach
its owner in ``scope_field``; ``for_user`` turns that into a filter. Views
and API endpoints never filter by client by hand.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404

from vcio.core.access import access_for
from vcio.core.roles import Perm

M = TypeVar("M", bound=models.Model)


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to cut itself down to what a user may see."""

    def for_user(self, user, perm: Perm = Perm.VIEW) -> ScopedQuerySet:
        """Rows the user may ``perm``; nothing at all for anonymous users."""
        scope_field: str | None = getattr(self.model, "scope_field", None)
        if scope_field is None:
            raise TypeError(f"{self.model.__name__} declares no scope_field")
        access = access_for(user)
        if access.user_id is None:
            return self.none()
        if getattr(self.model, "scope_kind", "client") == "user":
            # Rows owned by a user (API tokens): only the owner's own.
            return self.filter(**{scope_field: access.user_id})
        client_ids = access.client_ids(perm)
        if client_ids is None:
            return self
        if not client_ids:
            return self.none()
        return self.filter(**{f"{scope_field}__in": client_ids})


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass


class ScopedRow(models.Model):
    """Base for every scoped row: ``scope_client_id`` follows ``scope_field``.

    A row declares how to reach its owner once (``scope_field``, e.g.
    ``"initiative__client_id"``); the client it belongs to is derived from
    that path rather than written out again on each model.
    """

    class Meta:
        abstract = True

    @property
    def scope_client_id(self) -> int | None:
        return client_id_of(self)


class ClientScopedModel(ScopedRow):
    """Base for every row that belongs to one client.

    ``client_id`` is the owner; subclasses that reach their client through a
    parent set ``scope_field`` to the lookup path (e.g. ``"asset__client_id"``).
    """

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")

    scope_field = "client_id"
    scope_kind = "client"

    objects = ScopedManager()

    class Meta:
        abstract = True


def scoped_queryset(model_or_qs: type[M] | models.QuerySet) -> ScopedQuerySet:
    if isinstance(model_or_qs, models.QuerySet):
        return model_or_qs
    return model_or_qs._default_manager.all()


def client_id_of(obj: models.Model) -> int | None:
    """The id of the client an object belongs to (``None`` for practice rows).

    Follows the model's ``scope_field`` path; rows owned by a user (API
    tokens) belong to the client they are limited to, if any.
    """
    path = getattr(obj, "scope_field", None)
    if path is None or getattr(obj, "scope_kind", "client") == "user":
        return getattr(obj, "client_id", None)
    value = obj
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return value


def get_for_user_or_404(model_or_qs, user, perm: Perm = Perm.VIEW, **lookup) -> M:
    """One object the user may see, else 404; 403 when seen but not ``perm``.

    A user who may not see the object at all gets a 404, so its existence is
    not revealed; one who may read it but not change it gets a 403.
    """
    qs = scoped_queryset(model_or_qs).for_user(user, Perm.VIEW)
    obj = get_object_or_404(qs, **lookup)
    if perm != Perm.VIEW:
        require(user, perm, obj)
    return obj


def require(user, perm: Perm, obj: models.Model | None = None) -> None:
    """Raise PermissionDenied unless the user holds ``perm`` on ``obj``'s client."""
    access = access_for(user)
    if getattr(obj, "scope_kind", "client") == "user":
        if obj is None or getattr(obj, obj.scope_field) != access.user_id:
            raise Http404
        return
    client_id = client_id_of(obj) if obj is not None else None
    if not access.can(perm, client_id):
        raise PermissionDenied(f"You may not {perm} this.")
