"""What the asset pages and API need from the lifecycle computations, in one place.

The rules live in :mod:`vcio.assets.lifecycle`, :mod:`~vcio.assets.policies`,
:mod:`~vcio.assets.eol` and :mod:`~vcio.assets.forecast`; this adapter
loads what they share (EOL rules, the clients' policies) once per request,
so a page or an API list runs a constant number of queries whatever the
number of assets, and gives the views one place to read labels and windows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, QuerySet, Value, When
from django.db.models.functions import Greatest

from vcio.assets import lifecycle
from vcio.assets.eol import load_rules
from vcio.assets.forecast import QuarterForecast, place
from vcio.assets.lifecycle import AssetLifecycle, LifecycleSummary, client_today
from vcio.assets.models import Asset, AssetKind, BillingPeriod, Licence
from vcio.assets.policies import policies_for_clients
from vcio.core.fiscal import next_quarters, quarter_of
from vcio.core.models import Client

__all__ = ["AssetLifecycle", "LifecycleSummary", "client_today"]

WARRANTY_LABELS = {
    "active": "Active",
    "ending": "Ends within 90 days",
    "expired": "Expired",
    "unknown": "Unknown",
}
OS_LABELS = {
    "supported": "Supported",
    "ending": "Support ends within 12 months",
    "unsupported": "Unsupported",
    "unknown": "Unknown",
}
WARRANTY_STATUSES = [(s, WARRANTY_LABELS[s]) for s in lifecycle.WARRANTY_STATUSES]
OS_STATUSES = [(s, OS_LABELS[s]) for s in lifecycle.OS_STATUSES]
RENEWAL_WINDOW_DAYS = 90


@dataclass(frozen=True)
class PolicyRow:
    """The policy in force for one asset kind, as the policy table shows it."""

    kind: str
    label: str
    replace_after_years: Decimal | None
    replacement_cost: Decimal | None
    is_default: bool


class Assessor:
    """Assesses assets of some clients with rules and policies loaded once.

    ``clients`` are ``Client`` objects (no query) or ids (one query for
    their currency and time zone); then one query each for the EOL rules
    and the policies. Call the assessor on any number of batches (a page,
    the chunks of a CSV export): no further queries. Each asset is assessed
    as of today in its client's time zone, unless ``on`` fixes the day.
    """

    def __init__(self, clients: Iterable[Client | int], on: datetime.date | None = None) -> None:
        clients = list(clients)
        objs = list({c.pk: c for c in clients if isinstance(c, Client)}.values())
        ids = {c for c in clients if not isinstance(c, Client)} - {c.pk for c in objs}
        if ids:
            objs += list(Client.objects.filter(pk__in=ids).only("id", "currency", "time_zone"))
        self.today = {c.pk: on or client_today(c.time_zone) for c in objs}
        self.rules = load_rules()
        self.policies = policies_for_clients({c.pk: c.currency for c in objs})

    def __call__(self, assets: Iterable[Asset]) -> dict[int, AssetLifecycle]:
        return {
            a.pk: lifecycle.assess_asset(
                a, self.rules, self.policies[a.client_id], self.today[a.client_id]
            )
            for a in assets
        }


def assess_assets(
    assets: Sequence[Asset], client: Client | None = None, on: datetime.date | None = None
) -> dict[int, AssetLifecycle]:
    """``{asset id: lifecycle}`` for a page of assets, in a constant number of queries.

    The assets may belong to several clients (an API list for a practice
    owner); each is assessed under its own client's policies. Pass
    ``client`` when they all belong to it, to save the query for it.
    """
    clients: set[Client | int] = {client} if client is not None else set()
    for a in assets:
        if client is None or a.client_id != client.pk:
            # A client loaded with the asset (select_related) saves the query for it.
            clients.add(a.client if Asset.client.is_cached(a) else a.client_id)
    return Assessor(clients, on)(assets)


def warranty_status_q(status: str, on: datetime.date) -> Q:
    """A filter selecting assets whose warranty status on ``on`` is ``status``."""
    return lifecycle.warranty_status_q(status, on)


def filter_os_status(qs: QuerySet[Asset], status: str, on: datetime.date) -> QuerySet[Asset]:
    """``qs`` narrowed to assets whose OS support status on ``on`` is ``status``.

    Two queries to build the filter (the EOL rules, the distinct OS versions
    of ``qs``), whatever the number of assets.
    """
    return lifecycle.filter_by_os_status(qs, status, today=on)


# A fiscal quarter as the asset list's "replace" filter takes it: "FY2027 Q2" or "FY2027-Q2".
QUARTER_LABEL = r"^FY\d{4}[ -]Q[1-4]$"


def replacement_quarter_ids(
    qs: QuerySet[Asset], label: str, on: datetime.date | None = None
) -> list[int]:
    """Ids of the assets of ``qs`` the replacement forecast places in fiscal quarter
    ``label`` ("FY2027 Q2" or "FY2027-Q2") of their own client's fiscal year.

    The forecast's rule: in-use and spare assets by their replacement date, overdue
    ones in the current quarter. Three queries (assets, EOL rules, policies)
    whatever the number of assets or clients.
    """
    wanted = label.replace("-", " ")
    rows = list(
        qs.filter(status__in=lifecycle.ASSESSED_STATUSES).values(
            "name",
            *lifecycle.ASSET_FIELDS,
            "client_id",
            "client__currency",
            "client__time_zone",
            "client__fiscal_year_start_month",
        )
    )
    if not rows:
        return []
    rules = load_rules()
    policies = policies_for_clients({r["client_id"]: r["client__currency"] for r in rows})
    ids = []
    for row in rows:
        today = on or client_today(row["client__time_zone"])
        due = lifecycle.assess_asset(row, rules, policies[row["client_id"]], today).due
        if due is None:
            continue
        quarter = quarter_of(max(due, today), row["client__fiscal_year_start_month"])
        if quarter.label == wanted:
            ids.append(row["id"])
    return ids


def summary(client: Client, on: datetime.date | None = None) -> LifecycleSummary:
    """Counts by warranty and OS status, age histogram and overdue count (constant queries)."""
    return lifecycle.assess(client, on)


def age_bins(summary: LifecycleSummary) -> tuple[list[tuple[str, int]], int]:
    """The histogram's bins (years; assets of unknown age left out) and that unknown count."""
    bins = [(label, n) for label, n in summary.ages.items() if label != "unknown"]
    return bins, summary.ages.get("unknown", 0)


