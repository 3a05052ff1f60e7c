"""Reading tables out of uploaded files: CSV in any common shape, and XLSX.

A reader returns a :class:`ReadTable` whose ``rows`` is a *generator*: the
file is read once, row by row, while the engine parses, so a 100,000-row
file is never held in memory as text. What makes a file unreadable as a
whole (too big, empty, several sheets and none chosen, not a table at all)
raises :class:`FileProblem` carrying a :class:`~vcio.core.importer.base.Problem`
that says what to do about it.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.conf import settings

from vcio.core.importer.base import Problem, Table

__all__ = ["FileProblem", "ReadTable", "check_size", "read_csv", "read_table", "read_xlsx"]

DELIMITERS = ",;\t|"
_SAMPLE = 64 * 1024
_CHUNK = 1024 * 1024
_MB = 1024 * 1024
MAX_COLUMNS = 1000
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls (and .doc …)
# Bytes Windows-1252 leaves undefined: a file holding them was written in something else.
_NOT_CP1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
_ENCODING_NAMES = {
    "cp1252": "Windows-1252 (Western European)",
    "mac_roman": "Mac OS Roman (classic Mac)",
}


class FileProblem(Exception):
    """A file that cannot be imported at all; ``problem`` says why and what to do."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class ReadTable(Table):
    """A :class:`Table` with what the reader noticed on the way."""

    # Warnings, not errors: a guessed encoding, renamed duplicate headers.
    notes: list[Problem] = field(default_factory=list)
    # Bytes of the file consumed so far, for progress bars (None when unknown).
    position: Callable[[], int] | None = None
    size: int = 0


def check_size(name: str, fileobj: BinaryIO) -> int:
    """The file's size in bytes; :class:`FileProblem` when empty or over the limit.

    Only seeks to the end, so a 2 GB upload is refused without being read.
    """
    size = fileobj.seek(0, io.SEEK_END)
    fileobj.seek(0)
    limit_mb = settings.VCIO_IMPORT_MAX_MB
    if size > limit_mb * _MB:
        raise FileProblem(
            Problem(
                f"the file is {size / _MB:.1f} MB; the limit is {limit_mb} MB (VCIO_IMPORT_MAX_MB)",
                file=name,
            )
        )
    if size == 0:
        raise FileProblem(Problem("the file is empty", file=name))
    return size


def read_table(name: str, fileobj: BinaryIO, *, sheet: str | None = None) -> ReadTable:
    """The table in a CSV or XLSX file (told apart by content, not by name)."""
    size = check_size(name, fileobj)
    head = fileobj.read(8)
    fileobj.seek(0)
    if head.startswith(_XLSX_MAGIC):
        table = read_xlsx(name, fileobj, sheet=sheet)
    elif head.startswith(_OLE_MAGIC):
        raise FileProblem(
            Problem(
                "this is an old Excel workbook (.xls): save it as .xlsx or CSV and import that",
                file=name,
            )
        )
    else:
        table = read_csv(name, fileobj)
    table.size = size
    return table


# --- CSV -----------------------------------------------------------------------------------


def detect_encoding(name: str, fileobj: BinaryIO) -> tuple[str, Problem | None]:
    """The file's text encoding, and a note when it had to be guessed.

    A byte-order mark decides; otherwise the whole file is checked as UTF-8
    (one streaming pass). Failing that, a file with classic Mac line endings
    is Mac Roman (what Excel for Mac writes), any other Windows-1252. Never
    Latin-1: it differs from Windows-1252 only in 0x80–0x9F, where it yields
    invisible C1 control characters (a name "O\x92Brien") instead of the
    letters and quotes a Western file means; the five bytes Windows-1252
    leaves undefined are read as "�" and counted in the note. Raises
    :class:`FileProblem` for binary data.
    """
    fileobj.seek(0)
    head = fileobj.read(_SAMPLE)
    fileobj.seek(0)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, None
    if b"\x00" in head:
        if head[1::2].count(0) > len(head) // 4 and not head[0::2].count(0):
            return "utf-16-le", None
        if head[0::2].count(0) > len(head) // 4 and not head[1::2].count(0):
            return "utf-16-be", None
        raise FileProblem(Problem("the file holds binary data: it is not a CSV file", file=name))
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, undefined = True, 0
    while chunk := fileobj.read(_CHUNK):
        if b"\x00" in chunk:
            raise FileProblem(
                Problem("the file holds binary data: it is not a CSV file", file=name)
            )
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
        undefined += len(_NOT_CP1252.findall(chunk))
    fileobj.seek(0)
    if utf8:
        return "utf-8", None
    lost = ""
    if b"\r" in head and b"\n" not in head:
        # Classic Mac line endings: Excel for Mac's "Macintosh CSV", written in Mac Roman.
        encoding = "mac_roman"
    else:
        encoding = "cp1252"
        if undefined:
            what = "1 byte that means" if undefined == 1 else f"{undefined} bytes that mean"
            lost = f" ({what} nothing there became �)"
    note = Problem(
        f"the file is not UTF-8: it was read as {_ENCODING_NAMES[encoding]}{lost}. If accented "
        "letters look wrong below, save the file as UTF-8 (CSV UTF-8) and import it again",
        file=name,
    )
    return encoding, note


