#!/usr/bin/env python3
"""Benchmark: import 200,000 tickets from CSV, beside a csv + bulk_create ceiling.

Ours: the ticket import as every front door runs it (``engine.run("tickets",
…)``: reading, header mapping, parsing every cell — dates, priority and
status mapping, HTML check — duplicate and time-order checks, department
and asset linking, upsert in batches, ImportRun record, audit).

Ceiling: the same rows read with the ``csv`` module and written with one
``Ticket.objects.bulk_create`` per 1,000 rows, parsing only what the columns
need (ISO dates), no checks — as fast as tickets get into this database.

Each runs in its own fresh process against one fresh database (SQLite in a
temporary directory, or ``DATABASE_URL``), into its own empty client, so
both create the same rows. Times are taken inside the child around the work
only (Django's start-up is left out of both); peak resident memory of each
child comes from the kernel (``wait4``).

    python bench/helpdesk_import.py [--rows 200000] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADERS = ["Ticket ID", "Subject", "Body", "Requester", "Requester email", "Created",
           "First response", "Resolved", "Closed", "Priority", "Status", "Category",
           "Assignee"]  # fmt: skip
SUBJECTS = ["Printer jams on 2nd floor", "Outlook asks for password", "VPN drops every hour",
            "New starter laptop", "Cannot open shared drive", "Teams crashes on start"]  # fmt: skip
PRIORITIES = ["1 - Critical", "2 - High", "3 - Moderate", "4 - Low", "P2", "Urgent"]
STATUSES = ["Resolved", "Closed", "In Progress", "Waiting for customer", "New"]


def write_rows(path: Path, n: int) -> None:
    """``n`` realistic tickets in vcio's template layout, deterministic."""
    start = datetime(2024, 1, 1, 8, 0)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADERS)
        for i in range(n):
            opened = start + timedelta(minutes=7 * i)
            status, subject = STATUSES[i % len(STATUSES)], SUBJECTS[i % len(SUBJECTS)]
            done = status in ("Resolved", "Closed")
            out.writerow([
                f"INC{i:08d}", f"{subject} ({i})",
                f"Hello, since this morning: {subject.lower()}. Thanks, P{i % 500}",
                f"Person {i % 500}", f"person{i % 500}@acme.test", opened.isoformat(" "),
                (opened + timedelta(minutes=20)).isoformat(" "),
                (opened + timedelta(hours=5)).isoformat(" ") if done else "",
                (opened + timedelta(days=2)).isoformat(" ") if status == "Closed" else "",
                PRIORITIES[i % len(PRIORITIES)], status, "Hardware", f"Tech {i % 7}",
            ])  # fmt: skip


SETUP = r"""
import django
django.setup()
from vcio.core.models import Client
for slug in ("ceiling", "ours"):
    Client.objects.get_or_create(slug=slug, defaults={"name": slug})
"""

CEILING = r"""
import csv, sys, time
from datetime import datetime
import django
django.setup()
from django.utils import timezone
from vcio.core.models import Client
from vcio.helpdesk.models import Ticket
client = Client.objects.get(slug="ceiling")
def moment(text):
    return timezone.make_aware(datetime.fromisoformat(text)) if text else None
t0 = time.perf_counter()
batch, n = [], 0
with open(sys.argv[1], newline="", encoding="utf-8") as fh:
    rows = csv.reader(fh)
    next(rows)
    for r in rows:
        batch.append(Ticket(
            client=client, source="vcio", external_id=r[0], subject=r[1], body=r[2],
            requester=r[3], requester_email=r[4], opened_at=moment(r[5]),
            first_response_at=moment(r[6]), resolved_at=moment(r[7]), closed_at=moment(r[8]),
            source_priority=r[9], source_status=r[10], source_category=r[11], assignee=r[12],
        ))
        n += 1
        if len(batch) == 1000:
            Ticket.objects.bulk_create(batch)
            batch = []
    Ticket.objects.bulk_create(batch)
print(n, time.perf_counter() - t0)
"""

OURS = r"""
import sys, time
import django
django.setup()
from vcio.core.importer import engine
from vcio.core.models import Client
client = Client.objects.get(slug="ours")
t0 = time.perf_counter()
report = engine.run("tickets", client, [sys.argv[1]])
elapsed = time.perf_counter() - t0
assert report.committed, [str(p) for p in report.problems[:5]]
print(report.counts.created, elapsed)
"""


def child(code: str, args: list[str], env: dict[str, str]) -> tuple[str, float]:
    """(stdout, peak resident memory in MB) of one child Python process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-c", code, *args], env=env, stdout=out,
                                stderr=err, cwd=ROOT)  # fmt: skip
        # wait4 reports this child's own peak RSS (kB on Linux).
        _, status, usage = os.wait4(proc.pid, 0)
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(err.read().decode(errors="replace")[-2000:])
        return out.read().decode(), usage.ru_maxrss / 1024


def measure(rows: int = 200_000) -> dict[str, float]:
    """Rows per second of the ticket import and of the ceiling, their ratio, peak memory (MB)."""
    with tempfile.TemporaryDirectory(prefix="vcio-bench-") as tmp:
        data = Path(tmp)
        env = {**os.environ, "VCIO_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "vcio.settings",
               "PYTHONPATH": str(ROOT)}  # fmt: skip
        env.setdefault("VCIO_IMPORT_MAX_MB", "2000")
        path = data / "tickets.csv"
        write_rows(path, rows)
        subprocess.run([sys.executable, "-m", "vcio.cli", "migrate", "-v0"], env=env, check=True,
                       cwd=ROOT)  # fmt: skip
        child(SETUP, [], env)
        out, ceiling_mb = child(CEILING, [str(path)], env)
        n, ceiling_s = out.split()
        out, ours_mb = child(OURS, [str(path)], env)
        created, ours_s = out.split()
        assert int(n) == int(created) == rows, (n, created)
    ours_rate, ceiling_rate = rows / float(ours_s), rows / float(ceiling_s)
    return {
        "rows": rows,
        "import_rows_per_s": round(ours_rate),
        "ceiling_rows_per_s": round(ceiling_rate),
        "ratio": round(ours_rate / ceiling_rate, 3),
        "peak_mb": round(ours_mb, 1),
        "ceiling_peak_mb": round(ceiling_mb, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    t0 = time.perf_counter()
    result = measure(args.rows)
    if args.json:
        print(json.dumps(result))
        return
    print(f"ticket import: {result['import_rows_per_s']:,} rows/s "
          f"(peak {result['peak_mb']} MB)")  # fmt: skip
    print(f"ceiling (csv + bulk_create): {result['ceiling_rows_per_s']:,} rows/s "
          f"(peak {result['ceiling_peak_mb']} MB)")  # fmt: skip
    print(f"ratio: {result['ratio']} (aim >= 0.5); {args.rows:,} rows, "
          f"bench took {time.perf_counter() - t0:.0f} s")  # fmt: skip


if __name__ == "__main__":
    main()
