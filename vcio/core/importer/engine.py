"""The import engine: files → table → mapping → parsed rows → one atomic upsert.

``preview`` and ``run`` are the only entry points; the web pages, the API,
the ``vcio import`` command and the benchmarks all call them, so an import
behaves the same however it is started. Each call is recorded as an
:class:`~vcio.core.models.ImportRun`; a committed import also writes one
audit event (not one per row).

Rows are parsed as they are read (the reader streams), and the parsed
values of good rows go to a :class:`~vcio.core.importer.rowstore.RowStore`
on disk; every later pass reads them back a batch at a time, so memory does
not grow with the rows' contents.

What a target receives: ``check_rows`` and then ``apply`` get the good rows
only (rows with a bad cell are reported and left out), as a re-iterable
:class:`RowStore` (iterate it, or ``.batches()`` for a thousand at a time;
never make a list of it). ``row.values`` holds
exactly the fields some column (or the preset's defaults) fills — ``None``
for an empty cell — so a field *missing* from ``values`` was not in the file
and ``apply`` should leave it alone. ``apply(..., source=…)`` receives the
format reader's name, else the preset's, else ``"vcio"``. Row numbers are
the file's own (header = row 1); when several files are imported together
they are offset per file, and the engine turns numbers in the target's
problems back into "row N of file.csv".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from vcio.core.importer import sources as src
from vcio.core.importer.base import Counts, ParsedRow, Problem, Target, targets
from vcio.core.importer.mapping import IGNORE, Mapping, UnknownPreset, build_mapping, choose_preset
from vcio.core.importer.readers import FileProblem
from vcio.core.importer.report import ImportReport, describe, format_counts, record
from vcio.core.importer.rowstore import RowStore
from vcio.core.models import Client, ImportRun
from vcio.core.roles import Perm
from vcio.core.scoping import require

__all__ = ["ImportReport", "Progress", "format_counts", "preview", "run"]

# (stage, done, total): stage is "reading", "checking" or "saving"; total None = unknown.
Progress = Callable[[str, int, "int | None"], None]
FileArg = tuple[str, BinaryIO] | str | Path
SAMPLE_ROWS = 20
# In memory: enough to show every problem of any sane file, bounded for a broken 100k-row one.
MAX_PROBLEMS = 10_000
PROGRESS_EVERY = 2_000


@dataclass
class _Collected:
    """Everything gathered while reading, before the target writes."""

    rows: RowStore = field(default_factory=RowStore)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    bad_rows: set[int] = field(default_factory=set)
    notes: list[Problem] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    preset: str | None = None
    format: str | None = None
    read: int = 0
    fatal: bool = False

    def problem(self, problem: Problem, *, fatal: bool | None = None) -> None:
        """Record ``problem``; one without a row stops the import unless ``fatal`` is False."""
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        if fatal if fatal is not None else problem.row is None:
            self.fatal = True


def preview(
    target: Target | str,
    client: Client,
    files: Sequence[FileArg],
    *,
    user: Any = None,
    preset: str | None = None,
    mapping: dict[str, str] | None = None,
    dry_run: bool = True,
    atomic: bool = True,
    format: str | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
    import_run: ImportRun | None = None,
) -> ImportReport:
    """Read, check and (unless ``dry_run``) write ``files`` as rows of ``target`` for ``client``.

    A dry run asks the target what it *would* create, update and leave
    unchanged (``apply(..., dry_run=True)``) outside any transaction: it
    only reads, so on SQLite it never takes the write lock other clients'
    requests wait for. A real import writes in one transaction, after the
    files were read and checked outside it.
    With ``atomic`` (the default) any problem means nothing is written;
    without it the good rows are written and the bad ones reported. A
    problem with the file as a whole always means nothing is written.

    ``user`` (None for the system) must hold EDIT on ``client``. The
    outcome is recorded on ``import_run`` (or a new :class:`ImportRun`),
    returned as ``report.run``. ``format`` names a registered format reader
    (else files are sniffed); ``sheet`` picks an XLSX sheet.
    """
    target = targets.get(target) if isinstance(target, str) else target
    if user is not None:
        require(user, Perm.EDIT, client)
    started = timezone.now()
    with src.opened(files) as sources:
        got = _collect(target, client, sources, preset, mapping, format, sheet, progress)
    try:
        counts = Counts(failed=len(got.bad_rows))
        committed = False
        write = bool(got.rows) and not got.fatal and (dry_run or not (atomic and got.problem_count))
        report = _report(target, got, counts, dry_run, atomic)
        run_row = import_run or ImportRun(client=client, started_at=started)
        describe(run_row, report, [name for name, _ in src.names(files)], user, sheet)
        if write:
            if progress:
                progress("saving", 0, 1)
            try:
                if dry_run:
                    counts.add(target.apply(client, got.rows, source=_source(got), dry_run=True))
                else:
                    with transaction.atomic():
                        counts.add(target.apply(client, got.rows, source=_source(got)))
                        committed = report.committed = True
                        record(run_row, report, counts, user)
            except (ValidationError, ValueError, DatabaseError) as exc:
                counts = report.counts = Counts(failed=len(got.bad_rows))
                committed = report.committed = False
                got.problem(Problem(f"the rows could not be saved: {_reason(exc)}"))
                report.problem_count = got.problem_count
            if progress:
                progress("saving", 1, 1)
        if not committed:
            record(run_row, report, counts, user)
        report.run = run_row
        return report
    finally:
        got.rows.close()  # the temporary file of parsed rows


def run(
    target: Target | str,
    client: Client,
    files: Sequence[FileArg],
    *,
    user: Any = None,
    preset: str | None = None,
    mapping: dict[str, str] | None = None,
    atomic: bool = True,
    **options: Any,
) -> ImportReport:
    """:func:`preview` with ``dry_run=False``: the import for real."""
    return preview(
        target,
        client,
        files,
        user=user,
        preset=preset,
        mapping=mapping,
        dry_run=False,
        atomic=atomic,
        **options,
    )


def _collect(
    target: Target,
    client: Client,
    sources: list[tuple[str, BinaryIO]],
    preset: str | None,
    edited: dict[str, str] | None,
    format: str | None,
    sheet: str | None,
    progress: Progress | None,
) -> _Collected:
    """Read and parse every file; then the target's checks across rows."""
    got = _Collected()
    try:
        tables = src.read_all(sources, format=format, sheet=sheet)
    except FileProblem as exc:
        got.problem(exc.problem)
        return got
    several = len(tables) > 1
    total = sum(t.size for t in tables) or None
    done_before = 0
    for index, table in enumerate(tables):
        got.format = got.format or table.format
        got.notes += table.notes
        for skipped in table.table.skipped:
            # A file left out is a failed "row": fatal only under atomic.
            got.problem(skipped, fatal=False)
            got.bad_rows.add(-len(got.bad_rows) - 1)  # counted as failed, matches no row
        if not table.headers and table.table.skipped:
            continue
        file_label = table.label if several else None
        try:
            chosen = choose_preset(
                target, table.headers, name=preset, table_preset=table.table.preset
            )
        except UnknownPreset as exc:
            got.problem(Problem(str(exc)))
            return got
        mapped = build_mapping(target, table.headers, preset=chosen, edited=edited)
        got.preset = got.preset or (chosen.name if chosen else None)
        got.headers += [h for h in table.headers if h not in got.mapping]
        for header, name in mapped.columns.items():
            got.mapping.setdefault(header, name)
        got.notes += [_in_file(n, file_label) for n in mapped.notes]
        for p in mapped.problems:
            got.problem(_in_file(p, file_label))
        if mapped.problems:
            continue
        offset = (index + 1) * src.ROW_STRIDE if several else 0
        read_before = got.read
        try:
            _parse_rows(
                target, table, mapped, got, offset, file_label, progress, done_before, total
            )
        except FileProblem as exc:
            got.problem(_in_file(exc.problem, file_label))
        if got.read == read_before and not got.fatal:
            got.problem(Problem("the file has no rows below its header", file=table.label))
        done_before += table.size
    if got.fatal:
        return got
    if progress:
        progress("checking", 0, 1)
    review = getattr(target, "review_rows", None)  # optional: see base.Target
    if review is not None:
        left_out, notes = review(client, got.rows)
        got.rows.leave_out(left_out)
        got.notes += [src.locate(n, tables) if several else n for n in notes]
    for p in target.check_rows(client, got.rows) or ():
        if p.row is not None:
            got.bad_rows.add(p.row)  # still the engine's number, unique across files
        got.problem(src.locate(p, tables) if several else p)
    got.rows.leave_out(got.bad_rows)
    return got


