"""Recommendations the help desk's tickets argue for, through the registry.

Three generators, each over the 90 days to each client's today against the
90 days before (``analytics.many``), for many clients in a fixed number of
queries:

* ``helpdesk.replace``: a topic rising beyond chance whose tickets hit
  assets older than their lifecycle policy's replacement age → replace
  them; cost = the sum of their replacement costs (policy, else purchase).
* ``helpdesk.remedy``: a topic with a known remedy (matched by keywords in
  its name, :data:`REMEDIES`) taking at least :data:`REMEDY_SHARE` % of
  tickets → the remedy; saving per year = tickets per year × minutes per
  ticket ÷ 60 × ``VCIO_HELPDESK_HOURLY_RATE`` (the practice's cost of an
  hour of support, in the client's currency; 85 when unset), less the
  tool's cost per employee per year.
* ``helpdesk.rootcause``: a recurring problem on one asset → a root-cause
  review (effort in days).

Keys are stable per client (topic and asset ids), so a re-run updates the
same recommendation. Evidence holds ticket ids and counts and asset names,
never a ticket's text.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from vcio.assets.lifecycle import KIND_PLURAL, age_years
from vcio.assets.policies import CURRENCY_FACTOR, policies_for_clients
from vcio.core.numbers import format_number
from vcio.core.registry import (
    RecommendationDraft,
    RecommendationGenerator,
    recommendation_generators,
)
from vcio.helpdesk.analytics import trends
from vcio.helpdesk.analytics.many import (
    ClientWindow,
    clients_windows,
    counts_by_topic,
    recent_and_before,
)
from vcio.helpdesk.analytics.present import topic_url
from vcio.helpdesk.analytics.recurring import policy_for_clients, recurring

WINDOW = 90  # days compared with the 90 before
REMEDY_SHARE = 15.0  # % of tickets a topic must take for its remedy to be worth proposing
REMEDY_MIN = 10  # …and at least this many tickets in the window
EVIDENCE_IDS = 50  # ticket ids kept as evidence
DEFAULT_HOURLY_RATE = Decimal("85")
SERVER_KINDS = ("server", "vm", "storage", "network")


@dataclass(frozen=True)
class Remedy:
    """A known fix for a kind of ticket; costs in US dollars (scaled to the client's currency)."""

    key: str
    pattern: str  # a regular expression matched against the topic's name, case-insensitive
    title: str
    minutes_per_ticket: int
    tool_per_employee_year: Decimal
    effort_days: Decimal
    why: str


SSPR_WORDS = r"password|lock ?out|locked|account unlock|mfa reset"
REMEDIES = (
    Remedy("sspr", SSPR_WORDS, "Self-service password reset", 15, Decimal("24"), Decimal("2"),
           "users reset their own password (with MFA) in minutes"),
    Remedy("print", r"print|toner|scanner", "Managed print service", 30, Decimal("12"),
           Decimal("3"), "the print provider monitors, supplies and fixes printers"),
    Remedy("onboarding", r"onboard|offboard|new (user|starter|hire)|leaver",
           "Automated onboarding", 60, Decimal("0"), Decimal("5"),
           "accounts, licences and devices follow HR's list"),
)  # fmt: skip


def hourly_rate() -> Decimal:
    """What an hour of support costs (``VCIO_HELPDESK_HOURLY_RATE``), in the client's currency."""
    return Decimal(str(getattr(settings, "VCIO_HELPDESK_HOURLY_RATE", DEFAULT_HOURLY_RATE)))


def remedy_for(topic_name: str) -> Remedy | None:
    """The first remedy whose keywords the topic's name contains, else None."""
    for remedy in REMEDIES:
        if re.search(remedy.pattern, topic_name or "", re.IGNORECASE):
            return remedy
    return None


def _money(amount: Decimal, currency: str) -> str:
    return f"{format_number(amount)} {currency}"


def _asset_rows(asset_ids: set[int]) -> dict[int, dict]:
    from vcio.assets.models import Asset

    fields = ("id", "name", "kind", "purchase_date", "purchase_cost")
    return {a["id"]: a for a in Asset.objects.filter(pk__in=asset_ids).values(*fields)}


def replace_old_assets(client_ids: list[int]) -> list[RecommendationDraft]:
    """Rising topics whose tickets hit assets past their replacement age: replace those assets."""
    windows = clients_windows(client_ids, None, 2 * WINDOW)
    policies = policies_for_clients({cid: w.client["currency"] for cid, w in windows.items()})
    rising: list[tuple[ClientWindow, dict, list[dict]]] = []
    wanted: set[int] = set()
    for w in windows.values():
        now, before = recent_and_before(w, WINDOW)
        counts, names = counts_by_topic(w, now, before)
        for row in trends.compare(counts, names, now, before, "previous"):
            if row["news"] and row["direction"] == "rising":
                tickets = [r for r in w.rows if r["topic_id"] == row["id"]
                           and r["opened_at"] >= now.utc_start]  # fmt: skip
                wanted |= {r["asset_id"] for r in tickets if r["asset_id"]}
                rising.append((w, row, tickets))
    assets = _asset_rows(wanted) if wanted else {}
    drafts = []
    for w, row, tickets in rising:
        cid, today = w.client["id"], w.end.date()
        old = []
        for aid in sorted({r["asset_id"] for r in tickets if r["asset_id"]}):
            a = assets[aid]
            if _past_replacement(a, policies[cid], today):
                policy = policies[cid][a["kind"]]
                age = age_years(a["purchase_date"], today)
                cost = policy.replacement_cost or a["purchase_cost"] or Decimal("0")
                old.append({"name": a["name"], "kind": a["kind"], "age_years": round(age, 1),
                            "replace_after_years": float(policy.replace_after_years),
                            "cost": str(cost)})  # fmt: skip
        if old:
            drafts.append(_replace_draft(w, row, tickets, old))
    return drafts


def _replace_draft(w: ClientWindow, row: dict, tickets: list[dict], old: list[dict]):
    c = w.client
    total = sum(Decimal(a["cost"]) for a in old)
    kinds = Counter(a["kind"] for a in old).most_common(1)[0][0]
    plural = KIND_PLURAL.get(kinds, "assets")
    years = format_number(min(a["replace_after_years"] for a in old), 0)
    start = (w.end - datetime.timedelta(days=WINDOW)).date()
    why = (f"{row['current']} {row['name']} tickets in the last {WINDOW} days against "
           f"{row['before']} before ({trends.change_words(row)}); {len(old)} of the {plural} "
           f"they hit are over {years} years old: replace them, "
           f"~{_money(total, c['currency'])}.")  # fmt: skip
    return RecommendationDraft(
        key=f"helpdesk.replace.{row['id']}",
        client_id=c["id"],
        title=f"Replace {len(old)} old {plural} behind rising {row['name']} tickets",
        why=why,
        category="lifecycle",
        source_app="helpdesk",
        risk="medium",
        evidence_url=topic_url(c["slug"], row["id"], start, w.end.date()),
        evidence={
            "topic": row["name"],
            "tickets": row["current"],
            "tickets_before": row["before"],
            "change": trends.change_words(row),
            "ticket_ids": [r["id"] for r in tickets][:EVIDENCE_IDS],
            "assets": old,
        },
        one_time_cost=total,
    )


def known_remedies(client_ids: list[int]) -> list[RecommendationDraft]:
    """Topics with a known remedy taking a large share of tickets: the remedy, with its saving."""
    drafts = []
    rate = hourly_rate()
    for w in clients_windows(client_ids, None, WINDOW).values():
        opened = w.opened
        counts = Counter((r["topic_id"], r["topic_name"]) for r in opened if r["topic_id"])
        for (topic_id, name), n in counts.most_common():
            share = 100 * n / len(opened)
            remedy = remedy_for(name)
            if remedy is None or share < REMEDY_SHARE or n < REMEDY_MIN:
                continue
            ids = [r["id"] for r in opened if r["topic_id"] == topic_id]
            drafts.append(_remedy_draft(w, topic_id, name, n, share, remedy, rate, ids))
    return drafts


def _remedy_draft(w, topic_id, name, n, share, remedy: Remedy, rate: Decimal, ids):
    c = w.client
    per_year = Decimal(n) * Decimal("365") / WINDOW
    saving = (per_year * remedy.minutes_per_ticket / 60 * rate).quantize(Decimal("1"))
    factor = CURRENCY_FACTOR.get((c["currency"] or "").upper())
    tool = (remedy.tool_per_employee_year * (factor or 0) * c["employee_count"]).quantize(
        Decimal("1")
    )
    net = saving - tool
    paid = f" for ~{_money(tool, c['currency'])} a year" if tool else ""
    why = (f"{name} is {format_number(share, 0)} % of tickets ({n} in the last {WINDOW} days, "
           f"~{format_number(per_year)} a year at ~{remedy.minutes_per_ticket} min each): "
           f"{remedy.title.lower()}, where {remedy.why}, saves ~{_money(saving, c['currency'])} "
           f"a year of support time{paid}.")  # fmt: skip
    start = (w.end - datetime.timedelta(days=WINDOW)).date()
    return RecommendationDraft(
        key=f"helpdesk.remedy.{remedy.key}.{topic_id}",
        client_id=c["id"],
        title=f"{remedy.title}: {name} is {format_number(share, 0)} % of tickets",
        why=why,
        category="cost",
        source_app="helpdesk",
        risk="low",
        evidence_url=topic_url(c["slug"], topic_id, start, w.end.date()),
        evidence={
            "topic": name,
            "tickets": n,
            "share_pct": round(share, 1),
            "tickets_per_year": float(round(per_year, 1)),
            "minutes_per_ticket": remedy.minutes_per_ticket,
            "hourly_rate": str(rate),
            "saving_per_year": str(saving),
            "tool_per_year": str(tool),
            "ticket_ids": ids[:EVIDENCE_IDS],
        },
        recurring_cost_per_year=-net if net > 0 else Decimal("0"),
        effort_days=remedy.effort_days,
    )


def _past_replacement(asset: dict, policies: dict, today: datetime.date) -> bool:
    """True when the asset is older than its kind's lifecycle replacement age."""
    policy = policies.get(asset["kind"])
    age = age_years(asset["purchase_date"], today)
    return bool(policy and policy.replaces and age is not None
                and age >= policy.replace_after_years)  # fmt: skip


def root_causes(client_ids: list[int]) -> list[RecommendationDraft]:
    """A recurring problem on one asset (the client's N tickets in D days): a root-cause review.

    An asset already past its replacement age is left out: replacing it is the
    remedy, and :func:`replace_old_assets` argues for that.
    """
    windows = clients_windows(client_ids, None, WINDOW)
    policies = policy_for_clients(list(windows))
    found = [
        (cid, g)
        for cid, w in windows.items()
        for g in recurring(w.opened, *policies[cid])
        if g["kind"] == "asset"
    ]
    assets = _asset_rows({g["where_id"] for _, g in found}) if found else {}
    lifecycle = (
        policies_for_clients({cid: w.client["currency"] for cid, w in windows.items()})
        if found
        else {}
    )
    drafts = []
    for cid, g in found:
        w, days = windows[cid], policies[cid][1]
        asset = assets.get(g["where_id"])
        if asset and _past_replacement(asset, lifecycle[cid], w.end.date()):
            continue
        drafts.append(_root_cause_draft(w, g, policies[cid][0], days))
    return drafts


def _root_cause_draft(w: ClientWindow, g: dict, count: int, days: int) -> RecommendationDraft:
    c = w.client
    return RecommendationDraft(
        key=f"helpdesk.rootcause.{g['topic_id']}.{g['where_id']}",
        client_id=c["id"],
        title=f"Find the root cause of {g['topic']} on {g['where']}",
        why=f"{g['count']} {g['topic']} tickets on {g['where']} within {days} days "
        f"({len(g['tickets'])} in the last {WINDOW}): fixing the cause once costs "
        "less than answering it again.",
        category="availability",
        source_app="helpdesk",
        risk="high" if g["count"] >= 2 * count else "medium",
        evidence_url=topic_url(
            c["slug"],
            g["topic_id"],
            (w.end - datetime.timedelta(days=WINDOW)).date(),
            w.end.date(),
        ),  # fmt: skip
        evidence={
            "topic": g["topic"],
            "asset": g["where"],
            "most_in_window": g["count"],
            "window_days": days,
            "ticket_ids": g["tickets"][:EVIDENCE_IDS],
        },
        effort_days=Decimal("1"),
    )


GENERATORS = [
    RecommendationGenerator("helpdesk.replace", "Old assets behind rising tickets",
                            replace_old_assets, app="helpdesk"),
    RecommendationGenerator("helpdesk.remedy", "Known remedies for frequent tickets",
                            known_remedies, app="helpdesk"),
    RecommendationGenerator("helpdesk.rootcause", "Recurring problems on one asset",
                            root_causes, app="helpdesk"),
]  # fmt: skip


def register() -> None:
    for generator in GENERATORS:
        recommendation_generators.register(generator)
