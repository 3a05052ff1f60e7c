#!/usr/bin/env python3
"""Benchmark: the practice page and the coverage matrix at the scale target (500 clients).

The practice: ``--clients`` clients (default 500), each with 5 departments,
goals and initiatives by department, a fee with one change during the year
and a year of time entries by 3 practice people (``--entries`` a client a
month, default 10: 60,000 entries in all), survey needs by department.

- ``economics_s``: ``client_economics`` of every client (fees over the
  period, hours and cost per person, effective rate, margin, flags, last
  contact, health), best of ``--rounds``; ``economics_queries`` beside the
  count for a tenth of the clients: it must not grow. Ceiling beside it:
  the same data read plainly with one aggregate of the hours per client and
  person and one read of the fee changes (``raw_s``), no judgement.
- ``page_s``: the practice page for the owner (request through render:
  economics, MRR trend, capacity grid), best of ``--rounds``;
  ``page_queries`` beside the count at a tenth of the clients.
- ``coverage_s``: ``collect_coverage`` (every registered column) for all the
  clients; ``coverage_queries`` beside the count at a tenth. Ceiling: one
  ``values().annotate(Count)`` per column's table (``coverage_raw_s``).

    python bench/practice.py [--clients 500] [--entries 10] [--rounds 3] [--quick] [--json]

SQLite in a temporary data directory, migrated by the script, or
``DATABASE_URL`` when set (the bench clients are deleted at the end).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PREFIX = "bench-practice-"
PEOPLE = ("bench-owner", "bench-consultant", "bench-tech")
DEPARTMENTS = ("Finance", "Sales", "Operations", "Warehouse", "HR")


def setup(n_clients: int, entries: int, today: datetime.date) -> list:
    """The clients with their departments, goals, fees, time and needs; returns the clients."""
    from django.contrib.auth import get_user_model

    from vcio.core.fiscal import add_months
    from vcio.core.models import Client, Department, Membership
    from vcio.core.roles import Role
    from vcio.needs.models import Need
    from vcio.practice.models import Activity, FeeChange, PersonRate, TimeEntry
    from vcio.strategy.models import BusinessGoal, Initiative, InitiativeGoal

    rng = random.Random(15)
    users = get_user_model().objects
    people = []
    roles = (Role.OWNER, Role.CONSULTANT, Role.TECHNICIAN)
    for name, role, rate in zip(PEOPLE, roles, ("120", "90", "55"), strict=True):
        user = users.create_user(name, password="bench")
        people.append(user)
        PersonRate.objects.create(user=user, cost_rate=Decimal(rate), capacity_hours=120)
        if role == Role.OWNER:
            Membership.objects.create(user=user, role=role)
    clients = Client.objects.bulk_create(
        Client(name=f"{PREFIX}{i:04d}", slug=f"{PREFIX}{i:04d}", currency="USD",
               monthly_fee=Decimal(rng.choice((1200, 2500, 4000, 6000))),
               contract_start=add_months(today, -24))
        for i in range(n_clients)
    )  # fmt: skip
    clients = list(Client.objects.filter(slug__startswith=PREFIX).order_by("pk"))
    Membership.objects.bulk_create(
        Membership(user=people[k], client=c, role=role)
        for c in clients
        for k, role in ((1, Role.CONSULTANT), (2, Role.TECHNICIAN))
    )
    Department.objects.bulk_create(
        Department(client=c, name=name) for c in clients for name in DEPARTMENTS
    )
    depts = list(Department.objects.filter(client__in=clients).order_by("pk"))
    FeeChange.objects.bulk_create(
        FeeChange(client=c, monthly_fee=c.monthly_fee + 500, starts_on=add_months(today, -5))
        for c in clients
    )
    goals = BusinessGoal.objects.bulk_create(
        BusinessGoal(client_id=d.client_id, department=d, title=f"Goal of {d.name}")
        for d in depts[::2]
    )
    inits = Initiative.objects.bulk_create(
        Initiative(client_id=g.client_id, title=f"Initiative for {g.title}",
                   capex=Decimal(rng.randint(1, 20) * 1000), opex_per_year=Decimal(500))
        for g in goals
    )  # fmt: skip
    InitiativeGoal.objects.bulk_create(
        InitiativeGoal(initiative=i, goal=g) for i, g in zip(inits, goals, strict=True)
    )
    Need.objects.bulk_create(
        Need(client_id=d.client_id, department=d, text="Faster laptops", raised_on=today)
        for d in depts[::3]
    )
    first = add_months(today.replace(day=1), -12)
    activities = list(Activity.values)
    rows = []
    for c in clients:
        for m in range(12):
            month = add_months(first, m)
            for n in range(entries):
                rows.append(TimeEntry(
                    client=c, person=people[n % 3], date=month.replace(day=1 + n % 28),
                    hours=Decimal(rng.choice(("0.5", "1", "1.5", "2", "3"))),
                    activity=activities[n % len(activities)],
                ))  # fmt: skip
    TimeEntry.objects.bulk_create(rows, batch_size=5000)
    return clients


def best(rounds: int, fn) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def count_queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def read_raw(ids: list[int], period) -> int:
    """The ceiling: hours per client and person over the period, and the fee changes."""
    from django.db.models import Sum

    from vcio.practice.models import FeeChange, TimeEntry

    hours = list(
        TimeEntry.objects.filter(client_id__in=ids, date__range=(period.first, period.last))
        .values("client_id", "person_id")
        .annotate(h=Sum("hours"))
    )
    fees = list(FeeChange.objects.filter(client_id__in=ids).values_list("client_id", "starts_on"))
    return len(hours) + len(fees)


def coverage_raw(ids: list[int]) -> int:
    """The ceiling of coverage: one grouped count per table the columns read."""
    from django.db.models import Count

    from vcio.needs.models import Need
    from vcio.strategy.models import BusinessGoal, InitiativeGoal

    n = 0
    for qs, owner, key in (
        (BusinessGoal.objects.filter(client_id__in=ids), "client_id", "department_id"),
        (Need.objects.filter(client_id__in=ids), "client_id", "department_id"),
        (
            InitiativeGoal.objects.filter(initiative__client_id__in=ids),
            "initiative__client_id",
            "goal__department_id",
        ),
    ):
        n += len(list(qs.values(owner, key).annotate(n=Count("pk"))))
    return n


def measure(clients: list, rounds: int) -> dict[str, Any]:
    from django.test import Client as Browser

    from vcio.core.models import Client
    from vcio.core.registry import collect_coverage
    from vcio.practice import economics

    ids = [c.pk for c in clients]
    tenth = clients[: max(1, len(clients) // 10)]
    period = economics.default_period()
    economics_s, rows = best(rounds, lambda: economics.client_economics(clients))
    assert len(rows) == len(clients)
    raw_s, _ = best(rounds, lambda: read_raw(ids, period))
    coverage_s, _ = best(rounds, lambda: collect_coverage(ids))
    coverage_raw_s, _ = best(rounds, lambda: coverage_raw(ids))
    browser = Browser()
    browser.login(username="bench-owner", password="bench")

    def page() -> int:
        response = browser.get("/practice/")
        assert response.status_code == 200, response.status_code
        return len(response.content)

    page_s, size = best(rounds, page)
    page_queries = count_queries(page)
    others = [c.pk for c in clients if c not in set(tenth)]
    Client.objects.filter(pk__in=others).update(is_active=False)
    page_queries_tenth = count_queries(page)
    Client.objects.filter(pk__in=others).update(is_active=True)
    flagged = sum(1 for r in rows if r.flags)
    return {
        "economics_s": round(economics_s, 3),
        "economics_queries": count_queries(lambda: economics.client_economics(clients)),
        "economics_queries_tenth": count_queries(lambda: economics.client_economics(tenth)),
        "raw_s": round(raw_s, 3),
        "page_s": round(page_s, 3),
        "page_queries": page_queries,
        "page_queries_tenth": page_queries_tenth,
        "page_kb": round(size / 1024),
        "coverage_s": round(coverage_s, 3),
        "coverage_queries": count_queries(lambda: collect_coverage(ids)),
        "coverage_queries_tenth": count_queries(lambda: collect_coverage([c.pk for c in tenth])),
        "coverage_raw_s": round(coverage_raw_s, 3),
        "flagged": flagged,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--entries", type=int, default=10, help="time entries a client a month")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one round, a tenth of the clients")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.clients = 1, max(10, args.clients // 10)
    with tempfile.TemporaryDirectory(prefix="vcio-bench-") as tmp:
        os.environ.setdefault("VCIO_DATA_DIR", tmp)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vcio.settings")
        os.environ.setdefault("VCIO_LOG_LEVEL", "WARNING")
        os.environ.setdefault("VCIO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.utils import timezone

        from vcio.core.models import Client

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        try:
            clients = setup(args.clients, args.entries, timezone.localdate())
            setup_s = time.perf_counter() - started
            figures = measure(clients, args.rounds)
        finally:
            Client.objects.filter(slug__startswith=PREFIX).delete()
            get_user_model().objects.filter(username__in=PEOPLE).delete()
    if args.json:
        keys = ("economics_s", "economics_queries", "raw_s", "page_s", "page_queries",
                "coverage_s", "coverage_queries")  # fmt: skip
        print(json.dumps({k: figures[k] for k in keys}))
        return 0
    f = figures
    print(f"{args.clients} clients, {args.clients * args.entries * 12:,} time entries, "
          f"{args.clients * len(DEPARTMENTS):,} departments; setup {setup_s:.1f} s; "
          f"best of {args.rounds}")  # fmt: skip
    print("client economics (fees, hours, cost, rate, margin, flags, last contact, health):")
    print(f"  vcio     {f['economics_s']:.3f} s  {f['economics_queries']} queries "
          f"({f['economics_queries_tenth']} for a tenth of the clients); "
          f"{f['flagged']} clients flagged")  # fmt: skip
    print(
        f"  ceiling  {f['raw_s']:.3f} s  one aggregate of hours and the fee changes, no judgement"
    )
    print("practice page (owner; economics, MRR trend, capacity grid):")
    print(
        f"  vcio     {f['page_s']:.3f} s  {f['page_queries']} queries "
        f"({f['page_queries_tenth']} for a tenth of the clients), {f['page_kb']} kB"
    )
    print("coverage matrix columns (every registered column, all clients):")
    print(
        f"  vcio     {f['coverage_s']:.3f} s  {f['coverage_queries']} queries "
        f"({f['coverage_queries_tenth']} for a tenth of the clients)"
    )
    print(f"  ceiling  {f['coverage_raw_s']:.3f} s  one grouped count per table")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
