"""The contracts between the importer engine and the apps that use it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Protocol

from vcio.core.registry import Registry


@dataclass(frozen=True)
class Field:
    """A field of the target a column can map to.

    ``parse`` turns the cell text into a value or raises ``ValueError`` whose
    message says what is wrong with the value (the engine adds row and column).
    An empty cell is ``None`` and never reaches ``parse``.
    """

    name: str
    label: str
    parse: Callable[[str], Any]
    required: bool = False
    help: str = ""
    # Header spellings recognised without a preset ("Serial", "Serial number", …).
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input; ``row`` is the 1-based line/record number.

    ``file`` is set by the engine when an import reads several files, so a
    message can say which one it is about.
    """

    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    file: str | None = None
    # The row is a whole file (one agent inventory per file): the message names
    # the file only, while ``row`` still tells the engine which row to leave out.
    whole_file: bool = False

    def __str__(self) -> str:
        where = [self.file] if self.file else []
        if self.row is not None and not (self.whole_file and self.file):
            where.append(f"{'row' if where else 'Row'} {self.row}")
        if self.column:
            where.append(f"column `{self.column}`")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


@dataclass
class ParsedRow:
    """A row after mapping and parsing: target field name → value (``None`` = empty)."""

    number: int
    values: dict[str, Any]
    # field name → the source column it came from, to name it in messages.
    columns: dict[str, str] = field(default_factory=dict)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0

    def add(self, other: Counts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.failed += other.failed


@dataclass(frozen=True)
class Preset:
    """A column mapping for a known export layout (e.g. Snipe-IT's asset CSV)."""

    name: str
    label: str
    target: str
    columns: dict[str, str]  # source header → target field name
    # Headers whose presence identifies the layout (all must be present).
    detect: frozenset[str] = frozenset()
    # Constant values for fields the layout lacks (e.g. {"source": "snipeit"}).
    defaults: dict[str, str] = field(default_factory=dict)
    description: str = ""
    # Among presets whose detect headers are all present, the highest priority
    # wins, then the one with most detect headers: a layout told apart by one
    # extra header (Snipe-IT's older "Name" + "item Name") outranks its sibling.
    priority: int = 0


@dataclass
class Table:
    """What a reader produces: headers and rows of cell text, with row numbers."""

    headers: list[str]
    rows: Iterable[tuple[int, list[str]]]
    # Readers of non-table formats name their preset (agent inventories).
    preset: str | None = None
    # Files left out (empty, not an inventory …), one problem each naming the
    # file: under --no-atomic the rest is imported, as with a bad row.
    skipped: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Format:
    """A reader for a file type that is not a plain table (GLPI JSON, OCS XML, …)."""

    name: str
    label: str
    # True when this reader recognises the file (by name and first bytes).
    sniff: Callable[[str, bytes], bool]
    read: Callable[[list[tuple[str, BinaryIO]]], Table]


class Target(Protocol):
    """What imported rows become. Implemented by apps (assets, licences, …)."""

    key: str
    label: str
    fields: list[Field]

    # ``rows`` below is a re-iterable store of every good row (possibly a
    # million): iterate it, or take ``rows.batches()``; keep keys, not rows.

    def check_rows(self, client, rows: Iterable[ParsedRow]) -> list[Problem]:
        """Problems across rows (e.g. a serial twice in one file)."""

    def apply(
        self, client, rows: Iterable[ParsedRow], *, source: str, dry_run: bool = False
    ) -> Counts:
        """Upsert the rows for ``client`` (inside the engine's transaction).

        With ``dry_run`` nothing may be written and no transaction is open:
        count what would be created, updated and left unchanged, reading only.
        """

    def template_headers(self) -> list[str]:
        """Headers of vcio's own downloadable template for this target."""

    # Optional: ``finish_row(values)``, called on each good row's values as it
    # is parsed, to complete them in place (a kind the model name gives).
    # Optional: ``review_rows(client, rows) -> (numbers, notes)``, called before
    # check_rows: the numbers of rows not to import (e.g. all but the newest of
    # two inventories of one machine) and warnings that do not stop the import.


targets = Registry("import target")
presets = Registry("import preset")
formats = Registry("import format")


def presets_for(target: str) -> Iterator[Preset]:
    return (p for p in presets if p.target == target)