def _parse_rows(
    target: Target,
    table: src.SourceTable,
    mapped: Mapping,
    got: _Collected,
    offset: int,
    file_label: str | None,
    progress: Progress | None,
    done_before: int,
    total: int | None,
) -> None:
    """Parse each row of ``table`` into ``got.rows``; problems name row and column."""
    fields = {f.name: f for f in target.fields}
    index_of = {h: i for i, h in enumerate(table.headers)}
    plan = [
        (index_of[h], name, fields[name].parse, fields[name].required, h, fields[name].label)
        for h, name in mapped.columns.items()
        if name != IGNORE
    ]
    columns = {name: h for _, name, _, _, h, _ in plan}
    defaults: dict[str, Any] = {}
    for name, text in mapped.defaults.items():
        columns[name] = "(preset)"
        try:
            defaults[name] = fields[name].parse(text) if text else None
        except (ValueError, ValidationError) as exc:
            got.problem(Problem(f"the preset's value for {fields[name].label} is wrong: {exc}"))
            return
    width = len(table.headers)
    position = getattr(table.table, "position", None)  # only CSV readers know it
    fast = [(index, name, parse) for index, name, parse, *_ in plan]
    required = [name for _, name, _, is_required, *_ in plan if is_required]
    append = got.rows.append
    finish = getattr(target, "finish_row", None)  # optional: see base.Target
    read = 0
    # The hot loop: one try per row. A row that fails anywhere is parsed again,
    # cell by cell, by _row_problems to name every bad cell; good rows pay nothing.
    try:
        for number, cells in table.table.rows:
            read += 1
            if progress and not read % PROGRESS_EVERY:
                done = done_before + position() if position else got.read + read
                progress("reading", done, total if position else None)
            values = dict(defaults)
            count = len(cells)
            try:
                for index, name, parse in fast:
                    text = cells[index].strip() if index < count else ""
                    values[name] = parse(text) if text else None
                ok = all(values[name] is not None for name in required)
            except (ValueError, ValidationError, ArithmeticError):
                ok = False
            if ok and count > width:
                ok = not any(c.strip() for c in cells[width:])
            if ok:
                if finish is not None:
                    finish(values)
                append(ParsedRow(offset + number, values, columns))
            elif not any(c.strip() for c in cells):
                read -= 1  # a row of spaces is a blank row
            else:
                for problem in _row_problems(plan, number, cells, width, file_label):
                    got.problem(problem)
                got.bad_rows.add(offset + number)
    finally:
        got.read += read


