"""Recommendations the assets app derives from lifecycle data.

Three generators, each batched over many clients in a fixed number of
queries: replacements due per fiscal quarter (from the replacement
forecast), devices on an unsupported OS, and licences renewing soon with
seats nobody uses. Keys are stable ("assets.replace.FY2027-Q1",
"assets.unsupported_os", "assets.licence_waste.<licence id>") so a re-run
updates the same recommendation instead of adding another.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.urls import reverse

from vcio.assets.eol import is_hardware_bound, load_rules
from vcio.assets.forecast import QuarterForecast, place
from vcio.assets.lifecycle import (
    ASSESSED_STATUSES,
    ASSET_FIELDS,
    OS_TRIGGER_KINDS,
    annual_cost,
    assess_asset,
    client_today,
)
from vcio.assets.models import Asset, AssetKind, BillingPeriod, Licence
from vcio.assets.policies import policies_for_clients
from vcio.core.fiscal import next_quarters
from vcio.core.registry import (
    RecommendationDraft,
    RecommendationGenerator,
    recommendation_generators,
)

HORIZON_QUARTERS = 8  # the roadmap's default horizon
RENEWAL_DAYS = 90
# Person-days, rough practice estimates: set up a new device and move its user's data,
# upgrade one OS in place, right-size one licence with its vendor.
REPLACE_DAYS = Decimal("0.5")
UPGRADE_DAYS = Decimal("0.5")
RIGHT_SIZE_DAYS = Decimal("0.5")


def _clients(client_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Slug, currency, time zone and fiscal start of each client: one query."""
    from vcio.core.models import Client

    rows = Client.objects.filter(pk__in=client_ids).values(
        "id", "slug", "currency", "time_zone", "fiscal_year_start_month"
    )
    return {row["id"]: row for row in rows}


def _assets_by_client(client_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """In-use and spare assets (what lifecycle planning covers), grouped: one query."""
    by_client: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = Asset.objects.filter(client_id__in=client_ids, status__in=ASSESSED_STATUSES)
    for row in rows.order_by("id").values("client_id", "name", *ASSET_FIELDS):
        by_client[row["client_id"]].append(row)
    return by_client


def _money(amount: Decimal) -> str:
    return f"{amount:,.0f}"


def _quarter_draft(client: dict[str, Any], q: QuarterForecast, index: int) -> RecommendationDraft:
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(q.by_kind.items()))
    why = (
        f"{q.count} device(s) reach their replacement date in {q.label} ({kinds}), "
        f"estimated at {_money(q.cost)} {client['currency']}."
    )
    if q.overdue:
        why += f" {q.overdue} of them are already overdue."
    if q.cost_unknown:
        why += f" {q.cost_unknown} have no cost estimate (set a lifecycle policy)."
    risk = "high" if q.overdue else ("medium" if index <= 1 else "low")
    return RecommendationDraft(
        key=f"assets.replace.{q.label.replace(' ', '-')}",
        client_id=client["id"],
        title=f"Replace {q.count} device(s) due in {q.label}",
        why=why,
        category="lifecycle",
        source_app="assets",
        risk=risk,
        # The devices in question: the asset list filtered to this quarter's replacements.
        evidence_url=reverse("assets:asset_list", kwargs={"client": client["slug"]})
        + f"?replace={q.label.replace(' ', '-')}",
        evidence={
            "quarter": q.label,
            "count": q.count,
            "overdue": q.overdue,
            "cost_unknown": q.cost_unknown,
            "by_kind": dict(q.by_kind),
            "asset_ids": list(q.asset_ids),
        },
        one_time_cost=q.cost,
        effort_days=REPLACE_DAYS * q.count,
        due_date=q.quarter.start,
    )


def replacement_by_quarter(
    client_ids: list[int], at: datetime.date | None = None
) -> list[RecommendationDraft]:
    """One draft per fiscal quarter (next 8) with at least one device due; four queries.

    ``at`` is the day the forecast is made on (None: each client's today).
    """
    clients = _clients(client_ids)
    policies = policies_for_clients({cid: c["currency"] for cid, c in clients.items()})
    rules = load_rules()
    assets = _assets_by_client(list(clients))
    drafts = []
    for cid, client in clients.items():
        if not assets[cid]:
            continue
        today = at or client_today(client["time_zone"])
        rows = [assess_asset(a, rules, policies[cid], today) for a in assets[cid]]
        quarters = next_quarters(today, client["fiscal_year_start_month"], HORIZON_QUARTERS)
        for index, q in enumerate(place(rows, quarters, today)):
            if q.count:
                drafts.append(_quarter_draft(client, q, index))
    return drafts


def unsupported_os(client_ids: list[int]) -> list[RecommendationDraft]:
    """One draft per client with assets whose OS gets no more security fixes; four queries.

    Workstations and laptops on an OS whose successor may need new hardware
    (Windows 10, older macOS) are costed at their replacement cost; the rest
    at the effort of an in-place upgrade.
    """
    clients = _clients(client_ids)
    policies = policies_for_clients({cid: c["currency"] for cid, c in clients.items()})
    rules = load_rules()
    assets = _assets_by_client(list(clients))
    drafts = []
    for cid, client in clients.items():
        today = client_today(client["time_zone"])
        found = []
        for asset in assets[cid]:
            if asset["kind"] == AssetKind.CLOUD:
                continue
            row = assess_asset(asset, rules, policies[cid], today)
            if row.os.status == "unsupported":
                found.append((asset, row))
        if found:
            drafts.append(_os_draft(client, found))
    return drafts


