"""Demo help-desk data: a year of tickets per demo client, up to today.

About 0.9 to 1.2 tickets per employee a month, in the words people really
use (see :mod:`vcio.helpdesk.demo_text`), opened in office hours of the
client's time zone, answered and resolved within or over the SLA in
business hours, recent ones still open. Three stories a CIO should find:

1. **Printers on the rise**: printer tickets in the last 13 weeks are about
   1.8 times those of the 13 weeks before, and they name (host name or asset
   tag) and link the client's printers older than six years.
2. **One department's password resets**: about a fifth of all tickets are
   password resets or lockouts from one department (shared shop-floor or
   front-desk PCs).
3. **A recurring server problem**: the same outage on the same server, three
   to five tickets within ten days, four times in the year.

Topics: Acme's and Globex's tickets get the learned topic their template
was written for, set by "the model" with a confidence, a few waiting for
review (as a practice-wide model trained on trusted categories would);
Initech's categories are useless, so its topics are discovered from the
text (:func:`vcio.helpdesk.topics.runs.discover_for_client`), names and
all. Loaded after assets (20), capacity (30) and availability (35),
before strategy (40) turns findings into initiatives. Idempotent: a client
that has demo tickets is left alone.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from vcio.assets.models import Asset, AssetKind, AssetStatus
from vcio.core.models import Client, Contact, Department
from vcio.core.registry import DemoLoader, demo_loaders
from vcio.helpdesk import demo_text as words
from vcio.helpdesk.models import (
    DEFAULT_SLA_HOURS,
    AssetMatch,
    HelpdeskPolicy,
    Priority,
    SlaTarget,
    Status,
    Ticket,
    Topic,
    TopicKind,
    TopicSetBy,
)
from vcio.helpdesk.topics.runs import discover_for_client

SOURCE = "demo"
# Clients whose topics are discovered from the text rather than set as a learned model would.
DISCOVERED = frozenset({"initech"})
DAYS = 365
QUARTER_DAYS = 91  # "this quarter" of the printer story: the last 13 weeks
PRINTER_RISE = 1.8
PRINTER_MIN_AGE_YEARS = 6
# slug: (password-reset department, business application, tickets per employee a month, places)
STORIES: dict[str, tuple[str, str, float, list[str]]] = {
    "acme": ("Production", "Epicor", 0.9, ["the Dayton plant", "Toledo", "head office",
                                           "the warehouse", "shipping"]),
    "globex": ("Front desk", "athenaOne", 1.2, ["Midtown clinic", "Riverside", "Northgate",
                                                "the billing office"]),
    "initech": ("Paralegals", "Clio", 1.1, ["the Leeds office", "reception", "meeting room 2"]),
}  # fmt: skip
# Server names (after the client's prefix) the recurring problem prefers, in order.
SERVER_ROLES = ["ERP-LEGACY", "ERP01", "RDS01", "FS01", "SQL01", "APP01", "DC-TOL"]
BASELINE_MIX = {"Email": 17, "Network and VPN": 13, "Hardware": 15, "Software installs": 11,
                "Line-of-business app": 10, "New starter / leaver": 6,
                words.PASSWORDS: 5}  # fmt: skip
PRIORITY_WEIGHTS = {Priority.LOW: 22, Priority.MEDIUM: 55, Priority.HIGH: 19, Priority.CRITICAL: 4}
SOURCE_PRIORITY = {Priority.LOW: "P4 - Low", Priority.MEDIUM: "P3 - Medium",
                   Priority.HIGH: "P2 - High", Priority.CRITICAL: "P1 - Critical"}  # fmt: skip
TECHNICIANS = ["Tess Ivanova", "Sam Okoro", "Dana Kim", "Lee Marsh"]
FIRST = "Ana Ben Chloe Dev Elena Femi Grace Hugo Iris Jon Kenji Lena Marco Nia Omar Pia Raj Sara Tariq Uma Vera Will Yara Zoe Ravi Joan Pete Hal".split()  # noqa: E501, SIM905
LAST = "Adams Baker Cruz Diaz Evans Fischer Garcia Hughes Ito Jensen Khan Lopez Moreau Novak Olsen Patel Quinn Rossi Silva Tanaka Walsh Young Brennan Dubois".split()  # noqa: E501, SIM905


@dataclass
class Person:
    name: str
    email: str
    title: str
    department: Department | None


@dataclass
class Draft:
    """A ticket before its number: what it is about and when it was opened."""

    topic: str
    opened: dt.datetime
    person: Person
    asset: Asset | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Hours:
    """A client's business hours, to turn business hours into clock times."""

    zone: ZoneInfo
    start: dt.time
    end: dt.time
    days: str

    def add(self, when: dt.datetime, hours: float) -> dt.datetime:
        """``when`` (aware) plus ``hours`` business hours, as an aware UTC time."""
        local = when.astimezone(self.zone)
        left = dt.timedelta(hours=hours)
        for _ in range(400):  # at most a year of days, whatever the input
            day_start = local.replace(hour=self.start.hour, minute=self.start.minute, second=0)
            day_end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0)
            if str(local.isoweekday()) in self.days and local < day_end:
                begin = max(local, day_start)
                if begin + left <= day_end:
                    return (begin + left).astimezone(dt.UTC)
                left -= day_end - begin
            local = (local + dt.timedelta(days=1)).replace(
                hour=self.start.hour, minute=self.start.minute, second=0
            )
        return local.astimezone(dt.UTC)


