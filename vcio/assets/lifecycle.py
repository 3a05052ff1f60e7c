"""Lifecycle of a client's assets: age, warranty, OS support, replacement due.

Pure functions over plain values, so a view, the API, a figure or a report
can call them on model instances or on ``values()`` dicts alike, plus
:func:`assess`, which evaluates every in-use or spare asset of a client in a
constant number of queries (client, policies, EOL rules, assets). Licence
figures (seat waste, renewals, annual cost) are at the end.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from django.db.models import Q, QuerySet
from django.utils import timezone

from vcio.assets.eol import RuleSet, is_hardware_bound, load_rules
from vcio.assets.models import Asset, AssetKind, AssetStatus, BillingPeriod, Licence
from vcio.assets.policies import Policy, policies_for
from vcio.core.fiscal import add_months

WARRANTY_ENDING_DAYS = 90
OS_ENDING_MONTHS = 12
WARRANTY_STATUSES = ("active", "ending", "expired", "unknown")
OS_STATUSES = ("supported", "ending", "unsupported", "unknown")
AGE_BUCKETS = tuple(f"{n}–{n + 1}" for n in range(7)) + ("7+", "unknown")
# Assets the client still has; retired and in-repair ones are not planned for.
ASSESSED_STATUSES = (AssetStatus.IN_USE, AssetStatus.SPARE)
# Devices a warranty applies to: everything but virtual machines and cloud services.
HARDWARE_KINDS = tuple(
    k for k in AssetKind.values if k not in (AssetKind.VIRTUAL_MACHINE, AssetKind.CLOUD)
)
# Where an OS end of support can force new hardware (see eol.HARDWARE_BOUND).
OS_TRIGGER_KINDS = (AssetKind.WORKSTATION, AssetKind.LAPTOP)
ASSET_FIELDS = (
    "id",
    "kind",
    "status",
    "purchase_date",
    "purchase_cost",
    "warranty_end",
    "eol_date",
    "os_name",
    "os_version",
)
KIND_PLURAL = {
    AssetKind.WORKSTATION: "workstations",
    AssetKind.LAPTOP: "laptops",
    AssetKind.SERVER: "servers",
    AssetKind.VIRTUAL_MACHINE: "virtual machines",
    AssetKind.NETWORK: "network devices",
    AssetKind.PRINTER: "printers",
    AssetKind.MOBILE: "phones and tablets",
    AssetKind.STORAGE: "storage systems",
    AssetKind.CLOUD: "cloud services",
    AssetKind.OTHER: "other assets",
}


def _get(asset: Any, name: str) -> Any:
    """A field of a model instance, a dataclass or a ``values()`` dict."""
    if isinstance(asset, Mapping):
        return asset.get(name)
    return getattr(asset, name, None)


def client_today(time_zone: str | None) -> datetime.date:
    """Today's date where the client is (UTC for an unknown zone)."""
    try:
        zone = zoneinfo.ZoneInfo(time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.localdate(timezone=zone)


# Age and warranty --------------------------------------------------------


def age_years(purchase_date: datetime.date | None, today: datetime.date) -> float | None:
    """Years since purchase (365.25-day years, never negative); ``None`` if unknown."""
    if purchase_date is None:
        return None
    return max(0.0, (today - purchase_date).days / 365.25)


def age_bucket(age: float | None) -> str:
    """The histogram bucket of an age: "0–1" … "6–7", "7+" or "unknown"."""
    if age is None:
        return "unknown"
    return AGE_BUCKETS[min(int(age), 7)]


def warranty_status(warranty_end: datetime.date | None, today: datetime.date) -> str:
    """ "active", "ending" (ends within 90 days, today included), "expired" or "unknown"."""
    if warranty_end is None:
        return "unknown"
    if warranty_end < today:
        return "expired"
    if warranty_end <= today + datetime.timedelta(days=WARRANTY_ENDING_DAYS):
        return "ending"
    return "active"


def warranty_status_q(status: str, today: datetime.date) -> Q:
    """A filter on ``Asset`` selecting the assets whose warranty is in ``status``."""
    soon = today + datetime.timedelta(days=WARRANTY_ENDING_DAYS)
    filters = {
        "active": Q(warranty_end__gt=soon),
        "ending": Q(warranty_end__gte=today, warranty_end__lte=soon),
        "expired": Q(warranty_end__lt=today),
        "unknown": Q(warranty_end__isnull=True),
    }
    try:
        return filters[status]
    except KeyError:
        raise ValueError(f"{status!r} is not a warranty status ({', '.join(filters)})") from None


# Operating system support --------------------------------------------------


class OsSupport(NamedTuple):
    """The support status of an asset's OS.

    ``status`` is one of ``OS_STATUSES``; ``end_of_support`` the vendor's last
    day of fixes; ``product`` the matched product ("Windows 10") and
    ``label`` the matched rule ("Windows 10 22H2"); all empty when unknown.
    """

    status: str
    end_of_support: datetime.date | None = None
    product: str = ""
    label: str = ""


UNKNOWN_OS = OsSupport("unknown")


def _ruleset(rules: RuleSet | Iterable[Any]) -> RuleSet:
    return rules if isinstance(rules, RuleSet) else RuleSet(rules)


def support_of(rule: Any, today: datetime.date) -> OsSupport:
    """The ``OsSupport`` a matched EOL rule gives today (``UNKNOWN_OS`` for no rule)."""
    if rule is None:
        return UNKNOWN_OS
    end = rule.end_of_support
    if end < today:
        status = "unsupported"
    elif end <= add_months(today, OS_ENDING_MONTHS):
        status = "ending"
    else:
        status = "supported"
    label = " ".join(p for p in (rule.product, rule.edition, rule.version) if p)
    return OsSupport(status, end, rule.product, label)


def os_status(asset: Any, rules: RuleSet | Iterable[Any], today: datetime.date) -> OsSupport:
    """Support status of the asset's OS: "supported", "ending" (within 12 months),
    "unsupported" or "unknown", with the end-of-support date."""
    rule = _ruleset(rules).match(_get(asset, "os_name"), _get(asset, "os_version"))
    return support_of(rule, today)


def os_pairs(queryset: QuerySet) -> list[tuple[str, str]]:
    """The distinct (os_name, os_version) pairs of a queryset of assets: one query."""
    return list(queryset.order_by().values_list("os_name", "os_version").distinct())


def os_status_q(
    status: str, pairs: Iterable[tuple[str, str]], rules: RuleSet, today: datetime.date
) -> Q:
    """A filter selecting assets whose OS is in ``status``.

    ``pairs`` must cover the queryset being filtered (use :func:`os_pairs`);
    the filter is grouped by OS name so its size follows the number of
    distinct OS names, not of assets.
    """
    if status not in OS_STATUSES:
        raise ValueError(f"{status!r} is not an OS status ({', '.join(OS_STATUSES)})")
    versions: dict[str, list[str]] = {}
    for name, version in pairs:
        if support_of(rules.match(name, version), today).status == status:
            versions.setdefault(name, []).append(version)
    query = Q(pk__in=[])
    for name, chosen in versions.items():
        query |= Q(os_name=name, os_version__in=chosen)
    return query


def filter_by_os_status(
    queryset: QuerySet,
    status: str,
    rules: RuleSet | None = None,
    today: datetime.date | None = None,
) -> QuerySet:
    """``queryset`` narrowed to one OS status (two queries to build, one to run)."""
    rules = rules if rules is not None else load_rules()
    today = today or timezone.localdate()
    return queryset.filter(os_status_q(status, os_pairs(queryset), rules, today))


# Replacement ------------------------------------------------------------------


def _years_text(years: Decimal) -> str:
    return format(years.normalize(), "f")


def policy_due_date(purchase_date: datetime.date, years: Decimal) -> datetime.date:
    """Purchase date plus the policy's years, to the month (4.5 years = 54 months)."""
    months = int((years * 12).to_integral_value(rounding=ROUND_HALF_UP))
    return add_months(purchase_date, months)


def replacement_due(
    asset: Any,
    policy: Policy | None,
    os_eol: OsSupport | None,
    today: datetime.date | None = None,
) -> tuple[datetime.date | None, str]:
    """When the asset should be replaced and why: ``(date, reason)`` or ``(None, "")``.

    The earliest of: the vendor's end of life for the hardware when known,
    the policy's age (e.g. "5-year policy for laptops reached
    on 2026-03-01") and, for workstations and laptops on an OS whose
    successor may need new hardware, the OS end of support ("Windows 10 22H2
    end of support on 2025-10-14: OS upgrade or replacement"). ``today``
    only picks the tense of the reason.
    """
    kind = _get(asset, "kind")
    purchase = _get(asset, "purchase_date")
    candidates: list[tuple[datetime.date, str]] = []
    if policy is not None and policy.replace_after_years is not None and purchase:
        due = policy_due_date(purchase, policy.replace_after_years)
        verb = "reaches" if today is not None and due > today else "reached"
        years = _years_text(policy.replace_after_years)
        plural = KIND_PLURAL.get(kind, "assets")
        candidates.append((due, f"{years}-year policy for {plural} {verb} on {due}"))
    if (
        os_eol is not None
        and os_eol.end_of_support is not None
        and kind in OS_TRIGGER_KINDS
        and is_hardware_bound(os_eol.product)
    ):
        end = os_eol.end_of_support
        candidates.append(
            (end, f"{os_eol.label} end of support on {end}: OS upgrade or replacement")
        )
    vendor_eol = _get(asset, "eol_date")
    if vendor_eol:
        verb = "ends" if today is not None and vendor_eol > today else "ended"
        candidates.append((vendor_eol, f"vendor end of life {verb} on {vendor_eol}"))
    if not candidates:
        return None, ""
    return min(candidates)


@dataclass(frozen=True)
class AssetLifecycle:
    """Everything computed for one asset. Costs are in the client's currency."""

    asset_id: int
    kind: str
    age_years: float | None
    age_bucket: str
    warranty: str
    warranty_end: datetime.date | None
    os: OsSupport
    due: datetime.date | None
    reason: str
    overdue: bool
    # Policy replacement cost, else the purchase cost, else None (unknown).
    cost: Decimal | None


def assess_asset(
    asset: Any, rules: RuleSet, policies: Mapping[str, Policy], today: datetime.date
) -> AssetLifecycle:
    """The lifecycle of one asset (model instance or ``values()`` dict); no queries."""
    kind = _get(asset, "kind")
    age = age_years(_get(asset, "purchase_date"), today)
    os = os_status(asset, rules, today)
    policy = policies.get(kind)
    due, reason = replacement_due(asset, policy, os, today)
    cost = policy.replacement_cost if policy is not None else None
    if cost is None:
        cost = _get(asset, "purchase_cost")
    return AssetLifecycle(
        asset_id=_get(asset, "id"),
        kind=kind,
        age_years=age,
        age_bucket=age_bucket(age),
        warranty=warranty_status(_get(asset, "warranty_end"), today),
        warranty_end=_get(asset, "warranty_end"),
        os=os,
        due=due,
        reason=reason,
        overdue=due is not None and due < today,
        cost=cost,
    )


def assess_assets(
    assets: Iterable[Any], rules: RuleSet, policies: Mapping[str, Policy], today: datetime.date
) -> dict[int, AssetLifecycle]:
    """``{asset id: AssetLifecycle}`` for e.g. one page of a list; no queries."""
    return {row.asset_id: row for row in (assess_asset(a, rules, policies, today) for a in assets)}


@dataclass
class LifecycleSummary:
    """A client's assets (in use or spare) at a glance, as of ``today``.

    ``total`` and ``rows`` cover every assessed asset; ``warranty`` and
    ``ages`` only devices (``HARDWARE_KINDS``: a VM has no warranty or age);
    ``os`` everything but cloud services.
    """

    client_id: int
    today: datetime.date
    total: int = 0
    warranty: dict[str, int] = field(default_factory=lambda: dict.fromkeys(WARRANTY_STATUSES, 0))
    os: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OS_STATUSES, 0))
    # Ordered like AGE_BUCKETS: "0–1" … "7+", "unknown".
    ages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AGE_BUCKETS, 0))
    overdue: int = 0
    rows: dict[int, AssetLifecycle] = field(default_factory=dict)


