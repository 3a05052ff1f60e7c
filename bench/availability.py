#!/usr/bin/env python3
"""Benchmark: the availability checker on 2,000 HTTP monitors, beside a ceiling and a peer.

Ours: ``vcio.availability.engine.run`` — the loop ``vcio worker`` runs —
with the database: it claims the 2,000 due monitors, checks them
(VCIO_CHECK_CONCURRENCY at once, 200 by default) and records every result,
rollup and state change. The loop is started 1 s before all 2,000 fall due
(a worker runs for days: its start-up is not throughput); checks per second
= 2,000 / the time from the due moment until the 2,000th result is recorded.

Ceiling: a bare asyncio loop with no database doing the same 2,000 GETs
(reading the bodies) at the same concurrency, once with aiohttp (a pooled
TCPConnector) and once with httpx (an AsyncClient whose limits match);
the faster of the two is the ceiling. The issue's aim: at least 0.6 of it.

Peer: Debian's prometheus-blackbox-exporter, when installed, probing the
same 2,000 URLs (``/probe?module=http_2xx``) at the same concurrency. It
opens a new connection for every probe, which is how it works in
production too. Not installed by this script:
``apt-get install prometheus-blackbox-exporter``.

Scheduling lag: the same 2,000 monitors at a 30 s interval, their first
slots spread evenly over 30 s, the engine running for ``--lag-seconds``
(65 s: every monitor is checked at least twice). Lag = when the check
started minus its slot (the due time it was claimed for), for every check;
p50 and p99 are printed. The aim: p99 under 2 s.

Per check, the engine's own accounting (``engine.EngineStats``): the wall
and CPU time of its two database threads (claims; the writer recording the
results, rollups and monitor state) and the CPU time of the rest of the
process (the event loop: HTTP, checks, bookkeeping); how many checks each
recording transaction held; and how long per round the loop waited for a
claim or for the writer's bounded queue. They show where the next step is.

Worker processes (``--workers N``, default 2): 1, then 2, ... N ``engine.run``
loops in their own processes (as N ``vcio worker`` would run) against the
one database, every monitor due at one moment; checks per second from that
moment to the last commit (the workers report it), and whether every
monitor was checked exactly once (claiming stayed exclusive).

    python bench/availability.py [--monitors 2000] [--rounds 3] [--concurrency 200]
                                 [--lag-seconds 65] [--workers 2] [--quick] [--no-lag]
                                 [--json]

``--quick``: one round and a 20 s lag run. Each throughput figure is the
best of ``--rounds`` (every round is printed beside it): on a shared
machine the best is the least disturbed. The median of each round's own
engine/ceiling ratio (measured seconds apart) is printed too.

Noise: the target is an aiohttp server in its own process on 127.0.0.1, so
on a 2-core machine it competes with the measured loop (and
blackbox_exporter with both) for the cores, and anything else running
takes its share: on a busy 2-core machine the same bare aiohttp loop
measured anywhere from 3,600 to 10,700 checks/s. Compare figures from the
same run only, and prefer an idle machine.

The database is SQLite in a temporary data directory, migrated by the
script, or ``DATABASE_URL`` when set (e.g. PostgreSQL; the bench's client
"bench-availability" is created there and deleted at the end).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from availability_peers import (  # noqa: E402
    BLACKBOX,
    aiohttp_run,
    httpx_run,
    start_blackbox,
    start_target,
    stop,
    timed,
)

SLUG = "bench-availability"
OWNER = "bench-availability-worker"
ENGINE_LEAD_S = 1.0  # the engine loop starts this long before the monitors fall due
ROUND_LIMIT_S = 120.0  # an engine round taking longer is reported as failed


# The engine, with the database ------------------------------------------------


class Recorder:
    """Wraps the engine's ``record_checks`` to see every check recorded, without changing it.

    The engine looks ``record_checks`` up in its module each time it records,
    so replacing that name reaches its real loop. Keeps (slot, started) of
    every recorded scheduled check and sets ``stop`` once ``target`` are in.
    """

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.original = engine.record_checks
        self.checks: list[tuple[datetime, datetime]] = []
        self.target = 0
        self.stop = threading.Event()
        self.done_at = 0.0  # perf_counter when the target was reached
        self.failed = 0  # checks whose outcome was not ok

    def __enter__(self) -> Recorder:
        self.engine.record_checks = self._record
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.engine.record_checks = self.original

    def arm(self, target: int) -> None:
        """Count from zero again; stop the loop after ``target`` checks (0: never)."""
        self.checks, self.target, self.done_at, self.failed = [], target, 0.0, 0
        self.stop = threading.Event()

    def _record(self, finished: list, owner: str | None) -> list:
        """The engine's record_checks, then note what it recorded (on the engine's DB thread)."""
        results = self.original(finished, owner)
        self.checks += [(f.slot, f.at) for f in results if f.slot]
        self.failed += sum(not f.outcome.ok for f in finished)
        if self.target and len(self.checks) >= self.target and not self.done_at:
            self.done_at = time.perf_counter()
            self.stop.set()
        return results


def setup_monitors(n: int, port: int) -> list[int]:
    """A client, a service and ``n`` HTTP monitors on the target; returns their ids."""
    from vcio.availability.models import BusinessService, Monitor
    from vcio.core.models import Client

    drop_client()
    client = Client.objects.create(name="Availability bench", slug=SLUG)
    service = BusinessService.objects.create(client=client, name="Bench service")
    monitors = Monitor.objects.bulk_create(
        Monitor(
            service=service,
            name=f"target {i:04d}",
            target=f"http://127.0.0.1:{port}/m/{i}",
            interval_s=30,
            timeout_s=10,
        )
        for i in range(n)
    )
    return [m.pk for m in monitors]


def drop_client() -> None:
    """Delete the bench's client and everything under it (a run left over included)."""
    from vcio.availability.models import BusinessService
    from vcio.core.models import Client

    BusinessService.objects.filter(client__slug=SLUG).delete()
    Client.objects.filter(slug=SLUG).delete()


