"""The recurring costs the assets app knows a client already pays: its licences.

Published through core's ``committed_cost_sources`` so the strategy budget
counts them without importing this app.
"""

from __future__ import annotations

from vcio.assets.models import Licence
from vcio.assets.services import with_licence_costs
from vcio.core.registry import CommittedCost, CommittedCostSource, committed_cost_sources


def licence_costs(client_ids: list[int]) -> list[CommittedCost]:
    """One committed cost per recurring licence or subscription of ``client_ids``; one query."""
    rows = (
        with_licence_costs(Licence.objects.filter(client_id__in=client_ids))
        .filter(annual_cost__gt=0)
        .order_by("client_id", "vendor", "product")
        .values_list("client_id", "vendor", "product", "annual_cost")
    )
    return [
        CommittedCost(client_id=c, label=f"{vendor} {product}".strip(), annual=cost)
        for c, vendor, product, cost in rows
    ]


def register() -> None:
    committed_cost_sources.register(
        CommittedCostSource("assets.licences", "Licences and subscriptions", licence_costs)
    )
