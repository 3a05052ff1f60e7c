"""What the assets app brings to a review: the lifecycle section and the lifecycle score.

Everything runs on aggregates (counts grouped in the database), never on a
list of every asset: a client with 20,000 assets costs the same handful of
queries as one with twenty. The replacement forecast reuses the lifecycle
rules (:func:`lifecycle.assess_asset`, :func:`forecast.place`) on one
representative per group of assets that share a kind, a purchase month, a
vendor end-of-life month and (for workstations and laptops) an OS: the
replacement due date depends on nothing else, to the month, and a month is
all a fiscal quarter needs.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Case, CharField, Count, DateField, F, Q, Sum, Value, When
from django.db.models.functions import TruncMonth

from vcio.assets.eol import RuleSet, load_rules
from vcio.assets.forecast import place
from vcio.assets.lifecycle import (
    AGE_BUCKETS,
    ASSESSED_STATUSES,
    HARDWARE_KINDS,
    OS_TRIGGER_KINDS,
    assess_asset,
    client_today,
    support_of,
)
from vcio.assets.models import Asset, AssetKind
from vcio.assets.policies import Policy, policies_for
from vcio.core.charts import bar_chart, compact_number
from vcio.core.fiscal import next_quarters
from vcio.core.numbers import format_number, round_float
from vcio.core.registry import (
    Change,
    HealthComponent,
    ReportSection,
    ReviewPeriod,
    SubScore,
    health_components,
    report_sections,
)
from vcio.core.templatetags.vcio_format import SYMBOLS, format_money

SECTION = "assets.lifecycle"
LISTED = 25  # assets listed in "ending before the next review"; the count covers all
EXAMPLES = 3  # names quoted in a change's sentence
DEFAULT_HORIZON_DAYS = 31  # when no cadence says when the next review is
FORECAST_QUARTERS = 4
KIND_LABELS = dict(AssetKind.choices)


def day_text(day: datetime.date) -> str:
    """ "12 Dec 2026"."""
    return f"{day.day} {day:%b %Y}"


def _plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {words or word + 's'}"


def _in_service(client_ids: list[int]):
    return Asset.objects.filter(client_id__in=client_ids, status__in=ASSESSED_STATUSES).order_by()


# Counts -------------------------------------------------------------------------


def _age_cutoffs(today: datetime.date) -> list[datetime.date]:
    """Purchase dates at or before which an asset is at least 1 … 7 years old (365.25-day years)."""
    return [today - datetime.timedelta(days=math.ceil(n * 365.25)) for n in range(1, 8)]


def _counts(client_id: int, today: datetime.date, until: datetime.date) -> dict[str, int]:
    """In-service totals, warranty and age counts of devices: one aggregate query."""
    device = Q(kind__in=HARDWARE_KINDS)
    older = {
        f"older_{n}": Count("id", filter=device & Q(purchase_date__lte=cutoff))
        for n, cutoff in enumerate(_age_cutoffs(today), start=1)
    }
    return _in_service([client_id]).aggregate(
        in_service=Count("id"),
        devices=Count("id", filter=device),
        out_of_warranty=Count("id", filter=device & Q(warranty_end__lt=today)),
        no_warranty_date=Count("id", filter=device & Q(warranty_end__isnull=True)),
        warranty_ending=Count(
            "id", filter=device & Q(warranty_end__gte=today, warranty_end__lt=until)
        ),
        known_age=Count("id", filter=device & Q(purchase_date__isnull=False)),
        **older,
    )


def _ages(counts: dict[str, int]) -> list[dict[str, Any]]:
    """The age histogram of devices, ordered like ``AGE_BUCKETS`` ("0–1" … "7+", "unknown")."""
    at_least = [counts["known_age"]] + [counts[f"older_{n}"] for n in range(1, 8)]
    sizes = [at_least[n] - at_least[n + 1] for n in range(7)] + [at_least[7]]
    sizes.append(counts["devices"] - counts["known_age"])
    return [{"bucket": b, "count": n} for b, n in zip(AGE_BUCKETS, sizes, strict=True)]


# Operating systems ------------------------------------------------------------------


def _os_pairs(client_id: int, rules: RuleSet, today: datetime.date) -> list[dict[str, Any]]:
    """Each OS (name, version) of the in-service assets but cloud services, with its support."""
    rows = (
        _in_service([client_id])
        .exclude(kind=AssetKind.CLOUD)
        .values("os_name", "os_version")
        .annotate(n=Count("id"))
    )
    return [
        {**row, "support": support_of(rules.match(row["os_name"], row["os_version"]), today)}
        for row in rows
    ]


def _ending_os(pairs: list[dict[str, Any]], today: datetime.date, until: datetime.date):
    """The pairs whose support ends in [today, until), as {end date: [(name, version)]}."""
    ending: dict[datetime.date, list[tuple[str, str]]] = defaultdict(list)
    for row in pairs:
        end = row["support"].end_of_support
        if end is not None and today <= end < until:
            ending[end].append((row["os_name"], row["os_version"]))
    return ending


def _os_q(pairs: list[tuple[str, str]]) -> Q:
    """Assets on any of ``pairs``, grouped by OS name so the SQL stays small."""
    versions: dict[str, list[str]] = defaultdict(list)
    for name, version in pairs:
        versions[name].append(version)
    query = Q(pk__in=[])
    for name, chosen in versions.items():
        query |= Q(os_name=name, os_version__in=chosen)
    return query


# Ending before the next review --------------------------------------------------------

LIST_FIELDS = ("name", "kind", "assigned_to", "department__name")


def _who(row: dict[str, Any]) -> str:
    return " · ".join(p for p in (row["assigned_to"], row["department__name"]) if p)


def _item(row: dict[str, Any], what: str, day: datetime.date) -> dict[str, Any]:
    return {
        "name": row["name"],
        "kind": KIND_LABELS.get(row["kind"], row["kind"]),
        "user": _who(row),
        "what": what,
        "date": day.isoformat(),
        "date_text": day_text(day),
    }


def _ending_items(
    client_id: int,
    today: datetime.date,
    until: datetime.date,
    ending_os: dict[datetime.date, list[tuple[str, str]]],
    labels: dict[tuple[str, str], str],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The first ``LISTED`` warranties and OS supports ending, soonest first: two queries."""
    warranty = (
        _in_service([client_id])
        .filter(kind__in=HARDWARE_KINDS, warranty_end__gte=today, warranty_end__lt=until)
        .order_by("warranty_end", "name")
        .values(*LIST_FIELDS, "warranty_end", "os_name", "os_version")[:LISTED]
    )
    warranties = [_item(r, "Warranty", r["warranty_end"]) for r in warranty]
    if not ending_os:
        return warranties, []
    end_of = Case(
        *(When(_os_q(pairs), then=Value(day)) for day, pairs in ending_os.items()),
        output_field=DateField(),
    )
    support = (
        _in_service([client_id])
        .exclude(kind=AssetKind.CLOUD)
        .filter(_os_q([p for pairs in ending_os.values() for p in pairs]))
        .annotate(os_end=end_of)
        .order_by("os_end", "name")
        .values(*LIST_FIELDS, "os_end", "os_name", "os_version")[:LISTED]
    )
    supports = [
        _item(r, f"OS support ({labels[(r['os_name'], r['os_version'])]})", r["os_end"])
        for r in support
    ]
    return warranties, supports


