"""Exported cells: text a spreadsheet would run as a formula stays text, in CSV and XLSX alike."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from vcio.core.spreadsheets import append_xlsx_row, safe_cell

FORMULAS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0"]


@pytest.mark.parametrize("text", FORMULAS)
def test_csv_quotes_formula_like_text_with_an_apostrophe(text):
    assert safe_cell(text) == "'" + text


def test_csv_leaves_numbers_plain_text_and_empty_cells_alone():
    assert safe_cell(Decimal("-275.00")) == Decimal("-275.00")  # a negative amount is a number
    assert safe_cell(-3) == -3
    assert safe_cell("Acme Corp") == "Acme Corp"
    assert safe_cell("a=b") == "a=b"
    assert safe_cell(None) == ""


def test_xlsx_writes_formula_like_text_as_text_exactly_as_typed():
    book = Workbook()
    append_xlsx_row(book.active, [*FORMULAS, -275.5, "Acme Corp", None])
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")
    row = next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(min_row=1, max_row=1))
    # XML reads a carriage return back as a line feed; the text is otherwise as typed.
    assert [c.value for c in row[: len(FORMULAS)]] == [f.replace("\r", "\n") for f in FORMULAS]
    assert all(c.data_type == "s" for c in row[: len(FORMULAS)])
    assert [c.value for c in row[len(FORMULAS) :]][:2] == [-275.5, "Acme Corp"]
    assert row[len(FORMULAS)].data_type == "n"
