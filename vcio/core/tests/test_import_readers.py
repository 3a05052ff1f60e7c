"""Reading tables: encodings, line endings, delimiters, headers, XLSX sheets, sizes."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from vcio.core.importer.readers import FileProblem, read_table, sniff_delimiter

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str, **kwargs):
    """Headers, rows (as a list) and notes of a fixture file."""
    with open(FIXTURES / name, "rb") as f:
        table = read_table(name, f, **kwargs)
        return table.headers, list(table.rows), table.notes


def read_bytes(data: bytes, name: str = "upload.csv", **kwargs):
    table = read_table(name, io.BytesIO(data), **kwargs)
    return table.headers, list(table.rows), table.notes


def refused(data: bytes, name: str = "upload.csv", **kwargs) -> str:
    with pytest.raises(FileProblem) as exc:
        read_bytes(data, name, **kwargs)
    return str(exc.value.problem)


def test_crlf_csv_with_row_numbers_as_a_spreadsheet_shows_them():
    headers, rows, notes = read("contacts.csv")
    assert headers[:3] == ["First name", "Last name", "Email"]
    assert [n for n, _ in rows] == [2, 3, 4]
    assert rows[2][1][6] == "Paper Co, Ltd"
    assert notes == []


def test_text_that_is_not_utf8_is_read_as_windows_1252_with_a_note():
    headers, rows, notes = read("contacts_cp1252.csv")
    assert rows[0][1][:2] == ["Zoë", "Müller"]
    assert rows[1][1][3] == "Comptable – senior"
    assert "not UTF-8" in notes[0].message and "Windows-1252" in notes[0].message


def test_old_mac_line_endings():
    headers, rows, _ = read("contacts_mac.csv")
    assert headers == ["First name", "Last name", "Email"]
    assert rows == [
        (2, ["Mac", "Intosh", "mac@example.test"]),
        (3, ["Lisa", "Apple", "lisa@example.test"]),
        (4, ["Ned", "Newton", "ned@example.test"]),
    ]


def test_classic_mac_file_in_mac_roman_with_repeated_headers():
    headers, rows, notes = read("snipeit_like_bad.csv")
    assert headers.count("Category") == 1 and "Category (2)" in headers
    assert "Company (2)" in headers
    assert rows[0][1][headers.index("Location")] == "Saint-Étienne"
    assert rows[1][1][headers.index("Location")] == "København"
    messages = " | ".join(n.message for n in notes)
    assert "Mac OS Roman" in messages
    assert "the header repeats `Category`: column 13 is called `Category (2)` here" in messages


def test_blank_header_cells_get_a_name():
    headers, rows, _ = read("blank_headers.csv")
    assert headers == ["Full Name", "Email", "Column 3", "Category", "Column 5", "Serial"]
    assert rows[0][1][5] == "SN-0001"


def test_semicolons_and_newlines_inside_quotes():
    headers, rows, _ = read("contacts_semicolon.csv")
    assert headers == ["First name", "Last name", "Email", "Notes"]
    assert rows[0] == (
        2,
        ["Eva", "Ernst", "eva@example.test", "line one\nline two; with a semicolon"],
    )
    # The second record starts on line 4: the first took two lines.
    assert rows[1][0] == 4


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_sniffing(delimiter):
    text = f"a{delimiter}b{delimiter}c\n1{delimiter}2,5{delimiter}3\n4{delimiter}5{delimiter}6\n"
    assert sniff_delimiter(text) == delimiter


def test_byte_order_marks():
    headers, rows, _ = read("utf8_bom.csv")
    assert headers == ["First name", "Email"] and rows[0][1][0] == "Åsa"
    utf16 = "First name\tEmail\nÅsa\tasa@example.test\n".encode("utf-16")
    headers, rows, _ = read_bytes(utf16)
    assert headers == ["First name", "Email"] and rows == [(2, ["Åsa", "asa@example.test"])]


def test_blank_lines_and_rows_of_empty_cells_are_skipped():
    headers, rows, _ = read_bytes(b"\n\nName,Email\n\n,\nAnn,ann@x.test\n")
    assert headers == ["Name", "Email"]
    assert rows == [(6, ["Ann", "ann@x.test"])]


def test_empty_files():
    assert refused(b"") == "upload.csv: the file is empty"
    assert refused(b"\n\r\n  \n").endswith("the file is empty")
    assert refused(b"\xef\xbb\xbf").endswith("the file is empty")


def test_oversize_file_is_refused_without_reading_it(settings):
    settings.VCIO_IMPORT_MAX_MB = 1

    class Unreadable(io.BytesIO):
        def read(self, *args):  # the size check must not read the file
            raise AssertionError("read")

    big = Unreadable(b"x" * (2 * 1024 * 1024 + 1024 * 100))
    with pytest.raises(FileProblem) as exc:
        read_table("big.csv", big)
    assert str(exc.value.problem) == (
        "big.csv: the file is 2.1 MB; the limit is 1 MB (VCIO_IMPORT_MAX_MB)"
    )


def test_binary_and_old_excel_files_are_refused():
    assert "binary data" in refused(b"abc\x00def\x01\x02" * 10)
    assert "old Excel workbook (.xls)" in refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert "not a readable XLSX workbook" in refused(b"PK\x03\x04 broken zip", "x.xlsx")


def test_an_unclosed_quote_is_named(settings):
    data = b'Name,Notes\nAnn,"never closed\n' + b"x" * 140_000 + b"\nBob,fine\n"
    with pytest.raises(FileProblem) as exc:
        read_bytes(data)
    assert "closing quote" in str(exc.value.problem)
    assert exc.value.problem.row is not None


def workbook(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_values_become_text_as_a_csv_would_hold_them():
    import datetime as dt

    data = workbook(
        {
            "People": [
                ["First name", "Start date", "Budget", "Seats", "Active", None],
                ["Ann", dt.datetime(2024, 1, 23), 1234.5, 12.0, True, None],
                [None, None, None, None, None, None],
                ["Bert", dt.datetime(2024, 1, 23, 10, 30), 6.37702e15, 3, False, None],
            ]
        }
    )
    headers, rows, _ = read_bytes(data, "people.xlsx")
    assert headers[:5] == ["First name", "Start date", "Budget", "Seats", "Active"]
    assert rows[0][0] == 2
    assert rows[0][1][:5] == ["Ann", "2024-01-23", "1234.5", "12", "true"]
    assert rows[1][0] == 4
    assert rows[1][1][:5] == ["Bert", "2024-01-23 10:30:00", "6377020000000000", "3", "false"]


def test_xlsx_uses_the_only_sheet_with_data():
    data = workbook({"Empty": [], "People": [["First name"], ["Ann"]]})
    headers, rows, _ = read_bytes(data, "people.xlsx")
    assert headers == ["First name"] and rows == [(2, ["Ann"])]


def test_xlsx_with_several_sheets_asks_which_one():
    data = workbook({"Staff": [["First name"], ["Ann"]], "Vendors": [["First name"], ["Bob"]]})
    message = refused(data, "people.xlsx")
    assert message == (
        "people.xlsx: the workbook has data on 2 sheets (`Staff`, `Vendors`): "
        "choose one with the Sheet option (--sheet NAME on the command line)"
    )
    headers, rows, _ = read_bytes(data, "people.xlsx", sheet="vendors")
    assert rows == [(2, ["Bob"])]
    assert "no sheet `Other`; its sheets are: `Staff`, `Vendors`" in refused(
        data, "people.xlsx", sheet="Other"
    )


def test_xlsx_without_data():
    assert refused(workbook({"A": [], "B": []}), "e.xlsx").endswith("no sheet holds any data)")


def test_a_header_wider_than_any_export_is_refused():
    header = ",".join(f"c{i}" for i in range(1001)).encode()
    assert "the header has 1001 columns; at most 1000" in refused(header + b"\n" + b"1," * 1000)


def with_cell_text(data: bytes, old: str, new: str) -> bytes:
    """The workbook with a cell's text replaced in the XML (Excel and openpyxl stop at 32,767)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                part = part.replace(old.encode(), new.encode())
            target.writestr(info, part)
    return out.getvalue()


def test_an_xlsx_cell_bigger_than_a_csv_field_is_refused_before_openpyxl_loads_it():
    # 200 KB in one cell (the CSV reader stops at 128 KB too); a 400 MB one took 1.1 GB.
    data = workbook({"Assets": [["Name", "Notes"], ["PC-1", "BIGCELL"], ["PC-2", "ok"]]})
    message = refused(with_cell_text(data, "BIGCELL", "x" * 200_000), name="inventory.xlsx")
    assert message == (
        "inventory.xlsx: a cell holds more than 128 KB of text (in xl/worksheets/sheet1.xml); "
        "no field takes that much: is a whole file pasted into one cell?"
    )


def test_an_xlsx_with_big_but_ordinary_cells_is_read():
    data = workbook({"Assets": [["Name", "Notes"], ["PC-1", "y" * 30_000]]})
    _, rows, _ = read_bytes(data, name="inventory.xlsx")
    assert [cells[1] for _, cells in rows] == ["y" * 30_000]
