"""Bookkeeping writes: records worth keeping that are never worth failing a request for.

A token's "last used" time is written while an API request is served. When
another connection holds the database's write lock (a long import on
SQLite, a locked row on PostgreSQL) such a write would wait for the whole
busy timeout and then fail the request with "database is locked". A
bookkeeping write waits at most ``LOCK_WAIT_MS`` instead, in its own
savepoint, and a failure is logged and forgotten: the request it belongs to
goes on as if the write had been skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

log = logging.getLogger("vcio.bookkeeping")

# Long enough to get past an ordinary short write, short enough that nobody notices.
LOCK_WAIT_MS = 250


def write_quietly(what: str, write: Callable[[], Any], using: str = DEFAULT_DB_ALIAS) -> bool:
    """Run ``write`` (a few UPDATEs) waiting briefly for locks; False when it was skipped.

    ``what`` names the write in the log line ("token 12 last used").
    """
    connection = connections[using]
    try:
        with _short_lock_wait(connection), transaction.atomic(using=using):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT_MS}ms'")
            write()
    except DatabaseError as exc:
        log.warning("skipped bookkeeping write (%s): %s", what, exc)
        return False
    return True


@contextmanager
def _short_lock_wait(connection) -> Iterator[None]:
    """On SQLite, lower the busy timeout for the duration (PostgreSQL uses SET LOCAL)."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    usual = connection.connection.execute("PRAGMA busy_timeout").fetchone()[0]
    connection.connection.execute(f"PRAGMA busy_timeout = {LOCK_WAIT_MS}")
    try:
        yield
    finally:
        connection.connection.execute(f"PRAGMA busy_timeout = {int(usual)}")
