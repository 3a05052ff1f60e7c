#!/usr/bin/env python3
"""Benchmark: capacity metrics — push ingest beside a raw ceiling, forecast quality, rollups.

1. **Ingest.** ``--samples`` (2 million) samples of ``--series`` (1,000)
   series (200 hosts × mem, cpu and three disks, one sample a minute) are
   pushed to a real ``vcio serve`` over HTTP, as JSON batches of ``--batch``
   samples with an ingest token: token check, JSON parse, validation, host
   matching, series lookup and the idempotent insert, one request after
   another. Ceiling, same run: the same ``(series, at, value)`` tuples written
   with a plain ``executemany`` into the same table by a fresh process (no
   HTTP, no parsing, no checks). The server's peak memory is read from the
   kernel (VmHWM) after the first tenth of the batches and at the end: a
   flat figure means memory does not grow with the number of batches.
2. **Forecast quality.** The NAB backtest of ``bench/capacity_forecast.py``
   (vcio's forecast beside Prometheus's ``predict_linear`` and the last value).
3. **Rollups + forecasts.** The hourly and daily rollups of everything pushed
   (``vcio.capacity.rollups.roll_up``), then the capacity assessment
   (utilisation windows, classes and a forecast for every disk and memory
   series) of 1,000 series with 90 days of daily rollups each.

Both sides run against a fresh database (SQLite in a temporary data
directory, or ``DATABASE_URL`` when set).

    python bench/capacity.py [--samples 2000000] [--series 1000] [--batch 10000]
                             [--nab DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

METRICS = [("mem", ""), ("cpu", ""), ("fs", "/"), ("fs", "/var"), ("fs", "/srv")]

SETUP = r"""
import django, sys
django.setup()
from vcio.capacity.models import IngestToken
from vcio.core.models import Client
client, _ = Client.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
print(IngestToken.issue(client, "bench")[1])
"""

CEILING = r"""
import django, sys, time
from datetime import datetime, timedelta, UTC
django.setup()
from django.db import connection, transaction
from vcio.capacity.models import Sample, Series
n, per_batch, start = int(sys.argv[1]), int(sys.argv[2]), datetime.fromisoformat(sys.argv[3])
ids = list(Series.objects.order_by("asset_id", "metric", "labels").values_list("pk", flat=True))
Sample.objects.all().delete()
adapt = connection.ops.adapt_datetimefield_value
sql = "INSERT INTO capacity_sample (series_id, at, value) VALUES (%s, %s, %s)"
t0 = time.perf_counter()
done = 0
while done < n:
    rows = []
    for k in range(done, min(done + per_batch, n)):
        minute, which = divmod(k, len(ids))
        rows.append((ids[which], adapt(start + timedelta(minutes=minute)), (k % 97) / 100))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    done += len(rows)
print(done, time.perf_counter() - t0)
"""

ASSESS = r"""
import django, sys, time
from datetime import date, timedelta
django.setup()
from vcio.capacity.models import DailyRollup, Series
from vcio.capacity.rollups import roll_up
from vcio.capacity.assess import clients_capacity
from vcio.core.models import Client
t0 = time.perf_counter()
roll_up()
rollup_s = time.perf_counter() - t0
# 90 days of daily rollups per series (the assessment reads only these), rising disks.
series = list(Series.objects.values_list("pk", "metric"))
today = date.today()
DailyRollup.objects.all().delete()
rows = []
for sid, metric in series:
    for i in range(90):
        level = 0.3 + 0.004 * i + 0.02 * ((i * 7 + sid) % 5) if metric != "cpu" else 0.2
        rows.append(DailyRollup(series_id=sid, day=today - timedelta(days=89 - i), min=level / 2,
                                max=min(level, 1.0), mean=level * 0.8, p95=min(level * 0.95, 1.0),
                                count=1440))
