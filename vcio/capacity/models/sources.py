"""Where a client's metrics come from: exporters vcio scrapes and Prometheus stores it queries.

Both are claimed by ``vcio worker`` the way monitors are: a conditional
UPDATE sets ``lease_until``/``claimed_by``, so several workers never poll
one source at once, and a crashed worker's claim lapses with its lease.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from vcio.core.scoping import ClientScopedModel


class Polled(ClientScopedModel):
    """Scheduling and last-result fields shared by every polled source."""

    name = models.CharField(max_length=120)
    enabled = models.BooleanField(default=True)
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_samples = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class ExporterKind(models.TextChoices):
    NODE = "node", "node_exporter (Linux, BSD, macOS)"
    WINDOWS = "windows", "windows_exporter"


class ScrapeTarget(Polled):
    """A node_exporter or windows_exporter ``/metrics`` URL that vcio scrapes."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    url = models.URLField("metrics URL", max_length=500)
    kind = models.CharField(max_length=10, choices=ExporterKind.choices, default=ExporterKind.NODE)
    interval = models.PositiveIntegerField(
        "every (seconds)", default=60, validators=[MinValueValidator(15), MaxValueValidator(3600)]
    )
    # The machine the exporter runs on, matched by serial or hostname at the first scrape.
    asset = models.ForeignKey(
        "assets.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "url"], name="capacity_target_url")
        ]


class PromConnector(Polled):
    """A Prometheus-compatible store (Prometheus, VictoriaMetrics, Mimir, Thanos) read by PromQL.

    vcio keeps only hourly and daily rollups of what it reads; the raw series
    stay in the store built for them.
    """

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    base_url = models.URLField("base URL", max_length=500, help_text="e.g. http://prom:9090")
    selector = models.CharField(
        "series selector",
        max_length=300,
        blank=True,
        help_text='Label matchers that narrow the series read, e.g. job="node". Blank: all.',
    )
    bearer_token = models.CharField(max_length=500, blank=True)
    username = models.CharField(max_length=150, blank=True)
    password = models.CharField(max_length=300, blank=True)
    interval = models.PositiveIntegerField(
        "every (seconds)", default=3600, validators=[MinValueValidator(60)]
    )
    # Rollups are read up to this instant; the next run starts here.
    synced_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