def reschedule(ids: list[int], first: datetime, spread_s: float) -> None:
    """Free the monitors and make them due from ``first``, spread evenly over ``spread_s``."""
    from django.db import transaction

    from vcio.availability.models import Monitor

    step = spread_s / len(ids)
    with transaction.atomic():
        Monitor.objects.filter(pk__in=ids).update(lease_until=None, claimed_by="")
        if not spread_s:
            Monitor.objects.filter(pk__in=ids).update(next_run_at=first)
            return
        for i, pk in enumerate(ids):
            Monitor.objects.filter(pk=pk).update(next_run_at=first + timedelta(seconds=i * step))


def engine_round(
    rec: Recorder, ids: list[int], concurrency: int, spent: list[Any] | None = None
) -> float:
    """Checks per second of the engine's loop doing every monitor once, all due at one moment.

    They fall due 1 s after the loop starts and the clock starts then: a
    worker runs for days, so its start-up (a thread, a database connection,
    the CA store) is not part of its throughput; waking up on time is.
    """
    from django.utils import timezone

    from vcio.availability import engine

    due = timezone.now() + timedelta(seconds=ENGINE_LEAD_S)
    reschedule(ids, due, 0)
    rec.arm(len(ids))
    started = time.perf_counter() + (due - timezone.now()).total_seconds()
    give_up = threading.Timer(ROUND_LIMIT_S, rec.stop.set)  # a stuck engine fails, not hangs
    give_up.start()
    stats = engine.EngineStats()
    try:
        asyncio.run(engine.run(rec.stop, OWNER, concurrency, stats))
    finally:
        give_up.cancel()
    if spent is not None:
        spent.append(stats)
    if not rec.done_at:
        raise SystemExit(f"engine: only {len(rec.checks)} of {len(ids)} checks recorded")
    if rec.failed:
        raise SystemExit(f"engine: {rec.failed} of {len(ids)} checks failed")
    return len(ids) / (rec.done_at - started)


