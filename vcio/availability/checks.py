"""The checks themselves: HTTP(S), TCP connect, TLS certificate expiry, DNS.

Pure of the ORM: a check takes a :class:`CheckSpec` (built from a Monitor
by :func:`spec_of`) and returns a :class:`CheckOutcome`, so the engine in
``vcio worker`` and the Celery tasks run exactly the same code. A check
never raises: every failure (refused, timeout, TLS error, DNS failure,
unexpected status, missing keyword, forbidden address...) is an outcome
with ``ok=False`` and a readable ``cause``.

CONTRACT (shared by the engine and the Celery tasks; keep it stable):

    spec_of(monitor) -> CheckSpec
    async run_check(spec: CheckSpec, session: CheckSession) -> CheckOutcome
    CheckSession: an async context manager holding pooled connections
        (``async with CheckSession(concurrency=200) as session: ...``)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckSpec:
    """What to check, in plain values (picklable, JSON-able for Celery)."""

    monitor_id: int
    kind: str  # "http", "tcp", "tls", "dns"
    target: str
    timeout_s: float = 10.0
    http_method: str = "GET"
    expected_status: str = "200-399"
    keyword: str = ""
    keyword_absent: bool = False
    follow_redirects: bool = True
    slow_ms: int | None = None
    tls_warn_days: int = 14
    dns_record_type: str = "A"
    dns_expected: str = ""


@dataclass(frozen=True)
class CheckOutcome:
    """The result of one check. ``latency_ms`` is None when nothing answered."""

    ok: bool
    latency_ms: float | None = None
    status_code: int | None = None
    cause: str = ""  # why it failed, or what degraded it; "" when all is well
    degraded: bool = False  # slow, or a certificate expiring within the warning days
