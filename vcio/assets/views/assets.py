"""A client's inventory: list (filters, search, sorting, CSV), detail, create, edit, delete."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from django.views import generic

from vcio.assets import services
from vcio.assets.filters import ASSET_ORDERING, AssetFilter, order_by_param
from vcio.assets.forms import AssetForm
from vcio.assets.models import Antivirus, Asset, InstalledSoftware
from vcio.assets.views.common import ListToolsMixin, stream_csv
from vcio.core import audit_display
from vcio.core.models import AuditEvent
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.core.views.base import (
    ClientMixin,
    ClientScopedCreateView,
    ClientScopedDeleteView,
    ClientScopedListView,
    ClientScopedUpdateView,
)

# (header, sort key, css class) of the list's columns, in order.
COLUMNS = [
    ("Name", "name", ""),
    ("Kind", "kind", ""),
    ("Model", "model", ""),
    ("OS", "os_name", ""),
    ("Age", "-purchase_date", "num"),
    ("Warranty", "warranty_end", ""),
    ("OS support", None, ""),
    ("Replacement due", None, ""),
    ("Assigned to", "assigned_to", ""),
    ("Department", "department__name", ""),
]
# The stored fields under the importer's field names (so an export imports back
# unchanged), then the computed lifecycle, which the importer ignores.
STORED_COLUMNS = (
    "name",
    "kind",
    "status",
    "manufacturer",
    "model",
    "serial",
    "asset_tag",
    "os_name",
    "os_version",
    "cpu",
    "ram_gb",
    "disk_gb",
    "purchase_date",
    "purchase_cost",
    "warranty_end",
    "eol_date",
    "department",
    "assigned_to",
    "location",
    "notes",
    "source",
    "external_id",
)
COMPUTED_COLUMNS = (
    "age_years",
    "warranty_status",
    "os_status",
    "os_end_of_support",
    "replacement_due",
    "replacement_reason",
)
CSV_HEADER = [*STORED_COLUMNS, *COMPUTED_COLUMNS]
EXPORT_CHUNK = 2000


def filtered_assets(view: ClientMixin) -> tuple[AssetFilter, QuerySet[Asset], str]:
    """The client's assets narrowed by the request's filters and sorted by its ``ordering``."""
    qs = Asset.objects.for_user(view.request.user).filter(client=view.client)
    filterset = AssetFilter(
        view.request.GET,
        queryset=qs.select_related("department"),
        request=view.request,
        client=view.client,
    )
    allowed = ASSET_ORDERING
    qs, key = order_by_param(filterset.qs, view.request.GET.get("ordering"), allowed, "name")
    return filterset, qs, key


class AssetList(ListToolsMixin, ClientScopedListView):
    import_target = "assets"
    columns = COLUMNS
    model = Asset
    template_name = "assets/asset_list.html"

    def get_queryset(self) -> QuerySet[Asset]:
        self.filterset, qs, self.sort_key = filtered_assets(self)
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        assets = list(ctx["object_list"])
        lifecycles = services.assess_assets(assets, self.client)
        ctx["rows"] = [(a, lifecycles[a.pk]) for a in assets]
        ctx["total"] = Asset.objects.for_user(self.request.user).filter(client=self.client).count()
        return ctx


class AssetExport(ClientMixin, generic.View):
    """The filtered list as CSV, streamed, with the computed lifecycle columns."""

    model = Asset

    def get(self, request, *args, **kwargs) -> HttpResponse:
        _, qs, _ = filtered_assets(self)
        assess = services.Assessor([self.client])
        today = assess.today[self.client.pk].isoformat()
        return stream_csv(f"{self.client.slug}-assets-{today}.csv", CSV_HEADER, _rows(qs, assess))


def _rows(qs: QuerySet[Asset], assess: services.Assessor) -> Iterator[list]:
    """CSV rows in chunks: each chunk is one query, assessed with the loaded rules."""
    chunk: list[Asset] = []
    for asset in qs.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(asset)
        if len(chunk) == EXPORT_CHUNK:
            yield from _chunk_rows(chunk, assess)
            chunk = []
    yield from _chunk_rows(chunk, assess)


def _chunk_rows(assets: list[Asset], assess: services.Assessor) -> Iterator[list]:
    lifecycles = assess(assets)
    for a in assets:
        life = lifecycles[a.pk]
        stored = [getattr(a, name) for name in STORED_COLUMNS]
        stored[STORED_COLUMNS.index("department")] = a.department.name if a.department else ""
        yield [
            *stored,
            "" if life.age_years is None else f"{life.age_years:.1f}",
            life.warranty,
            life.os.status,
            life.os.end_of_support,
            life.due,
            life.reason,
        ]


class AssetDetail(ClientMixin, generic.DetailView):
    """Every field of one asset, its computed lifecycle and its audit trail."""

    model = Asset
    template_name = "assets/asset_detail.html"
    context_object_name = "asset"

    def get_object(self, queryset=None) -> Asset:
        return get_for_user_or_404(
            Asset.objects.filter(client=self.client).select_related(
                "department", "contact", "host"
            ),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        asset = self.object
        ctx["life"] = services.assess_assets([asset], self.client)[asset.pk]
        # The virtual machines an agent inventory found on this host (one query).
        ctx["guests"] = list(
            Asset.objects.filter(client=self.client, host=asset).only("id", "name", "kind")[:200]
        )
        ctx.update(installed(asset, everything=self.request.GET.get("software") == "all"))
        ctx["events"] = audit_display.describe(
            AuditEvent.objects.for_user(self.request.user)
            .filter(
                client=self.client,
                content_type=ContentType.objects.get_for_model(Asset),
                object_id=str(asset.pk),
            )
            .select_related("content_type")[:50],
            self.request.user,
            show_internal=Perm.INTERNAL in ctx["client_perms"],
        )
        return ctx


SOFTWARE_SHOWN = 50


def installed(asset: Asset, everything: bool = False) -> dict[str, Any]:
    """The asset's software (the first 50 by name, or all), its count and its antivirus.

    Three queries whatever the number of packages.
    """
    rows = InstalledSoftware.objects.filter(asset=asset).only(
        "name", "version", "publisher", "install_date"
    )
    return {
        "software_count": rows.count(),
        "software": list(rows if everything else rows[:SOFTWARE_SHOWN]),
        "software_all": everything,
        "antivirus": list(Antivirus.objects.filter(asset=asset)),
    }


class _AssetFormMixin:
    model = Asset
    form_class = AssetForm
    template_name = "assets/form.html"
    success_view = "assets:asset_list"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["cancel_url"] = reverse("assets:asset_list", kwargs={"client": self.client.slug})
        return ctx

    def get_success_url(self) -> str:
        return reverse(
            "assets:asset_detail", kwargs={"client": self.client.slug, "pk": self.object.pk}
        )


class AssetCreate(_AssetFormMixin, ClientScopedCreateView):
    pass


class AssetUpdate(_AssetFormMixin, ClientScopedUpdateView):
    pass


class AssetDelete(ClientScopedDeleteView):
    model = Asset
    success_view = "assets:asset_list"