def assessed_assets(client_id: int) -> QuerySet:
    """The client's assets that lifecycle planning covers (in use or spare)."""
    return Asset.objects.filter(client_id=client_id, status__in=ASSESSED_STATUSES)


def summarise(
    client_id: int, today: datetime.date, rows: Iterable[AssetLifecycle]
) -> LifecycleSummary:
    """Counts by warranty and OS status, the age histogram and the overdue count.

    Devices only in the warranty counts and the histogram, everything but cloud
    services in the OS counts (see ``LifecycleSummary``).
    """
    summary = LifecycleSummary(client_id, today)
    for row in rows:
        summary.rows[row.asset_id] = row
        if row.kind in HARDWARE_KINDS:
            summary.warranty[row.warranty] += 1
            summary.ages[row.age_bucket] += 1
        if row.kind != AssetKind.CLOUD:
            summary.os[row.os.status] += 1
        summary.overdue += row.overdue
    summary.total = len(summary.rows)
    return summary


def assess(client: Any, today: datetime.date | None = None) -> LifecycleSummary:
    """Lifecycle of every in-use or spare asset of a client.

    ``client`` is a ``Client`` (three queries: policies, EOL rules, assets)
    or its id (one more); ``today`` defaults to today in the client's time zone.
    """
    from vcio.core.models import Client

    if not isinstance(client, Client):
        client = Client.objects.only("id", "currency", "time_zone").get(pk=client)
    today = today or client_today(client.time_zone)
    policies = policies_for(client)
    rules = load_rules()
    assets = assessed_assets(client.pk).order_by().values(*ASSET_FIELDS)
    return summarise(client.pk, today, (assess_asset(a, rules, policies, today) for a in assets))


