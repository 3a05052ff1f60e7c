"""Figures the assets app publishes about each client through the registry.

Each function takes many client ids and runs a fixed number of queries
(grouped by client), so the practice dashboard can show them for 500
clients at once. ``None`` means the client has no data for the figure.
``at`` is the day a figure is as of (``None``: each client's own today):
warranty ends, OS support, the replacement forecast and renewals are read
as of that day; the inventory itself is the one kept (it has no history).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from vcio.assets.eol import load_rules
from vcio.assets.forecast import place, total_cost
from vcio.assets.lifecycle import (
    ASSESSED_STATUSES,
    ASSET_FIELDS,
    HARDWARE_KINDS,
    assess_asset,
    client_today,
    seat_waste,
    support_of,
)
from vcio.assets.models import Asset, AssetKind, AssetStatus, Licence
from vcio.assets.policies import policies_for_clients
from vcio.core.fiscal import next_quarters
from vcio.core.numbers import round_float
from vcio.core.registry import MONEY, Figure, Number, figures

Result = dict[int, Number | None]


def _clients(client_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Currency, time zone and fiscal start of each client: one query."""
    from vcio.core.models import Client

    rows = Client.objects.filter(pk__in=client_ids).values(
        "id", "currency", "time_zone", "fiscal_year_start_month"
    )
    return {row["id"]: row for row in rows}


def _todays(
    clients: dict[int, dict[str, Any]], at: datetime.date | None
) -> dict[int, datetime.date]:
    """The day each client's figure is as of: ``at``, or the client's own today."""
    return {cid: at or client_today(c["time_zone"]) for cid, c in clients.items()}


def _pct(part: int, whole: int) -> float | None:
    return round_float(Decimal(100 * part) / whole, 1) if whole else None


def _in_use_devices(client_ids: list[int]):
    return Asset.objects.filter(
        client_id__in=client_ids, status=AssetStatus.IN_USE, kind__in=HARDWARE_KINDS
    ).order_by()


