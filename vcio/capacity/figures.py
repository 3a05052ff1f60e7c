"""Figures the capacity app publishes about each client through the registry.

Each reads :func:`vcio.capacity.assess.clients_capacity` (daily rollups only)
for many clients at once: one query for the clients' time zones, then two per
distinct "as of" day (one when ``at`` is given), whatever the number of
clients and machines. Servers are assets of kind server or virtual machine
that report metrics; a client with none gets ``None`` ("no data").

The helpers here (which machines are servers, the capacity of many clients
as of their own day, a machine's page) are shared by the capacity app's
recommendations, review section and dashboard panel.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.urls import NoReverseMatch, reverse

from vcio.assets.lifecycle import client_today
from vcio.assets.models import AssetKind
from vcio.capacity.assess import IDLE, SATURATED, UNKNOWN, MachineCapacity, clients_capacity
from vcio.core.numbers import round_float
from vcio.core.registry import Figure, Number, figures

Result = dict[int, Number | None]

SERVER_KINDS = (AssetKind.SERVER, AssetKind.VIRTUAL_MACHINE)
SOON_DAYS = 30  # "under 30 days of disk left"
DISK_OVER = 0.9  # "disks over 90 % full": the highest sample of the last 7 days


# Shared helpers ----------------------------------------------------------------------


def client_rows(client_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Slug, name, currency and time zone of each client: one query."""
    from vcio.core.models import Client

    rows = Client.objects.filter(pk__in=client_ids).values(
        "id", "slug", "name", "currency", "time_zone"
    )
    return {row["id"]: row for row in rows}


def capacity_as_of(
    clients: dict[int, dict[str, Any]], at: datetime.date | None
) -> dict[int, tuple[datetime.date, list[MachineCapacity]]]:
    """Each client's day (``at``, or its own today) and its reporting machines as of it.

    Two queries per distinct day among the clients (time zones straddling
    midnight make two days at most in practice), not per client.
    """
    days = {cid: at or client_today(c["time_zone"]) for cid, c in clients.items()}
    by_day: dict[datetime.date, list[int]] = defaultdict(list)
    for cid, day in days.items():
        by_day[day].append(cid)
    found: dict[int, tuple[datetime.date, list[MachineCapacity]]] = {}
    for day, ids in by_day.items():
        for cid, machines in clients_capacity(ids, day).items():
            found[cid] = (day, machines)
    return found


def reporting(machines: list[MachineCapacity]) -> list[MachineCapacity]:
    """The machines with a daily rollup in the 90 days to the day they are assessed as of.

    A series created later, or silent since, has no data in that window: its
    machine is not (yet, or any more) reporting.
    """
    return [
        m
        for m in machines
        if any(r.usage.get(90) for r in (m.cpu, m.mem, *m.disks) if r is not None)
    ]


def servers(machines: list[MachineCapacity]) -> list[MachineCapacity]:
    """The servers and virtual machines among reporting machines."""
    return [m for m in reporting(machines) if m.kind in SERVER_KINDS]


def machine_url(slug: str, asset_id: int) -> str:
    """The capacity page of one machine: ``/clients/<slug>/capacity/assets/<id>/``.

    Reversed when the capacity pages are installed; until then the path they
    will be served at, so evidence links stay right once they are.
    """
    try:
        return reverse("capacity:machine", kwargs={"client": slug, "pk": asset_id})
    except NoReverseMatch:
        return f"/clients/{slug}/capacity/assets/{asset_id}/"


def days_of_disk_left(machine: MachineCapacity) -> int | None:
    """The fewest days until one of the machine's disks is full; None if none fills in a year."""
    # A disk already full has a crossing in the past and 0 days left.
    left = [d.forecast.days_left for d in machine.disks if d.forecast and d.forecast.crossing]
    return min(left) if left else None


def disk_high(machine: MachineCapacity) -> int:
    """How many of the machine's disks went over 90 % in the last 7 days."""
    return sum(1 for d in machine.disks if (d.usage.get(7) and d.usage[7].max >= DISK_OVER))


# Figures -------------------------------------------------------------------------------


def _per_client(client_ids: list[int], at: datetime.date | None, value) -> Result:
    result: Result = dict.fromkeys(client_ids)
    for cid, (_day, machines) in capacity_as_of(client_rows(client_ids), at).items():
        found = servers(machines)
        if found:
            result[cid] = value(found)
    return result


def servers_disk_soon(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """Servers with a disk forecast to be full within 30 days of ``at`` (or already full)."""

    def count(found: list[MachineCapacity]) -> int:
        return sum(
            1 for m in found if (left := days_of_disk_left(m)) is not None and left < SOON_DAYS
        )

    return _per_client(client_ids, at, count)


def saturated_pct(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """% of servers saturated over the last 30 days, of those with enough data to tell."""

    def share(found: list[MachineCapacity]) -> float | None:
        known = [m for m in found if m.efficiency != UNKNOWN]
        if not known:
            return None
        return round_float(100 * sum(m.efficiency == SATURATED for m in known) / len(known), 1)

    return _per_client(client_ids, at, share)


def idle_servers(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """Servers idle over the last 30 days (CPU and memory p95 under the idle shares)."""
    return _per_client(client_ids, at, lambda found: sum(m.efficiency == IDLE for m in found))


def disks_over_90(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """Server disks that were over 90 % full at some point in the 7 days to ``at``."""
    return _per_client(client_ids, at, lambda found: sum(disk_high(m) for m in found))


FIGURES = [
    Figure(
        "capacity.servers_disk_soon",
        "Servers with under 30 days of disk left",
        servers_disk_soon,
        better="lower",
        app="capacity",
        # Not a dashboard column: the table already scrolls past 1280 px, and the
        # dashboard's capacity panel names the machines and dates behind this count.
        description="Servers and virtual machines with a disk forecast to be full (90 % used) "
        "within 30 days at its current growth, or full already. When a disk fills, the "
        "applications on it stop.",
    ),
    Figure(
        "capacity.saturated_pct",
        "Servers saturated",
        saturated_pct,
        unit="%",
        better="lower",
        app="capacity",
        description="The share of servers whose CPU or memory was nearly exhausted in the busy "
        "hours of the last 30 days (95th percentile over 85 % CPU or 90 % memory): users "
        "wait on them, and they need an upgrade.",
    ),
    Figure(
        "capacity.idle_servers",
        "Idle servers",
        idle_servers,
        better="lower",
        app="capacity",
        description="Servers whose CPU and memory stayed nearly unused over the last 30 days "
        "(95th percentile under 10 % CPU and 30 % memory): candidates to consolidate, which "
        "saves their running costs.",
    ),
    Figure(
        "capacity.disks_over_90",
        "Server disks over 90 % full",
        disks_over_90,
        better="lower",
        app="capacity",
        description="Disks of servers that were more than 90 % full at some point in the last "
        "7 days.",
    ),
]


def register() -> None:
    for figure in FIGURES:
        figures.register(figure)
