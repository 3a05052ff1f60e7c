"""``vcio import TARGET FILE [FILE...] --client SLUG``: import files from the command line.

Prints the counts and every problem ("Row 17, column `Purchase Date`:
'31/02/2024' is not a date"). Exits with status 1 when nothing was imported
(problems, an empty file, or a dry run that found problems), 0 otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vcio.core.access import access_for
from vcio.core.importer import engine
from vcio.core.importer.base import targets
from vcio.core.importer.mapping import UnknownPreset, resolve_layout
from vcio.core.models import Client
from vcio.core.roles import Perm


class Command(BaseCommand):
    help = "Import CSV, XLSX or inventory files into one client's data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", help="What the rows become: " + _target_names())
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument("--client", required=True, help="Slug of the client to import into.")
        parser.add_argument(
            "--format",
            help="The file layout: csv, xlsx, a format reader (e.g. glpi, ocs) or a preset "
            "(e.g. snipeit, vcio). Recognised from the files when left out.",
        )
        parser.add_argument("--preset", help="A column mapping preset by name.")
        parser.add_argument("--sheet", help="XLSX: the sheet to read.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, write nothing."
        )
        parser.add_argument(
            "--no-atomic",
            action="store_true",
            help="Import the good rows even when others have problems.",
        )
        parser.add_argument("--user", help="Username recorded as the importer (default: system).")

    def handle(self, *args, target: str, files: list[Path], **options) -> None:
        if target not in targets:
            raise CommandError(f"No import target '{target}'; targets: {_target_names()}.")
        client = Client.objects.filter(slug=options["client"]).first()
        if client is None:
            raise CommandError(f"No client with slug '{options['client']}'.")
        user = _user(options["user"], client) if options["user"] else None
        try:
            fmt, preset = resolve_layout(target, options["format"], options["preset"])
        except UnknownPreset as exc:
            raise CommandError(f"--format: {exc}.") from None
        for path in files:
            if not path.is_file():
                raise CommandError(f"{path}: no such file.")
        report = self._import(target, client, files, user, fmt, preset, options)
        self._print(report)
        if report.dry_run:
            ok = report.problem_count == 0 and report.rows > 0
        else:
            ok = report.imported > 0
        if not ok:
            raise CommandError("Nothing was imported.", returncode=1)

    def _import(self, target, client, files, user, fmt, preset, options) -> engine.ImportReport:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

        console = Console(file=sys.stderr)
        columns = [TextColumn("{task.description}"), BarColumn(), TaskProgressColumn()]
        with Progress(*columns, console=console, disable=not console.is_terminal) as bar:
            task = bar.add_task("reading", total=None)

            def progress(stage: str, done: int, total: int | None) -> None:
                bar.update(task, description=stage, completed=done, total=total)

            return engine.preview(
                target,
                client,
                files,
                user=user,
                preset=preset,
                dry_run=options["dry_run"],
                atomic=not options["no_atomic"],
                format=fmt,
                sheet=options["sheet"],
                progress=progress,
            )

    def _print(self, report: engine.ImportReport) -> None:
        counts = engine.format_counts(report.counts)
        if report.committed:
            head = f"Imported {report.rows} rows: {counts}."
        elif report.dry_run:
            head = f"Dry run, nothing written. {report.rows} rows would give: {counts}."
        else:
            head = f"Nothing was imported ({report.rows} rows read; {counts})."
        self.stdout.write(head)
        for note in report.notes:
            self.stdout.write(f"Note: {note}")
        for problem in report.problems:
            self.stderr.write(str(problem))
        hidden = report.problem_count - len(report.problems)
        if hidden > 0:
            self.stderr.write(f"… and {hidden} more problems.")
        if report.problem_count and not report.committed and not report.dry_run:
            self.stderr.write(
                f"{report.problem_count} problem(s): nothing was written (all or nothing). "
                "Fix them, or use --no-atomic to import the good rows."
            )
        if report.run is not None:
            self.stdout.write(f"Recorded as import {report.run.pk}.")


def _target_names() -> str:
    return ", ".join(sorted(t.key for t in targets)) or "none registered"


def _user(username: str, client: Client):
    """The active user ``username``, who must be allowed to edit ``client``."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user named '{username}'.")
    if not access_for(user).can(Perm.EDIT, client.pk):
        raise CommandError(f"{username} may not edit {client.slug}'s data.")
    return user