# Licences and subscriptions -----------------------------------------------------

PERIODS_PER_YEAR = {BillingPeriod.MONTHLY: 12, BillingPeriod.ANNUAL: 1, BillingPeriod.PERPETUAL: 0}


def annual_cost(licence: Any, seats: int | None = None) -> Decimal:
    """Recurring cost a year of ``seats`` (default: the seats owned).

    Monthly × 12, annual × 1, perpetual 0 (a one-time purchase has no
    recurring cost). In the client's currency.
    """
    seats = _get(licence, "seats_owned") if seats is None else seats
    per_year = PERIODS_PER_YEAR.get(_get(licence, "billing_period"), 0)
    return (_get(licence, "unit_cost") or Decimal("0")) * (seats or 0) * per_year


@dataclass(frozen=True)
class SeatWaste:
    """Seats paid for and not used. ``by_licence`` maps licence id → (unused, cost a year)."""

    unused_seats: int
    cost_per_year: Decimal
    by_licence: dict[int, tuple[int, Decimal]]


def seat_waste(licences: Iterable[Any]) -> SeatWaste:
    """Unused seats (owned − used, never negative) and what they cost a year."""
    by_licence: dict[int, tuple[int, Decimal]] = {}
    for licence in licences:
        unused = max(0, (_get(licence, "seats_owned") or 0) - (_get(licence, "seats_used") or 0))
        if unused:
            by_licence[_get(licence, "id")] = (unused, annual_cost(licence, unused))
    return SeatWaste(
        unused_seats=sum(n for n, _ in by_licence.values()),
        cost_per_year=sum((c for _, c in by_licence.values()), Decimal("0")),
        by_licence=by_licence,
    )


def renewals_within(client_id: int, days: int = 90, today: datetime.date | None = None) -> QuerySet:
    """The client's licences renewing from today to ``days`` ahead, soonest first."""
    today = today or timezone.localdate()
    return Licence.objects.filter(
        client_id=client_id,
        renewal_date__gte=today,
        renewal_date__lte=today + datetime.timedelta(days=days),
    ).order_by("renewal_date", "vendor", "product")
