"""What an import did, and its record: :class:`ImportReport` and the ImportRun it is saved as."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from vcio.core import audit
from vcio.core.importer.base import Counts, ParsedRow, Problem
from vcio.core.importer.sources import ROW_STRIDE
from vcio.core.models import AuditEvent, ImportRun

KEPT_PROBLEMS = 500  # on the ImportRun; the report itself holds more


@dataclass
class ImportReport:
    """What an import did (or, for a preview, would do)."""

    target: str
    counts: Counts
    problems: list[Problem]  # errors (the engine keeps the first 10,000)
    problem_count: int
    notes: list[Problem]  # warnings: unmapped columns, a guessed encoding …
    headers: list[str]
    mapping: dict[str, str]  # header → field name, IGNORE when not imported
    preset: str | None
    format: str | None
    rows: int  # data rows read
    sample: list[ParsedRow]
    dry_run: bool
    atomic: bool
    committed: bool
    run: ImportRun | None = None

    @property
    def status(self) -> str:
        """``preview``, ``committed`` or ``failed`` (as on :class:`ImportRun`)."""
        if self.committed:
            return ImportRun.Status.COMMITTED
        return ImportRun.Status.PREVIEW if self.dry_run else ImportRun.Status.FAILED

    @property
    def imported(self) -> int:
        """Rows written or confirmed unchanged; 0 unless committed."""
        c = self.counts
        return c.created + c.updated + c.unchanged if self.committed else 0


def describe(run_row: ImportRun, report: ImportReport, names: list[str], user, sheet) -> None:
    """Copy what the import was (not yet what it did) onto the ImportRun."""
    run_row.target = report.target
    run_row.file_names = names
    run_row.format = report.format or ""
    run_row.preset = report.preset or ""
    run_row.sheet = sheet or ""
    run_row.mapping = report.mapping
    run_row.headers = report.headers
    run_row.atomic = report.atomic
    run_row.dry_run = report.dry_run
    if user is not None and getattr(user, "is_authenticated", False):
        run_row.user = user
        run_row.user_name = user.get_username()
    elif not run_row.user_name:
        run_row.user_name = "system"


def record(run_row: ImportRun, report: ImportReport, counts: Counts, user) -> None:
    """Store the outcome on the ImportRun; audit a committed import once."""
    run_row.status = report.status
    run_row.finished_at = timezone.now()
    run_row.rows = report.rows
    run_row.created, run_row.updated = counts.created, counts.updated
    run_row.unchanged, run_row.failed = counts.unchanged, counts.failed
    run_row.problem_count = report.problem_count
    run_row.problems = [problem_json(p) for p in report.problems[:KEPT_PROBLEMS]]
    run_row.notes = [problem_json(p) for p in report.notes[:KEPT_PROBLEMS]]
    run_row.sample = [sample_json(r) for r in report.sample]
    run_row.save()
    if report.committed:
        changes = {
            "target": report.target,
            "files": run_row.file_names,
            "created": counts.created,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
            "failed": counts.failed,
        }
        audit.record(user, run_row, AuditEvent.Action.CREATE, changes)


def problem_json(problem: Problem) -> dict[str, Any]:
    """A problem as stored on the ImportRun and sent by the API."""
    return {
        "message": problem.message,
        "row": problem.row,
        "column": problem.column,
        "value": problem.value,
        "file": problem.file,
        "text": str(problem),
    }


def sample_json(row: ParsedRow) -> dict[str, Any]:
    """A parsed row as display text, for the preview page."""
    return {
        "row": row.number % ROW_STRIDE,
        "values": {k: "" if v is None else str(v) for k, v in row.values.items()},
    }


def format_counts(counts: Counts) -> str:
    """``created 3, updated 1, unchanged 0, failed 2``."""
    return (
        f"created {counts.created}, updated {counts.updated}, "
        f"unchanged {counts.unchanged}, failed {counts.failed}"
    )
