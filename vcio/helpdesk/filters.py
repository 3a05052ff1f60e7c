"""The ticket list's filters, shared by the tickets page and the API.

Like core's filters, the FilterSet only narrows a queryset the caller has
already scoped with ``for_user``. Choice lists (topics, departments, assets)
are the user's visible rows; the page narrows them to its client (``client=``
keyword), so a foreign id is "not a valid choice" and reveals nothing.

Dates are days in the client's calendar: "opened on or after 3 March" in
Chicago starts at midnight in Chicago, not in UTC. A list spanning clients
(the API without ``?client=``) applies each client's own midnight.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from vcio.assets.models import Asset
from vcio.core.filters import (
    FilterSet,
    IdChoiceFilter,
    client_filter,
    search_method,
    visible_departments,
)
from vcio.core.models import Client, Department
from vcio.core.roles import Perm
from vcio.helpdesk.models import Priority, Status, Ticket, Topic

# Sort keys offered by the list's headers and the API's ``ordering``.
TICKET_ORDERING = [
    "external_id",
    "subject",
    "requester",
    "department__name",
    "asset__name",
    "topic__name",
    "priority",
    "status",
    "opened_at",
    "resolved_at",
]


def visible_topics(request: HttpRequest | None) -> QuerySet:
    """Topics the requesting user may see; none without a request (deny by default)."""
    if request is None:
        return Topic.objects.none()
    return Topic.objects.for_user(request.user, Perm.VIEW)


def visible_assets(request: HttpRequest | None) -> QuerySet:
    """Assets the requesting user may see; none without a request."""
    if request is None:
        return Asset.objects.none()
    return Asset.objects.for_user(request.user, Perm.VIEW)


def midnight(day: dt.date, time_zone: str) -> dt.datetime:
    """The instant (aware) the calendar ``day`` starts in ``time_zone`` (an IANA name)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(time_zone or "UTC"))


class TicketFilter(FilterSet):
    q = django_filters.CharFilter(
        method=search_method(["subject", "external_id"]), label="Search subject"
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label="Any status")
    priority = django_filters.ChoiceFilter(choices=Priority.choices, empty_label="Any priority")
    # "none": tickets without a topic yet (the overview links its "(none)" row here).
    topic = IdChoiceFilter(
        queryset=visible_topics,
        empty_label="All topics",
        null_label="No topic yet",
        null_value="none",
    )
    department = IdChoiceFilter(queryset=visible_departments, empty_label="All departments")
    asset = IdChoiceFilter(queryset=visible_assets, empty_label="Any asset")
    requester = django_filters.CharFilter(
        method=search_method(["requester", "requester_email"]), label="Requester"
    )
    opened_after = django_filters.DateFilter(
        method="filter_opened_after",
        label="Opened on or after",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    opened_before = django_filters.DateFilter(
        method="filter_opened_before",
        label="Opened on or before",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    needs_review = django_filters.BooleanFilter(
        field_name="topic_needs_review", label="Topic needs review"
    )
    client = client_filter()

    class Meta:
        model = Ticket
        fields = [
            "q",
            "status",
            "priority",
            "topic",
            "department",
            "asset",
            "requester",
            "opened_after",
            "opened_before",
            "needs_review",
            "client",
        ]

    def __init__(self, *args, client: Client | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.one_client = client
        if client is not None:
            self.filters["topic"].queryset = Topic.objects.filter(
                client=client, retired=False, merged_into=None
            )
            self.filters["department"].queryset = Department.objects.filter(client=client)
            # Only assets some ticket names: a dropdown of every laptop would help nobody.
            self.filters["asset"].queryset = (
                Asset.objects.filter(client=client, tickets__client=client)
                .distinct()
                .order_by("name")
            )

    def _zones(self, queryset: QuerySet) -> list[str]:
        """The time zones the listed clients keep (one query unless the page shows one client)."""
        if self.one_client is not None:
            return [self.one_client.time_zone]
        ids = queryset.values("client_id")
        return list(
            Client.objects.filter(pk__in=ids).values_list("time_zone", flat=True).distinct()
        )

    def _by_zone(self, queryset: QuerySet, day: dt.date, lookup: str) -> QuerySet:
        condition = Q()
        for zone in self._zones(queryset):
            q = Q(**{f"opened_at__{lookup}": midnight(day, zone)})
            condition |= q if self.one_client else q & Q(client__time_zone=zone)
        return queryset.filter(condition) if condition else queryset

    def filter_opened_after(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return self._by_zone(queryset, value, "gte")

    def filter_opened_before(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        # "On or before 3 March" includes all of 3 March: before midnight of the 4th.
        if value >= dt.date.max:
            return queryset
        return self._by_zone(queryset, value + dt.timedelta(days=1), "lt")
