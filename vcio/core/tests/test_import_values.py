"""Cell parsers: dates, money, numbers, yes/no and choices as other tools write them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from vcio.core.importer.values import (
    date_parser,
    decimal_parser,
    int_parser,
    money_parser,
    parse_bool,
    parse_choice,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_email,
    parse_int,
    parse_money,
    text_parser,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-01-23", dt.date(2024, 1, 23)),
        ("2024-01-23 10:00:00", dt.date(2024, 1, 23)),
        ("2024-01-23T10:00:00Z", dt.date(2024, 1, 23)),
        ("2024/1/3", dt.date(2024, 1, 3)),
        ("1/23/23", dt.date(2023, 1, 23)),  # Snipe-IT's US dates with 2-digit years
        ("10/27/28", dt.date(2028, 10, 27)),
        ("11/24/2008", dt.date(2008, 11, 24)),
        ("4/5/16", dt.date(2016, 4, 5)),  # ambiguous: month first by default
        ("23/01/2024", dt.date(2024, 1, 23)),  # unambiguous day first
        ("23.01.2024", dt.date(2024, 1, 23)),
        ("1/2/2024 3:04 PM", dt.date(2024, 1, 2)),
        ("20240123", dt.date(2024, 1, 23)),
        ("23 Jan 2024", dt.date(2024, 1, 23)),
        ("23-Jan-24", dt.date(2024, 1, 23)),
        ("January 23, 2024", dt.date(2024, 1, 23)),
        ("1/1/69", dt.date(1969, 1, 1)),
    ],
)
def test_dates_in_common_formats(text, expected):
    assert parse_date(text) == expected


def test_dayfirst_decides_ambiguous_dates():
    assert parse_date("4/5/16", dayfirst=True) == dt.date(2016, 5, 4)
    assert date_parser(dayfirst=True)("01/02/2024") == dt.date(2024, 2, 1)
    # An impossible reading is never chosen just because of the hint.
    assert parse_date("1/23/2023", dayfirst=True) == dt.date(2023, 1, 23)


@pytest.mark.parametrize(
    "text", ["2024-02-31", "31/02/2024", "13/13/2024", "2024-01-23 25:00", "soon", "32 Jan 2024"]
)
def test_impossible_dates_are_refused_with_the_value(text):
    with pytest.raises(ValueError) as exc:
        parse_date(text)
    assert str(exc.value) == f"'{text}' is not a date"


def test_datetimes_are_aware():
    assert parse_datetime("2024-01-23T10:00:00+02:00") == dt.datetime(2024, 1, 23, 8, tzinfo=dt.UTC)
    assert parse_datetime("2024-01-23").tzinfo is not None
    with pytest.raises(ValueError, match="is not a date and time"):
        parse_datetime("2024-13-01")


def test_month_name_dates_keep_their_time_of_day():
    """Jira's CSV export writes "01/Mar/24 9:05 AM"; the time must not be dropped."""
    utc = dt.UTC
    assert parse_datetime("01/Mar/24 9:05 PM +00:00") == dt.datetime(2024, 3, 1, 21, 5, tzinfo=utc)
    assert parse_datetime("March 1, 2024 09:05Z") == dt.datetime(2024, 3, 1, 9, 5, tzinfo=utc)
    assert parse_date("01/Mar/24 9:05 AM") == dt.date(2024, 3, 1)
    with pytest.raises(ValueError, match="'01/Mar/24 13:05 PM' is not a date and time"):
        parse_datetime("01/Mar/24 13:05 PM")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("$1,234.50", "1234.50"),
        ("1.234,50 €", "1234.50"),
        ("1 234,50", "1234.50"),
        ("1\u00a0234,50", "1234.50"),
        ("1'234.50", "1234.50"),
        ("(12.00)", "-12.00"),
        ("-$5", "-5"),
        ("$-5", "-5"),
        ("EUR 12", "12"),
        ("12 USD", "12"),
        ("£0.99", "0.99"),
        ("1,234", "1234"),
        ("0,5", "0.5"),
        ("1.5E+3", "1500"),
    ],
)
def test_money_as_spreadsheets_write_it(text, expected):
    assert parse_money(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["twelve", "12 apples", "$", "NaN", "1.2.3,4,5", "--5"])
def test_non_numeric_money_is_refused(text):
    with pytest.raises(ValueError, match="is not an amount of money"):
        parse_money(text)


def test_money_parser_rounds_and_refuses_negative_costs():
    cost = money_parser()
    assert cost("$12.345") == Decimal("12.35")
    with pytest.raises(ValueError) as exc:
        cost("-40.00")
    assert str(exc.value) == "'-40.00' is negative: an amount cannot be below 0"
    with pytest.raises(ValueError, match="is too large"):
        cost("1e999")
    assert money_parser(minimum=None)("(3)") == Decimal("-3.00")


def test_scientific_notation_numbers():
    assert parse_int("6.37702E+15") == 6377020000000000
    assert parse_int("3.01043E+13") == 30104300000000
    assert parse_decimal("3.01043E+13") == Decimal("30104300000000")
    assert parse_decimal("1,234.5") == Decimal("1234.5")
    assert parse_int("1,200") == 1200


@pytest.mark.parametrize("text", ["abc", "1.2.3", "", "1e", "0x10", "Infinity"])
def test_non_numbers_are_refused(text):
    with pytest.raises(ValueError, match="is not a number"):
        parse_decimal(text)


def test_whole_numbers_and_bounds():
    with pytest.raises(ValueError, match="'3.5' is not a whole number"):
        parse_int("3.5")
    with pytest.raises(ValueError, match="'seven' is not a number"):
        parse_int("seven")
    seats = int_parser(minimum=0, maximum=100)
    assert seats("7") == 7
    with pytest.raises(ValueError, match="is negative"):
        seats("-1")
    with pytest.raises(ValueError, match="above the maximum of 100"):
        seats("101")
    assert decimal_parser(places=1)("2.25") == Decimal("2.3")
    with pytest.raises(ValueError, match="below the minimum of 1"):
        decimal_parser(minimum=1)("0.5")


@pytest.mark.parametrize("text", ["yes", "Y", "TRUE", "1", "on", "x", "✓"])
def test_yes(text):
    assert parse_bool(text) is True


@pytest.mark.parametrize("text", ["no", "N", "false", "0", "off"])
def test_no(text):
    assert parse_bool(text) is False


def test_neither_yes_nor_no():
    with pytest.raises(ValueError, match="'maybe' is not yes or no"):
        parse_bool("maybe")


def test_choices_by_value_label_or_alias():
    kind = parse_choice(
        [("laptop", "Laptop"), ("vm", "Virtual machine")], aliases={"notebook": "laptop"}
    )
    assert kind("LAPTOP") == "laptop"
    assert kind("virtual  machine") == "vm"
    assert kind("Virtual-Machine") == "vm"
    assert kind("Notebook") == "laptop"
    with pytest.raises(ValueError, match="'tablet' is not one of: laptop, vm"):
        kind("tablet")
    assert parse_choice(["a", "b"])("B") == "b"


def test_text_and_email():
    assert text_parser(5)(" abc ") == "abc"
    with pytest.raises(ValueError, match="too long: at most 5 characters, it has 6"):
        text_parser(5)("abcdef")
    assert parse_email(" Ann@Example.TEST ") == "Ann@example.test"
    with pytest.raises(ValueError, match="'ann@' is not an email address"):
        parse_email("ann@")
