"""Recording checks: the raw result, the hour's rollup, the monitor's state, its outages.

A scheduled check is recorded only by the worker that still holds the
monitor's claim (``claimed_by``): a worker whose lease ran out and was taken
over by another is refused, so a slot is never recorded twice and a slow
worker cannot overwrite a newer state. Recording also moves the schedule to
the next slot and releases the lease.

The state machine keeps flapping out of the outages: a monitor goes DOWN
only after ``failures_to_down`` consecutive failed checks, and the outage
then starts at the first of them; the first success closes it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from vcio.availability.checks import CheckOutcome
from vcio.availability.models import CheckResult, HourlyRollup, Monitor, MonitorState, Outage

log = logging.getLogger("vcio.availability")

CAUSE_MAX = 300  # CheckResult.cause, Monitor.last_cause and Outage.cause hold this many


# The monitor fields a check writes, and those only a scheduled check moves.
STATE_FIELDS = (
    "state",
    "state_changed_at",
    "consecutive_failures",
    "last_checked_at",
    "last_ok",
    "last_latency_ms",
    "last_cause",
)
SCHEDULE_FIELDS = ("next_run_at", "lease_until", "claimed_by")


def _utc_text(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def _as_is(value: datetime | None) -> datetime | None:
    return value


def datetime_adapter() -> Callable[[datetime | None], Any]:
    """A function turning datetimes into query parameters as Django would, for raw SQL.

    Django's adapter costs several microseconds a value (and so does each
    look at ``connection``): with the connection in UTC (the default)
    SQLite's is the UTC time as text, and PostgreSQL takes the aware
    datetime itself. Take one per batch, on the thread that will use it.
    """
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor == "postgresql":
        return _as_is
    if conn.vendor == "sqlite" and conn.timezone_name == "UTC":
        return _utc_text
    return conn.ops.adapt_datetimefield_value


def is_postgresql() -> bool:
    """Whether this thread's database is PostgreSQL (arrays instead of executemany)."""
    return connections[DEFAULT_DB_ALIAS].vendor == "postgresql"


def raw_cursor() -> Any:
    """A cursor for the hot path's raw SQL on this thread's connection.

    On PostgreSQL a server-side-binding psycopg cursor on Django's own
    connection (so inside its transactions): Django's client-side binding
    quotes every array element in Python, about a millisecond an array.
    Elsewhere Django's cursor.
    """
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor == "postgresql":
        import psycopg

        conn.ensure_connection()
        return psycopg.Cursor(conn.connection)
    return conn.cursor()


def id_in(column: str, ids: list[int], negate: bool = False) -> tuple[str, list[Any]]:
    """``column IN (ids)`` as SQL and parameters: one array parameter on PostgreSQL.

    psycopg's client-side binding parses the whole statement for every
    placeholder, so a list of hundreds costs milliseconds; SQLite has no arrays.
    """
    if is_postgresql():
        return (f"{column} <> ALL(%s)" if negate else f"{column} = ANY(%s)"), [list(ids)]
    marks = ", ".join(["%s"] * len(ids))
    return f"{column} {'NOT IN' if negate else 'IN'} ({marks})", list(ids)


def unnest(types: list[str], rows: list[tuple]) -> tuple[str, list[Any]]:
    """PostgreSQL: the rows as ``unnest(%s::type[], ...)``, one array parameter per column."""
    columns = [list(column) for column in zip(*rows, strict=True)]
    return f"unnest({', '.join(f'%s::{t}[]' for t in types)})", columns


def db_datetime(value: datetime | None) -> Any:
    """One datetime as a raw query parameter (see :func:`datetime_adapter`)."""
    return datetime_adapter()(value)