def _row_problems(
    plan: list[tuple], number: int, cells: list[str], width: int, file_label: str | None
) -> Iterator[Problem]:
    """Every problem of one row, cell by cell (the slow path for bad rows only)."""
    count = len(cells)
    for index, _name, parse, required, header, label in plan:
        text = cells[index].strip() if index < count else ""
        if not text:
            if required:
                message = f"{label} is required but the cell is empty"
                yield _at(message, number, header, None, file_label)
            continue
        try:
            value = parse(text)
        except (ValueError, ValidationError, ArithmeticError) as exc:
            yield _at(_message(exc), number, header, text, file_label)
            continue
        if value is None and required:
            # A parser may read a placeholder ("n/a") as empty.
            message = f"{label} is required but '{text}' stands for no value"
            yield _at(message, number, header, text, file_label)
    if count > width and any(c.strip() for c in cells[width:]):
        yield _at(
            f"the row has {count} cells but the header has {width} columns: "
            "is a delimiter or quote out of place?",
            number,
            None,
            None,
            file_label,
        )


def _at(message: str, row: int, column: str | None, value=None, file=None) -> Problem:
    return Problem(message, row=row, column=column, value=value[:200] if value else None, file=file)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc) or type(exc).__name__


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    # A database error's first line names the constraint or column; the rest is noise.
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _in_file(problem: Problem, file_label: str | None) -> Problem:
    if file_label is None or problem.file:
        return problem
    return Problem(problem.message, problem.row, problem.column, problem.value, file_label)


def _source(got: _Collected) -> str:
    """What the target records as the rows' source: the format, the preset, or vcio."""
    return got.format or got.preset or "vcio"


def _report(target: Target, got: _Collected, counts: Counts, dry_run: bool, atomic: bool):
    return ImportReport(
        target=target.key,
        counts=counts,
        problems=got.problems,
        problem_count=got.problem_count,
        notes=got.notes,
        headers=got.headers,
        mapping=got.mapping,
        preset=got.preset,
        format=got.format,
        rows=got.read,
        sample=got.rows.head(SAMPLE_ROWS),
        dry_run=dry_run,
        atomic=atomic,
        committed=False,
    )
