"""Bad input on the reviews pages: a 400 that names the problem, and nothing changed."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from vcio.core.models import AuditEvent
from vcio.reviews import services
from vcio.reviews.models import ActionItem, Decision, Review
from vcio.strategy.tests.factories import InitiativeFactory

D = datetime.date


def url(name: str, *args) -> str:
    return reverse(f"reviews:{name}", args=["acme", *args])


@pytest.fixture
def final(acme, bob) -> Review:
    """Acme's finalised May review, with a decision and an action item raised in it."""
    review = services.create_review(
        acme, "monthly", D(2026, 5, 1), D(2026, 5, 31), bob, summary="As finalised"
    )
    services.add_decision(review, bob, kind="note", note="Keep the printer")
    services.add_action_item(review, bob, title="Buy toner", owner="Ann")
    return services.finalise(review, bob, today=D(2026, 6, 10))


def events() -> int:
    return AuditEvent.objects.count()


def test_an_overlapping_period_is_a_400_naming_the_other_review(login, bob, acme, final):
    response = login(bob).post(
        url("review_create"),
        {"kind": "monthly", "period_start": "2026-05-20", "period_end": "2026-06-19"},
    )
    assert response.status_code == 400
    assert "overlaps the monthly review of 01 May 2026 – 31 May 2026" in response.content.decode()
    assert Review.objects.filter(client=acme).count() == 1


def test_a_period_ending_before_it_starts_is_a_400(login, bob, acme):
    response = login(bob).post(
        url("review_create"),
        {"kind": "qbr", "period_start": "2026-06-30", "period_end": "2026-04-01"},
    )
    assert response.status_code == 400
    assert "The period ends (2026-04-01) before it starts (2026-06-30)" in response.content.decode()
    assert not Review.objects.exists()


def test_a_date_that_is_not_a_date_is_quoted(login, bob, acme):
    response = login(bob).post(
        url("review_create"),
        {"kind": "qbr", "period_start": "31/02/2026", "period_end": "2026-04-01"},
    )
    assert response.status_code == 400
    assert "“31/02/2026” is not a date" in response.content.decode()


def test_finalising_twice_says_when_and_by_whom(login, bob, final):
    before = events()
    response = login(bob).post(url("review_finalise", final.pk))
    assert response.status_code == 400
    text = response.content.decode()
    assert "was finalised on" in text and "by bob" in text and "no longer be changed" in text
    assert events() == before
    # The confirmation step says so too, and offers no button.
    confirm = login(bob).get(url("review_finalise", final.pk)).content.decode()
    assert "was finalised on" in confirm and "Finalise the review</button>" not in confirm


@pytest.mark.parametrize(
    "name, data",
    [
        ("review_summary", {"summary": "Rewritten"}),
        ("review_notes", {"internal_notes": "Rewritten"}),
        ("review_start", {}),
        ("decision_add", {"kind": "note", "note": "Rewritten"}),
        ("action_item_add", {"title": "Rewritten", "owner": "x"}),
    ],
)
def test_a_finalised_review_refuses_every_edit(login, bob, final, name, data):
    stored = final.report_html
    before = events()
    response = login(bob).post(url(name, final.pk), data)
    assert response.status_code == 400
    assert "no longer be changed" in response.content.decode()
    final.refresh_from_db()
    assert final.summary == "As finalised" and final.report_html == stored
    assert final.internal_notes == ""
    assert [d.note for d in final.decisions.all()] == ["Keep the printer"]
    assert [i.title for i in ActionItem.objects.filter(review=final)] == ["Buy toner"]
    assert events() == before


def test_a_finalised_reviews_decisions_and_items_stay(login, bob, final):
    decision = Decision.objects.get(review=final)
    item = ActionItem.objects.get(review=final)
    http = login(bob)
    assert http.post(url("decision_delete", final.pk, decision.pk)).status_code == 400
    assert http.post(url("action_item_done", final.pk, item.pk)).status_code == 400
    assert Decision.objects.filter(pk=decision.pk).exists()
    item.refresh_from_db()
    assert item.status == "open"


def test_a_decision_on_another_clients_initiative_is_refused(login, bob, acme, globex):
    review = services.create_review(acme, "monthly", D(2026, 5, 1), D(2026, 5, 31), bob)
    theirs = InitiativeFactory(client=globex, title="Globex's secret plan")
    response = login(bob).post(
        url("decision_add", review.pk), {"kind": "approve", "initiative": theirs.pk}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "not one of this client" in text and "Globex's secret plan" not in text
    assert not Decision.objects.exists()


def test_an_initiative_decision_without_an_initiative_is_a_400(login, bob, acme):
    review = services.create_review(acme, "monthly", D(2026, 5, 1), D(2026, 5, 31), bob)
    response = login(bob).post(url("decision_add", review.pk), {"kind": "approve"})
    assert response.status_code == 400
    assert "Choose the initiative this decision is about." in response.content.decode()
    assert not Decision.objects.exists()


def test_preparing_a_review_that_is_not_due_is_a_400(login, bob, acme):
    response = login(bob).post(url("review_prepare"), {"kind": "qbr", "due_on": "1999-01-01"})
    assert response.status_code == 400
    assert "No quarterly business review is due on 1999-01-01" in response.content.decode()
    assert not Review.objects.exists()


def test_the_report_of_a_client_with_no_data_says_no_data_yet(login, bob, acme):
    review = services.create_review(acme, "qbr", D(2026, 4, 1), D(2026, 6, 30), bob)
    page = login(bob).get(review.get_absolute_url())
    assert page.status_code == 200
    report = login(bob).get(url("review_report", review.pk))
    assert report.status_code == 200 and "No data yet" in report.content.decode()


def test_an_impossible_attendee_id_is_a_400_naming_it(acme, bob, login):
    from vcio.reviews.models import ReviewCadence

    page = login(bob).post(
        "/clients/acme/reviews/cadence/",
        {
            "monthly_enabled": "on",
            "monthly_day": "10",
            "qbr_month": "1",
            "qbr_day": "15",
            "reminder_days": "7",
            "attendees": "99999999999999999999",
        },
    )
    assert page.status_code == 400
    assert "99999999999999999999" in page.content.decode()
    assert not ReviewCadence.objects.filter(client=acme).exists()
