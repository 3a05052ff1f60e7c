"""The assets app's columns of the coverage matrix: licence spend and devices by department.

- **Licence spend**: each licence's yearly cost as the assets app defines it
  (:func:`vcio.assets.services.with_licence_costs`: unit cost × seats owned ×
  billing periods a year; perpetual licences cost nothing a year), summed by
  ``Licence.department``.
- **Devices**: assets by ``Asset.department``, leaving out retired ones and
  those only discovered (not yet confirmed by a person).

One query each, whatever the number of clients.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from vcio.assets.models import Asset, AssetStatus, Licence
from vcio.assets.services import with_licence_costs
from vcio.core.registry import CoverageColumn, coverage_columns

Key = tuple[int, int | None]


def licence_spend(client_ids: list[int], at: Any = None) -> dict[Key, Decimal]:
    """Yearly licence cost per (client, department); one query."""
    rows = (
        with_licence_costs(Licence.objects.filter(client_id__in=client_ids))
        .order_by()
        .values("client_id", "department_id")
        .annotate(total=Sum("annual_cost"))
    )
    return {(r["client_id"], r["department_id"]): r["total"] for r in rows if r["total"]}


def devices(client_ids: list[int], at: Any = None) -> dict[Key, int]:
    """Devices not retired (nor merely discovered) per (client, department); one query."""
    rows = (
        Asset.objects.filter(client_id__in=client_ids)
        .exclude(status__in=[AssetStatus.RETIRED, AssetStatus.DISCOVERED])
        .order_by()
        .values("client_id", "department_id")
        .annotate(n=Count("pk"))
    )
    return {(r["client_id"], r["department_id"]): r["n"] for r in rows}


def register() -> None:
    coverage_columns.register(
        CoverageColumn(
            key="assets.licence_spend",
            label="Licence spend",
            collect=licence_spend,
            kind="money",
            description="What the department's licences and subscriptions cost a year.",
            order=50,
            app="assets",
        )
    )
    coverage_columns.register(
        CoverageColumn(
            key="assets.devices",
            label="Devices",
            collect=devices,
            description="Devices in use, spare or in repair assigned to the department.",
            order=60,
            app="assets",
        )
    )