def from_db_datetime(value: Any, tz: tzinfo = UTC) -> datetime | None:
    """A datetime column read with raw SQL, as an aware datetime (as the ORM returns it).

    ``tz``: the connection's time zone, which naive values are in (UTC by default).
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value


@dataclass(frozen=True)
class Finished:
    """A check that ran: for which monitor and slot, when it started, what it found.

    ``slot`` is the due time the check was run for (the claimed
    ``next_run_at``); None for an unscheduled check ("check now").
    """

    monitor_id: int
    slot: datetime | None
    at: datetime
    outcome: CheckOutcome


def record(
    monitor_id: int,
    slot: datetime | None,
    outcome: CheckOutcome,
    owner: str | None,
    at: datetime | None = None,
) -> CheckResult | None:
    """Record one check; returns its CheckResult, or None when refused.

    ``owner`` None records an unscheduled check: no claim is needed and the
    schedule and lease are left alone.
    """
    results = record_batch([Finished(monitor_id, slot, at or timezone.now(), outcome)], owner)
    return results[0] if results else None


def record_batch(finished: list[Finished], owner: str | None) -> list[CheckResult]:
    """Record many checks in one transaction; returns the results written.

    Checks of monitors that ``owner`` no longer holds (or that were deleted)
    are refused and left out of the returned list.
    """
    results: list[CheckResult] = []
    _record(finished, owner, results)
    return results


def record_checks(finished: list[Finished], owner: str | None) -> list[Finished]:
    """Record many checks in one transaction, as :func:`record_batch`; returns those accepted.

    The engine's path: it needs no CheckResult instances back, so the rows
    go in with one prepared INSERT (executemany) instead of the ORM's
    bulk_create, which cost more CPU per row than the rest of recording.
    """
    return _record(finished, owner, None)


class _Held:
    """The monitor columns recording reads and may change (a row, not a model instance)."""

    __slots__ = (
        "pk",
        "name",
        "service_id",
        "interval_s",
        "failures_to_down",
        "state",
        "consecutive_failures",
        "last_ok",
        "last_cause",
        "row",
        "new",
    )
    COLUMNS = __slots__[:-2]
    _INDEX = {name: i for i, name in enumerate(COLUMNS)}

    def __init__(self, *row: Any) -> None:
        for name, value in zip(self.COLUMNS, row, strict=True):
            setattr(self, name, value)
        self.row = row  # as read, to tell what changed
        self.new: dict[str, Any] = {}  # the fields recording sets, with their new values

    def changed(self) -> tuple[str, ...]:
        """The fields to write: those set that the row did not hold (or did not read)."""
        index = self._INDEX
        return tuple(
            sorted(
                name
                for name, value in self.new.items()
                if name in ALWAYS_WRITTEN or name not in index or value != self.row[index[name]]
            )
        )


def _record(
    finished: list[Finished], owner: str | None, results: list[CheckResult] | None
) -> list[Finished]:
    """Record ``finished``; appends CheckResult instances to ``results`` when it is a list."""
    if not finished:
        return []
    now = timezone.now()
    with transaction.atomic():
        held = {row[0]: _Held(*row) for row in _lock_held(finished, owner)}
        accepted = sorted((f for f in finished if f.monitor_id in held), key=lambda f: f.at)
        if len(accepted) < len(finished):
            refused = sorted({f.monitor_id for f in finished} - set(held))
            log.info("not recording monitors %s: no longer claimed by %s", refused, owner)
        if results is None:
            _insert_results(accepted)
        else:
            results += CheckResult.objects.bulk_create(
                [_result_row(f) for f in accepted], batch_size=500
            )
        _add_to_rollups(accepted)
        for f in accepted:
            monitor = held[f.monitor_id]
            fields = _advance_state(monitor, f)
            if owner is not None:
                fields["next_run_at"] = next_run(f.slot, monitor.interval_s, now)
                fields.update(lease_until=None, claimed_by="")
            for name, value in fields.items():
                if name in _Held.COLUMNS:
                    setattr(monitor, name, value)  # a second check of the same monitor sees this
            monitor.new.update(fields)
        _write_back([held[pk] for pk in sorted({f.monitor_id for f in accepted})], owner)
    return accepted


def _lock_held(finished: list[Finished], owner: str | None) -> list[tuple]:
    """The _Held columns of the checked monitors (that ``owner`` holds), locked.

    Locked in id order (PostgreSQL) so two recorders never deadlock; an
    IMMEDIATE transaction already holds SQLite's write lock. Raw SQL: the
    ORM's query building and row conversion cost more than the query.
    """
    ids = sorted({f.monitor_id for f in finished})
    ops = connection.ops
    columns = ", ".join(
        ops.quote_name("id" if name == "pk" else Monitor._meta.get_field(name).column)
        for name in _Held.COLUMNS
    )
    where, params = id_in("id", ids)
    sql = f"SELECT {columns} FROM {ops.quote_name(Monitor._meta.db_table)} WHERE {where}"
    if owner is not None:
        sql += " AND claimed_by = %s"
        params.append(owner)
    sql += " ORDER BY id"
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with raw_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Fields written on every check; the others only when their value changes.
ALWAYS_WRITTEN = frozenset({"last_checked_at", "last_latency_ms", *SCHEDULE_FIELDS})


def _write_back(monitors: list[_Held], owner: str | None) -> None:
    """Save what changed on each monitor: one prepared UPDATE per set of changed fields.

    In the steady state (an up monitor staying up) that is one statement for
    the whole batch, setting five columns. The ORM's per-row update() or
    bulk_update() costs ~1 ms a row in Python; executemany a fraction of that.
    """
    groups: dict[tuple[str, ...], list[_Held]] = defaultdict(list)
    for monitor in monitors:
        groups[monitor.changed()].append(monitor)
    for fields, members in groups.items():
        _update_rows(members, fields, owner)


def _update_rows(monitors: list[_Held], fields: tuple[str, ...], owner: str | None) -> None:
    """One executemany UPDATE setting ``fields`` of ``monitors`` (held by ``owner``, if given)."""
    if not monitors or not fields:
        return
    meta = Monitor._meta
    ops = connection.ops
    # The lease's release is the same for every row: written as constants, not parameters.
    constant = {"lease_until": "NULL", "claimed_by": "''"}
    varying = [name for name in fields if name not in constant]
    assignments = ", ".join(
        f"{ops.quote_name(meta.get_field(name).column)} = {constant.get(name, '%s')}"
        for name in fields
    )
    condition = f"{ops.quote_name(meta.pk.column)} = %s"
    if owner is not None:
        condition += f" AND {ops.quote_name(meta.get_field('claimed_by').column)} = %s"
    tail = [owner] if owner is not None else []
    adapt = datetime_adapter()
    rows = []
    for monitor in monitors:
        new = monitor.new
        row = [adapt(v) if isinstance(v := new[name], datetime) else v for name in varying]
        rows.append((*row, monitor.pk))
    table = ops.quote_name(meta.db_table)
    with raw_cursor() as cursor:
        if is_postgresql():
            types = [meta.get_field(name).db_type(connection) for name in varying]
            source, params = unnest([*types, "bigint"], rows)
            names = [ops.quote_name(meta.get_field(name).column) for name in varying]
            aliases = ", ".join([*names, "pk_"])
            assignments = ", ".join(
                f"{ops.quote_name(meta.get_field(name).column)} = "
                + (constant[name] if name in constant else f"v.{ops.quote_name(name)}")
                for name in fields
            )
            condition = "m.id = v.pk_" + (" AND m.claimed_by = %s" if owner is not None else "")
            cursor.execute(
                f"UPDATE {table} AS m SET {assignments} FROM {source} AS v({aliases}) "
                f"WHERE {condition}",
                [*params, *tail],
            )
            return
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE {condition}", [[*r, *tail] for r in rows]
        )


def _insert_results(accepted: list[Finished]) -> None:
    """Insert the raw results with one prepared statement run for every row."""
    if not accepted:
        return
    ops = connection.ops
    table = ops.quote_name(CheckResult._meta.db_table)
    columns = "monitor_id, at, ok, degraded, latency_ms, status_code, cause"
    adapt = datetime_adapter()
    rows = [
        (
            f.monitor_id,
            adapt(f.at),
            f.outcome.ok,
            f.outcome.degraded,
            f.outcome.latency_ms,
            f.outcome.status_code,
            f.outcome.cause[:CAUSE_MAX],
        )
        for f in accepted
    ]
    with raw_cursor() as cursor:
        if is_postgresql():
            types = ["bigint", "timestamptz", "boolean", "boolean", "float8", "integer", "text"]
            source, params = unnest(types, rows)
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT * FROM {source}", params)
            return
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s)", rows
        )


def next_run(slot: datetime | None, interval_s: int, now: datetime) -> datetime:
    """The next due time: the slot plus the interval, so the schedule does not drift.

    Slots already past (the check took longer than the interval, or the
    workers were down) are skipped rather than run back to back.
    """
    interval = timedelta(seconds=interval_s)
    if slot is None:
        return now + interval
    upcoming = slot + interval
    if upcoming <= now:
        upcoming += interval * ((now - upcoming) // interval + 1)
    return upcoming


def prune_results(now: datetime | None = None, batch: int = 5000) -> int:
    """Delete raw results older than VCIO_CHECK_RETENTION_DAYS; returns how many.

    Deletes in batches so a large backlog never holds the database's write
    lock for long. Hourly rollups are kept for good.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.VCIO_CHECK_RETENTION_DAYS)
    deleted = 0
    while True:
        ids = list(
            CheckResult.objects.filter(at__lt=cutoff)
            .order_by()
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return deleted
        deleted += CheckResult.objects.filter(pk__in=ids).delete()[0]


def _result_row(f: Finished) -> CheckResult:
    o = f.outcome
    return CheckResult(
        monitor_id=f.monitor_id,
        at=f.at,
        ok=o.ok,
        degraded=o.degraded,
        latency_ms=o.latency_ms,
        status_code=o.status_code,
        cause=o.cause[:CAUSE_MAX],
    )


def _advance_state(monitor: _Held, f: Finished) -> dict[str, Any]:
    """The monitor's new field values after check ``f``; opens or closes its outage."""
    o = f.outcome
    fields: dict[str, Any] = {
        "last_checked_at": f.at,
        "last_ok": o.ok,
        "last_latency_ms": o.latency_ms,
        "last_cause": o.cause[:CAUSE_MAX],
    }
    if o.ok:
        fields["consecutive_failures"] = 0
        if monitor.state == MonitorState.DOWN:
            _close_outage(monitor, f.at)
        if monitor.state != MonitorState.UP:
            fields.update(state=MonitorState.UP, state_changed_at=f.at)
        return fields
    failures = monitor.consecutive_failures + 1
    fields["consecutive_failures"] = failures
    if monitor.state != MonitorState.DOWN and failures >= monitor.failures_to_down:
        started, cause = _first_failure(monitor.pk, f, failures)
        _open_outage(monitor, started, cause)
        fields.update(state=MonitorState.DOWN, state_changed_at=started)
    return fields


def _first_failure(monitor_id: int, f: Finished, failures: int) -> tuple[datetime, str]:
    """When the current run of failed checks began, and why: the outage's start and cause.

    Reads back the monitor's latest results (this check's row is already
    written); a run longer than the retention starts at its oldest kept row.
    """
    started, cause = f.at, f.outcome.cause
    recent = (
        CheckResult.objects.filter(monitor_id=monitor_id, at__lte=f.at)
        .order_by("-at", "-pk")
        .values_list("at", "ok", "cause")[:failures]
    )
    for at, ok, row_cause in recent:
        if ok:
            break
        started, cause = at, row_cause
    return started, cause


def _open_outage(monitor: _Held, started: datetime, cause: str) -> None:
    outage = Outage.objects.create(
        monitor_id=monitor.pk,
        service_id=monitor.service_id,
        started_at=started,
        cause=cause[:CAUSE_MAX],
    )
    log.info("monitor %s (%s) is down since %s: %s", monitor.pk, monitor.name, started, cause)
    _queue_alerts(outage, "down")


def _close_outage(monitor: _Held, at: datetime) -> None:
    for outage in Outage.objects.filter(monitor_id=monitor.pk, ended_at__isnull=True):
        outage.ended_at = max(at, outage.started_at)
        outage.save(update_fields=["ended_at"])
        log.info("monitor %s (%s) is up again at %s", monitor.pk, monitor.name, at)
        _queue_alerts(outage, "up")


def _queue_alerts(outage: Outage, event: str) -> None:
    """Hand the state change to the alerts module, when it exists.

    Inside the recording transaction, so an alert is queued exactly when the
    outage row changes; in a savepoint, so a failing alert never loses the
    check.
    """
    try:
        from vcio.availability.alerts import queue_alerts
    except ImportError:
        return  # alerts are not part of this install yet
    try:
        with transaction.atomic():
            queue_alerts(outage, event)
    except Exception:
        log.exception("could not queue the %r alerts of outage %s", event, outage.pk)


def _add_to_rollups(finished: list[Finished]) -> None:
    """Add the checks to their monitors' hourly rollups, in one statement.

    An upsert that adds in the database (``checks = checks + excluded.checks``),
    like F() expressions: concurrent writers add up instead of overwriting
    each other. Same SQL on SQLite and PostgreSQL but for the name of the
    two-argument maximum.
    """
    groups: dict[tuple[int, datetime], list[CheckOutcome]] = defaultdict(list)
    for f in finished:
        hour = f.at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        groups[(f.monitor_id, hour)].append(f.outcome)
    if not groups:
        return
    ops = connection.ops
    adapt = datetime_adapter()
    adapted = {hour: adapt(hour) for _monitor_id, hour in groups}  # a batch spans 1-2 hours
    rows = []
    for (monitor_id, hour), outcomes in sorted(groups.items()):
        latencies = [o.latency_ms for o in outcomes if o.latency_ms is not None]
        rows.append(
            (
                monitor_id,
                adapted[hour],
                len(outcomes),
                sum(1 for o in outcomes if not o.ok),
                float(sum(latencies)),
                max(latencies) if latencies else None,
            )
        )
    table = ops.quote_name(HourlyRollup._meta.db_table)
    hour_col = ops.quote_name("hour")
    if is_postgresql():
        types = ["bigint", "timestamptz", "integer", "integer", "float8", "float8"]
        source, params = unnest(types, rows)
        source, greatest = f"SELECT * FROM {source}", "GREATEST"
    else:
        source, greatest = "VALUES " + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows)), "MAX"
        params = [value for row in rows for value in row]
    with raw_cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table}
                (monitor_id, {hour_col}, checks, failures, latency_sum_ms, latency_max_ms)
            {source}
            ON CONFLICT (monitor_id, {hour_col}) DO UPDATE SET
                checks = {table}.checks + excluded.checks,
                failures = {table}.failures + excluded.failures,
                latency_sum_ms = {table}.latency_sum_ms + excluded.latency_sum_ms,
                latency_max_ms = {greatest}(
                    COALESCE({table}.latency_max_ms, excluded.latency_max_ms),
                    COALESCE(excluded.latency_max_ms, {table}.latency_max_ms)
                )""",
            params,
        )
