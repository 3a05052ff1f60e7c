"""Cells of the CSV and XLSX files vcio writes, safe to open in a spreadsheet program.

Excel, LibreOffice and Google Sheets run a text cell starting with ``=``,
``+``, ``-`` or ``@`` (or a tab or carriage return before one) as a formula:
``=HYPERLINK(...)`` sends data away, ``=cmd|...`` starts a program. Client
names, asset names and initiative titles are typed or imported by people,
so every export writes its cells through this module, one rule for both
formats:

- CSV has no cell types, so such text gets a leading apostrophe, which
  spreadsheets read as "this is text" (and hide).
- XLSX has types, so such text is written exactly as typed into a string
  cell with Excel's quote prefix: shown as text, never a formula, and it
  stays text when someone edits the cell.

Numbers, dates and booleans are never touched: a negative amount is a number.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    """Whether a spreadsheet would run ``value`` as a formula: text with a formula start."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_cell(value: object) -> object:
    """``value`` for a CSV cell: formula-like text quoted with an apostrophe, None empty."""
    if looks_like_formula(value):
        return "'" + str(value)
    return "" if value is None else value


def append_xlsx_row(sheet: Any, values: Iterable[object]) -> None:
    """Appends ``values`` to an openpyxl ``sheet``; formula-like text is stored as text.

    openpyxl writes any string starting with "=" as a formula, so those
    cells are made string cells with the quote prefix set.
    """
    from openpyxl.cell import Cell

    cells = []
    for value in values:
        cell = Cell(sheet, value=value)
        if looks_like_formula(value):
            cell.data_type = "s"
            cell.quotePrefix = True
        cells.append(cell)
    sheet.append(cells)
