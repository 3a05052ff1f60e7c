"""Base viewsets: rows only through ``for_user``, writes checked and audited.

A viewset names its ``model`` (and the relations its serializer reads, in
``select_related``, so lists run a fixed number of queries); the rest — the
scoped queryset, the write checks, the transaction and the audit log — is
done here once, so no endpoint repeats (or forgets) an ownership check.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Model, QuerySet
from rest_framework import exceptions, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from vcio.core import audit
from vcio.core.access import access_for
from vcio.core.models import Client
from vcio.core.roles import Perm
from vcio.core.scoping import require


class Pagination(PageNumberPagination):
    """``?page=N`` (and ``?page_size=N``, at most 500) on every list."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Request) -> int | None:
        """The requested page size; a 400 naming it when it is not a whole number from 1 to 500.

        DRF silently falls back to the default page size on ``page_size=abc``,
        so a client's typo went unnoticed.
        """
        raw = request.query_params.get(self.page_size_query_param)
        fits = raw is not None and raw.isascii() and raw.isdigit() and len(raw) <= 6
        if raw is not None and not (fits and 1 <= int(raw) <= self.max_page_size):
            shown = raw if len(raw) <= 40 else raw[:40] + "…"
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        f"“{shown}” is not a page size: give a whole number from 1 to "
                        f"{self.max_page_size}."
                    ]
                }
            )
        return super().get_page_size(request)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
            elif parameter["name"] == self.page_query_param:
                parameter["schema"].update({"minimum": 1})
        return parameters


class ScopedQueryMixin:
    """The queryset every action starts from: the user's visible rows, nothing else."""

    model: type[Model]
    # What reading needs, from the permission matrix (e.g. INTERNAL for the audit log).
    read_perm: Perm = Perm.VIEW
    write_perm: Perm | None = None  # None: EDIT (see ``perm_for``); an action may set its own
    select_related: tuple[str, ...] = ()
    pagination_class = Pagination
    request: Request

    def queryset_base(self) -> QuerySet:
        """All rows of ``model`` with the joins the serializer needs (unscoped!)."""
        qs = self.model._default_manager.all()
        return qs.select_related(*self.select_related) if self.select_related else qs

    def get_queryset(self) -> QuerySet:
        """The rows the requesting user may read (``read_perm``); writes are checked per object."""
        return self.queryset_base().for_user(self.request.user, self.read_perm)


class ScopedReadOnlyModelViewSet(ScopedQueryMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve of scoped rows."""


class ScopedModelViewSet(ScopedQueryMixin, viewsets.ModelViewSet):
    """Full CRUD on scoped rows; every write is permission-checked and audited.

    ``write_perm`` is what a user needs on the row's client to create,
    change or delete it (the permission class checks it on existing rows,
    :meth:`perform_create` on the client a new row names).
    """

    write_perm: Perm = Perm.EDIT

    def create(self, request: Request, *args, **kwargs) -> Response:
        # Refuse before validating, so a user who may write nowhere gets a 403
        # rather than field errors about data they could never save.
        self.check_may_create()
        return super().create(request, *args, **kwargs)

    def check_may_create(self) -> None:
        """403 unless the user holds ``write_perm`` on at least one client."""
        if access_for(self.request.user).client_ids(self.write_perm) == set():
            raise exceptions.PermissionDenied(f"You may not {self.write_perm} records here.")

    def perform_create(self, serializer: BaseSerializer) -> None:
        client: Client | None = serializer.validated_data.get("client")
        # The client field only resolves clients the user may see; seeing is not writing.
        require(self.request.user, self.write_perm, client)
        with transaction.atomic():
            instance = serializer.save()
            audit.record_create(self.request.user, instance)

    def perform_update(self, serializer: BaseSerializer) -> None:
        before = audit.snapshot(serializer.instance)
        with transaction.atomic():
            instance = serializer.save()
            audit.record_update(self.request.user, instance, before)

    def perform_destroy(self, instance: Model) -> None:
        with transaction.atomic():
            # Recorded first: after delete() the instance has no primary key.
            audit.record_delete(self.request.user, instance)
            instance.delete()
