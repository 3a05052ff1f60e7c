"""Installed software and antivirus from agent inventories: cell parsers and the writer.

The inventory readers put each machine's lists in one cell as compact JSON
(:func:`vcio.assets.inventory.cell`); the parsers here check it and keep it
as text, so the engine's row store stays small, and :class:`InstalledWriter`
turns it into rows a batch of machines at a time, after the batch's assets
are written. The inventory is the truth: a machine's lists are replaced, not
merged. An empty cell (a partial inventory without the section, a CSV
import) leaves the asset's lists as they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from itertools import islice
from typing import Any

from django.db import connections, router

from vcio.assets.models import Antivirus, InstalledSoftware

# Rows sent in one executemany: bounds memory for a batch of a thousand
# machines with ~800 packages each (800,000 rows) and keeps the queries few.
CHUNK = 5000


def _length(model: type, name: str) -> int:
    return model._meta.get_field(name).max_length


SOFTWARE_LENGTHS = tuple(_length(InstalledSoftware, f) for f in ("name", "version", "publisher"))
ANTIVIRUS_TEXT = ("name", "company", "version", "base_version")


def _iso(value: Any) -> str:
    if not value:
        return ""
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ValueError(f"'{value}' is not a date (YYYY-MM-DD)") from None


def _load_list(text: str, what: str) -> list[Any]:
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise ValueError(f"not a list of {what} (JSON, as the inventory readers write)") from None
    if not isinstance(value, list):
        raise ValueError(f"not a list of {what}")
    return value


def _dump(value: list[Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def parse_software(text: str) -> str:
    """The cell's list of [name, version, publisher, ISO date], checked and cut to the columns."""
    entries = []
    for entry in _load_list(text, "software"):
        if not (isinstance(entry, list) and len(entry) == 4 and entry[0]):
            raise ValueError(f"{entry!r} is not [name, version, publisher, install date]")
        texts = [str(v or "")[:n] for v, n in zip(entry, SOFTWARE_LENGTHS, strict=False)]
        entries.append([*texts, _iso(entry[3])])
    return _dump(entries)


def parse_antivirus(text: str) -> str:
    """The cell's list of antivirus products (objects with a name), checked and cut."""
    products = []
    for item in _load_list(text, "antivirus products"):
        if not (isinstance(item, dict) and item.get("name")):
            raise ValueError(f"{item!r} is not an antivirus product with a name")
        product: dict[str, Any] = {
            f: str(item.get(f) or "")[: _length(Antivirus, f)] for f in ANTIVIRUS_TEXT
        }
        for f in ("enabled", "up_to_date"):
            product[f] = item.get(f) if isinstance(item.get(f), bool) else None
        product["base_date"] = _iso(item.get("base_date"))
        products.append(product)
    return _dump(products)


class InstalledWriter:
    """Replaces the software and antivirus lists of a batch of assets, in a few queries.

    :meth:`add` the assets of a batch as the rows are read, :meth:`flush`
    once the batch's assets are saved (new ones have their ids then): one
    DELETE per list for the whole batch and one INSERT per :data:`CHUNK`
    rows, however many machines and packages the batch has.
    """

    def __init__(self, write: bool = True) -> None:
        self.write = write
        # (asset or its id, software cell, antivirus cell): one batch's worth.
        self.pending: list[tuple[Any, str | None, str | None]] = []

    def add(self, asset: Any, software: str | None, antivirus: str | None) -> None:
        if self.write and (software is not None or antivirus is not None):
            self.pending.append((asset, software, antivirus))

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        if not pending:
            return
        found = [(a if isinstance(a, int) else a.pk, s, v) for a, s, v in pending]
        software = [(pk, s) for pk, s, _ in found if s is not None]
        antivirus = [(pk, v) for pk, _, v in found if v is not None]
        if software:
            InstalledSoftware.objects.filter(asset_id__in=[pk for pk, _ in software]).delete()
            _insert(InstalledSoftware, SOFTWARE_COLUMNS, _software_rows(software))
        if antivirus:
            Antivirus.objects.filter(asset_id__in=[pk for pk, _ in antivirus]).delete()
            _insert(Antivirus, ANTIVIRUS_COLUMNS, _antivirus_rows(antivirus))


def _software_rows(cells: list[tuple[int, str]]) -> Iterator[tuple[Any, ...]]:
    for pk, text in cells:
        for name, version, publisher, installed in json.loads(text):
            yield pk, name, version, publisher, installed or None


SOFTWARE_COLUMNS = ("asset_id", "name", "version", "publisher", "install_date")
ANTIVIRUS_COLUMNS = ("asset_id", *ANTIVIRUS_TEXT, "enabled", "up_to_date", "base_date")


def _antivirus_rows(cells: list[tuple[int, str]]) -> Iterator[tuple[Any, ...]]:
    for pk, text in cells:
        for product in json.loads(text):
            product["base_date"] = product["base_date"] or None
            yield (pk, *(product[c] for c in ANTIVIRUS_COLUMNS[1:]))


def _insert(model: type, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (tuples of ``columns``) with one executemany per :data:`CHUNK`.

    Not ``bulk_create``: on SQLite Django caps an INSERT at 999 parameters,
    which is one statement per ~200 packages, ~4,000 per batch of machines;
    an executemany reuses one prepared statement for the whole chunk (and
    psycopg pipelines it on PostgreSQL). Dates go in as ISO text, which both
    databases read as a date.
    """
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(model._meta.get_field(c).column) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        while chunk := list(islice(rows, CHUNK)):
            cursor.executemany(sql, chunk)
