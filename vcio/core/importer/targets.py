"""What import targets that write client rows share: keys, duplicate checks, departments, batches.

Used by the asset, licence and ticket targets (moved here from the assets app once
the help desk needed the same upsert)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from itertools import islice
from typing import Any

from vcio.core.importer.base import Counts, Field, ParsedRow, Problem, presets
from vcio.core.models import Department

BATCH = 1000

# Written into an item's notes when the import names a department the client
# does not have. vcio creates no department behind the user's back (a typo
# would become a new department) and does not fail the import for it either;
# the line keeps the name visible until someone fixes it, and is removed when
# a later import names a department that exists.
DEPARTMENT_NOTE = "Department in import, not found in vcio: "


def source_name(source: str) -> str:
    """The source recorded on rows: a preset's own default ("snipeit-assets" → "snipeit").

    The engine passes the format or preset name; rows whose Source cell is
    empty should carry the tool's name, as rows of a file without the column do.
    """
    if source in presets:
        return presets.get(source).defaults.get("source", source)
    return source


def column(row: ParsedRow, field: str, labels: dict[str, str]) -> str:
    """The source column a field came from, or the field's label when it was a default."""
    return row.columns.get(field) or labels.get(field, field)


def labels_of(fields: Iterable[Field]) -> dict[str, str]:
    return {f.name: f.label for f in fields}


def casefold(value: Any) -> str:
    """Identifiers match whatever their case: exports disagree on it."""
    return str(value).strip().casefold()


class DuplicateCheck:
    """Remembers which row first used each key, and reports the rows that use it again."""

    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = labels
        # One dict per field, keyed by the bare value: a million rows' keys are
        # what a check keeps, so no (field, value) tuple per key.
        self.first: dict[str, dict[Hashable, int]] = {}
        self.problems: list[Problem] = []

    def see(self, row: ParsedRow, key: Hashable, field: str, what: str, shown: str) -> None:
        """Record ``key`` of ``field`` for ``row``; ``what`` and ``shown`` word the message."""
        seen = self.first.get(field)
        if seen is None:
            seen = self.first[field] = {}
        earlier = seen.setdefault(key, row.number)
        if earlier != row.number:
            self.problems.append(
                Problem(
                    f"{what} {shown} also appears on row {earlier}",
                    row=row.number,
                    column=column(row, field, self.labels),
                    value=shown,
                )
            )


class Departments:
    """The client's departments by name (any case), loaded with one query."""

    def __init__(self, client) -> None:
        self.ids = {
            casefold(name): pk
            for pk, name in Department.objects.filter(client=client).values_list("id", "name")
        }

    def resolve(self, data: dict[str, Any], current_notes: str) -> None:
        """Turn ``data["department"]`` (a name) into ``department_id`` and the notes line.

        Does nothing when the row names no department. Otherwise sets
        ``department_id`` when the name is known and always sets ``notes``
        (the row's notes, else ``current_notes``) with the "not found" line
        added or removed.
        """
        name = data.pop("department", None)
        if name is None:
            return
        pk = self.ids.get(casefold(name))
        if pk is not None:
            data["department_id"] = pk
        data["notes"] = department_note(data.get("notes", current_notes), None if pk else name)


def department_note(notes: str, missing: str | None) -> str:
    """``notes`` with the "department not found" line for ``missing`` (or none) in it."""
    lines = notes.splitlines()
    kept = [line for line in lines if not line.startswith(DEPARTMENT_NOTE)]
    if missing:
        kept.append(DEPARTMENT_NOTE + missing)
    return notes if kept == lines else "\n".join(kept)


IDENTITY = ("source", "external_id")

# (field, incoming value, stored value) → True when the incoming one says less.
Worse = Callable[[str, Any, Any], bool]


