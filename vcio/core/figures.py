"""Figures ``core`` publishes about each client through the registry."""

from __future__ import annotations

import datetime

from django.db.models import Count

from vcio.core.models import Contact, Department, Membership
from vcio.core.registry import Figure, Number, figures


def _count_by_client(queryset, client_ids: list[int]) -> dict[int, Number | None]:
    rows = (
        queryset.filter(client_id__in=client_ids)
        .values("client_id")
        .annotate(n=Count("id"))
        .values_list("client_id", "n")
    )
    counts: dict[int, Number | None] = dict.fromkeys(client_ids, 0)
    counts.update(dict(rows))
    return counts


# Departments, contacts and memberships keep no history: ``at`` cannot change
# their counts, which are the records as they stand.


def departments(client_ids: list[int], at: datetime.date | None = None) -> dict[int, Number | None]:
    return _count_by_client(Department.objects.all(), client_ids)


def contacts(client_ids: list[int], at: datetime.date | None = None) -> dict[int, Number | None]:
    return _count_by_client(Contact.objects.all(), client_ids)


def users_with_access(
    client_ids: list[int], at: datetime.date | None = None
) -> dict[int, Number | None]:
    """Logins that reach the client through a membership of their own.

    Practice owners and admins reach every client and are not counted.
    """
    return _count_by_client(Membership.objects.filter(user__is_active=True), client_ids)


def register() -> None:
    figures.register(
        Figure(
            "core.departments",
            "Departments",
            departments,
            description="Parts of the organisation recorded for the client.",
            app="core",
        )
    )
    figures.register(
        Figure(
            "core.contacts",
            "Contacts",
            contacts,
            description="People at the client the practice works with.",
            app="core",
        )
    )
    figures.register(
        Figure(
            "core.users",
            "Users with access",
            users_with_access,
            summary=True,
            description="vcio logins assigned to this client (consultants, technicians, "
            "client executives and editors).",
            app="core",
        )
    )
