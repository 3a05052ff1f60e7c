"""Metric series of a client's machines, their raw samples and their rollups.

A series is one measured quantity of one asset: ``cpu`` (share of CPU time
busy), ``mem`` (share of memory used), ``fs`` (share of a filesystem used,
labelled by mount point) and so on (``vcio.capacity.metrics`` lists them).
Raw samples are kept for a retention (``VCIO_METRIC_RETENTION_DAYS``);
hourly and daily rollups are kept for good, and pages, figures and reports
read only rollups.
"""

from __future__ import annotations

from django.db import models

from vcio.core.scoping import ClientScopedModel, ScopedManager, ScopedRow


class Series(ClientScopedModel):
    """One metric of one asset, e.g. FS01's ``fs`` at mount point ``D:``."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    asset = models.ForeignKey(
        "assets.Asset", on_delete=models.CASCADE, related_name="metric_series"
    )
    metric = models.CharField(max_length=20)
    # Canonical "name=value" pairs joined by ",", sorted; "" when the metric has none.
    labels = models.CharField(max_length=200, blank=True, default="")
    # What counter-derived metrics need from the previous sample to compute a rate.
    state = models.JSONField(default=dict, blank=True)
    last_value = models.FloatField(null=True, blank=True)
    last_at = models.DateTimeField(null=True, blank=True)
    # Hourly and daily rollups are complete for every hour before this instant.
    rolled_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["asset_id", "metric", "labels"]
        verbose_name_plural = "series"
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "metric", "labels"], name="capacity_series_key"
            )
        ]
        indexes = [models.Index(fields=["client", "metric"], name="capacity_series_client")]

    def __str__(self) -> str:
        return f"{self.asset_id}:{self.metric}{{{self.labels}}}"

    @property
    def label_dict(self) -> dict[str, str]:
        return dict(part.split("=", 1) for part in self.labels.split(",") if part)


class Sample(ScopedRow):
    """One raw value of a series at an instant (UTC); one per series and instant."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="samples")
    at = models.DateTimeField()
    value = models.FloatField()

    scope_field = "series__client_id"
    scope_kind = "client"
    objects = ScopedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "at"], name="capacity_sample_key")]
        indexes = [models.Index(fields=["at"], name="capacity_sample_at")]


class Rollup(ScopedRow):
    """Min, max, mean, 95th percentile and count of a series' samples over a period."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="+")
    min = models.FloatField()
    max = models.FloatField()
    mean = models.FloatField()
    p95 = models.FloatField()
    count = models.PositiveIntegerField()

    scope_field = "series__client_id"
    scope_kind = "client"
    objects = ScopedManager()

    class Meta:
        abstract = True


class HourlyRollup(Rollup):
    """A series over one UTC hour starting at ``hour``."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="hourly")
    hour = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "hour"], name="capacity_hourly_key")
        ]


class DailyRollup(Rollup):
    """A series over one UTC day."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="daily")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "day"], name="capacity_daily_key")]