def _opened(rng: random.Random, now: dt.datetime, zone: ZoneInfo, lo: float, hi: float):
    """A time between ``hi`` and ``lo`` days ago, mostly a weekday in office hours (local).

    Always inside that window: moving the time to office hours can cross its
    edge by up to a day, and a story counted per window (printer tickets
    this quarter against the last) would then change with the hour the demo
    was loaded at.
    """
    earliest, latest = now - dt.timedelta(days=hi), now - dt.timedelta(days=lo)
    for _ in range(20):
        ago = rng.uniform(lo, hi)
        day = (now - dt.timedelta(days=ago)).astimezone(zone)
        if day.weekday() >= 5 and rng.random() < 0.9:
            continue
        hour = rng.uniform(7.5, 17.5) if rng.random() < 0.93 else rng.uniform(18, 23)
        local = day.replace(hour=int(hour), minute=int(hour % 1 * 60), second=rng.randrange(60))
        opened = local.astimezone(dt.UTC)
        if earliest <= opened < latest and opened < now:
            return opened
    return now - dt.timedelta(days=lo + 0.01)


def _people(client: Client, rng: random.Random, domain: str) -> list[Person]:
    """The client's contacts and as many made-up colleagues as half its staff, by department."""
    departments = list(Department.objects.filter(client=client).order_by("name"))
    people = [
        Person(f"{c.first_name} {c.last_name}".strip(), c.email, c.title, c.department)
        for c in Contact.objects.filter(client=client).select_related("department")
    ]
    titles = ["Coordinator", "Analyst", "Assistant", "Supervisor", "Specialist", "Manager"]
    for _ in range(max(10, (client.employee_count or 20) // 2)):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        dept = rng.choice(departments) if departments else None
        title = f"{dept.name} {rng.choice(titles).lower()}" if dept else rng.choice(titles)
        people.append(Person(f"{first} {last}", f"{first}.{last}@{domain}".lower(), title, dept))
    return people


def _old_printers(client: Client, today: dt.date) -> list[Asset]:
    """The client's printers older than six years; the two oldest when none is that old."""
    printers = Asset.objects.filter(
        client=client, kind=AssetKind.PRINTER, purchase_date__isnull=False
    ).order_by("purchase_date", "name")
    cutoff = today - dt.timedelta(days=round(PRINTER_MIN_AGE_YEARS * 365.25))
    old = [p for p in printers if p.purchase_date < cutoff]
    return old or list(printers[:2])


def _story_server(client: Client) -> Asset | None:
    """The server of the recurring problem: the first of SERVER_ROLES the client has."""
    servers = list(
        Asset.objects.filter(
            client=client, kind__in=[AssetKind.SERVER, AssetKind.VIRTUAL_MACHINE],
            status=AssetStatus.IN_USE,
        ).order_by("name")
    )  # fmt: skip
    by_role = {s.name.split("-", 1)[-1]: s for s in servers}
    for role in SERVER_ROLES:
        if role in by_role:
            return by_role[role]
    return servers[0] if servers else None


def plan(client: Client, now: dt.datetime, rng: random.Random) -> list[Draft]:
    """What the year's tickets are about and when they were opened (the three stories)."""
    dept_name, app, rate, _ = STORIES[client.slug]
    zone = ZoneInfo(client.time_zone or "UTC")
    domain = (client.website or "example.com").split("//")[-1].strip("/")
    people = _people(client, rng, domain)
    total = round((client.employee_count or 20) * rate * 12)
    drafts: list[Draft] = []

    # 1. Printers: flat for nine months, then a rise of PRINTER_RISE in the last 13 weeks.
    printers = _old_printers(client, now.date())
    before = max(8, round(0.025 * total))
    windows = [(0, QUARTER_DAYS, round(before * PRINTER_RISE)), (QUARTER_DAYS, 182, before),
               (182, DAYS, round(before * 0.9 * (DAYS - 182) / QUARTER_DAYS))]  # fmt: skip
    for lo, hi, count in windows:
        for _ in range(count):
            asset = rng.choice(printers) if printers else None
            drafts.append(Draft(words.PRINTERS, _opened(rng, now, zone, lo, hi),
                                rng.choice(people), asset))  # fmt: skip

    # 2. One department's password resets: a fifth of all tickets.
    in_dept = [p for p in people if p.department and p.department.name == dept_name] or people
    for _ in range(round(0.2 * total)):
        opened = _opened(rng, now, zone, 0, DAYS)
        drafts.append(Draft(words.PASSWORDS, opened, rng.choice(in_dept)))

    # 3. The same outage on the same server, in four bursts of three to five tickets.
    server = _story_server(client)
    for start in (300, 205, 118, 26):
        for _ in range(rng.randint(3, 5)):
            opened = _opened(rng, now, zone, start - rng.uniform(0, 10), start)
            drafts.append(Draft(words.SERVER, opened, rng.choice(people), server))

    # The everyday rest, with a laptop or PC named now and then.
    devices = list(
        Asset.objects.filter(client=client, kind__in=[AssetKind.LAPTOP, AssetKind.WORKSTATION])
        .exclude(status=AssetStatus.RETIRED)
        .order_by("name")[:300]
    )
    topics, weights = list(BASELINE_MIX), list(BASELINE_MIX.values())
    for _ in range(max(0, total - len(drafts))):
        topic = rng.choices(topics, weights)[0]
        device = rng.choice(devices) if devices and rng.random() < 0.5 else None
        drafts.append(Draft(topic, _opened(rng, now, zone, 0, DAYS), rng.choice(people), device))
    drafts.sort(key=lambda d: d.opened)
    return drafts


def _text(draft: Draft, app: str, where: str, company: str, rng: random.Random):
    """(subject, body, HTML left in the body?) of a draft, its placeholders filled."""
    subjects, bodies = words.TEMPLATES[draft.topic]
    asset = draft.asset
    fill = {
        "app": app, "where": where, "printer": asset.name if asset else "the printer",
        "tag": (asset.asset_tag or asset.name) if asset else "unknown",
        "server": asset.name if asset else "the server",
        "device": asset.name if asset else "my laptop",
    }  # fmt: skip
    subject = rng.choice(subjects).format(**fill)
    body = rng.choice(bodies).format(**fill)
    if (
        draft.topic == words.PRINTERS
        and asset
        and asset.name.lower() not in (subject + body).lower()
    ):
        body += f" It's the one labelled {asset.name}."
    html = rng.random() < 0.08
    person = draft.person
    return subject, words.compose(body, person.name, person.title, company, rng, html=html)


def _timeline(draft: Draft, priority: str, hours: Hours, targets, now, rng) -> dict[str, Any]:
    """First response, resolution, closing, status, reopens and rating of one ticket."""
    respond_target, resolve_target = (float(h) for h in targets[priority])
    # Lognormal around half the target: most inside, about one in eight over.
    respond = respond_target * rng.lognormvariate(math.log(0.45), 0.65)
    resolve = max(respond + 0.1, resolve_target * rng.lognormvariate(math.log(0.4), 0.8))
    first = hours.add(draft.opened, respond)
    resolved = hours.add(draft.opened, resolve)
    out: dict[str, Any] = {"first_response_at": first if first < now else None}
    if rng.random() < 0.02 and resolved < now:
        out.update(status=Status.CANCELLED, source_status="Cancelled", closed_at=resolved)
        return out
    if resolved >= now:
        status = Status.NEW if first >= now else rng.choice([Status.OPEN, Status.PENDING])
        labels = {Status.NEW: "New", Status.OPEN: "In Progress",
                  Status.PENDING: "Waiting on customer"}  # fmt: skip
        out.update(status=status, source_status=labels[status])
        return out
    closed = resolved + dt.timedelta(days=rng.uniform(2, 5))
    out["resolved_at"] = resolved
    if closed < now:
        out.update(status=Status.CLOSED, source_status="Closed", closed_at=closed)
    else:
        out.update(status=Status.RESOLVED, source_status="Resolved")
    if rng.random() < 0.05:
        out["reopen_count"] = 1 if rng.random() < 0.85 else 2
    if rng.random() < 0.3:
        late = resolve > resolve_target or out.get("reopen_count")
        out["satisfaction"] = rng.choices([5, 4, 3, 2, 1], [20, 25, 25, 18, 12] if late
                                          else [55, 30, 9, 4, 2])[0]  # fmt: skip
    return out


def _policy(client: Client) -> tuple[Hours, dict[str, tuple[Decimal, Decimal]]]:
    """The client's help-desk policy and SLA targets, created with the defaults if missing."""
    policy, _ = HelpdeskPolicy.objects.get_or_create(client=client)
    stored = {t.priority: t for t in SlaTarget.objects.filter(client=client)}
    for priority, (respond, resolve) in DEFAULT_SLA_HOURS.items():
        if priority not in stored:
            stored[priority] = SlaTarget.objects.create(
                client=client, priority=priority, first_response_hours=respond,
                resolve_hours=resolve,
            )  # fmt: skip
    targets = {p: (t.first_response_hours, t.resolve_hours) for p, t in stored.items()}
    zone = ZoneInfo(client.time_zone or "UTC")
    hours = Hours(zone, policy.business_start, policy.business_end, policy.business_days)
    return hours, targets


# The newest tickets wait on their requesters: a desk always has some open, and a
# small client's last few tickets would otherwise all be solved by the evening.
WAITING_ON_REQUESTER = 2


def build_tickets(client: Client, now: dt.datetime) -> list[Ticket]:
    """The client's year of demo tickets (unsaved), numbered in the order they were opened."""
    rng = random.Random(f"vcio-demo-helpdesk-{client.slug}")
    _, app, _, places = STORIES[client.slug]
    hours, targets = _policy(client)
    tickets = []
    for n, draft in enumerate(plan(client, now, rng), start=1):
        priority = rng.choices(list(PRIORITY_WEIGHTS), list(PRIORITY_WEIGHTS.values()))[0]
        if draft.topic == words.SERVER:
            priority = rng.choice([Priority.HIGH, Priority.CRITICAL])
        subject, body = _text(draft, app, rng.choice(places), client.name, rng)
        matched = AssetMatch.NONE
        if draft.asset is not None:
            named = draft.asset.name.lower() in (subject + body).lower()
            matched = AssetMatch.HOSTNAME if named else AssetMatch.TAG
        category = rng.choice(words.USELESS_CATEGORIES)
        if rng.random() < 0.25:
            category = words.HINT_CATEGORIES.get(draft.topic, category)
        ticket = Ticket(
            client=client, source=SOURCE, external_id=str(20000 + n), subject=subject, body=body,
            requester=draft.person.name, requester_email=draft.person.email,
            department=draft.person.department, asset=draft.asset, asset_matched_by=matched,
            opened_at=draft.opened, priority=priority, source_priority=SOURCE_PRIORITY[priority],
            source_category=category, assignee=rng.choice(TECHNICIANS),
            **_timeline(draft, priority, hours, targets, now, rng),
        )  # fmt: skip
        ticket.demo_topic = draft.topic  # read by assign_template_topics, not stored
        tickets.append(ticket)
    for ticket in tickets[-WAITING_ON_REQUESTER:]:
        _wait_on_requester(ticket)
    return tickets


def _wait_on_requester(ticket: Ticket) -> None:
    """The ticket is open, waiting on its requester: not solved, closed, reopened or rated."""
    if ticket.status in (Status.NEW, Status.OPEN, Status.PENDING):
        return
    ticket.status, ticket.source_status = Status.PENDING, "Waiting on customer"
    ticket.resolved_at = ticket.closed_at = ticket.satisfaction = None
    ticket.reopen_count = 0


def assign_template_topics(client: Client, tickets: list[Ticket], rng: random.Random) -> int:
    """Gives each (unsaved) ticket its template's topic as a learned model would.

    Returns how many topics it created.
    """
    names = sorted({t.demo_topic for t in tickets})
    existing = {t.key: t for t in Topic.objects.filter(client=client, kind=TopicKind.LEARNED)}
    made = [
        Topic(client=client, kind=TopicKind.LEARNED, key=name, name=name, terms=[])
        for name in names
        if name not in existing
    ]
    Topic.objects.bulk_create(made)
    topics = {t.key: t for t in Topic.objects.filter(client=client, kind=TopicKind.LEARNED)}
    for ticket in tickets:
        unsure = rng.random() < 0.04
        ticket.topic = topics[ticket.demo_topic]
        ticket.topic_set_by = TopicSetBy.MODEL
        ticket.topic_confidence = round(
            rng.uniform(0.3, 0.5) if unsure else rng.uniform(0.6, 0.99), 3
        )
        ticket.topic_needs_review = unsure
    return len(made)


def load_client(client: Client, now: dt.datetime) -> str:
    """The client's demo tickets and topics; "already loaded" when it has demo tickets."""
    if Ticket.objects.filter(client=client, source=SOURCE).exists():
        return "already loaded"
    tickets = build_tickets(client, now)
    if client.slug not in DISCOVERED:
        # Set before writing: one bulk insert, no update pass.
        made = assign_template_topics(client, tickets, random.Random(f"topics-{client.slug}"))
        Ticket.objects.bulk_create(tickets, batch_size=1000)
        return f"{len(tickets)} tickets, {made} learned topics"
    Ticket.objects.bulk_create(tickets, batch_size=1000)
    found = discover_for_client(client)
    return f"{len(tickets)} tickets, {found['topics']} topics discovered"


def load_helpdesk(ctx: dict[str, Any], log: Callable[[str], None]) -> None:
    now = timezone.now()
    for client in Client.objects.filter(slug__in=list(STORIES)).order_by("name"):
        with transaction.atomic():
            log(f"{client.name}: {load_client(client, now)}")


def register() -> None:
    # After assets (20), capacity (30) and availability (35); before strategy (40) and reviews (60).
    demo_loaders.register(DemoLoader("helpdesk", load_helpdesk, order=38))
