"""The costs the assets app knows of: licences a client already pays, replacements it will.

Licences are published through core's ``committed_cost_sources``, the
lifecycle replacement forecast (devices due, by fiscal quarter) through
``forecast_cost_sources``, so the strategy budget counts both without
importing this app.
"""

from __future__ import annotations

import datetime

from vcio.assets.models import Licence
from vcio.assets.recommendations import replacement_by_quarter
from vcio.assets.services import with_licence_costs
from vcio.core.registry import (
    CommittedCost,
    CommittedCostSource,
    ForecastCost,
    ForecastCostSource,
    committed_cost_sources,
    forecast_cost_sources,
)


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


def replacement_costs(client_ids: list[int], at: datetime.date | None = None) -> list[ForecastCost]:
    """The replacement forecast's cost per fiscal quarter, the next eight from ``at``; four queries.

    The same figures as the "devices due" recommendations, under their keys.
    """
    return [
        ForecastCost(
            client_id=d.client_id, key=d.key, label=d.title, day=d.due_date, amount=d.one_time_cost
        )
        for d in replacement_by_quarter(client_ids, at)
        if d.one_time_cost
    ]


def register() -> None:
    committed_cost_sources.register(
        CommittedCostSource("assets.licences", "Licences and subscriptions", licence_costs)
    )
    forecast_cost_sources.register(
        ForecastCostSource("assets.replacements", "Forecast device replacements", replacement_costs)
    )