# Replacement forecast -------------------------------------------------------------------


def _group_cost(group: dict[str, Any], policy: Policy | None) -> tuple[Decimal, int]:
    """A group's replacement cost and how many of it have no estimate (as lifecycle decides)."""
    if policy is not None and policy.replacement_cost is not None:
        return policy.replacement_cost * group["n"], 0
    return group["cost_sum"] or Decimal("0"), group["n"] - group["cost_n"]


def _forecast(
    client_id: int, today: datetime.date, fiscal_month: int, rules, policies, currency: str
) -> list[dict[str, Any]]:
    """Replacements due in each of the next 4 fiscal quarters (overdue in the first): one query."""
    trigger = Q(kind__in=OS_TRIGGER_KINDS)
    # The OS only moves the due date of workstations and laptops: others group without it.
    groups = list(
        _in_service([client_id])
        .values(
            "kind",
            bought=TruncMonth("purchase_date"),
            vendor_eol=TruncMonth("eol_date"),
            osn=Case(When(trigger, then=F("os_name")), default=Value(""), output_field=CharField()),
            osv=Case(
                When(trigger, then=F("os_version")), default=Value(""), output_field=CharField()
            ),
        )
        .annotate(n=Count("id"), cost_n=Count("purchase_cost"), cost_sum=Sum("purchase_cost"))
    )
    rows = [
        assess_asset(
            {
                "id": index,  # the group's index: place() hands it back per quarter
                "kind": g["kind"],
                "purchase_date": g["bought"],
                "eol_date": g["vendor_eol"],
                "os_name": g["osn"],
                "os_version": g["osv"],
            },
            rules,
            policies,
            today,
        )
        for index, g in enumerate(groups)
    ]
    result = []
    for quarter in place(rows, next_quarters(today, fiscal_month, FORECAST_QUARTERS), today):
        chosen = [groups[i] for i in quarter.asset_ids]
        costs = [_group_cost(g, policies.get(g["kind"])) for g in chosen]
        cost = sum((c for c, _ in costs), Decimal("0"))
        result.append(
            {
                "label": quarter.label,
                "start": quarter.quarter.start.isoformat(),
                "count": sum(g["n"] for g in chosen),
                "cost": cost,
                "cost_text": format_money(cost, currency),
                "cost_unknown": sum(n for _, n in costs),
            }
        )
    return result


