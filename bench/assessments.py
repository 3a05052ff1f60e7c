#!/usr/bin/env python3
"""Benchmark: every evidence rule for 500 clients, and the practice heat-map at 500 × 100.

The practice: ``--clients`` clients (default 500, the scale target) holding
50,000 assets in all (agent-seen laptops, workstations and servers with OS
and warranty), 10,000 monitors in business services of mixed criticality
(some watching backups) with 90 days of hourly rollups per monitor thinned
to one a day, and help-desk tickets; a 100-item framework with one
signed-off assessment per client (50,000 answers).

- ``rules_s``: ``evaluate_evidence`` of every registered rule for all the
  clients, best of ``--rounds``; ``rules_queries``: the queries it ran. The
  same count is printed for a tenth of the clients: it must not grow.
  Ceiling beside it: reading the rows the rules judge (assets, monitors,
  tickets) with plain ``values_list``, no judgement (``read_s``).
- ``heatmap_s``: the practice heat-map page for the owner (request through
  render), best of ``--rounds``; ``heatmap_queries``, again beside the
  count at a tenth of the clients. Ceiling: ``scorecards`` of the 500
  assessments alone, the page's data work without the page (``cards_s``).

    python bench/assessments.py [--clients 500] [--rounds 3] [--quick] [--json]

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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PREFIX = "bench-assess-"
FRAMEWORK = "bench-100"
SECTIONS = ("GV", "ID", "PR", "DE", "RS", "RC")
RULES = (
    "assets.supported_os", "assets.server_warranty", "assets.inventory_fresh",
    "assets.endpoint_protection", "availability.critical_monitored", "availability.sla_met",
    "availability.backup_monitors", "capacity.disk_headroom", "helpdesk.sla_compliance",
)  # fmt: skip


def framework_doc(items: int) -> dict[str, Any]:
    return {
        "framework": {"key": FRAMEWORK, "name": "Bench framework"},
        "version": "1",
        "sections": [{"ref": s, "title": s} for s in SECTIONS],
        "items": [
            {
                "ref": f"B-{i:03d}",
                "section": SECTIONS[i % len(SECTIONS)],
                "text": f"Bench item {i}",
                "weight": 1 + i % 5,
                "evidence_rule": RULES[i] if i < len(RULES) else "",
            }
            for i in range(items)
        ],
    }


def setup(n_clients: int, assets: int, monitors: int, items: int, today: datetime.date) -> list:
    """The clients, their data and one signed-off assessment each; returns the clients."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from vcio.assessments.frameworks import library
    from vcio.assessments.models import Answer, Assessment
    from vcio.assets.models import Asset
    from vcio.availability.models import BusinessService, HourlyRollup, Monitor
    from vcio.core.models import Client, Membership

    rng = random.Random(14)
    clients = Client.objects.bulk_create(
        [Client(name=f"Bench {i:03d}", slug=f"{PREFIX}{i:03d}") for i in range(n_clients)]
    )
    clients = list(Client.objects.filter(slug__startswith=PREFIX).order_by("slug"))
    now = timezone.now()
    oses = [("Windows", "10"), ("Windows", "11"), ("Ubuntu", "22.04"), ("macOS", "14")]
    kinds = ["laptop", "workstation", "server"]
    per_client = assets // n_clients
    Asset.objects.bulk_create(
        [
            Asset(
                client=c,
                kind=kinds[i % 3],
                name=f"A-{c.pk}-{i:04d}",
                os_name=oses[i % 4][0],
                os_version=oses[i % 4][1],
                warranty_end=today + datetime.timedelta(days=rng.randint(-400, 900)),
                last_seen=now - datetime.timedelta(days=rng.randint(0, 60)),
                status="in_use",
            )
            for c in clients
            for i in range(per_client)
        ],
        batch_size=5000,
    )
    services = BusinessService.objects.bulk_create(
        [
            BusinessService(
                client=c, name=f"{'Backup' if s == 0 else 'Service'} {s}", criticality=1 + s % 5
            )  # fmt: skip
            for c in clients
            for s in range(4)
        ],
        batch_size=5000,
    )
    per_service = max(1, monitors // len(services))
    made = Monitor.objects.bulk_create(
        [
            Monitor(service=s, name=f"{s.name} check {m}", target=f"http://127.0.0.1:9/{m}")
            for s in services
            for m in range(per_service)
        ],
        batch_size=5000,
    )
    hour = now.replace(minute=0, second=0, microsecond=0)
    HourlyRollup.objects.bulk_create(
        [
            HourlyRollup(
                monitor=m,
                hour=hour - datetime.timedelta(days=d),
                checks=60,
                failures=0 if (m.pk + d) % 37 else 2,
                latency_sum_ms=6000.0,
                latency_max_ms=300.0,
            )  # fmt: skip
            for m in made
            for d in range(0, 90, 3)
        ],
        batch_size=10000,
    )
    owner = get_user_model().objects.create_user("bench-owner", password="bench")
    Membership.objects.create(user=owner, client=None, role="owner")
    version = library.load(framework_doc(items))
    signed = now - datetime.timedelta(days=10)
    assessments = Assessment.objects.bulk_create(
        [
            Assessment(
                client=c,
                version=version,
                as_of=today - datetime.timedelta(days=10),
                status="signed_off",
                signed_off_at=signed,
                title="Bench",
            )  # fmt: skip
            for c in clients
        ]
    )
    statuses = ["aligned", "aligned", "partly", "not_aligned", "unknown", "na"]
    item_ids = list(version.items.values_list("pk", flat=True))
    Answer.objects.bulk_create(
        [
            Answer(assessment=a, item_id=item, status=statuses[(a.pk * 7 + k) % 6])
            for a in assessments
            for k, item in enumerate(item_ids)
        ],
        batch_size=10000,
    )
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


def read_rows(ids: list[int]) -> int:
    """The ceiling: the rows the rules judge, read plainly."""
    from vcio.assets.models import Asset
    from vcio.availability.models import Monitor

    n = len(list(Asset.objects.filter(client_id__in=ids).values_list(
        "client_id", "kind", "os_name", "os_version", "warranty_end", "last_seen")))  # fmt: skip
    n += len(list(Monitor.objects.filter(service__client_id__in=ids).values_list(
        "service__client_id", "service__criticality", "name", "enabled")))  # fmt: skip
    return n


def measure(clients: list, rounds: int) -> dict[str, Any]:
    from django.test import Client as Browser

    from vcio.assessments.models import Assessment
    from vcio.assessments.scores import scorecards
    from vcio.core.registry import evaluate_evidence

    ids = [c.pk for c in clients]
    tenth = ids[: max(1, len(ids) // 10)]
    rules_s, results = best(rounds, lambda: evaluate_evidence(ids))
    per_rule = {key: round(best(1, lambda k=key: evaluate_evidence(ids, [k]))[0], 3)
                for key in sorted(results)}  # fmt: skip
    read_s, _ = best(rounds, lambda: read_rows(ids))
    browser = Browser()
    browser.login(username="bench-owner", password="bench")
    url = f"/assessments/heatmap/?framework={FRAMEWORK}"

    def page() -> int:
        response = browser.get(url)
        assert response.status_code == 200, response.status_code
        return len(response.content)

    heatmap_s, size = best(rounds, page)
    assessment_ids = list(Assessment.objects.filter(client_id__in=ids).values_list("pk", flat=True))
    cards_s, _ = best(rounds, lambda: scorecards(assessment_ids))
    # The few-clients counts: the heat-map of a practice with a tenth of the clients.
    few = [c for c in clients if c.pk not in set(tenth)]
    from vcio.core.models import Client

    Client.objects.filter(pk__in=[c.pk for c in few]).update(is_active=False)
    heatmap_queries_tenth = count_queries(page)
    Client.objects.filter(pk__in=[c.pk for c in few]).update(is_active=True)
    return {
        "rules_s": round(rules_s, 3),
        "rules_queries": count_queries(lambda: evaluate_evidence(ids)),
        "rules_queries_tenth": count_queries(lambda: evaluate_evidence(tenth)),
        "rules": sorted(results),
        "per_rule_s": per_rule,
        "read_s": round(read_s, 3),
        "heatmap_s": round(heatmap_s, 3),
        "heatmap_queries": count_queries(page),
        "heatmap_queries_tenth": heatmap_queries_tenth,
        "heatmap_kb": round(size / 1024),
        "cards_s": round(cards_s, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--assets", type=int, default=50_000)
    parser.add_argument("--monitors", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one round, a tenth of the data")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.clients = 1, args.clients // 10
        args.assets, args.monitors = args.assets // 10, args.monitors // 10
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

        from vcio.assessments.models import FrameworkVersion
        from vcio.core.models import Client

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        try:
            clients = setup(args.clients, args.assets, args.monitors, args.items,
                            timezone.localdate())  # fmt: skip
            setup_s = time.perf_counter() - started
            figures = measure(clients, args.rounds)
        finally:
            Client.objects.filter(slug__startswith=PREFIX).delete()
            FrameworkVersion.objects.filter(framework__key=FRAMEWORK).delete()
            get_user_model().objects.filter(username="bench-owner").delete()
    if args.json:
        keys = ("rules_s", "rules_queries", "heatmap_s", "heatmap_queries")
        print(json.dumps({k: figures[k] for k in keys}))
        return 0
    f = figures
    print(f"{args.clients} clients, {args.assets:,} assets, {args.monitors:,} monitors, "
          f"{args.items} items × {args.clients} assessments; setup {setup_s:.1f} s; "
          f"best of {args.rounds}")  # fmt: skip
    print(f"evidence rules ({len(f['rules'])}; seconds each: "
          f"{', '.join(f'{k} {v}' for k, v in f['per_rule_s'].items())}):")  # fmt: skip
    print(f"  vcio     {f['rules_s']:.3f} s  {f['rules_queries']} queries "
          f"({f['rules_queries_tenth']} for a tenth of the clients)")  # fmt: skip
    print(f"  ceiling  {f['read_s']:.3f} s  reading the judged rows alone  "
          f"(ratio {f['read_s'] / f['rules_s']:.2f})")  # fmt: skip
    print(f"practice heat-map ({args.clients} clients × {args.items} items, "
          f"{f['heatmap_kb']} KiB):")  # fmt: skip
    print(f"  vcio     {f['heatmap_s']:.3f} s  {f['heatmap_queries']} queries "
          f"({f['heatmap_queries_tenth']} for a tenth of the clients)")  # fmt: skip
    print(f"  ceiling  {f['cards_s']:.3f} s  the scorecards alone, no page "
          f"(ratio {f['cards_s'] / f['heatmap_s']:.2f})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