def lag_run(rec: Recorder, ids: list[int], concurrency: int, seconds: float) -> list[float]:
    """Every check's lag (started minus slot, seconds) over ``seconds`` of the engine's loop.

    The first slots start 1 s from now, so the loop's own start-up (a thread,
    a connection) is not counted as lag: a real worker is already running.
    """
    from django.utils import timezone

    from vcio.availability import engine

    reschedule(ids, timezone.now() + timedelta(seconds=1), 30.0)
    rec.arm(0)
    timer = threading.Timer(seconds, rec.stop.set)
    timer.start()
    try:
        asyncio.run(engine.run(rec.stop, OWNER, concurrency))
    finally:
        timer.cancel()
    return [(at - slot).total_seconds() for slot, at in rec.checks]


# Worker processes against one database ------------------------------------------


def worker_process(owner: str, concurrency: int) -> int:
    """Child mode (``--worker-process OWNER``): the engine loop until SIGTERM; prints its stats.

    The parent has set the database up (VCIO_DATA_DIR or DATABASE_URL in the
    environment). Prints "ready" once the loop runs, and on SIGTERM the
    engine's EngineStats as one JSON line.
    """
    import dataclasses
    import signal

    import django

    django.setup()
    from vcio.availability import engine

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stats = engine.EngineStats()
    print("ready", flush=True)
    asyncio.run(engine.run(stop, owner, concurrency, stats))
    print(json.dumps(dataclasses.asdict(stats)), flush=True)
    return 0


def processes_round(
    workers: int, ids: list[int], concurrency: int, env: dict[str, str]
) -> dict[str, Any]:
    """``workers`` engine processes checking every monitor once, all due at one moment.

    Returns checks per second (the due moment until the last result is in
    the database, polled every 10 ms), whether every monitor was checked
    exactly once (claiming stayed exclusive), and each worker's share.
    """
    from django.db.models import Count
    from django.utils import timezone

    from vcio.availability.models import CheckResult

    reschedule(ids, timezone.now() + timedelta(hours=1), 0)  # nothing due while they start
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker-process", f"{OWNER}-{i}"]
            + ["--concurrency", str(concurrency)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(workers)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            if proc.stdout.readline().strip() != "ready":
                raise SystemExit("an engine worker process did not start")
        due = timezone.now() + timedelta(seconds=2)  # every worker is asleep, awaiting it
        reschedule(ids, due, 0)
        # Polled slowly and cheaply (not to take CPU from the workers); the end of the round
        # is when the last batch was committed, as the workers report it.
        results = CheckResult.objects.filter(monitor_id__in=ids, at__gte=due)
        recent = CheckResult.objects.filter(at__gte=due)  # only the bench's monitors run
        deadline = time.monotonic() + ROUND_LIMIT_S
        while (recorded := recent.count()) < len(ids):
            if time.monotonic() > deadline:
                raise SystemExit(f"{workers} workers: only {recorded} of {len(ids)} recorded")
            time.sleep(0.2)
    finally:
        for proc in procs:
            proc.terminate()
        outputs = [proc.communicate(timeout=60)[0] for proc in procs]
    per_monitor = results.values("monitor_id").annotate(n=Count("id"))
    twice = sum(1 for row in per_monitor if row["n"] > 1)
    stats = [json.loads(out.strip().splitlines()[-1]) for out in outputs]
    elapsed = max(st["last_recorded_at"] for st in stats) - due.timestamp()
    return {
        "workers": workers,
        "checks_per_s": round(len(ids) / elapsed, 1),
        "checked_twice": twice,
        "exclusive": twice == 0 and per_monitor.count() == len(ids),
        "checks_by_worker": [st["checks"] for st in stats],
    }


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0–100), nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))]