class Upsert:
    """The writes of one import into ``model`` for ``client``, done in batches.

    New rows are inserted a thousand at a time as they come (100,000 unsaved
    models would hold ~150 MB); changed rows are written with one
    ``bulk_update`` per batch (:meth:`flush`, or every thousand); unchanged
    rows are not written, except for the ``seen_field`` timestamp (an
    inventory's "last seen"), set by one UPDATE per batch. With ``write``
    False (a dry run) nothing is written and only the counts are kept.
    """

    def __init__(
        self,
        model: type,
        client,
        now,
        seen_field: str | None = None,
        worse: Worse | None = None,
        write: bool = True,
    ) -> None:
        self.model, self.client, self.now, self.seen_field = model, client, now, seen_field
        self.worse = worse
        self.write = write
        self.pending: list[Any] = []
        self.updated: list[Any] = []
        self.unchanged: list[int] = []
        self.fields: set[str] = set()
        self.created = self.updated_count = self.unchanged_count = 0

    def create(self, data: dict[str, Any]) -> Any:
        """Queue a new row; the unsaved model is returned (its pk is set once inserted)."""
        extra = {self.seen_field: self.now, "first_seen": self.now} if self.seen_field else {}
        obj = self.model(client=self.client, **extra, **data)
        self.pending.append(obj)
        if len(self.pending) == BATCH:
            self._insert()
        return obj

    def update(self, obj: Any, data: dict[str, Any]) -> None:
        """Apply ``data`` to ``obj``; it is written only if a value changed."""
        changed = merge(obj, data, skip=frozenset(IDENTITY), worse=self.worse)
        if not obj.external_id and data.get("external_id"):
            # Adopt the first external identity; never trade one for another,
            # or two sources would flip it back and forth on every import.
            obj.source, obj.external_id = data["source"], data["external_id"]
            changed.update(IDENTITY)
        if not changed:
            self.unchanged.append(obj.pk)
            self.unchanged_count += 1
        else:
            obj.updated_at = self.now
            if self.seen_field:
                setattr(obj, self.seen_field, self.now)
            self.fields |= changed
            self.updated.append(obj)
            self.updated_count += 1
        if len(self.updated) + len(self.unchanged) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write what is pending: new rows, changed rows, sightings."""
        self._insert()
        if self.updated and self.write:
            stamps = {"updated_at", self.seen_field} - {None}
            fields = sorted(self.fields | stamps)
            self.model.objects.bulk_update(self.updated, fields, batch_size=BATCH // 2)
        if self.unchanged and self.seen_field and self.write:
            # Seen again, not changed: only the sighting is recorded.
            self.model.objects.filter(client=self.client, pk__in=self.unchanged).update(
                **{self.seen_field: self.now}
            )
        self.updated, self.unchanged, self.fields = [], [], set()

    def finish(self) -> Counts:
        self.flush()
        return Counts(
            created=self.created, updated=self.updated_count, unchanged=self.unchanged_count
        )

    def _insert(self) -> None:
        if self.pending:
            if self.write:
                self.model.objects.bulk_create(self.pending)
            self.created += len(self.pending)
            self.pending = []


def merge(
    obj: Any, data: dict[str, Any], skip: frozenset[str] = frozenset(), worse: Worse | None = None
) -> set[str]:
    """Copy ``data`` onto ``obj``; return the names of the fields whose value changed.

    Only what the row gives is compared: an empty cell or a column the file
    lacks never erases what vcio already knows (one source's export must not
    wipe another's data, e.g. an agent inventory the purchase cost). Nor does
    a value ``worse(field, new, old)`` ranks below the known one.
    """
    changed = set()
    for name, value in data.items():
        if name in skip:
            continue
        current = getattr(obj, name)
        if current != value and not (worse and worse(name, value, current)):
            setattr(obj, name, value)
            changed.add(name)
    return changed


def batched(rows: Iterable[ParsedRow], size: int = BATCH) -> Iterator[list[ParsedRow]]:
    """``rows`` a batch at a time (the engine's store reads one batch from disk per step)."""
    if hasattr(rows, "batches"):
        yield from rows.batches(size)
        return
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch
