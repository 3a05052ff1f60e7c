"""The capacity overview: a heat map of a client's machines × resources, as of today.

One row per machine: p95 of CPU, memory and each disk over the chosen
window (``?window=7|30|90``), coloured by level; the efficiency class with
its evidence; when it fills first; when it last reported. ``?class=`` keeps
one class, ``?sort=`` orders by a column. Three queries whatever the number
of machines (series, their rollups, last report per machine).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max
from django.urls import path
from django.views import generic

from vcio.capacity.assess import MachineCapacity, client_capacity
from vcio.capacity.filters import MachineFilter
from vcio.capacity.models import Series
from vcio.capacity.views import CLIENT
from vcio.capacity.views.common import (
    efficiency_label,
    level,
    share_text,
    soonest_full,
    sort_machines,
    today_utc,
    usage_in,
)
from vcio.core.views.base import ClientMixin

COLUMNS = [("name", "Machine"), ("cpu", "CPU"), ("mem", "Memory"), ("disk", "Disks")]
COLUMNS += [("class", "Class"), ("full", "Fills up"), ("seen", "Last seen")]


@dataclass(frozen=True)
class Cell:
    label: str  # "Disk /srv"
    short: str  # "/srv"
    text: str
    level: str


@dataclass(frozen=True)
class Row:
    machine: MachineCapacity
    cpu: Cell
    mem: Cell
    disks: list[Cell]
    efficiency: str
    full: str
    last_seen: datetime | None


def cell(resource, window: int) -> Cell:
    usage = usage_in(resource, window)
    label = resource.label if resource else ""
    short = label.removeprefix("Disk ").strip()
    return Cell(label, short, share_text(usage.p95 if usage else None), level(usage))


def last_seen(client_id: int) -> dict[int, datetime]:
    """When each machine of the client last reported a reading: ``{asset_id: instant}``."""
    rows = (
        Series.objects.filter(client_id=client_id)
        .values("asset_id")
        .annotate(seen=Max("last_at"))
        .values_list("asset_id", "seen")
    )
    return dict(rows)


def overview_rows(machines: list[MachineCapacity], window: int, seen: dict) -> list[Row]:
    return [
        Row(
            machine=m,
            cpu=cell(m.cpu, window),
            mem=cell(m.mem, window),
            disks=[cell(d, window) for d in m.disks],
            efficiency=efficiency_label(m),
            full=soonest_full(m)[1],
            last_seen=seen.get(m.asset_id),
        )
        for m in machines
    ]


def sort_links(query: MachineFilter, request) -> list[dict]:
    """The column headings: each a link sorting by it (again: the other way)."""
    current = query.chosen_sort
    links = []
    for key, label in COLUMNS:
        params = request.GET.copy()
        params["sort"] = f"-{key}" if current == key else key
        arrow = "▲" if current == key else "▼" if current == f"-{key}" else ""
        aria = "ascending" if arrow == "▲" else "descending" if arrow else ""
        links.append({"key": key, "label": label, "query": params.urlencode(), "arrow": arrow,
                      "aria": aria})  # fmt: skip
    return links


class CapacityOverview(ClientMixin, generic.TemplateView):
    """Every machine of the client that reports metrics, with its p95s, class and forecast."""

    template_name = "capacity/overview.html"
    tab = "capacity"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        query = asked = MachineFilter(self.request.GET)
        valid = query.is_valid()
        if not valid:  # a bad ?window= or ?class= shows the defaults and says why (a 400)
            query = MachineFilter({})
            query.is_valid()
        machines = client_capacity(self.client.pk, today_utc())
        seen = last_seen(self.client.pk)
        shown = sort_machines(query.filter(machines), query.chosen_sort, query.chosen_window, seen)
        ctx.update(
            filter_form=query,
            filter_errors=[] if valid else [e for errs in asked.errors.values() for e in errs],
            window=query.chosen_window,
            rows=overview_rows(shown, query.chosen_window, seen),
            total=len(machines),
            counts={
                c.replace("-", "_"): sum(1 for m in machines if m.efficiency == c)
                for c in ("idle", "right-sized", "saturated", "unknown")
            },
            headings=sort_links(query, self.request),
            as_of=today_utc(),
        )
        return ctx

    def get(self, request, *args, **kwargs):
        ctx = self.get_context_data(**kwargs)
        return self.render_to_response(ctx, status=400 if ctx["filter_errors"] else 200)


urlpatterns = [
    path(f"{CLIENT}capacity/", CapacityOverview.as_view(), name="overview"),
]
