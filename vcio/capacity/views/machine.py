"""A machine's capacity page: 90 days of daily rollups per resource, forecasts, usage per window.

Reads the machine's series and their daily rollups in two queries (through
:func:`vcio.capacity.assess.client_capacity` narrowed to the one asset) and
the rollups again for the charts (one query): a fixed count whatever the
number of disks.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from functools import cached_property

from django.urls import path
from django.views import generic

from vcio.assets.models import Asset, AssetStatus
from vcio.capacity.assess import FORECAST_DAYS, WINDOWS, Resource, client_capacity
from vcio.capacity.charts import resource_chart
from vcio.capacity.models import DailyRollup
from vcio.capacity.views import CLIENT
from vcio.capacity.views.common import (
    efficiency_label,
    full_text,
    level,
    share_text,
    today_utc,
)
from vcio.capacity.views.discovered import merge_choices
from vcio.core.scoping import get_for_user_or_404
from vcio.core.views.base import ClientMixin


def chart_rows(series_ids: list[int], as_of) -> dict[int, list]:
    """(day, mean, max) per series over the 90 days ending ``as_of``, oldest first."""
    rows: dict[int, list] = defaultdict(list)
    found = (
        DailyRollup.objects.filter(
            series_id__in=series_ids,
            day__gt=as_of - timedelta(days=FORECAST_DAYS),
            day__lte=as_of,
        )
        .order_by("series_id", "day")
        .values_list("series_id", "day", "mean", "max")
    )
    for sid, day, mean, high in found:
        rows[sid].append((day, mean, high))
    return rows


def resource_view(resource: Resource, rows: list) -> dict:
    """What the page shows of one resource: its chart, usage per window, when it fills."""
    usage = []
    for window in WINDOWS:
        u = resource.usage.get(window)
        usage.append(
            {
                "window": window,
                "p50": share_text(u.p50 if u else None),
                "p95": share_text(u.p95 if u else None),
                "max": share_text(u.max if u else None),
                "days": u.days if u else 0,
                "level": level(u),
            }
        )
    return {
        "resource": resource,
        "chart": resource_chart(resource, rows) if rows else None,
        "usage": usage,
        "full": full_text(resource) if resource.forecast else "",
        "slug": f"r{resource.series_id}",
    }


class MachineCapacityPage(ClientMixin, generic.TemplateView):
    """One machine's CPU, memory and disks over 90 days, with forecasts for memory and disks."""

    model = Asset
    template_name = "capacity/machine.html"
    tab = "capacity"

    @cached_property
    def asset(self) -> Asset:
        qs = Asset.objects.filter(client=self.client)
        return get_for_user_or_404(qs, self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        as_of = today_utc()
        machines = client_capacity(self.client.pk, as_of, asset_ids=[self.asset.pk])
        machine = machines[0] if machines else None
        resources = [
            r for r in ([machine.cpu, machine.mem, *machine.disks] if machine else []) if r
        ]
        rows = chart_rows([r.series_id for r in resources], as_of)
        ctx.update(
            asset=self.asset,
            machine=machine,
            efficiency=efficiency_label(machine) if machine else "",
            resources=[resource_view(r, rows.get(r.series_id, [])) for r in resources],
            as_of=as_of,
            windows=WINDOWS,
            discovered=self.asset.status == AssetStatus.DISCOVERED,
            merge_choices=(
                merge_choices(self.asset)
                if self.asset.status == AssetStatus.DISCOVERED and "edit" in ctx["client_perms"]
                else []
            ),
        )
        return ctx


urlpatterns = [
    path(
        f"{CLIENT}capacity/assets/<int:pk>/",
        MachineCapacityPage.as_view(),
        name="machine",
    ),
]
