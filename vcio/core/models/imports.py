"""The record of every import: who imported which file, and what came of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from vcio.core.scoping import ClientScopedModel


class ImportRun(ClientScopedModel):
    """One import (or preview of one) of files into one client's data.

    A web import is a single row from upload to commit: it is created as a
    ``preview`` when the file is uploaded, previewed again as often as the
    user edits the mapping, and becomes ``committed`` or ``failed`` when
    confirmed. Only the first problems are kept (``problem_count`` says how
    many there were).
    """

    class Status(models.TextChoices):
        PREVIEW = "preview", "preview"
        COMMITTED = "committed", "imported"
        FAILED = "failed", "failed"

    class Job(models.TextChoices):
        """A big import runs in ``vcio worker``; the pages and the API show its progress."""

        NONE = "", "none"
        QUEUED = "queued", "waiting for the worker"
        RUNNING = "running", "running"

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="import_runs")
    target = models.CharField(max_length=60, help_text="What the rows become (contacts, assets …).")
    file_names = models.JSONField(default=list, blank=True)
    format = models.CharField(max_length=60, blank=True)
    preset = models.CharField(max_length=60, blank=True)
    sheet = models.CharField(max_length=100, blank=True)
    # Source header → target field name ("" for a column that is not imported).
    mapping = models.JSONField(default=dict, blank=True)
    headers = models.JSONField(default=list, blank=True)
    atomic = models.BooleanField("all or nothing", default=True)
    dry_run = models.BooleanField(default=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept when the user is deleted; "system" for the command line without --user.
    user_name = models.CharField(max_length=150, blank=True)
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    rows = models.PositiveIntegerField(default=0, help_text="Data rows read from the files.")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    # [{"message", "row", "column", "value", "file"}], the first 500.
    problems = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    # The first parsed rows as display text: {"row": n, "values": {field: text}}.
    sample = models.JSONField(default=list, blank=True)
    # True while the uploaded files are kept for a later preview or commit.
    files_kept = models.BooleanField(default=False)
    # Background work (vcio.core.importer.background): what the worker is to do
    # ({"commit", "preset", "mapping", "format"}), how far it got
    # ({"stage", "done", "total"}) and which worker holds it until when.
    job = models.CharField(max_length=10, choices=Job.choices, blank=True, default="")
    job_options = models.JSONField(default=dict, blank=True)
    progress = models.JSONField(default=dict, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    leased_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["client", "-started_at"], name="importrun_client_started"),
            models.Index(fields=["job", "started_at"], name="importrun_job"),
        ]

    def __str__(self) -> str:
        files = ", ".join(self.file_names) or "no file"
        return f"{self.target} import of {files}"

    def get_absolute_url(self) -> str:
        return reverse("core:import_detail", kwargs={"client": self.client.slug, "pk": self.pk})

    @property
    def problem_overflow(self) -> int:
        """Problems found but not kept (beyond the first 500)."""
        return max(0, self.problem_count - len(self.problems))