def under_warranty_pct(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """% of in-use devices with an active or ending warranty, of those with a known one."""
    todays = _todays(_clients(client_ids), at)
    known: dict[int, int] = defaultdict(int)
    covered: dict[int, int] = defaultdict(int)
    rows = (
        _in_use_devices(client_ids)
        .filter(warranty_end__isnull=False)
        .values_list("client_id", "warranty_end")
        .annotate(n=Count("id"))
    )
    for client_id, warranty_end, n in rows:
        known[client_id] += n
        if warranty_end >= todays[client_id]:
            covered[client_id] += n
    return {cid: _pct(covered[cid], known[cid]) for cid in client_ids}


def supported_os_pct(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """% of in-use assets (not cloud services) on a supported or ending OS, of those known."""
    todays = _todays(_clients(client_ids), at)
    rules = load_rules()
    known: dict[int, int] = defaultdict(int)
    good: dict[int, int] = defaultdict(int)
    rows = (
        Asset.objects.filter(client_id__in=client_ids, status=AssetStatus.IN_USE)
        .exclude(kind=AssetKind.CLOUD)
        .order_by()
        .values_list("client_id", "os_name", "os_version")
        .annotate(n=Count("id"))
    )
    for client_id, os_name, os_version, n in rows:
        status = support_of(rules.match(os_name, os_version), todays[client_id]).status
        if status == "unknown":
            continue
        known[client_id] += n
        if status in ("supported", "ending"):
            good[client_id] += n
    return {cid: _pct(good[cid], known[cid]) for cid in client_ids}


def replacement_cost_4q(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """Replacement cost due in the next 4 fiscal quarters (overdue included), client currency."""
    clients = _clients(client_ids)
    policies = policies_for_clients({cid: c["currency"] for cid, c in clients.items()})
    rules = load_rules()
    by_client: dict[int, list[dict[str, Any]]] = defaultdict(list)
    assets = (
        Asset.objects.filter(client_id__in=list(clients), status__in=ASSESSED_STATUSES)
        .order_by()
        .values("client_id", *ASSET_FIELDS)
    )
    for asset in assets:
        by_client[asset["client_id"]].append(asset)
    result: Result = dict.fromkeys(client_ids)
    for cid, client in clients.items():
        if not by_client[cid]:
            continue
        today = at or client_today(client["time_zone"])
        rows = (assess_asset(a, rules, policies[cid], today) for a in by_client[cid])
        quarters = next_quarters(today, client["fiscal_year_start_month"], 4)
        result[cid] = total_cost(place(rows, quarters, today))
    return result


def device_count(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """Devices in use (hardware: not virtual machines or cloud services); None with no assets."""
    in_use = Q(status=AssetStatus.IN_USE, kind__in=HARDWARE_KINDS)
    rows = (
        Asset.objects.filter(client_id__in=client_ids)
        .order_by()
        .values("client_id")
        .annotate(total=Count("id"), devices=Count("id", filter=in_use))
    )
    counts: Result = dict.fromkeys(client_ids)
    counts.update({row["client_id"]: row["devices"] for row in rows})
    return counts


def _licences(client_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    by_client: dict[int, list[dict[str, Any]]] = defaultdict(list)
    fields = ("id", "client_id", "seats_owned", "seats_used", "unit_cost", "billing_period")
    for row in (
        Licence.objects.filter(client_id__in=client_ids).order_by().values(*fields, "renewal_date")
    ):
        by_client[row["client_id"]].append(row)
    return by_client


def licence_waste_per_year(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """Cost a year of licence seats owned but not used (client currency)."""
    licences = _licences(client_ids)
    return {
        cid: seat_waste(licences[cid]).cost_per_year if licences.get(cid) else None
        for cid in client_ids
    }


def renewals_90d(client_ids: list[int], at: datetime.date | None = None) -> Result:
    """Licences and subscriptions renewing in the next 90 days."""
    todays = _todays(_clients(client_ids), at)
    licences = _licences(client_ids)
    result: Result = dict.fromkeys(client_ids)
    for cid in client_ids:
        if not licences.get(cid) or cid not in todays:
            continue
        start = todays[cid]
        end = start + datetime.timedelta(days=90)
        result[cid] = sum(
            1
            for row in licences[cid]
            if row["renewal_date"] and start <= row["renewal_date"] <= end
        )
    return result


FIGURES = [
    Figure(
        "assets.under_warranty_pct",
        "Devices under warranty",
        under_warranty_pct,
        unit="%",
        better="higher",
        app="assets",
        summary=True,
        description="Share of devices in use whose warranty is active or ends within 90 "
        "days, of those with a known warranty end. A device out of warranty is repaired "
        "at the client's cost and speed.",
    ),
    Figure(
        "assets.supported_os_pct",
        "Devices on a supported OS",
        supported_os_pct,
        unit="%",
        better="higher",
        app="assets",
        summary=True,
        description="Share of assets in use whose operating system still gets security "
        "fixes from its vendor, of those whose OS is known.",
    ),
    Figure(
        "assets.replacement_cost_4q",
        "Replacement cost, next 4 quarters",
        replacement_cost_4q,
        unit=MONEY,
        better="lower",
        app="assets",
        summary=True,
        description="What replacing the equipment due (or overdue) in the next four "
        "fiscal quarters will cost, in the client's currency, from the lifecycle policy.",
    ),
    Figure(
        "assets.count",
        "Devices in use",
        device_count,
        app="assets",
        summary=True,
        description="Physical devices in use (not virtual machines or cloud services).",
    ),
    Figure(
        "assets.licence_waste_per_year",
        "Unused licence seats, cost a year",
        licence_waste_per_year,
        unit=MONEY,
        better="lower",
        app="assets",
        description="What the client pays each year, in its currency, for licence and "
        "subscription seats nobody uses.",
    ),
    Figure(
        "assets.renewals_90d",
        "Renewals in the next 90 days",
        renewals_90d,
        app="assets",
        description="Licences and subscriptions that renew within 90 days: the time to "
        "right-size seats before paying for another term.",
    ),
]


def register() -> None:
    for figure in FIGURES:
        figures.register(figure)