def forecast_chart(forecast: list[dict[str, Any]], currency: str) -> str:
    """The 4-quarter replacement cost as inline SVG bars, the device count under each."""
    symbol = SYMBOLS.get(currency, "")
    return str(
        bar_chart(
            [q["label"] for q in forecast],
            [float(q["cost"]) for q in forecast],
            title="Replacement cost by fiscal quarter",
            desc="What replacing the equipment due in each of the next four fiscal quarters "
            f"will cost, in {currency}.",
            value_format=lambda v: f"{symbol}{compact_number(v)}",
            notes=[_plural(q["count"], "asset") for q in forecast],
            width=560,
            height=220,
        )
    )


# The section -------------------------------------------------------------------------


def _horizon(period: ReviewPeriod) -> tuple[datetime.date, str]:
    """Until when (excluded) "ending soon" looks, and how a sentence names that time."""
    if period.next_review is not None and period.next_review > period.today:
        return period.next_review, "before the next review"
    days = DEFAULT_HORIZON_DAYS
    return period.today + datetime.timedelta(days=days), f"in the next {days} days"


def collect(period: ReviewPeriod) -> dict[str, Any]:
    """Lifecycle figures of the client's in-service assets as of ``period.today``; ``{}`` if none.

    Counts, the age histogram of devices, the replacement forecast for the
    next 4 fiscal quarters (count and cost in the client's currency) and the
    warranties and OS supports that end before the next review (counts, and
    the first 25 listed). Eight queries whatever the number of assets.
    """
    from vcio.core.models import Client

    client = Client.objects.only("id", "currency", "time_zone", "fiscal_year_start_month").get(
        pk=period.client_id
    )
    today = period.today
    until, horizon = _horizon(period)
    counts = _counts(client.pk, today, until)
    if not counts["in_service"]:
        return {}
    rules, policies = load_rules(), policies_for(client)
    pairs = _os_pairs(client.pk, rules, today)
    ending_os = _ending_os(pairs, today, until)
    labels = {(r["os_name"], r["os_version"]): r["support"].label for r in pairs}
    warranties, supports = _ending_items(client.pk, today, until, ending_os, labels)
    ending_pairs = {p for found in ending_os.values() for p in found}
    forecast = _forecast(
        client.pk, today, client.fiscal_year_start_month, rules, policies, client.currency
    )
    by_status: dict[str, int] = defaultdict(int)
    for row in pairs:
        by_status[row["support"].status] += row["n"]
    items = sorted(warranties + supports, key=lambda i: (i["date"], i["name"]))[:LISTED]
    return {
        "today": today.isoformat(),
        "today_text": day_text(today),
        "until": until.isoformat(),
        "until_text": day_text(until),
        "horizon": horizon,
        "counts": {
            **{
                k: counts[k]
                for k in ("in_service", "devices", "out_of_warranty", "no_warranty_date")
            },
            "os_unsupported": by_status["unsupported"],
            "os_unknown": by_status["unknown"],
        },
        "ages": _ages(counts),
        "forecast": forecast,
        "forecast_total_text": format_money(sum(q["cost"] for q in forecast), client.currency),
        "chart_svg": forecast_chart(forecast, client.currency),
        "ending": {
            "warranty_count": counts["warranty_ending"],
            "support_count": sum(
                r["n"] for r in pairs if (r["os_name"], r["os_version"]) in ending_pairs
            ),
            "warranty_examples": [i["name"] for i in warranties[:EXAMPLES]],
            "support_examples": [i["name"] for i in supports[:EXAMPLES]],
            "items": items,
        },
    }


# What changed --------------------------------------------------------------------------


def _examples(names: list[str], total: int) -> str:
    """ ": A and B." when all are named, ", e.g. A, B, C, …" when there are more."""
    if total > len(names):
        return ", e.g. " + ", ".join([*names, "…"])
    if len(names) == 1:
        return f": {names[0]}."
    return ": " + ", ".join(names[:-1]) + f" and {names[-1]}."


