"""Helpers shared by the asset, licence and lifecycle pages."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.http import QueryDict, StreamingHttpResponse
from django.urls import reverse

from vcio.core.models import Client
from vcio.core.spreadsheets import safe_cell


@dataclass(frozen=True)
class SortHeader:
    """A sortable column header: its link and the direction it currently sorts."""

    label: str
    url: str | None  # None: the column does not sort
    direction: str | None  # "asc", "desc" or None (not the sort column)
    css: str = ""

    @property
    def aria_sort(self) -> str:
        return {"asc": "ascending", "desc": "descending"}.get(self.direction or "", "none")


def sort_headers(
    query: QueryDict, current: str, columns: Sequence[tuple[str, str | None, str]]
) -> list[SortHeader]:
    """Column headers for ``columns`` = ``[(label, sort key or None, css class)]``.

    A header's link sorts by its key, or reverses the order when it is
    already the sort column; the other query parameters (filters, search)
    are kept, and the page number dropped since the rows change. A key with
    a leading "-" runs against its field: "Age" ascending is the purchase
    date descending, so the arrow shows what the reader sees.
    """
    headers: list[SortHeader] = []
    for label, key, css in columns:
        if key is None:
            headers.append(SortHeader(label, None, None, css))
            continue
        field, inverted = key.lstrip("-"), key.startswith("-")
        direction = None
        if current.lstrip("-") == field:
            direction = "asc" if current.startswith("-") == inverted else "desc"
        params = query.copy()
        params.pop("page", None)
        ascending = direction != "asc"  # a click shows the other direction, first ascending
        params["ordering"] = f"-{field}" if ascending == inverted else field
        headers.append(SortHeader(label, f"?{params.urlencode()}", direction, css))
    return headers


def import_url(client: Client, target: str) -> str:
    """The core import flow (upload → preview → confirm) for ``target`` of ``client``."""
    return reverse("core:import_upload", kwargs={"client": client.slug, "target": target})


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def stream_csv(filename: str, header: list[str], rows: Iterable[list]) -> StreamingHttpResponse:
    """A CSV download written row by row, so a 50,000-asset export never sits in memory.

    UTF-8 with a byte-order mark: Excel otherwise reads accented names as mojibake.
    """
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            # Asset names come from imported files: a crafted one must stay plain text.
            yield writer.writerow([safe_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ListToolsMixin:
    """Context every filterable inventory list shares: sort headers, export, import.

    Set ``import_target`` (the importer's target key) and ``columns`` (for
    :func:`sort_headers`); the view sets ``sort_key`` while building its queryset.
    """

    import_target: str
    columns: Sequence[tuple[str, str | None, str]]
    sort_key: str

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)  # type: ignore[misc]
        query = self.request.GET  # type: ignore[attr-defined]
        ctx["headers"] = sort_headers(query, self.sort_key, self.columns)
        ctx["filtered"] = any(v for k, v in query.items() if k not in ("page", "ordering"))
        ctx["export_query"] = query.urlencode()
        ctx["import_url"] = import_url(self.client, self.import_target)  # type: ignore[attr-defined]
        return ctx