def sniff_delimiter(sample: str) -> str:
    """The delimiter (``,`` ``;`` tab ``|``) that splits the sample most consistently.

    Scored by how many of the first rows have as many cells as the header,
    then by the header's width; a tie goes to the comma.
    """
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        rows = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if r]
        rows = rows[:50]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        body = rows[1:-1] if len(rows) > 2 else rows[1:]  # the last may be cut short
        consistent = sum(len(r) == width for r in body) / len(body) if body else 1.0
        score = (consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(name: str, fileobj: BinaryIO) -> ReadTable:
    """The CSV table in ``fileobj``: encoding, line endings and delimiter detected."""
    encoding, note = detect_encoding(name, fileobj)
    notes = [note] if note else []
    sample = fileobj.read(_SAMPLE).decode(encoding, errors="replace")
    fileobj.seek(0)
    delimiter = sniff_delimiter(sample)
    # newline="": the csv module splits records itself, so \r, \n, \r\n and
    # newlines inside quoted cells are all handled the same way.
    text = io.TextIOWrapper(fileobj, encoding=encoding, errors="replace", newline="")
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header_line, raw_headers = _first_row(reader)
    except csv.Error as exc:
        text.detach()
        raise FileProblem(Problem(f"the file is not readable as CSV: {exc}", file=name)) from None
    if raw_headers is None:
        text.detach()
        raise FileProblem(Problem("the file is empty", file=name))
    headers, header_notes = clean_headers(raw_headers, name)
    return ReadTable(
        headers=headers,
        rows=_csv_rows(name, text, reader, header_line),
        notes=notes + header_notes,
        position=fileobj.tell,
    )


def _first_row(reader) -> tuple[int, list[str] | None]:
    for row in reader:
        if any(cell.strip() for cell in row):
            return reader.line_num, row
    return 0, None


def _csv_rows(
    name: str, text: io.TextIOWrapper, reader, line: int
) -> Iterator[tuple[int, list[str]]]:
    """(line number where the record starts, cells) for each non-blank record."""
    try:
        for row in reader:
            start, line = line + 1, reader.line_num
            if row and any(row):
                yield start, row
    except csv.Error as exc:
        raise FileProblem(
            Problem(
                f'the file cannot be read past here ({exc}): is a closing quote (") missing?',
                row=line + 1,
                file=name,
            )
        ) from None
    finally:
        # Leave the caller's file open: they opened it, they close it.
        if not text.closed:
            text.detach()


def clean_headers(raw: list[Any], name: str) -> tuple[list[str], list[Problem]]:
    """Headers made usable: blanks named ``Column N``, repeats numbered ``Category (2)``.

    Returns the headers and a note for each one renamed; :class:`FileProblem`
    for a header wider than any real export (a wrong file, or a wrong delimiter).
    """
    if len(raw) > MAX_COLUMNS:
        raise FileProblem(
            Problem(
                f"the header has {len(raw)} columns; at most {MAX_COLUMNS} can be imported: "
                "is this the right file?",
                file=name,
            )
        )
    headers: list[str] = []
    notes: list[Problem] = []
    seen: dict[str, int] = {}
    for index, cell in enumerate(raw, start=1):
        header = " ".join(str(cell or "").replace("\ufeff", "").split())
        if not header:
            header = f"Column {index}"
        key = header.casefold()
        if key in seen:
            seen[key] += 1
            renamed = f"{header} ({seen[key]})"
            notes.append(
                Problem(
                    f"the header repeats `{header}`: column {index} is called `{renamed}` here",
                    column=renamed,
                    file=name,
                )
            )
            header = renamed
        else:
            seen[key] = 1
        headers.append(header)
    return headers, notes


# --- XLSX ----------------------------------------------------------------------------------


def read_xlsx(name: str, fileobj: BinaryIO, *, sheet: str | None = None) -> ReadTable:
    """The table on one sheet of an XLSX workbook (streamed, read-only).

    Without ``sheet`` the only sheet holding data is used; several such
    sheets is a :class:`FileProblem` naming them.
    """
    import openpyxl  # imported here: only XLSX imports pay for loading it

    check_xlsx_cells(name, fileobj)
    try:
        book = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken zip
        raise FileProblem(
            Problem(f"the file is not a readable XLSX workbook ({exc})", file=name)
        ) from None
    try:
        ws = _choose_sheet(name, book, sheet)
    except FileProblem:
        book.close()
        raise
    rows = _sheet_rows(ws)
    first = next(rows, None)
    if first is None:
        book.close()
        raise FileProblem(Problem(f"the sheet `{ws.title}` is empty", file=name))
    headers, notes = clean_headers(first[1], name)
    return ReadTable(headers=headers, rows=_closing(rows, book), notes=notes)


# The longest cell text read, as for CSV (Python's csv.field_size_limit()). openpyxl
# holds a whole cell (and all shared strings) in memory, so a workbook with a bigger
# one is refused before openpyxl opens it.
MAX_CELL_BYTES = csv.field_size_limit()


def check_xlsx_cells(name: str, fileobj: BinaryIO) -> None:
    """:class:`FileProblem` when a cell of the workbook holds more than MAX_CELL_BYTES.

    Streams the sheets' and shared strings' XML out of the zip a megabyte at
    a time: XML text cannot hold a raw "<", so the longest run of bytes
    without one bounds the longest cell. Broken zips are left to openpyxl.
    """
    import zipfile

    try:
        book = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError):
        fileobj.seek(0)
        return
    parts = [
        i for i in book.infolist()
        if i.filename == "xl/sharedStrings.xml" or i.filename.startswith("xl/worksheets/")
    ]  # fmt: skip
    try:
        for info in parts:
            if info.file_size > MAX_CELL_BYTES and _longest_text(book, info) > MAX_CELL_BYTES:
                raise FileProblem(
                    Problem(
                        f"a cell holds more than {MAX_CELL_BYTES // 1024} KB of text "
                        f"(in {info.filename}); no field takes that much: "
                        "is a whole file pasted into one cell?",
                        file=name,
                    )
                )
    finally:
        book.close()
        fileobj.seek(0)