def _os_draft(client: dict[str, Any], found: list[tuple[dict, Any]]) -> RecommendationDraft:
    bound = [
        (a, r)
        for a, r in found
        if a["kind"] in OS_TRIGGER_KINDS and is_hardware_bound(r.os.product)
    ]
    bound_ids = {a["id"] for a, _ in bound}
    upgrades = [a for a, _ in found if a["id"] not in bound_ids]
    cost = sum((r.cost or Decimal("0") for _, r in bound), Decimal("0"))
    by_os: dict[str, int] = defaultdict(int)
    for _, row in found:
        by_os[row.os.label] += 1
    earliest = min(r.os.end_of_support for _, r in found)
    named = ", ".join(f"{n} on {label}" for label, n in sorted(by_os.items()))
    why = (
        f"{len(found)} device(s) run an operating system that no longer gets security "
        f"fixes ({named}): each is an open door for ransomware."
    )
    if bound:
        why += (
            f" {len(bound)} probably need new hardware to move on "
            f"(about {_money(cost)} {client['currency']})."
        )
    if upgrades:
        why += f" {len(upgrades)} can be upgraded in place."
    url = reverse("assets:asset_list", kwargs={"client": client["slug"]})
    return RecommendationDraft(
        key="assets.unsupported_os",
        client_id=client["id"],
        title=f"Move {len(found)} device(s) off an unsupported operating system",
        why=why,
        category="security",
        source_app="assets",
        risk="high",
        evidence_url=f"{url}?os_status=unsupported",
        evidence={
            "count": len(found),
            "by_os": dict(by_os),
            "asset_ids": [a["id"] for a, _ in found],
            "hardware_bound_ids": sorted(bound_ids),
            "upgrade_ids": [a["id"] for a in upgrades],
            "earliest_end_of_support": earliest.isoformat(),
        },
        one_time_cost=cost,
        effort_days=REPLACE_DAYS * len(bound) + UPGRADE_DAYS * len(upgrades),
        due_date=earliest,
    )


def licence_waste(client_ids: list[int]) -> list[RecommendationDraft]:
    """One draft per licence renewing within 90 days with paid, unused seats; two queries."""
    clients = _clients(client_ids)
    licences = (
        Licence.objects.filter(client_id__in=list(clients), renewal_date__isnull=False)
        .exclude(billing_period=BillingPeriod.PERPETUAL)
        .order_by("renewal_date", "id")
    )
    drafts = []
    for licence in licences:
        client = clients[licence.client_id]
        today = client_today(client["time_zone"])
        unused = licence.seats_owned - licence.seats_used
        if not today <= licence.renewal_date <= today + datetime.timedelta(days=RENEWAL_DAYS):
            continue
        saving = annual_cost(licence, unused) if unused > 0 else Decimal("0")
        if saving <= 0:
            continue
        drafts.append(_licence_draft(client, licence, unused, saving))
    return drafts


def _licence_draft(
    client: dict[str, Any], licence: Licence, unused: int, saving: Decimal
) -> RecommendationDraft:
    url = reverse("assets:licence_update", kwargs={"client": client["slug"], "pk": licence.pk})
    return RecommendationDraft(
        key=f"assets.licence_waste.{licence.pk}",
        client_id=client["id"],
        title=f"Drop {unused} unused seat(s) of {licence} before it renews on "
        f"{licence.renewal_date}",
        why=(
            f"{licence.seats_used} of {licence.seats_owned} seats are in use. Reducing the "
            f"order at renewal saves {_money(saving)} {client['currency']} a year."
        ),
        category="cost",
        source_app="assets",
        risk="low",
        evidence_url=url,
        evidence={
            "licence_id": licence.pk,
            "product": str(licence),
            "seats_owned": licence.seats_owned,
            "seats_used": licence.seats_used,
            "unused_seats": unused,
            "saving_per_year": str(saving),
            "renewal_date": licence.renewal_date.isoformat(),
        },
        # A saving is a negative recurring cost: the budget, the score and the optimiser count it.
        recurring_cost_per_year=-saving,
        effort_days=RIGHT_SIZE_DAYS,
        due_date=licence.renewal_date,
    )


GENERATORS = [
    RecommendationGenerator(
        "assets.replace_by_quarter",
        "Devices due for replacement, by fiscal quarter",
        replacement_by_quarter,
        app="assets",
    ),
    RecommendationGenerator(
        "assets.unsupported_os", "Devices on an unsupported OS", unsupported_os, app="assets"
    ),
    RecommendationGenerator(
        "assets.licence_waste",
        "Licences renewing with unused seats",
        licence_waste,
        app="assets",
    ),
]


def register() -> None:
    for generator in GENERATORS:
        recommendation_generators.register(generator)
