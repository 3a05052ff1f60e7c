"""A review's life through the service functions: periods, finalising, what changed."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from vcio.core.registry import Figure, figures
from vcio.reviews import services
from vcio.reviews.models import Review, ReviewStatus
from vcio.reviews.tests.factories import review_rows_for

D = datetime.date


def test_a_period_overlapping_another_of_the_same_kind_is_refused(acme, bob):
    services.create_review(acme, "monthly", D(2026, 5, 1), D(2026, 5, 31), bob)
    with pytest.raises(ValidationError) as err:
        services.create_review(acme, "monthly", D(2026, 5, 15), D(2026, 6, 14), bob)
    assert "overlaps the monthly review of 01 May 2026 – 31 May 2026" in str(err.value)
    # Another kind may cover the same days: a QBR looks at the quarter the months make.
    services.create_review(acme, "qbr", D(2026, 4, 1), D(2026, 6, 30), bob)
    assert Review.objects.filter(client=acme).count() == 2


def test_finalising_stores_snapshot_and_report_once(acme, bob):
    review = services.create_review(acme, "qbr", D(2026, 4, 1), D(2026, 6, 30), bob)
    services.finalise(review, bob, today=D(2026, 7, 10))
    review.refresh_from_db()
    assert review.status == ReviewStatus.FINALISED
    assert review.snapshot["period"]["label"] == "FY2026 Q2"
    assert "Acme Corp" in review.report_html
    with pytest.raises(ValidationError) as err:
        services.finalise(review, bob)
    assert "was finalised on" in str(err.value)
    assert "no longer be changed" in str(err.value)


def test_what_changed_compares_figures_with_their_direction(acme, bob):
    value = {"v": 10}
    figures.register(
        Figure(
            "test.errors",
            "Open errors",
            lambda ids, at=None: {i: value["v"] for i in ids},
            better="lower",
        )
    )
    try:
        first = services.create_review(acme, "monthly", D(2026, 5, 1), D(2026, 5, 31), bob)
        services.finalise(first, bob, today=D(2026, 6, 10))
        value["v"] = 4
        second = services.create_review(acme, "monthly", D(2026, 6, 1), D(2026, 6, 30), bob)
        snap = services.report_snapshot(second, today=D(2026, 7, 10))
        rows = [c for c in snap["changes"] if c["kind"] == "figure.test.errors"]
        assert rows == [
            {
                "section": "figures",
                "kind": "figure.test.errors",
                "text": "Open errors fell from 10 to 4.",
                "direction": "better",
                "url": "",
            }
        ]
    finally:
        figures.unregister("test.errors")


def test_review_rows_factory_builds_every_model(acme, bob):
    rows = review_rows_for(acme, "MARK", bob)
    assert rows["final"].is_final and "MARK QBR summary" in rows["final"].report_html
    assert "MARK internal review note" not in rows["final"].report_html


def _decision(review, kind, initiative=None, **caps):
    from django.utils import timezone

    from vcio.reviews.models import Decision

    return Decision.objects.create(
        client=review.client,
        review=review,
        kind=kind,
        initiative=initiative,
        decided_at=timezone.now(),
        **caps,
    )


def test_decisions_are_applied_to_the_roadmap_when_finalising(acme, bob):
    from vcio.strategy.tests.factories import InitiativeFactory

    approve = InitiativeFactory(client=acme, title="Replace firewall", status="proposed")
    defer = InitiativeFactory(client=acme, title="New ERP", status="proposed")
    review = services.create_review(acme, "qbr", D(2026, 4, 1), D(2026, 6, 30), bob)
    _decision(review, "approve", approve)
    _decision(review, "defer", defer)
    approve.refresh_from_db()
    assert approve.status == "proposed"  # nothing moves before the review is final
    review = services.finalise(review, bob, today=D(2026, 7, 10))
    approve.refresh_from_db()
    defer.refresh_from_db()
    assert (approve.status, approve.approved_by) == ("approved", bob)
    assert defer.status == "deferred"
    outcomes = [d["outcome"] for d in review.snapshot["decisions"]]
    assert outcomes == ["“Replace firewall” is now approved.", "“New ERP” is now deferred."]


def test_a_decision_that_cannot_apply_refuses_the_whole_finalisation(acme, bob):
    from vcio.strategy.tests.factories import InitiativeFactory

    fine = InitiativeFactory(client=acme, title="Replace firewall", status="proposed")
    finished = InitiativeFactory(client=acme, title="Old project", status="done")
    review = services.create_review(acme, "qbr", D(2026, 4, 1), D(2026, 6, 30), bob)
    _decision(review, "approve", fine)
    _decision(review, "decline", finished)
    with pytest.raises(ValidationError) as err:
        services.finalise(review, bob, today=D(2026, 7, 10))
    assert "Decline initiative: Old project" in str(err.value)
    assert "cannot be applied" in str(err.value)
    fine.refresh_from_db()
    review.refresh_from_db()
    assert fine.status == "proposed" and review.status == "draft" and review.snapshot is None
