"""A client's software licences and SaaS subscriptions: its recurring IT costs."""

from __future__ import annotations

import datetime

from django.db.models import Count, QuerySet, Sum
from django.http import HttpResponse
from django.urls import reverse
from django.views import generic

from vcio.assets import services
from vcio.assets.filters import LICENCE_ORDERING, LicenceFilter, order_by_param
from vcio.assets.forms import LicenceForm
from vcio.assets.models import Licence
from vcio.assets.views.common import ListToolsMixin, stream_csv
from vcio.core.views.base import (
    ClientMixin,
    ClientScopedCreateView,
    ClientScopedDeleteView,
    ClientScopedListView,
    ClientScopedUpdateView,
)

COLUMNS = [
    ("Product", "product", ""),
    ("Vendor", "vendor", ""),
    ("Department", "department__name", ""),
    ("Seats used / owned", "seats_owned", "num"),
    ("Unused seats", "waste_cost", "num"),
    ("Cost a year", "annual_cost", "num"),
    ("Renews", "renewal_date", ""),
]
CSV_HEADER = [
    "vendor",
    "product",
    "kind",
    "seats_owned",
    "seats_used",
    "unit_cost",
    "billing_period",
    "renewal_date",
    "department",
    "annual_cost",
    "unused_seats",
    "waste_cost",
    "renews_within_90_days",
    "notes",
    "source",
    "external_id",
]


def filtered_licences(view: ClientMixin) -> tuple[LicenceFilter, QuerySet[Licence], str]:
    """The client's licences with their costs, narrowed by the filters, sorted."""
    qs = services.with_licence_costs(
        Licence.objects.for_user(view.request.user)
        .filter(client=view.client)
        .select_related("department")
    )
    filterset = LicenceFilter(
        view.request.GET, queryset=qs, request=view.request, client=view.client
    )
    ordering = view.request.GET.get("ordering")
    qs, key = order_by_param(filterset.qs, ordering, LICENCE_ORDERING, "vendor")
    return filterset, qs, key


def renews_soon(licence: Licence, on: datetime.date) -> bool:
    """True when the licence renews between ``on`` and 90 days later."""
    end = on + datetime.timedelta(days=services.RENEWAL_WINDOW_DAYS)
    return licence.renewal_date is not None and on <= licence.renewal_date <= end


class LicenceList(ListToolsMixin, ClientScopedListView):
    import_target = "licences"
    columns = COLUMNS
    model = Licence
    template_name = "assets/licence_list.html"

    def get_queryset(self) -> QuerySet[Licence]:
        self.filterset, qs, self.sort_key = filtered_licences(self)
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        on = self.filterset.today
        ctx["rows"] = [(lic, renews_soon(lic, on)) for lic in ctx["object_list"]]
        # Totals over every filtered licence, not just this page: one query.
        ctx["totals"] = self.filterset.qs.aggregate(
            annual=Sum("annual_cost"),
            waste=Sum("waste_cost"),
            unused=Sum("unused_seats"),
            renewing=Count("pk", filter=services.renewing_q(on)),
        )
        return ctx


class LicenceExport(ClientMixin, generic.View):
    """The filtered licence list as CSV, with the computed cost columns."""

    model = Licence

    def get(self, request, *args, **kwargs) -> HttpResponse:
        filterset, qs, _ = filtered_licences(self)
        on = filterset.today
        rows = (
            [
                lic.vendor,
                lic.product,
                lic.kind,
                lic.seats_owned,
                lic.seats_used,
                lic.unit_cost,
                lic.billing_period,
                lic.renewal_date,
                lic.department.name if lic.department else "",
                f"{lic.annual_cost:.2f}",
                lic.unused_seats,
                f"{lic.waste_cost:.2f}",
                "yes" if renews_soon(lic, on) else "no",
                lic.notes,
                lic.source,
                lic.external_id,
            ]
            for lic in qs.iterator(chunk_size=2000)
        )
        return stream_csv(f"{self.client.slug}-licences-{on.isoformat()}.csv", CSV_HEADER, rows)


class _LicenceFormMixin:
    model = Licence
    form_class = LicenceForm
    template_name = "assets/form.html"
    success_view = "assets:licence_list"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["cancel_url"] = reverse("assets:licence_list", kwargs={"client": self.client.slug})
        return ctx


class LicenceCreate(_LicenceFormMixin, ClientScopedCreateView):
    pass


class LicenceUpdate(_LicenceFormMixin, ClientScopedUpdateView):
    pass


class LicenceDelete(ClientScopedDeleteView):
    model = Licence
    success_view = "assets:licence_list"