# Main -------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--monitors", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3, help="best of this many (default 3)")
    parser.add_argument("--concurrency", type=int, help="default: VCIO_CHECK_CONCURRENCY")
    parser.add_argument("--lag-seconds", type=float, default=65.0)
    parser.add_argument("--quick", action="store_true", help="one round, a 20 s lag run")
    parser.add_argument("--no-lag", action="store_true", help="skip the scheduling-lag run")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="also run 1..N engine worker processes against the database (0: skip; default 2)",
    )
    parser.add_argument("--worker-process", metavar="OWNER", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker_process:
        return worker_process(args.worker_process, args.concurrency or 200)
    if args.quick:
        args.rounds, args.lag_seconds = 1, 20.0

    with tempfile.TemporaryDirectory(prefix="vcio-bench-") as tmp:
        os.environ["VCIO_DATA_DIR"] = tmp
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vcio.settings")
        os.environ.setdefault("VCIO_LOG_LEVEL", "WARNING")  # no line per stop on stderr
        # The target is on 127.0.0.1, which the monitors' network policy refuses by default.
        os.environ["VCIO_MONITOR_ALLOW_LOCAL"] = "1"
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        from vcio.availability import engine

        call_command("migrate", verbosity=0)
        concurrency = args.concurrency or settings.VCIO_CHECK_CONCURRENCY
        target, port = start_target()
        blackbox = None
        try:
            ids = setup_monitors(args.monitors, port)
            urls = [f"http://127.0.0.1:{port}/m/{i}" for i in range(args.monitors)]
            n = len(urls)
            if BLACKBOX.exists():
                blackbox, bb_port = start_blackbox(Path(tmp))
                probes = [
                    f"http://127.0.0.1:{bb_port}/probe?module=http_2xx&target={url}" for url in urls
                ]
            spent: list[engine.EngineStats] = []
            with Recorder(engine) as rec:
                runs: dict[str, Callable[[], float]] = {
                    "engine": lambda: engine_round(rec, ids, concurrency, spent),
                    "aiohttp": lambda: timed("aiohttp", aiohttp_run(urls, concurrency, None), n),
                    "httpx": lambda: timed("httpx", httpx_run(urls, concurrency), n),
                }
                if blackbox:
                    probed = b"\nprobe_success 1"
                    runs["blackbox"] = lambda: timed(
                        "blackbox_exporter", aiohttp_run(probes, concurrency, probed), n
                    )
                rates: dict[str, list[float]] = {name: [] for name in runs}
                for _ in range(args.rounds):  # interleaved, so drift hits all alike
                    for name, run in runs.items():
                        rates[name].append(run())
                lags = [] if args.no_lag else lag_run(rec, ids, concurrency, args.lag_seconds)
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            processes = [
                processes_round(n, ids, concurrency, env) for n in range(1, args.workers + 1)
            ]
            drop_client()
            database = connection.vendor
        finally:
            if blackbox:
                stop(blackbox)
            stop(target)

    best = {name: max(values) for name, values in rates.items()}
    ceiling = max(best["aiohttp"], best["httpx"])
    # Each round's engine against that round's ceiling, measured seconds apart.
    per_round = [
        e / max(a, h)
        for e, a, h in zip(rates["engine"], rates["aiohttp"], rates["httpx"], strict=True)
    ]
    checked = sum(st.checks for st in spent) or 1
    result = {
        "checks_per_s": round(best["engine"], 1),
        # Per check, over the engine rounds: the database thread's wall-clock and CPU time,
        # and the rest of the process's CPU (the event loop: checks, HTTP, bookkeeping).
        "db_us_per_check": round(sum(st.db_s for st in spent) / checked * 1e6, 1),
        "db_cpu_us_per_check": round(sum(st.db_cpu_s for st in spent) / checked * 1e6, 1),
        "loop_cpu_us_per_check": round(
            sum(st.cpu_s - st.db_cpu_s for st in spent) / checked * 1e6, 1
        ),
        "checks_per_batch": round(checked / (sum(st.batches for st in spent) or 1), 1),
        # Seconds per engine round the loop waited for a claim, and for the writer's queue.
        "claim_wait_s_per_round": round(sum(st.claim_wait_s for st in spent) / len(spent), 3),
        "write_wait_s_per_round": round(sum(st.write_wait_s for st in spent) / len(spent), 3),
        "ceiling_checks_per_s": round(ceiling, 1),
        "ratio": round(best["engine"] / ceiling, 3),
        "ratio_median_of_rounds": round(statistics.median(per_round), 3),
        "blackbox_checks_per_s": round(best["blackbox"], 1) if blackbox else None,
        "lag_p99_s": round(percentile(lags, 99), 3) if lags else None,
        "lag_p50_s": round(percentile(lags, 50), 3) if lags else None,
        "lag_checks": len(lags),
        "aiohttp_checks_per_s": round(best["aiohttp"], 1),
        "httpx_checks_per_s": round(best["httpx"], 1),
        "monitors": n,
        "concurrency": concurrency,
        "rounds": args.rounds,
        "database": database,
        "worker_processes": processes,
    }
    if args.json:
        print(json.dumps(result))
        return 0
    print_table(result, rates, lags, args)
    return 0


def print_table(
    result: dict[str, Any],
    rates: dict[str, list[float]],
    lags: list[float],
    args: argparse.Namespace,
) -> None:
    """The figures as a plain table: the best round, and every round beside it."""
    best = {name: max(values) for name, values in rates.items()}
    n, rounds = result["monitors"], result["rounds"]
    print(
        f"{n:,} HTTP monitors on 127.0.0.1, concurrency {result['concurrency']}, "
        f"{result['database']}; best of {rounds} round(s)"
    )
    rows = {
        "engine": "vcio engine (with the database)",
        "aiohttp": "ceiling: bare aiohttp loop",
        "httpx": "ceiling: bare httpx loop",
        "blackbox": "blackbox_exporter (http_2xx)",
    }
    for key, label in rows.items():
        if key in best:
            each = " / ".join(f"{rate:,.0f}" for rate in rates[key])
            print(f"  {label:<34} {best[key]:>8,.0f} checks/s  (rounds: {each})")
    if "blackbox" not in best:
        missing = "not installed (apt-get install prometheus-blackbox-exporter)"
        print(f"  {'blackbox_exporter':<34} {missing}")
    print(
        f"ratio engine / ceiling: {result['ratio']:.2f}  (aim: ≥ 0.6); "
        f"median of the rounds' own ratios: {result['ratio_median_of_rounds']:.2f}"
    )
    print(
        f"engine, per check: database threads {result['db_us_per_check']:.0f} µs "
        f"({result['db_cpu_us_per_check']:.0f} µs CPU), event loop and the rest "
        f"{result['loop_cpu_us_per_check']:.0f} µs CPU; "
        f"{result['checks_per_batch']:.1f} checks recorded per transaction; "
        f"per round the loop waited {result['claim_wait_s_per_round']:.2f} s for claims "
        f"and {result['write_wait_s_per_round']:.2f} s for the writer"
    )
    if "blackbox" in best:
        ahead = best["engine"] / best["blackbox"]
        print(f"ratio engine / blackbox_exporter: {ahead:.2f}  (aim: > 1)")
    for run in result["worker_processes"]:
        print(
            f"{run['workers']} engine worker process(es) on one {result['database']} database: "
            f"{run['checks_per_s']:,.0f} checks/s; each monitor checked exactly once: "
            f"{'yes' if run['exclusive'] else 'NO'} ({run['checked_twice']} twice); "
            f"checks by worker: {run['checks_by_worker']}"
        )
    if lags:
        print(
            f"scheduling lag, {n:,} monitors every 30 s for {args.lag_seconds:g} s "
            f"({len(lags):,} checks): p50 {result['lag_p50_s']:.3f} s, "
            f"p99 {result['lag_p99_s']:.3f} s, max {max(lags):.3f} s  (aim: p99 < 2 s)"
        )


if __name__ == "__main__":
    raise SystemExit(main())
