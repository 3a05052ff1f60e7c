"""Parsed rows kept on disk while an import checks them, read back in batches to write.

An import must check every row against every other (a serial used twice,
two rows for one asset) before it writes any, and a million parsed rows held
as Python dicts took 1.5 GB. So the engine appends each good row here as it
parses it; the rows are pickled a thousand at a time into a temporary file,
and every later pass (the target's checks, the review, the write) reads
them back one batch at a time. Memory then holds one batch, whatever the
size of the file; what grows with the file is only what a target keeps to
compare rows (their keys).
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from vcio.core.importer.base import ParsedRow

BATCH = 1000
# Kept in memory below this size; a bigger store spills to a temporary file.
IN_MEMORY_BYTES = 1024 * 1024


class RowStore:
    """Append-then-read storage of :class:`ParsedRow`, in file order.

    Rows can be left out after they were stored (a bad row found by a check
    across rows, the older of two inventories): iteration skips them.
    """

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115
        self._pending: list[tuple[int, dict[str, Any], int]] = []
        # Every row of one file shares its ``columns`` dict: stored once, referred to by index.
        self._columns: list[dict[str, str]] = []
        self._column_ids: dict[int, int] = {}
        self._left_out: set[int] = set()

    def append(self, row: ParsedRow) -> None:
        key = id(row.columns)
        index = self._column_ids.get(key)
        if index is None:
            index = self._column_ids[key] = len(self._columns)
            self._columns.append(row.columns)
        self._pending.append((row.number, row.values, index))
        if len(self._pending) == BATCH:
            self._flush()

    def leave_out(self, numbers: Iterable[int]) -> None:
        """Skip the rows with these numbers from now on (numbers of no row are ignored)."""
        self._left_out.update(numbers)

    def __bool__(self) -> bool:
        return any(True for _ in self)

    def __iter__(self) -> Iterator[ParsedRow]:
        for batch in self.batches():
            yield from batch

    def batches(self, size: int = BATCH) -> Iterator[list[ParsedRow]]:
        """The rows left in, ``size`` at a time (one batch in memory at once)."""
        rows = self._read()
        while batch := list(islice(rows, size)):
            yield batch

    def head(self, n: int) -> list[ParsedRow]:
        return list(islice(iter(self), n))

    def close(self) -> None:
        self._file.close()

    def _flush(self) -> None:
        if self._pending:
            self._file.seek(0, 2)  # a pass may have left the position anywhere
            self._file.write(pickle.dumps(self._pending, protocol=pickle.HIGHEST_PROTOCOL))
            self._pending = []

    def _read(self) -> Iterator[ParsedRow]:
        self._flush()
        end = self._file.seek(0, 2)
        left_out, columns = self._left_out, self._columns
        offset = 0
        # Each pass keeps its own offset, so two passes may interleave.
        while offset < end:
            self._file.seek(offset)
            batch = pickle.load(self._file)  # noqa: S301 - our own file
            offset = self._file.tell()
            for number, values, index in batch:
                if number not in left_out:
                    yield ParsedRow(number, values, columns[index])