def forecast(
    client: Client, summary: LifecycleSummary | None = None, quarters: int = 12
) -> list[QuarterForecast]:
    """Replacements in each of the client's next ``quarters`` fiscal quarters.

    Given the page's ``summary``, its rows are placed without assessing the
    assets a second time (no query at all).
    """
    summary = summary or lifecycle.assess(client)
    periods = next_quarters(summary.today, client.fiscal_year_start_month, quarters)
    return place(summary.rows.values(), periods, summary.today)


def overdue_cost(summary: LifecycleSummary) -> Decimal:
    """What replacing the assets already past due would cost (those with an estimate)."""
    return sum((r.cost for r in summary.rows.values() if r.overdue and r.cost), Decimal(0))


def policy_rows(client: Client) -> list[PolicyRow]:
    """The policy in force for every asset kind of ``client``: one query."""
    policies = policies_for_clients({client.pk: client.currency})[client.pk]
    return [
        PolicyRow(
            kind,
            label,
            policies[kind].replace_after_years,
            policies[kind].replacement_cost,
            policies[kind].source == "default",
        )
        for kind, label in AssetKind.choices
    ]


def renewing_q(on: datetime.date, days: int = RENEWAL_WINDOW_DAYS) -> Q:
    """Licences renewing between ``on`` and ``days`` later (both included)."""
    return Q(renewal_date__gte=on, renewal_date__lte=on + datetime.timedelta(days=days))


def with_licence_costs(qs: QuerySet[Licence]) -> QuerySet[Licence]:
    """Licences with ``annual_cost``, ``unused_seats``, ``over_seats`` and ``waste_cost``.

    The same rule as :func:`vcio.assets.lifecycle.annual_cost` and
    :func:`~vcio.assets.lifecycle.seat_waste` (monthly × 12, annual × 1,
    perpetual 0), computed in the database so that a page's totals and its
    sort order cover every filtered licence, not just the rows shown.
    ``over_seats`` counts seats used beyond those owned (a compliance gap).
    """
    money = DecimalField(max_digits=18, decimal_places=2)
    per_year = Case(
        *(
            When(billing_period=period, then=Value(n))
            for period, n in lifecycle.PERIODS_PER_YEAR.items()
        ),
        default=Value(0),
    )
    unused = Greatest(F("seats_owned") - F("seats_used"), Value(0))
    return qs.annotate(
        annual_cost=ExpressionWrapper(F("unit_cost") * F("seats_owned") * per_year, money),
        unused_seats=unused,
        over_seats=Greatest(F("seats_used") - F("seats_owned"), Value(0)),
        waste_cost=ExpressionWrapper(F("unit_cost") * unused * per_year, money),
    )


def is_recurring(licence: Any) -> bool:
    """False for one-time (perpetual) licences, which add nothing to the yearly cost."""
    return licence.billing_period != BillingPeriod.PERPETUAL
