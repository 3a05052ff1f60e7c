"""The capacity calendar: reviews due per consultant and month against their capacity."""

from __future__ import annotations

import datetime
from decimal import Decimal

from vcio.core.models import Membership
from vcio.core.roles import Role
from vcio.core.tests.factories import ClientFactory
from vcio.practice.capacity import capacity_grid
from vcio.practice.tests.builders import rate
from vcio.reviews.workload import reviews_due

JAN = datetime.date(2027, 1, 1)


def test_reviews_due_are_the_consultants_work(acme, bob):
    work = reviews_due([acme.pk], JAN, 3)
    # Default cadence, fiscal year from January: a QBR in January, monthly reviews after.
    assert [(w.month, w.label, w.hours, w.user_id) for w in work] == [
        (datetime.date(2027, 1, 1), "Quarterly business review", Decimal("6"), bob.pk),
        (datetime.date(2027, 2, 1), "Monthly review", Decimal("2"), bob.pk),
        (datetime.date(2027, 3, 1), "Monthly review", Decimal("2"), bob.pk),
    ]


def test_a_month_over_capacity_is_flagged_and_unassigned_work_has_its_row(acme, globex, bob):
    hooli = ClientFactory(name="Hooli", slug="hooli")
    Membership.objects.create(user=bob, client=hooli, role=Role.CONSULTANT)
    rate(bob, "80", capacity="10")
    grid = capacity_grid([acme.pk, globex.pk, hooli.pk], JAN, 3)
    rows = {r.name: r for r in grid.rows}
    # By hand: two QBRs in January (2 × 6 = 12 h > 10 h), then 2 × 2 = 4 h a month.
    assert [c.due for c in rows["Bob"].cells] == [Decimal("12"), Decimal("4"), Decimal("4")]
    assert [c.over for c in rows["Bob"].cells] == [True, False, False]
    assert rows["Bob"].over_months == 1
    # Globex has no consultant: its reviews are nobody's yet.
    assert [c.due for c in rows["Unassigned"].cells] == [Decimal("6"), Decimal("2"), Decimal("2")]
    assert grid.rows[-1].name == "Unassigned"


def test_capacity_is_shown_only_to_whom_it_may_be(acme, bob, alice):
    rate(bob, "80", capacity="10")
    rate(alice, "100", capacity="50")
    own = capacity_grid([acme.pk], JAN, 1, show_capacity_of={bob.pk})
    assert [(r.name, r.capacity) for r in own.rows] == [("Bob", Decimal("10"))]
    everyone = capacity_grid([acme.pk], JAN, 1)
    assert {r.name: r.capacity for r in everyone.rows} == {
        "Alice": Decimal("50"),
        "Bob": Decimal("10"),
    }
