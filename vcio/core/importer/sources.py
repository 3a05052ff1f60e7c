"""From the files given to an import to the tables the engine maps.

Files are told apart by content: a registered :class:`Format` that
recognises a file (agent inventories: GLPI JSON, OCS XML …) reads all the
files it recognises as one table; every other file is a CSV or XLSX table
of its own. When several tables are read, row numbers are made unique by
adding ``(index + 1) * ROW_STRIDE``, so a target can report a row of any file by
number alone and :func:`locate` turns it back into file and row.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from django.core.files.base import File

from vcio.core.importer.base import Format, Problem, Table, formats
from vcio.core.importer.mapping import TABLE_FORMATS
from vcio.core.importer.readers import FileProblem, check_size, read_table

log = logging.getLogger(__name__)

ROW_STRIDE = 1_000_000_000
_SNIFF_BYTES = 4096
_BIG_NUMBER = re.compile(r"\b\d{10,}\b")


@dataclass
class SourceTable:
    """A table read from one file (or, for a format reader, from several)."""

    label: str
    table: Table
    format: str | None = None

    @property
    def headers(self) -> list[str]:
        return self.table.headers

    @property
    def notes(self) -> list[Problem]:
        return list(getattr(self.table, "notes", []))

    @property
    def size(self) -> int:
        return getattr(self.table, "size", 0)


def names(files: Sequence[Any]) -> list[tuple[str, Any]]:
    """``(display name, file)`` for each file argument (a path or a ``(name, file)`` pair)."""
    return [(Path(f).name, f) if isinstance(f, str | Path) else f for f in files]


@contextmanager
def opened(files: Sequence[Any]) -> Iterator[list[tuple[str, BinaryIO]]]:
    """The files as ``(name, binary file)`` pairs; paths are opened and closed here."""
    with ExitStack() as stack:
        pairs = []
        for name, f in names(files):
            if isinstance(f, str | Path):
                f = stack.enter_context(open(f, "rb"))  # noqa: SIM115 - closed by the stack
            elif isinstance(f, File):
                # Django's uploads wrap a real file (temporary or in memory): read that.
                f = f.file
            f.seek(0)
            pairs.append((name, f))
        yield pairs


def read_all(
    sources: list[tuple[str, BinaryIO]], *, format: str | None = None, sheet: str | None = None
) -> list[SourceTable]:
    """Every table in ``sources``; :class:`FileProblem` for a file that cannot be read.

    ``format`` forces a reader: ``csv``/``xlsx`` for tables, or the name of a
    registered format; empty means "recognise each file".
    """
    if not sources:
        raise FileProblem(Problem("no file was given"))
    empty: list[SourceTable] = []
    for name, f in sources:
        try:
            check_size(name, f)
        except FileProblem as exc:
            if len(sources) == 1 or f.seek(0, 2) != 0:
                raise  # too big, or the only file: nothing to import
            f.seek(0)
            # An empty file among others is left out like a bad row (see Table.skipped).
            empty.append(SourceTable(name, Table(headers=[], rows=[], skipped=[exc.problem])))
    if empty:
        left = {t.label for t in empty}
        sources = [(name, f) for name, f in sources if name not in left]
        if not sources:
            raise FileProblem(Problem("every file is empty"))
        return empty + read_all(sources, format=format, sheet=sheet)
    if format and format not in TABLE_FORMATS:
        if format not in formats:
            known = ", ".join([*TABLE_FORMATS, *(f.name for f in formats)])
            raise FileProblem(Problem(f"there is no format `{format}`; formats: {known}"))
        return [_read_format(formats.get(format), sources)]
    claimed: dict[str, list[tuple[str, BinaryIO]]] = {}
    tables: list[SourceTable | str] = []
    for name, f in sources:
        fmt = None if format else _sniff(name, f)
        if fmt is None:
            table = read_table(name, f, sheet=sheet or None)
            tables.append(SourceTable(name, table))
        else:
            if fmt.name not in claimed:
                tables.append(fmt.name)  # placeholder keeps the files' order
            claimed.setdefault(fmt.name, []).append((name, f))
    return [_read_format(formats.get(t), claimed[t]) if isinstance(t, str) else t for t in tables]


def _sniff(name: str, f: BinaryIO) -> Format | None:
    head = f.read(_SNIFF_BYTES)
    f.seek(0)
    for fmt in formats:
        try:
            if fmt.sniff(name, head):
                return fmt
        except Exception:  # a reader's sniffing must never break another reader's import
            log.exception("format %s failed sniffing %s", fmt.name, name)
    return None


def _read_format(fmt: Format, sources: list[tuple[str, BinaryIO]]) -> SourceTable:
    label = ", ".join(name for name, _ in sources)
    try:
        table = fmt.read(sources)
    except FileProblem:
        raise
    except Exception as exc:  # malformed JSON/XML surfaces as many exception types
        log.info("format %s could not read %s: %s", fmt.name, label, exc)
        raise FileProblem(
            Problem(f"the file could not be read as {fmt.label}: {exc}", file=label)
        ) from None
    table.rows = _guarded(table.rows, fmt, label)
    return SourceTable(label, table, fmt.name)


def _guarded(rows, fmt: Format, label: str) -> Iterator[tuple[int, list[str]]]:
    """A format reader's rows, its failures turned into a problem with the file."""
    try:
        yield from rows
    except FileProblem:
        raise
    except Exception as exc:
        log.info("format %s failed reading %s: %s", fmt.name, label, exc)
        raise FileProblem(
            Problem(f"the file could not be read as {fmt.label}: {exc}", file=label)
        ) from None


def locate(problem: Problem, tables: list[SourceTable]) -> Problem:
    """``problem`` with its row number turned back into (file, row in that file).

    Row numbers a target wrote into the message ("also on row 1000000003")
    are rewritten the same way ("also on row 3 of b.csv").
    """

    def readable(match: re.Match) -> str:
        index, row = divmod(int(match[0]), ROW_STRIDE)
        return f"{row} of {tables[index - 1].label}" if 0 < index <= len(tables) else match[0]

    message = _BIG_NUMBER.sub(readable, problem.message)
    if problem.whole_file and problem.file:
        return replace(problem, message=message)  # already names its own file
    if problem.row is None:
        return Problem(message, None, problem.column, problem.value, problem.file)
    index, row = divmod(problem.row, ROW_STRIDE)
    if not 0 < index <= len(tables):
        return Problem(message, problem.row, problem.column, problem.value, problem.file)
    return Problem(message, row, problem.column, problem.value, tables[index - 1].label)