def _plan_change(previous: dict[str, Any] | None, current: dict[str, Any]) -> Change | None:
    """The next quarter's replacement cost, when the previous review planned the same quarter."""
    if not previous or not current.get("forecast"):
        return None
    now = current["forecast"][0]
    before = next((q for q in previous.get("forecast", []) if q["label"] == now["label"]), None)
    if before is None or Decimal(str(before["cost"])) == Decimal(str(now["cost"])):
        return None
    verb = "rose" if Decimal(str(now["cost"])) > Decimal(str(before["cost"])) else "fell"
    return Change(
        section=SECTION,
        kind="asset.replacement_plan",
        text=f"Replacements planned for {now['label']} {verb} from {before['cost_text']} "
        f"({_plural(before['count'], 'asset')}) to {now['cost_text']} "
        f"({_plural(now['count'], 'asset')}).",
    )


# (change kind, data key, verb for one asset, verb for several)
ENDINGS = (
    ("asset.warranty_ends", "warranty", "leaves warranty", "leave warranty"),
    ("asset.support_ends", "support", "loses OS support", "lose OS support"),
)


def changes(
    previous: dict[str, Any] | None, current: dict[str, Any], period: ReviewPeriod
) -> list[Change]:
    """Warranties and OS supports ending before the next review (bad news); the plan's move."""
    found: list[Change] = []
    ending = current.get("ending") or {}
    when = f"{current.get('horizon', 'before the next review')} (by {current.get('until_text')})"
    for kind, key, one, several in ENDINGS:
        total = ending.get(f"{key}_count", 0)
        if total:
            names = _examples(ending.get(f"{key}_examples", []), total)
            text = f"{_plural(total, 'asset')} {one if total == 1 else several} {when}{names}"
            found.append(Change(section=SECTION, kind=kind, text=text, direction="worse"))
    plan = _plan_change(previous, current)
    return found + ([plan] if plan else [])


# Health ----------------------------------------------------------------------------


def health(client_ids: list[int], today: datetime.date | None = None) -> dict[int, SubScore]:
    """The share (0–100) of each client's in-service assets with no known lifecycle risk.

    An asset is at risk when its warranty has ended (devices only; a virtual
    machine or cloud service has none) or its OS is past its vendor's end of
    support. A missing warranty date or an unrecognised OS is *not* counted
    as a risk — the score measures known exposure — but the explanation says
    how many devices have no warranty date, so the gap stays visible.
    Clients without assets are left out. Three queries for any number of clients.
    ``today`` scores as of that day (``None``: each client's own today).
    """
    from vcio.core.models import Client

    todays = {
        row["id"]: today or client_today(row["time_zone"])
        for row in Client.objects.filter(pk__in=client_ids).values("id", "time_zone")
    }
    expired = Q(pk__in=[])
    for today in set(todays.values()):
        ids = [cid for cid, day in todays.items() if day == today]
        expired |= Q(client_id__in=ids, warranty_end__lt=today)
    expired &= Q(kind__in=HARDWARE_KINDS)
    rules = load_rules()
    rows = (
        _in_service(client_ids)
        .values("client_id", "os_name", "os_version")
        .annotate(
            n=Count("id"),
            cloud=Count("id", filter=Q(kind=AssetKind.CLOUD)),
            expired=Count("id", filter=expired),
            undated=Count("id", filter=Q(kind__in=HARDWARE_KINDS, warranty_end__isnull=True)),
        )
    )
    totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        cid = row["client_id"]
        status = support_of(rules.match(row["os_name"], row["os_version"]), todays[cid]).status
        unsupported = row["n"] - row["cloud"] if status == "unsupported" else 0
        found = totals[cid]
        found["total"] += row["n"]
        found["expired"] += row["expired"]
        found["unsupported"] += unsupported
        found["undated"] += row["undated"]
        # On an unsupported OS every device is at risk, expired or not (cloud has no OS).
        found["at_risk"] += unsupported or row["expired"]
    return {cid: _lifecycle_score(found) for cid, found in totals.items()}


def _lifecycle_score(found: dict[str, int]) -> SubScore:
    total, safe = found["total"], found["total"] - found["at_risk"]
    score = 100 * safe / total
    verb = "is" if safe == 1 else "are"
    text = (
        f"{safe} of {_plural(total, 'asset')} in service {verb} in warranty and on a supported OS "
        f"({format_number(score)} %); {found['expired']} out of warranty, "
        f"{found['unsupported']} on an OS out of support"
    )
    if found["undated"]:
        text += f"; {_plural(found['undated'], 'device has', 'devices have')} no warranty date"
    return SubScore(round_float(score, 1), text + ".")


def register() -> None:
    report_sections.register(
        ReportSection(
            key=SECTION,
            title="Lifecycle and replacement plan",
            collect=collect,
            changes=changes,
            template="assets/report_section.html",
            order=40,
            app="assets",
        )
    )
    health_components.register(
        HealthComponent(key="lifecycle", label="Lifecycle", weight=25, compute=health, app="assets")
    )
