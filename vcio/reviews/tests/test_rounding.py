"""Every displayed figure rounds half up (87.25 → 87.3), through core's one helper.

Hand numbers: two health parts of equal weight scoring 87.0 and 87.5 make a
health score of 87.25, shown as 87.3; at the next review 86.7 and 87.0
make 86.85, shown as 86.9 (half-even rounding and binary floats gave 87.2
and 86.8).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from vcio.core.numbers import format_number, round_half_up
from vcio.core.registry import HealthComponent, SubScore, health_components
from vcio.core.templatetags.vcio_figures import format_figure
from vcio.core.templatetags.vcio_format import format_money
from vcio.reviews import services

D = datetime.date


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (87.25, 1, "87.3"),
        (86.85, 1, "86.9"),
        (2.675, 2, "2.68"),
        (0.5, 0, "1"),
        (2.5, 0, "3"),
        (-2.5, 0, "-3"),
        (Decimal("50885.905"), 2, "50,885.91"),
    ],
)
def test_halves_round_away_from_zero(value, places, shown):
    assert format_number(value, places) == shown
    assert round_half_up(value, places) == Decimal(shown.replace(",", ""))


def test_page_formatters_round_half_up():
    assert format_figure(87.25, "%") == "87.3 %"
    assert format_figure(Decimal("12.5"), "money", "USD") == "USD 13"
    assert format_money(Decimal("1234.5"), "USD") == "$1,235"
    assert format_money(Decimal("-0.4"), "GBP") == "£0"


@pytest.fixture
def two_parts(monkeypatch):
    """Only two health parts, of equal weight, whose scores the test sets."""
    scores = {"a": 87.0, "b": 87.5}

    def part(key):
        return lambda ids, today=None: {i: SubScore(scores[key], "test") for i in ids}

    monkeypatch.setattr(health_components, "_items", {})
    for key in scores:
        health_components.register(HealthComponent(key, key.upper(), 1, part(key)))
    return scores


def test_the_health_score_and_its_change_round_half_up(acme, bob, two_parts):
    first = services.create_review(acme, "monthly", D(2026, 5, 1), D(2026, 5, 31), bob)
    services.finalise(first, bob, today=D(2026, 6, 10))
    first.refresh_from_db()
    assert first.health_score == 87.3
    two_parts.update(a=86.7, b=87.0)
    second = services.create_review(acme, "monthly", D(2026, 6, 1), D(2026, 6, 30), bob)
    services.finalise(second, bob, today=D(2026, 7, 10))
    second.refresh_from_db()
    assert "Health score fell from 87.3 to 86.9." in second.report_html
