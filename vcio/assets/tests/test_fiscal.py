"""Fiscal quarters: a fiscal year is named by the calendar year it ends in."""

from __future__ import annotations

from datetime import date

import pytest

from vcio.core.fiscal import (
    FiscalQuarter,
    add_months,
    fiscal_year_bounds,
    fiscal_year_of,
    next_quarters,
    parse_quarter,
    quarter_of,
)


@pytest.mark.parametrize(
    ("day", "start_month", "label", "start", "end"),
    [
        # Calendar year: the fiscal year is the calendar year.
        (date(2026, 1, 1), 1, "FY2026 Q1", date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 3, 31), 1, "FY2026 Q1", date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), 1, "FY2026 Q2", date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 12, 31), 1, "FY2026 Q4", date(2026, 10, 1), date(2026, 12, 31)),
        # April start (UK practice): FY2027 runs April 2026 – March 2027.
        (date(2026, 3, 31), 4, "FY2026 Q4", date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), 4, "FY2027 Q1", date(2026, 4, 1), date(2026, 6, 30)),
        (date(2027, 1, 15), 4, "FY2027 Q4", date(2027, 1, 1), date(2027, 3, 31)),
        # July start (DOMAIN.md: Q1 = Jul–Sep): FY2027 runs July 2026 – June 2027.
        (date(2026, 6, 30), 7, "FY2026 Q4", date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), 7, "FY2027 Q1", date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 11, 28), 7, "FY2027 Q2", date(2026, 10, 1), date(2026, 12, 31)),
        (date(2027, 2, 1), 7, "FY2027 Q3", date(2027, 1, 1), date(2027, 3, 31)),
        # October start (US federal): FY2027 runs October 2026 – September 2027.
        (date(2026, 9, 30), 10, "FY2026 Q4", date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), 10, "FY2027 Q1", date(2026, 10, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), 10, "FY2027 Q2", date(2027, 1, 1), date(2027, 3, 31)),
        # A leap day sits in the quarter that holds February.
        (date(2028, 2, 29), 1, "FY2028 Q1", date(2028, 1, 1), date(2028, 3, 31)),
        (date(2028, 2, 29), 7, "FY2028 Q3", date(2028, 1, 1), date(2028, 3, 31)),
        (date(2028, 2, 29), 12, "FY2028 Q1", date(2027, 12, 1), date(2028, 2, 29)),
    ],
)
def test_quarter_of(day, start_month, label, start, end):
    quarter = quarter_of(day, start_month)
    assert (quarter.label, quarter.start, quarter.end) == (label, start, end)
    assert day in quarter
    assert str(quarter) == label


def test_quarter_ending_in_february_ends_on_the_last_day_of_february():
    assert quarter_of(date(2027, 1, 10), 12).end == date(2027, 2, 28)
    assert quarter_of(date(2028, 1, 10), 12).end == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("fiscal_year", "start_month", "bounds"),
    [
        (2026, 1, (date(2026, 1, 1), date(2026, 12, 31))),
        (2027, 4, (date(2026, 4, 1), date(2027, 3, 31))),
        (2027, 7, (date(2026, 7, 1), date(2027, 6, 30))),
        (2027, 10, (date(2026, 10, 1), date(2027, 9, 30))),
        (2028, 3, (date(2027, 3, 1), date(2028, 2, 29))),
    ],
)
def test_fiscal_year_bounds(fiscal_year, start_month, bounds):
    assert fiscal_year_bounds(fiscal_year, start_month) == bounds
    assert fiscal_year_of(bounds[0], start_month) == fiscal_year
    assert fiscal_year_of(bounds[1], start_month) == fiscal_year


def test_next_quarters_start_with_the_current_one_and_follow_each_other():
    quarters = next_quarters(date(2026, 11, 28), 7, 12)
    assert [q.label for q in quarters[:4]] == ["FY2027 Q2", "FY2027 Q3", "FY2027 Q4", "FY2028 Q1"]
    assert quarters[-1].label == "FY2030 Q1"
    for earlier, later in zip(quarters, quarters[1:], strict=False):
        assert later.start == add_months(earlier.start, 3)
        assert (later.start - earlier.end).days == 1
        assert earlier < later
    assert next_quarters(date(2026, 1, 1), 1, 0) == []


def test_shift_moves_across_fiscal_years():
    q4 = quarter_of(date(2027, 6, 30), 7)
    assert q4.next().label == "FY2028 Q1"
    assert q4.shift(-4).label == "FY2026 Q4"
    assert q4.start_month == 7


def test_parse_quarter_round_trips_a_label():
    quarter = parse_quarter("FY2027 Q1", 7)
    assert quarter == FiscalQuarter(2027, 1, date(2026, 7, 1), date(2026, 9, 30))
    assert parse_quarter("fy2027-q1", 7) == quarter
    with pytest.raises(ValueError, match="'2027 Q5' is not a fiscal quarter"):
        parse_quarter("2027 Q5", 7)


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 48) == date(2028, 2, 29)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 15), -1) == date(2025, 12, 15)


@pytest.mark.parametrize("month", [0, 13])
def test_a_start_month_outside_1_12_is_refused(month):
    with pytest.raises(ValueError, match="1 to 12"):
        quarter_of(date(2026, 1, 1), month)
