#!/usr/bin/env python3
"""Benchmark: import 100,000 asset rows from CSV, beside a ceiling.

Ours: ``vcio import assets FILE --client bench`` — the real command a user
runs (reading, mapping, parsing every cell, duplicate checks, upsert,
ImportRun record, audit), in its own process.

Ceiling: the same rows read with the ``csv`` module and written with one
``bulk_create`` per 1,000 rows, no parsing beyond what the columns need,
no validation — as fast as rows can get into this database from Python.

Both run in fresh processes against a fresh database (SQLite in a temporary
data directory, or ``DATABASE_URL`` when set, e.g. PostgreSQL), and the peak
resident memory of each process is read from the kernel (``wait4``).

    python bench/import_assets.py [--rows 100000] [--json] [--csv FILE]

``--csv`` imports an existing file in vcio's template layout instead of a
generated one (e.g. an export of your own inventory).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADERS = [
    "Name", "Asset Tag", "Serial", "Kind", "Manufacturer", "Model", "OS name", "OS version",
    "Purchase Date", "Purchase Cost", "Warranty End", "Status", "Location",
]  # fmt: skip
MODELS = [
    ("laptop", "Dell", "Latitude 5440", "Windows 11 Pro", "23H2"),
    ("laptop", "Lenovo", "ThinkPad T14 Gen 4", "Windows 10 Pro", "22H2"),
    ("workstation", "HP", "ProDesk 600 G6", "Windows 11 Pro", "24H2"),
    ("server", "Dell", "PowerEdge R650", "Windows Server 2019 Standard", "1809"),
    ("laptop", "Apple", "MacBook Pro 14", "macOS", "14.4"),
    ("network", "Cisco", "Catalyst 9200L", "", ""),
]


def write_rows(path: Path, n: int) -> None:
    """``n`` realistic rows in vcio's template layout, deterministic."""
    rng = random.Random(42)
    start = date(2017, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADERS)
        for i in range(n):
            kind, maker, model, os_name, os_version = MODELS[i % len(MODELS)]
            bought = start + timedelta(days=rng.randrange(0, 3000))
            out.writerow(
                [
                    f"host-{i:06d}", f"TAG-{i:06d}", f"SN{i:08d}X", kind, maker, model,
                    os_name, os_version, bought.isoformat(), f"{rng.uniform(300, 9000):.2f}",
                    (bought + timedelta(days=365 * 3)).isoformat(), "in_use", "HQ",
                ]
            )  # fmt: skip


CEILING = r"""
import csv, sys, time
from decimal import Decimal
from datetime import date
import django
django.setup()
from vcio.assets.models import Asset
from vcio.core.models import Client
client = Client.objects.get(slug="bench")
t0 = time.perf_counter()
batch, n = [], 0
with open(sys.argv[1], newline="", encoding="utf-8") as fh:
    rows = csv.reader(fh)
    next(rows)
    for r in rows:
        batch.append(Asset(
            client=client, name=r[0], asset_tag=r[1], serial=r[2], kind=r[3],
            manufacturer=r[4], model=r[5], os_name=r[6], os_version=r[7],
            purchase_date=date.fromisoformat(r[8]), purchase_cost=Decimal(r[9]),
            warranty_end=date.fromisoformat(r[10]), status=r[11], location=r[12],
        ))
        n += 1
        if len(batch) == 1000:
            Asset.objects.bulk_create(batch)
            batch = []
    Asset.objects.bulk_create(batch)
print(n, time.perf_counter() - t0)
"""


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, peak resident memory in MB, stdout) of one child process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
        # wait4 reports this child's own peak RSS (kB on Linux), not the sum of all children.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            tail = err.read().decode(errors="replace")[-2000:]
            raise SystemExit(f"{' '.join(cmd[:5])}… failed ({proc.returncode}):\n{tail}")
        return wall, usage.ru_maxrss / 1024, out.read().decode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--csv", type=Path, help="import this file instead of generated rows")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="vcio-bench-") as tmp:
        data = Path(tmp)
        env = {**os.environ, "VCIO_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "vcio.settings"}
        env.setdefault("VCIO_IMPORT_MAX_MB", "1000")
        path = args.csv or data / "assets.csv"
        if args.csv is None:
            write_rows(path, args.rows)
        vcio = [sys.executable, "-m", "vcio.cli"]
        subprocess.run([*vcio, "migrate", "-v0"], env=env, check=True)
        make = (
            "from vcio.core.models import Client; "
            "Client.objects.get_or_create(slug='{s}', defaults={{'name': '{s}'}})"
        )
        for slug in ("bench", "bench2"):
            subprocess.run([*vcio, "shell", "-c", make.format(s=slug)], env=env, check=True,
                           capture_output=True)  # fmt: skip

        ceil_wall, ceil_mb, out = run([sys.executable, "-c", CEILING, str(path)], env)
        rows, ceil_s = out.split()
        rows = int(rows)
        # Ours into a second, empty client so both write the same number of new rows.
        ours_wall, ours_mb, _ = run(
            [*vcio, "import", "assets", str(path), "--client", "bench2"], env
        )

    ours_rate = rows / ours_wall
    ceiling_rate = rows / float(ceil_s)
    result = {
        "rows": rows,
        "rows_per_s": round(ours_rate),
        "ceiling_rows_per_s": round(ceiling_rate),
        "ratio": round(ours_rate / ceiling_rate, 3),
        "peak_mb": round(ours_mb, 1),
        "ceiling_peak_mb": round(ceil_mb, 1),
        "database": "postgresql" if "postgres" in os.environ.get("DATABASE_URL", "") else "sqlite",
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"rows imported:          {rows:,} ({result['database']})")
    print(f"vcio import assets:     {ours_rate:,.0f} rows/s  (whole command, {ours_wall:.1f} s)")
    print(f"ceiling (csv + bulk):   {ceiling_rate:,.0f} rows/s  ({float(ceil_s):.1f} s)")
    print(f"ratio:                  {result['ratio']:.2f}  (aim: ≥ 0.5)")
    print(f"peak memory, vcio:      {ours_mb:,.0f} MB  (aim: < 500 MB)")
    print(f"peak memory, ceiling:   {ceil_mb:,.0f} MB")


if __name__ == "__main__":
    main()