def _longest_text(book, info) -> int:
    """The longest run of bytes without "<" in a zip member, read in chunks."""
    longest = run = 0
    with book.open(info) as part:
        while chunk := part.read(_CHUNK):
            pieces = chunk.split(b"<")
            if len(pieces) == 1:
                run += len(chunk)
            else:
                longest = max(longest, run + len(pieces[0]), *(len(p) for p in pieces[1:-1]))
                run = len(pieces[-1])
            if max(longest, run) > MAX_CELL_BYTES:
                return max(longest, run)
    return max(longest, run)


def _choose_sheet(name: str, book, wanted: str | None):
    titles = [ws.title for ws in book.worksheets]
    if wanted:
        for ws in book.worksheets:
            if ws.title.strip().casefold() == wanted.strip().casefold():
                ws.reset_dimensions()
                return ws
        raise FileProblem(
            Problem(
                f"the workbook has no sheet `{wanted}`; its sheets are: {_list(titles)}", file=name
            )
        )
    with_data = []
    for ws in book.worksheets:
        # Some writers record wrong dimensions; trust the rows themselves.
        ws.reset_dimensions()
        if next(_sheet_rows(ws), None) is not None:
            with_data.append(ws)
    if not with_data:
        raise FileProblem(Problem("the file is empty (no sheet holds any data)", file=name))
    if len(with_data) > 1:
        names = _list([w.title for w in with_data])
        raise FileProblem(
            Problem(
                f"the workbook has data on {len(with_data)} sheets ({names}): "
                "choose one with the Sheet option (--sheet NAME on the command line)",
                file=name,
            )
        )
    return with_data[0]


def _list(titles: list[str]) -> str:
    return ", ".join(f"`{t}`" for t in titles)


def _sheet_rows(ws) -> Iterator[tuple[int, list[str]]]:
    """(sheet row number, cell texts) for each non-blank row."""
    for number, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
        cells = [_cell_text(v) for v in values]
        if any(cells):
            yield number, cells


def _closing(rows: Iterator[tuple[int, list[str]]], book) -> Iterator[tuple[int, list[str]]]:
    try:
        yield from rows
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    """A cell's value as the text a CSV export would hold (dates in ISO form)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # 1234.0 is a whole number typed into a spreadsheet, not a decimal.
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
