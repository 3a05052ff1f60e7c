"""Lifecycle policies: when each asset kind is replaced and what that costs.

vcio ships defaults that match what practices use (DOMAIN.md: workstations
and laptops 4–5 years, servers 5–7, network 5–7, phones 2–3); a client's
``LifecyclePolicy`` rows override them kind by kind. Virtual machines and
cloud services have no hardware to replace, so by default they have no
policy (``replace_after_years`` is ``None``) and never enter the forecast.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from vcio.assets.models import AssetKind, LifecyclePolicy

DEFAULT_YEARS: dict[str, Decimal | None] = {
    AssetKind.WORKSTATION: Decimal("5"),
    AssetKind.LAPTOP: Decimal("5"),
    AssetKind.SERVER: Decimal("6"),
    AssetKind.NETWORK: Decimal("6"),
    AssetKind.MOBILE: Decimal("3"),
    AssetKind.PRINTER: Decimal("6"),
    AssetKind.STORAGE: Decimal("6"),
    AssetKind.VIRTUAL_MACHINE: None,
    AssetKind.CLOUD: None,
    AssetKind.OTHER: None,
}

# Typical SMB purchase prices in US dollars (business-grade device with
# three years of vendor warranty); a starting point the practice overrides.
DEFAULT_COST_USD: dict[str, Decimal] = {
    AssetKind.WORKSTATION: Decimal("1100"),
    AssetKind.LAPTOP: Decimal("1500"),
    AssetKind.SERVER: Decimal("9000"),
    AssetKind.NETWORK: Decimal("2500"),
    AssetKind.MOBILE: Decimal("900"),
    AssetKind.PRINTER: Decimal("800"),
    AssetKind.STORAGE: Decimal("6000"),
}

# Rough purchasing-power factors from USD list prices (hardware costs more
# outside the US than the exchange rate says), rounded so the defaults read
# as estimates. A currency not listed gets no default cost: a made-up figure
# in the wrong currency would be worse than "cost unknown".
CURRENCY_FACTOR: dict[str, Decimal] = {
    "USD": Decimal("1"),
    "EUR": Decimal("1"),
    "GBP": Decimal("0.85"),
    "CAD": Decimal("1.4"),
    "AUD": Decimal("1.6"),
    "NZD": Decimal("1.75"),
    "CHF": Decimal("1"),
    "SEK": Decimal("11"),
    "NOK": Decimal("11"),
    "DKK": Decimal("7.5"),
}


@dataclass(frozen=True)
class Policy:
    """The policy in force for one asset kind of one client.

    ``replace_after_years`` ``None`` means the kind is never replaced by age;
    ``replacement_cost`` ``None`` means no estimate (in the client's currency).
    """

    kind: str
    replace_after_years: Decimal | None
    replacement_cost: Decimal | None
    source: Literal["default", "client"] = "default"

    @property
    def replaces(self) -> bool:
        return self.replace_after_years is not None


def default_cost(kind: str, currency: str) -> Decimal | None:
    """The default replacement cost of ``kind`` in ``currency``, rounded to 50."""
    usd = DEFAULT_COST_USD.get(kind)
    factor = CURRENCY_FACTOR.get((currency or "").upper())
    if usd is None or factor is None:
        return None
    return (usd * factor / 50).quantize(Decimal("1")) * 50


def default_policies(currency: str = "USD") -> dict[str, Policy]:
    """vcio's defaults for every asset kind, costs in ``currency``."""
    return {
        kind: Policy(kind, DEFAULT_YEARS.get(kind), default_cost(kind, currency))
        for kind in AssetKind.values
    }


def merge(currency: str, rows: Iterable[LifecyclePolicy]) -> dict[str, Policy]:
    """Defaults overridden by the client's rows (plain function, no queries)."""
    policies = default_policies(currency)
    for row in rows:
        policies[row.kind] = Policy(
            row.kind, row.replace_after_years, row.replacement_cost, source="client"
        )
    return policies


def policies_for(client) -> dict[str, Policy]:
    """Every kind's policy for one client (a ``Client`` or its id): one or two queries."""
    from vcio.core.models import Client

    if not isinstance(client, Client):
        client = Client.objects.only("id", "currency").get(pk=client)
    return merge(client.currency, LifecyclePolicy.objects.filter(client_id=client.pk))


def policies_for_clients(currencies: dict[int, str]) -> dict[int, dict[str, Policy]]:
    """Policies of many clients in one query; ``currencies`` maps client id → currency."""
    rows: dict[int, list[LifecyclePolicy]] = {cid: [] for cid in currencies}
    for row in LifecyclePolicy.objects.filter(client_id__in=list(currencies)):
        rows[row.client_id].append(row)
    return {cid: merge(currencies[cid], rows[cid]) for cid in currencies}
