"""A finalised review holds its figures as of the review's day, not of the moment it was stored.

Hand numbers: Acme has one laptop in use whose warranty ends on 20 Jul 2026.
On 10 Jul it is covered (100 % of devices under warranty), on 10 Aug it is
not (0 %). An initiative started in FY2026 Q3 has $3,900 spent on 5 Jul and
$200 on 20 Jul: a review as of 10 Jul counts $3,900, not $4,100.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from vcio.assets.tests.factories import AssetFactory
from vcio.core.registry import compute_figures
from vcio.reviews import services
from vcio.strategy.models import InitiativeStatus, SpendEntry
from vcio.strategy.tests.factories import InitiativeFactory

D = datetime.date
WARRANTY = "assets.under_warranty_pct"


def _laptop(client) -> None:
    AssetFactory(client=client, warranty_end=D(2026, 7, 20), purchase_date=D(2023, 7, 1))


def test_figures_take_the_day_they_are_as_of(acme):
    _laptop(acme)
    assert compute_figures([acme.pk], [WARRANTY], at=D(2026, 7, 10))[WARRANTY] == {acme.pk: 100}
    assert compute_figures([acme.pk], [WARRANTY], at=D(2026, 8, 10))[WARRANTY] == {acme.pk: 0}


def test_a_review_finalised_after_its_meeting_stores_the_figures_of_the_meeting_day(acme, bob):
    _laptop(acme)
    review = services.create_review(
        acme, "monthly", D(2026, 6, 1), D(2026, 6, 30), bob, meeting_date=D(2026, 7, 10)
    )
    services.finalise(review, bob)  # pressed months later: the figures stay those of 10 Jul
    review.refresh_from_db()
    assert review.snapshot["period"]["today"] == "2026-07-10"
    assert review.snapshot["figures"][WARRANTY]["value"] == 100


def test_what_changed_shows_a_figure_moving_between_two_past_reviews(acme, bob):
    _laptop(acme)
    june = services.create_review(acme, "monthly", D(2026, 6, 1), D(2026, 6, 30), bob)
    services.finalise(june, bob, today=D(2026, 7, 10))
    july = services.create_review(acme, "monthly", D(2026, 7, 1), D(2026, 7, 31), bob)
    services.finalise(july, bob, today=D(2026, 8, 10))
    july.refresh_from_db()
    assert "Devices under warranty fell from 100 % to 0 %." in july.report_html


def test_the_budget_section_counts_only_spend_dated_on_or_before_the_review_day(acme, bob):
    initiative = InitiativeFactory(
        client=acme,
        title="Firewall refresh",
        capex=Decimal("4000"),
        status=InitiativeStatus.IN_PROGRESS,
        start_quarter=D(2026, 7, 1),
    )
    SpendEntry.objects.create(initiative=initiative, date=D(2026, 7, 5), amount=Decimal("3900"))
    SpendEntry.objects.create(initiative=initiative, date=D(2026, 7, 20), amount=Decimal("200"))
    review = services.create_review(acme, "monthly", D(2026, 6, 1), D(2026, 6, 30), bob)
    services.finalise(review, bob, today=D(2026, 7, 10))
    review.refresh_from_db()
    budget = review.snapshot["sections"]["strategy.budget"]
    assert budget["actual"] == 3900
    assert [q["actual"] for q in budget["quarters"]] == [0, 0, 3900]
    assert "$3,900" in review.report_html
    assert "$4,100" not in review.report_html
