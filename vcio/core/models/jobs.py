"""State of the worker's periodic jobs, claimed with conditional UPDATEs."""

from __future__ import annotations

from django.db import models


class JobRun(models.Model):
    """One row per registered periodic job: when it is next due, who holds it.

    Practice-level bookkeeping with no client data; only the worker and the
    Django admin read it.
    """

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField(db_index=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    leased_by = models.CharField(max_length=100, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=10, blank=True)
    last_error = models.TextField(blank=True)
    run_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
