"""Filters for the asset and licence lists, shared by the web pages and the API.

Like core's filters, each FilterSet only narrows a queryset the caller has
already scoped with ``for_user``; the department choices are the user's
visible departments, and a page showing one client narrows them further to
that client's (``client=`` keyword), so a foreign id is "not a valid choice".
Lifecycle statuses are computed, not stored: their filters translate a
status into a database condition through :mod:`vcio.assets.services`.
"""

from __future__ import annotations

from collections.abc import Sequence

import django_filters
from django.core.validators import RegexValidator
from django.db.models import F, QuerySet
from django.utils import timezone

from vcio.assets import services
from vcio.assets.lifecycle import client_today
from vcio.assets.models import Asset, AssetKind, AssetStatus, BillingPeriod, Licence
from vcio.core.filters import (
    FilterSet,
    IdChoiceFilter,
    client_filter,
    search_method,
    visible_departments,
)
from vcio.core.models import Client, Department

# Sort keys offered by the asset list (page headers and the API's ``ordering``).
ASSET_ORDERING = [
    "name",
    "kind",
    "model",
    "purchase_date",
    "warranty_end",
    "os_name",
    "department__name",
    "assigned_to",
    "status",
]
LICENCE_ORDERING = [
    "vendor",
    "product",
    "kind",
    "seats_owned",
    "seats_used",
    "renewal_date",
    "annual_cost",
    "waste_cost",
    "department__name",
]


class _ClientDepartmentsMixin:
    """Narrows the department choices to one client's when the page shows one client.

    ``today`` is the day computed statuses are judged on: the client's
    today when the list shows one client, the server's otherwise (API).
    """

    def __init__(self, *args, client: Client | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = client_today(client.time_zone) if client else timezone.localdate()
        self.one_client = client is not None
        if client is not None:
            self.filters["department"].queryset = Department.objects.filter(client=client)


class AssetFilter(_ClientDepartmentsMixin, FilterSet):
    q = django_filters.CharFilter(
        method=search_method(
            ["name", "serial", "asset_tag", "model", "manufacturer", "assigned_to"]
        ),
        label="Search",
    )
    kind = django_filters.ChoiceFilter(choices=AssetKind.choices, empty_label="All kinds")
    status = django_filters.ChoiceFilter(choices=AssetStatus.choices, empty_label="Any status")
    department = IdChoiceFilter(queryset=visible_departments, empty_label="All departments")
    warranty = django_filters.ChoiceFilter(
        choices=services.WARRANTY_STATUSES,
        method="filter_warranty",
        label="Warranty",
        empty_label="Any warranty",
    )
    os_status = django_filters.ChoiceFilter(
        choices=services.OS_STATUSES,
        method="filter_os",
        label="OS support",
        empty_label="Any OS support",
    )
    replace = django_filters.CharFilter(
        method="filter_replace",
        label="Replacement due in",
        help_text="A fiscal quarter, e.g. FY2027 Q2 (overdue devices count in the current one)",
        validators=[
            RegexValidator(
                services.QUARTER_LABEL,
                "Give a fiscal quarter such as FY2027 Q2 (or FY2027-Q2).",
            )
        ],
    )
    client = client_filter()

    class Meta:
        model = Asset
        fields = [
            "q",
            "kind",
            "status",
            "department",
            "warranty",
            "os_status",
            "replace",
            "client",
        ]

    def filter_replace(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The page's client's today when it shows one client, each client's own otherwise.
        on = self.today if self.one_client else None
        return queryset.filter(pk__in=services.replacement_quarter_ids(queryset, value, on))

    def filter_warranty(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(services.warranty_status_q(value, self.today))

    def filter_os(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return services.filter_os_status(queryset, value, self.today)


class LicenceFilter(_ClientDepartmentsMixin, FilterSet):
    q = django_filters.CharFilter(
        method=search_method(["vendor", "product", "notes"]), label="Search"
    )
    vendor = django_filters.CharFilter(lookup_expr="iexact")
    kind = django_filters.ChoiceFilter(choices=Licence.Kind.choices, empty_label="All kinds")
    billing_period = django_filters.ChoiceFilter(
        choices=BillingPeriod.choices, label="Billing", empty_label="Any billing"
    )
    department = IdChoiceFilter(queryset=visible_departments, empty_label="All departments")
    renewing = django_filters.ChoiceFilter(
        choices=[("true", "Within 90 days"), ("false", "Later, or no date")],
        method="filter_renewing",
        label="Renewal",
        empty_label="Any renewal date",
    )
    client = client_filter()

    class Meta:
        model = Licence
        fields = ["q", "vendor", "kind", "billing_period", "department", "renewing", "client"]

    def filter_renewing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        q = services.renewing_q(self.today)
        return queryset.filter(q) if value == "true" else queryset.exclude(q)


def order_by_param(
    qs: QuerySet, param: str | None, allowed: Sequence[str], default: str
) -> tuple[QuerySet, str]:
    """``qs`` sorted by ``param`` ("name", "-purchase_date"…) when allowed, else by ``default``.

    Empty values sort last either way, so "oldest first" does not open on
    a page of assets with no purchase date. Returns the queryset and the
    sort key actually used (for the column headers).
    """
    key = param if param and param.lstrip("-") in allowed else default
    field = key.lstrip("-")
    expr = F(field).desc(nulls_last=True) if key.startswith("-") else F(field).asc(nulls_last=True)
    return qs.order_by(expr, "pk"), key
