"""Filters for core's lists, shared by the web pages and the API.

Each FilterSet narrows a queryset that the caller has *already* scoped with
``for_user``; filters can only take rows away, never add them. Choice lists
(clients, departments) are themselves scoped to the requesting user, so a
foreign slug or id is rejected as "not a valid choice" and reveals nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import django_filters
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from vcio.core.models import AuditEvent, Client, Contact, Department, Membership
from vcio.core.models.clients import INDUSTRIES
from vcio.core.roles import Perm, Role


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


class ClientFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method=search_method(["name", "slug"]), label="Search")
    industry = django_filters.ChoiceFilter(choices=INDUSTRIES)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Client
        fields = ["q", "industry", "is_active"]


class DepartmentFilter(django_filters.FilterSet):
    client = client_filter()
    q = django_filters.CharFilter(
        method=search_method(["name", "cost_centre", "description"]), label="Search"
    )

    class Meta:
        model = Department
        fields = ["client", "q"]


class ContactFilter(django_filters.FilterSet):
    client = client_filter()
    department = django_filters.ModelChoiceFilter(queryset=visible_departments)
    is_decision_maker = django_filters.BooleanFilter()
    q = django_filters.CharFilter(
        method=search_method(["first_name", "last_name", "email", "title"]), label="Search"
    )

    class Meta:
        model = Contact
        fields = ["client", "department", "is_decision_maker", "q"]


class MembershipFilter(django_filters.FilterSet):
    client = client_filter()
    role = django_filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["client", "role"]


class AuditEventFilter(django_filters.FilterSet):
    client = client_filter()
    action = django_filters.ChoiceFilter(choices=AuditEvent.Action.choices)
    # The stored name, not a join on users: events outlive their actors.
    actor = django_filters.CharFilter(field_name="actor_name", label="Actor (username)")
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label="Since")
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label="Until")

    class Meta:
        model = AuditEvent
        fields = ["client", "action", "actor", "since", "until"]
