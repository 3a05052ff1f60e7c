"""Claiming due monitors: which worker checks what, and when to look again.

A claim is a lease written by one conditional UPDATE that repeats the
due-and-free conditions, so two workers never run the same check and a
crashed worker's monitors are taken again once their leases expire. The
engine (:mod:`vcio.availability.engine`), the Celery scheduler and the
one-shot helpers all claim through here.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone

from vcio.availability.checks import SPEC_FIELDS, CheckSpec, spec_of_row
from vcio.availability.models import Monitor
from vcio.availability.recording import datetime_adapter, from_db_datetime, id_in, raw_cursor

# Seconds a lease outlasts the check's timeout: time to wait for a worker and to record.
LEASE_MARGIN_S = 10
# Monitors claimed by one UPDATE.
CLAIM_BATCH = 500


@dataclass(frozen=True)
class Claim:
    """A monitor this worker holds, and the slot (due time) its check is for."""

    monitor_id: int
    slot: datetime
    lease_until: datetime | None = None  # None: not known (made from a Celery payload)


def _free(now: datetime) -> Any:
    """Enabled monitors whose lease is free or expired, due or not."""
    return Monitor.objects.filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now), enabled=True
    )


def claim(
    owner: str, limit: int, now: datetime | None = None, exclude: frozenset[int] = frozenset()
) -> list[Claim]:
    """Claim up to ``limit`` due monitors for ``owner``, oldest due first.

    One conditional UPDATE per batch repeats the due-and-free conditions, so
    a monitor another worker took in between is skipped (row by row, on
    SQLite and PostgreSQL alike); reading back the exact lease written tells
    which ones this worker got. ``exclude``: monitors this worker is still
    checking, never claimed twice.
    """
    return [c for c, _spec in claim_rows(owner, limit, now or timezone.now(), exclude, False)[0]]


def claim_rows(
    owner: str, limit: int, now: datetime, exclude: frozenset[int], with_specs: bool
) -> tuple[list[tuple[Claim, CheckSpec | None]], float]:
    """Claims (with their checks' specs when asked), and the seconds until more is due.

    One read finds both the due monitors and when to look again: the
    earliest free monitors, due or not, so the first one not due tells the
    wait (0 when more are due than claimed). Then one UPDATE ... RETURNING
    per lease length claims them and reads back what the checks need. Raw
    SQL: the ORM's query building and row conversion cost more than the
    queries, several times a second.

    Where the database can (PostgreSQL), the read and the UPDATEs are one
    transaction and the read locks its rows with ``FOR UPDATE SKIP LOCKED``:
    two workers claiming at once then read different monitors. Without it
    they read the same ones, locked them in different orders and deadlocked
    (seen in the bench: a second lost each time, to PostgreSQL's deadlock
    timeout), or one of them found nothing left to take. SQLite runs one
    writer at a time; there a transaction around the read would only make
    two workers' upgrades to a write lock collide, so it has none.
    """
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            return _claim_rows(owner, limit, now, exclude, with_specs, " FOR UPDATE SKIP LOCKED")
    return _claim_rows(owner, limit, now, exclude, with_specs, "")


def _claim_rows(
    owner: str,
    limit: int,
    now: datetime,
    exclude: frozenset[int],
    with_specs: bool,
    lock: str,
) -> tuple[list[tuple[Claim, CheckSpec | None]], float]:
    ops, tz, adapt = connection.ops, connection.timezone, datetime_adapter()
    table = ops.quote_name(Monitor._meta.db_table)
    at = adapt(now)
    free, free_params = "enabled = %s AND (lease_until IS NULL OR lease_until < %s)", [True, at]
    if exclude:
        skip, skip_params = id_in("id", sorted(exclude), negate=True)
        free, free_params = f"{free} AND {skip}", free_params + skip_params
    with raw_cursor() as cursor:
        cursor.execute(
            f"SELECT id, timeout_s, next_run_at FROM {table} WHERE {free} "
            f"ORDER BY next_run_at ASC NULLS FIRST, id LIMIT %s{lock}",
            [*free_params, max(0, limit) + 1],
        )
        head = cursor.fetchall()
    due, wait = [], math.inf
    for pk, timeout_s, next_run_at in head:
        next_run_at = from_db_datetime(next_run_at, tz)
        if next_run_at is not None and next_run_at > now:
            wait = (next_run_at - now).total_seconds()
            break
        if len(due) == limit:
            wait = 0.0  # more are due right now
            break
        due.append((pk, timeout_s))
    by_lease: dict[int, list[int]] = defaultdict(list)
    for pk, timeout_s in due:
        by_lease[math.ceil(timeout_s) + LEASE_MARGIN_S].append(pk)
    columns = ", ".join(ops.quote_name(c) for c in ("id", "next_run_at", *SPEC_FIELDS))
    if not with_specs:
        columns = "id, next_run_at"
    claims: list[tuple[Claim, CheckSpec | None]] = []
    for lease_s, ids in by_lease.items():
        for start in range(0, len(ids), CLAIM_BATCH):
            batch = ids[start : start + CLAIM_BATCH]
            until = now + timedelta(seconds=lease_s)
            # The due-and-free conditions again: without row locks (SQLite), a monitor
            # another worker took since the read is skipped.
            chosen, chosen_params = id_in("id", batch)
            with raw_cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET lease_until = %s, claimed_by = %s "
                    f"WHERE {chosen} AND enabled = %s "
                    "AND (next_run_at IS NULL OR next_run_at <= %s) "
                    f"AND (lease_until IS NULL OR lease_until < %s) RETURNING {columns}",
                    [adapt(until), owner, *chosen_params, True, at, at],
                )
                rows = cursor.fetchall()
            for row in rows:
                slot = from_db_datetime(row[1], tz) or now
                spec = _spec_of_returned(row[0], row[2:]) if with_specs else None
                claims.append((Claim(row[0], slot, until), spec))
    if due and not claims:
        wait = max(wait, 0.05)  # lost a race to another worker: no busy loop
    claims.sort(key=lambda pair: (pair[0].slot, pair[0].monitor_id))
    return claims, wait


@functools.lru_cache(maxsize=65536)
def _spec_of_returned(pk: int, values: tuple) -> CheckSpec:
    """The CheckSpec of SPEC_FIELDS read with raw SQL (SQLite gives booleans as 0 and 1).

    Cached on the values themselves (a spec is immutable): the same monitors
    come back every interval, and building a spec cost more than finding it.
    An edited monitor reads back other values, so it gets a new spec at once.
    """
    row: dict[str, Any] = {"pk": pk, **dict(zip(SPEC_FIELDS, values, strict=True))}
    row["keyword_absent"] = bool(row["keyword_absent"])
    row["follow_redirects"] = bool(row["follow_redirects"])
    return spec_of_row(row)


def claim_due(owner: str, limit: int, now: datetime | None = None) -> list[int]:
    """The ids of the monitors claimed for ``owner`` (see :func:`claim`)."""
    return [c.monitor_id for c in claim(owner, limit, now)]


def seconds_until_due(now: datetime | None = None, exclude: frozenset[int] = frozenset()) -> float:
    """Seconds until the next monitor (not leased, not in ``exclude``) falls due; 0 if one is."""
    now = now or timezone.now()
    free = _free(now).exclude(pk__in=exclude) if exclude else _free(now)
    if free.filter(next_run_at__isnull=True).exists():
        return 0.0
    earliest = free.aggregate(at=Min("next_run_at"))["at"]
    if earliest is None:
        return math.inf
    return max(0.0, (earliest - now).total_seconds())
