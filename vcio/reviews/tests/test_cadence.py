"""When reviews fall due: monthly ones, QBRs in their fiscal month, overdue ones."""

from __future__ import annotations

import datetime

from vcio.reviews import cadence, services
from vcio.reviews.models import ReviewCadence

D = datetime.date


def test_a_qbr_takes_the_place_of_the_monthly_review_in_its_month():
    cad = ReviewCadence(client_id=1, monthly_day=10, qbr_month=1, qbr_day=15)
    due = cadence.due_in(cad, 1, D(2026, 9, 1), D(2026, 12, 31))
    assert [(d.kind, d.due_on) for d in due] == [
        ("monthly", D(2026, 9, 10)),
        ("qbr", D(2026, 10, 15)),
        ("monthly", D(2026, 11, 10)),
        ("monthly", D(2026, 12, 10)),
    ]
    # A QBR looks back at the previous fiscal quarter, a monthly review at the month before.
    assert (due[1].period_start, due[1].period_end) == (D(2026, 7, 1), D(2026, 9, 30))
    assert (due[2].period_start, due[2].period_end) == (D(2026, 10, 1), D(2026, 10, 31))


def test_qbrs_follow_the_clients_fiscal_year():
    # Fiscal year from April, QBR in the second month of each quarter: May, Aug, Nov, Feb.
    cad = ReviewCadence(client_id=1, monthly_enabled=False, qbr_month=2, qbr_day=14)
    due = cadence.due_in(cad, 4, D(2026, 1, 1), D(2026, 12, 31))
    assert [d.due_on for d in due] == [
        D(2026, 2, 14),
        D(2026, 5, 14),
        D(2026, 8, 14),
        D(2026, 11, 14),
    ]
    assert (due[2].period_start, due[2].period_end) == (D(2026, 4, 1), D(2026, 6, 30))


def test_an_unheld_review_is_overdue_until_finalised(acme, bob):
    today = D(2026, 11, 20)
    ReviewCadence.objects.create(client=acme, monthly_day=10, qbr_month=1, qbr_day=15)
    schedule = cadence.schedules([acme], today)[acme.pk]
    assert schedule.next_due.due_on == D(2026, 12, 10)
    # Three months back and this one: older unheld reviews are history, not a to-do.
    assert [(d.kind, d.due_on) for d in schedule.overdue] == [
        ("monthly", D(2026, 8, 10)),
        ("monthly", D(2026, 9, 10)),
        ("qbr", D(2026, 10, 15)),
        ("monthly", D(2026, 11, 10)),
    ]
    held = services.create_due_review(acme, schedule.overdue[-1], bob)
    services.finalise(held, bob, today=today)
    overdue = cadence.schedules([acme], today)[acme.pk].overdue
    assert [d.due_on for d in overdue] == [D(2026, 8, 10), D(2026, 9, 10), D(2026, 10, 15)]


def test_a_client_without_a_cadence_gets_the_defaults(acme):
    schedule = cadence.schedules([acme], D(2026, 11, 20))[acme.pk]
    assert schedule.next_due is not None
