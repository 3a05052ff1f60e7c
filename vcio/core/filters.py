"""Filters for core's lists, shared by the web pages and the API.

Each FilterSet narrows a queryset that the caller has *already* scoped with
``for_user``; filters can only take rows away, never add them. Choice lists
(clients, departments) are themselves scoped to the requesting user, so a
foreign slug or id is rejected as "not a valid choice" and reveals nothing.

Every filter that takes a row's id is an :class:`IdFilter` or an
:class:`IdChoiceFilter`, and every FilterSet derives from :class:`FilterSet`
(the API's automatic ones too, through :class:`FilterBackend`): a value that
cannot be an id (``9223372036854775808``, ``-1``, ``abc``) is refused with a
400 naming it, before it reaches the database, where an integer beyond 64
bits raised OverflowError (a 500).
"""

from __future__ import annotations

from collections.abc import Callable

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django_filters import fields as filter_fields
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from django_filters.rest_framework import DjangoFilterBackend

from vcio.core.models import AuditEvent, Client, Contact, Department, Membership
from vcio.core.models.clients import INDUSTRIES
from vcio.core.roles import Perm, Role

# The largest primary key of a BigAutoField, on SQLite and PostgreSQL alike.
MAX_ID = 2**63 - 1
_ECHO_LIMIT = 40  # characters of a refused value repeated in the message


def parse_id(value: object) -> int:
    """``value`` as a row id (a whole number from 1 to MAX_ID); ValidationError otherwise."""
    text = str(value).strip()
    # Length first: int() of a 5,000-digit string is slow, and no id has 20 digits.
    if text.isascii() and text.isdigit() and len(text) <= 19 and 1 <= int(text) <= MAX_ID:
        return int(text)
    shown = text if len(text) <= _ECHO_LIMIT else text[:_ECHO_LIMIT] + "…"
    raise ValidationError(
        f"“{shown}” is not an id: ids are whole numbers from 1 to {MAX_ID}.", code="invalid_id"
    )


class IdField(forms.Field):
    """A form field holding one row id, checked by :func:`parse_id`."""

    def to_python(self, value: object) -> int | None:
        if value in self.empty_values:
            return None
        return parse_id(value)


class IdModelChoiceField(filter_fields.ModelChoiceField):
    """A choice of row by id: the id is checked before the (scoped) choices are searched."""

    def to_python(self, value: object):
        # A filter's null choice ("none": rows without one) is a word, not an id.
        is_null_choice = self.null_label is not None and value == self.null_value
        by_id = self.to_field_name in (None, "pk", "id")
        if value not in self.empty_values and by_id and not is_null_choice:
            parse_id(value)
        return super().to_python(value)


class IdFilter(django_filters.Filter):
    """Rows whose ``field_name`` (an id column such as ``review_id``) equals the id given."""

    field_class = IdField


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    """Rows related to the row whose id is given, chosen among ``queryset`` (scoped)."""

    field_class = IdModelChoiceField


_ID_CHOICE = {
    "filter_class": IdChoiceFilter,
    "extra": FILTER_FOR_DBFIELD_DEFAULTS[models.ForeignKey]["extra"],
}


class FilterSet(django_filters.FilterSet):
    """The base of every FilterSet: filters generated from id columns check their ids."""

    FILTER_DEFAULTS = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        models.AutoField: {"filter_class": IdFilter},
        models.BigAutoField: {"filter_class": IdFilter},
        models.SmallAutoField: {"filter_class": IdFilter},
        models.ForeignKey: _ID_CHOICE,
        models.OneToOneField: _ID_CHOICE,
    }


class FilterBackend(DjangoFilterBackend):
    """django-filter's API backend, building ``filterset_fields`` lists on :class:`FilterSet`."""

    filterset_base = FilterSet


def visible_clients(request: HttpRequest | None) -> QuerySet:
    """Clients the requesting user may see; none without a request (deny by default)."""
    if request is None:
        return Client.objects.none()
    return Client.objects.for_user(request.user, Perm.VIEW)


def visible_departments(request: HttpRequest | None) -> QuerySet:
    """Departments the requesting user may see; none without a request."""
    if request is None:
        return Department.objects.none()
    return Department.objects.for_user(request.user, Perm.VIEW)


def client_filter() -> django_filters.ModelChoiceFilter:
    """The ``client`` filter every client-owned list shares: by slug, scoped choices."""
    return django_filters.ModelChoiceFilter(
        field_name="client",
        to_field_name="slug",
        queryset=visible_clients,
        label="Client",
    )


def search_method(fields: list[str]) -> Callable[[QuerySet, str, str], QuerySet]:
    """A filter method matching ``value`` case-insensitively in any of ``fields``."""

    def method(queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        q = Q()
        for field in fields:
            q |= Q(**{f"{field}__icontains": value})
        return queryset.filter(q)

    return method


class ClientFilter(FilterSet):
    q = django_filters.CharFilter(method=search_method(["name", "slug"]), label="Search")
    industry = django_filters.ChoiceFilter(choices=INDUSTRIES)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Client
        fields = ["q", "industry", "is_active"]


class DepartmentFilter(FilterSet):
    client = client_filter()
    q = django_filters.CharFilter(
        method=search_method(["name", "cost_centre", "description"]), label="Search"
    )

    class Meta:
        model = Department
        fields = ["client", "q"]


class ContactFilter(FilterSet):
    client = client_filter()
    department = IdChoiceFilter(queryset=visible_departments)
    is_decision_maker = django_filters.BooleanFilter()
    q = django_filters.CharFilter(
        method=search_method(["first_name", "last_name", "email", "title"]), label="Search"
    )

    class Meta:
        model = Contact
        fields = ["client", "department", "is_decision_maker", "q"]


class MembershipFilter(FilterSet):
    client = client_filter()
    role = django_filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["client", "role"]


class AuditEventFilter(FilterSet):
    client = client_filter()
    action = django_filters.ChoiceFilter(choices=AuditEvent.Action.choices)
    # The stored name, not a join on users: events outlive their actors.
    actor = django_filters.CharFilter(field_name="actor_name", label="Actor (username)")
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label="Since")
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label="Until")

    class Meta:
        model = AuditEvent
        fields = ["client", "action", "actor", "since", "until"]
