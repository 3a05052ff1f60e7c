"""Monitors of a service, the raw results of their checks, hourly rollups and outages.

A monitor's scheduling state lives on its row: ``next_run_at`` says when
it is due and ``lease_until`` who holds it. A worker claims a due monitor
with a conditional UPDATE that moves both at once, so two workers never run
the same check, and a crashed worker's claim lapses when its lease ends.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from vcio.availability.models.services import BusinessService
from vcio.core.scoping import ScopedManager, ScopedRow

MIN_INTERVAL_S = 30
MAX_INTERVAL_S = 86400


class MonitorKind(models.TextChoices):
    HTTP = "http", "HTTP(S)"
    TCP = "tcp", "TCP connect"
    TLS = "tls", "TLS certificate expiry"
    DNS = "dns", "DNS"


class MonitorState(models.TextChoices):
    UNKNOWN = "unknown", "Not checked yet"
    UP = "up", "Up"
    DOWN = "down", "Down"


# What a user sets on a monitor (forms and API alike); the rest is the engine's state.
MONITOR_SETTINGS = (
    "name",
    "kind",
    "target",
    "enabled",
    "interval_s",
    "failures_to_down",
    "timeout_s",
    "http_method",
    "expected_status",
    "keyword",
    "keyword_absent",
    "follow_redirects",
    "slow_ms",
    "tls_warn_days",
    "dns_record_type",
    "dns_expected",
)


class Monitor(ScopedRow):
    """One check of a service, run every ``interval_s`` seconds."""

    service = models.ForeignKey(BusinessService, on_delete=models.CASCADE, related_name="monitors")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=MonitorKind.choices, default=MonitorKind.HTTP)
    target = models.CharField(
        max_length=500,
        help_text="A URL for HTTP; host:port for TCP and TLS; a host name for DNS.",
    )
    enabled = models.BooleanField(default=True)
    interval_s = models.PositiveIntegerField(
        "interval (seconds)",
        default=60,
        validators=[MinValueValidator(MIN_INTERVAL_S), MaxValueValidator(MAX_INTERVAL_S)],
    )
    failures_to_down = models.PositiveSmallIntegerField(
        "failures before down",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="Consecutive failed checks before the monitor counts as down (no flapping).",
    )
    timeout_s = models.DecimalField(
        "timeout (seconds)",
        max_digits=5,
        decimal_places=2,
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    # HTTP
    http_method = models.CharField(max_length=10, default="GET")
    expected_status = models.CharField(
        max_length=100, default="200-399", help_text='e.g. "200", "200-299,301".'
    )
    keyword = models.CharField(max_length=200, blank=True)
    keyword_absent = models.BooleanField(
        default=False, help_text="Fail when the keyword IS found (e.g. “maintenance”)."
    )
    follow_redirects = models.BooleanField(default=True)
    slow_ms = models.PositiveIntegerField(
        "slow above (ms)", null=True, blank=True, help_text="Slower responses count as degraded."
    )
    # TLS
    tls_warn_days = models.PositiveSmallIntegerField(
        "warn days before expiry", default=14, validators=[MaxValueValidator(365)]
    )
    # DNS
    dns_record_type = models.CharField(max_length=10, default="A")
    dns_expected = models.CharField(
        max_length=300, blank=True, help_text="Blank: any answer will do."
    )
    # Scheduling and state, written by the engine.
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    state = models.CharField(
        max_length=10, choices=MonitorState.choices, default=MonitorState.UNKNOWN
    )
    state_changed_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_ok = models.BooleanField(null=True, blank=True)
    last_latency_ms = models.FloatField(null=True, blank=True)
    last_cause = models.CharField(max_length=300, blank=True)
    # "Check now": the monitor was made due at this time by this user; the check is
    # waiting for the worker while last_checked_at is older (vcio.availability.on_demand).
    check_requested_at = models.DateTimeField(null=True, blank=True)
    check_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_field = "service__client_id"
    scope_kind = "client"
    objects = ScopedManager()

    @property
    def check_waiting(self) -> bool:
        """True while a requested "check now" has not been run by the worker yet."""
        asked = self.check_requested_at
        return asked is not None and (self.last_checked_at is None or self.last_checked_at < asked)

    class Meta:
        ordering = ["service", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interval_s__gte=MIN_INTERVAL_S)
                & models.Q(interval_s__lte=MAX_INTERVAL_S),
                name="monitor_interval_30s_to_1d",
            )
        ]

    def __str__(self) -> str:
        return self.name


class CheckResult(ScopedRow):
    """One check's outcome; kept for the retention period (VCIO_CHECK_RETENTION_DAYS)."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="results")
    at = models.DateTimeField()
    ok = models.BooleanField()
    degraded = models.BooleanField(default=False)  # slow, or a certificate expiring soon
    latency_ms = models.FloatField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    cause = models.CharField(max_length=300, blank=True)

    scope_field = "monitor__service__client_id"
    scope_kind = "client"
    objects = ScopedManager()

    class Meta:
        ordering = ["monitor", "at"]
        indexes = [models.Index(fields=["monitor", "at"], name="result_monitor_at")]

    def __str__(self) -> str:
        return f"{self.monitor} at {self.at}: {'ok' if self.ok else self.cause}"


class HourlyRollup(ScopedRow):
    """A monitor's checks in one hour, kept for good after the raw results expire."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="rollups")
    hour = models.DateTimeField()
    checks = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    latency_sum_ms = models.FloatField(default=0)
    latency_max_ms = models.FloatField(null=True, blank=True)

    scope_field = "monitor__service__client_id"
    scope_kind = "client"
    objects = ScopedManager()

    class Meta:
        ordering = ["monitor", "hour"]
        constraints = [
            models.UniqueConstraint(fields=["monitor", "hour"], name="one_rollup_an_hour")
        ]

    def __str__(self) -> str:
        return f"{self.monitor} {self.hour}: {self.failures}/{self.checks} failed"


class Outage(ScopedRow):
    """A monitor down from ``started_at`` (its first failed check) to ``ended_at`` (None: still)."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="outages")
    # Kept on the row so SLA queries per service need no join through the monitor.
    service = models.ForeignKey(BusinessService, on_delete=models.CASCADE, related_name="outages")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    cause = models.CharField(max_length=300, blank=True)

    scope_field = "service__client_id"
    scope_kind = "client"
    objects = ScopedManager()

    class Meta:
        ordering = ["-started_at", "id"]
        indexes = [models.Index(fields=["service", "started_at"], name="outage_service_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="outage_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.monitor} down from {self.started_at}"