DailyRollup.objects.bulk_create(rows, batch_size=5000)
client = Client.objects.get(slug="bench")
t0 = time.perf_counter()
machines = clients_capacity([client.pk], today)[client.pk]
assess_s = time.perf_counter() - t0
forecasts = sum(1 for m in machines for r in [m.mem, *m.disks] if r and r.forecast)
print(rollup_s, assess_s, len(series), forecasts)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vm_hwm_mb(pid: int) -> float:
    """The process's peak resident memory so far, in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def batches(n: int, per_batch: int, start: datetime, hosts: int):
    """JSON bodies of ``per_batch`` samples; sample k is series k mod (hosts x metrics).

    The bodies of 2 million samples take ~140 MB of this script's memory.
    """
    per_minute = hosts * len(METRICS)
    done = 0
    while done < n:
        by_host: dict[int, list] = {}
        for k in range(done, min(done + per_batch, n)):
            minute, which = divmod(k, per_minute)
            host, m = divmod(which, len(METRICS))
            metric, mount = METRICS[m]
            sample = {"metric": metric, "at": (start + timedelta(minutes=minute)).timestamp(),
                      "value": (k % 97) / 100}  # fmt: skip
            if mount:
                sample["labels"] = {"mountpoint": mount}
            by_host.setdefault(host, []).append(sample)
        done = min(done + per_batch, n)
        yield json.dumps(
            {"hosts": [{"host": f"host{h:04d}", "samples": s} for h, s in by_host.items()]}
        )


def push_all(url: str, key: str, args, start: datetime, server_pid: int) -> dict:
    total = -(-args.samples // args.batch)
    early_mb = None
    stored = 0
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    # Encoded before the clock starts: the figure is the server's ingest, not this
    # script's JSON encoding, which shares the same cores.
    bodies = [b.encode() for b in batches(args.samples, args.batch, start, args.series // 5)]
    with httpx.Client(timeout=120) as http:
        t0 = time.perf_counter()
        for i, body in enumerate(bodies):
            r = http.post(url, content=body, headers=headers)
            if r.status_code != 200:
                raise SystemExit(f"batch {i} refused: {r.status_code} {r.text[:300]}")
            stored += r.json()["samples"]
            if i + 1 == max(total // 10, 1):
                early_mb = vm_hwm_mb(server_pid)
        wall = time.perf_counter() - t0
    return {"wall": wall, "stored": stored, "early_mb": early_mb, "end_mb": vm_hwm_mb(server_pid)}


def child(code: str, env: dict, *args: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, check=True,
                         capture_output=True, text=True)  # fmt: skip
    return out.stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=2_000_000)
    parser.add_argument("--series", type=int, default=1000, help="a multiple of 5")
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--nab", help="NAB data directory (default $VCIO_NAB_DIR or ../shared)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    minutes = -(-args.samples // args.series)
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=minutes + 5)
    with tempfile.TemporaryDirectory(prefix="vcio-bench-") as tmp:
        env = {**os.environ, "VCIO_DATA_DIR": tmp, "DJANGO_SETTINGS_MODULE": "vcio.settings",
               "VCIO_INGEST_MAX_MB": "100"}  # fmt: skip
        vcio = [sys.executable, "-m", "vcio.cli"]
        subprocess.run([*vcio, "migrate", "-v0"], env=env, check=True)
        (key,) = child(SETUP, env)
        port = free_port()
        server = subprocess.Popen([*vcio, "serve", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            for _ in range(200):
                try:
                    httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            url = f"http://127.0.0.1:{port}/api/ingest/bench/metrics/"
            ours = push_all(url, key, args, start, server.pid)
        finally:
            server.terminate()
            server.wait(30)
        rollup_s, assess_s, n_series, n_forecasts = child(ASSESS, env)
        done, ceil_s = child(CEILING, env, str(args.samples), str(args.batch), start.isoformat())

    from capacity_forecast import backtest

    quality = backtest(args.nab)
    rate = ours["stored"] / ours["wall"]
    ceiling = int(done) / float(ceil_s)
    result = {
        "samples": ours["stored"],
        "samples_per_s": round(rate),
        "ceiling_samples_per_s": round(ceiling),
        "ratio": round(rate / ceiling, 3),
        "peak_mb": round(ours["end_mb"], 1),
        "peak_mb_after_first_tenth": round(ours["early_mb"] or 0, 1),
        "forecast_mae": quality["forecast_mae"],
        "predict_linear_mae": quality["predict_linear_mae"],
        "naive_mae": quality["naive_mae"],
        "interval_coverage": quality["interval_coverage"],
        "rollup_s": round(float(rollup_s), 2),
        "assess_s": round(float(assess_s), 2),
        "rollup_forecast_s": round(float(rollup_s) + float(assess_s), 2),
        "series": int(n_series),
        "forecasts": int(n_forecasts),
        "database": "postgresql" if "postgres" in os.environ.get("DATABASE_URL", "") else "sqlite",
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"pushed:                  {ours['stored']:,} samples of {args.series:,} series "
          f"in {ours['wall']:.1f} s ({result['database']})")  # fmt: skip
    print(f"vcio push (HTTP, token): {rate:,.0f} samples/s")
    print(f"ceiling (executemany):   {ceiling:,.0f} samples/s")
    print(f"ratio:                   {result['ratio']:.2f}  (aim: ≥ 0.5)")
    print(f"server peak memory:      {result['peak_mb_after_first_tenth']:,.0f} MB after the first "
          f"tenth, {result['peak_mb']:,.0f} MB at the end (flat is the aim)")  # fmt: skip
    print(f"forecast error (IQR):    vcio {result['forecast_mae']:.3f}, predict_linear "
          f"{result['predict_linear_mae']:.3f}, last value {result['naive_mae']:.3f}")  # fmt: skip
    print(f"80 % band coverage:      {result['interval_coverage']:.0%}  (aim: 70-90 %)")
    print(f"rollups of all pushed:   {result['rollup_s']:.1f} s")
    print(f"assessment, 90 days:     {result['series']:,} series, {result['forecasts']:,} "
          f"forecasts in {result['assess_s']:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
