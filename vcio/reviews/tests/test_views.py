"""The reviews pages as a consultant (bob) and as the client's executive (carol)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vcio.availability.tests.factories import MonitorFactory, ServiceFactory
from vcio.core.models import AuditEvent
from vcio.reviews import services
from vcio.reviews.models import ActionItem, Decision, Review, ReviewCadence, ReviewStatus
from vcio.strategy.tests.factories import InitiativeFactory

D = datetime.date


def url(name: str, *args) -> str:
    return reverse(f"reviews:{name}", args=["acme", *args])


@pytest.fixture
def draft(acme, bob) -> Review:
    return services.create_review(
        acme, "monthly", D(2026, 5, 1), D(2026, 5, 31), bob, summary="Backups now tested."
    )


def test_the_reviews_tab_lists_reviews_and_the_next_due_one(login, bob, acme, draft):
    page = login(bob).get(url("review_list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert '<a href="/clients/acme/reviews/"' in text  # the client tab
    assert "May 2026" in text and "Draft" in text
    assert 'id="next-due"' in text and "Prepare it" in text
    assert "New review" in text


def test_prepare_it_creates_the_due_review(login, bob, acme):
    http = login(bob)
    page = http.get(url("review_list"))
    due = page.context["schedule"].next_due
    response = http.post(
        url("review_prepare"), {"kind": due.kind, "due_on": due.due_on.isoformat()}
    )
    review = Review.objects.get(client=acme)
    assert response.status_code == 302 and response["Location"] == review.get_absolute_url()
    assert (review.kind, review.period_start, review.meeting_date) == (
        due.kind,
        due.period_start,
        due.due_on,
    )
    # The list now links to it rather than offering to prepare it again...
    listing = http.get(url("review_list")).content.decode()
    assert f'href="{review.get_absolute_url()}">Open the draft' in listing
    # ...and preparing it twice is refused, naming the one that exists.
    again = http.post(url("review_prepare"), {"kind": due.kind, "due_on": due.due_on.isoformat()})
    assert again.status_code == 400
    assert "overlaps the" in again.content.decode()


def test_overdue_reviews_show_in_red(login, bob, acme):
    ReviewCadence.objects.create(client=acme)
    page = login(bob).get(url("review_list"))
    overdue = page.context["schedule"].overdue
    assert overdue, "with no review ever held, the last months' reviews are overdue"
    assert 'class="overdue"' in page.content.decode()


def test_a_new_review_is_created_from_the_form(login, bob, acme):
    response = login(bob).post(
        url("review_create"),
        {"kind": "qbr", "period_start": "2026-04-01", "period_end": "2026-06-30"},
    )
    review = Review.objects.get(client=acme, kind="qbr")
    assert response["Location"] == review.get_absolute_url()
    assert AuditEvent.objects.filter(object_id=str(review.pk), action="create").exists()


def test_the_review_page_shows_status_summary_health_and_agenda(login, bob, acme, draft):
    earlier = services.create_review(acme, "monthly", D(2026, 4, 1), D(2026, 4, 30), bob)
    ActionItem.objects.create(client=acme, review=earlier, title="Renew the domain", owner="Ann")
    page = login(bob).get(draft.get_absolute_url())
    text = page.content.decode()
    assert page.status_code == 200
    assert "Monthly review — May 2026" in text
    assert "Backups now tested." in text
    assert "Start meeting" in text and "Finalise…" in text
    assert 'id="health"' in text and "What changed" in text
    assert "Renew the domain" in text  # open item from an earlier review stays on the agenda
    assert 'id="internal-notes"' in text
    assert url("review_report", draft.pk) in text and url("review_pdf", draft.pk) in text


def test_a_consultant_runs_a_review_end_to_end(login, bob, acme, draft):
    http = login(bob)
    initiative = InitiativeFactory(client=acme, title="Replace the firewall", status="proposed")
    assert http.post(url("review_start", draft.pk)).status_code == 302
    draft.refresh_from_db()
    assert draft.status == ReviewStatus.IN_MEETING

    http.post(url("review_summary", draft.pk), {"summary": "A calm month.", "meeting_date": ""})
    http.post(url("review_notes", draft.pk), {"internal_notes": "Upsell the SOC service."})
    response = http.post(
        url("decision_add", draft.pk),
        {"kind": "approve", "initiative": initiative.pk, "decision_maker": "Ann (CEO)"},
    )
    assert response.status_code == 302, response.content.decode()
    http.post(
        url("action_item_add", draft.pk),
        {"title": "Order the firewall", "owner": "Bob", "due_date": "2026-07-01"},
    )
    page = http.get(draft.get_absolute_url()).content.decode()
    assert "A calm month." in page and "Upsell the SOC service." in page
    assert "Replace the firewall" in page and "Ann (CEO)" in page
    assert "Order the firewall" in page

    confirm = http.get(url("review_finalise", draft.pk))
    assert confirm.status_code == 200
    assert "Approve initiative: Replace the firewall" in confirm.content.decode()
    assert http.post(url("review_finalise", draft.pk)).status_code == 302
    draft.refresh_from_db()
    initiative.refresh_from_db()
    assert draft.status == ReviewStatus.FINALISED and draft.report_html
    assert initiative.status == "approved"
    page = http.get(draft.get_absolute_url()).content.decode()
    assert "finalised on" in page and "Start meeting" not in page
    assert "is now approved" in page  # the decision's outcome
    assert AuditEvent.objects.filter(object_id=str(draft.pk), action="update").count() >= 3


def test_a_decision_can_be_removed_and_an_item_marked_done(login, bob, acme, draft):
    http = login(bob)
    decision = services.add_decision(draft, bob, kind="note", note="Keep the old printer.")
    item = services.add_action_item(draft, bob, title="Label the cables", owner="Tess")
    assert http.post(url("decision_delete", draft.pk, decision.pk)).status_code == 302
    assert not Decision.objects.filter(pk=decision.pk).exists()
    assert http.post(url("action_item_done", draft.pk, item.pk)).status_code == 302
    item.refresh_from_db()
    assert item.status == "done" and item.done_at is not None


def test_the_executive_reads_reviews_without_internal_notes(login, carol, bob, acme, draft):
    services.update_review(draft, bob, internal_notes="Carol is hard to convince.")
    http = login(carol)
    listing = http.get(url("review_list")).content.decode()
    assert "May 2026" in listing
    assert "Prepare it" not in listing and "New review" not in listing
    page = http.get(draft.get_absolute_url())
    text = page.content.decode()
    assert page.status_code == 200 and "Backups now tested." in text
    assert "Carol is hard to convince." not in text and "Internal notes" not in text
    assert "Start meeting" not in text and "Record a decision" not in text
    report = http.get(url("review_report", draft.pk)).content.decode()
    assert "Carol is hard to convince." not in report


@pytest.mark.parametrize(
    "name, data",
    [
        ("review_start", {}),
        ("review_summary", {"summary": "Changed by carol"}),
        ("review_notes", {"internal_notes": "x"}),
        ("decision_add", {"kind": "note", "note": "x"}),
        ("action_item_add", {"title": "x", "owner": "y"}),
        ("review_finalise", {}),
    ],
)
def test_the_executive_cannot_write(login, carol, draft, name, data):
    response = login(carol).post(url(name, draft.pk), data)
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.summary == "Backups now tested."
    assert not draft.decisions.exists() and not draft.action_items.exists()


def test_an_editor_may_not_write_internal_notes(login, erin, draft):
    response = login(erin).post(url("review_notes", draft.pk), {"internal_notes": "x"})
    assert response.status_code == 403
    page = login(erin).get(draft.get_absolute_url()).content.decode()
    assert "Internal notes" not in page


def test_the_cadence_page_saves_and_lists_the_next_six(login, bob, carol, acme):
    http = login(bob)
    page = http.get(url("cadence"))
    assert page.status_code == 200 and len(page.context["upcoming"]) == 6
    contact = acme.contacts.first()
    response = http.post(
        url("cadence"),
        {
            "monthly_enabled": "on",
            "monthly_day": "5",
            "qbr_enabled": "on",
            "qbr_month": "2",
            "qbr_day": "20",
            "attendees": [contact.pk],
            "reminder_days": "3",
        },
    )
    assert response.status_code == 302
    cadence = ReviewCadence.objects.get(client=acme)
    assert (cadence.monthly_day, cadence.qbr_month, cadence.qbr_day) == (5, 2, 20)
    assert list(cadence.attendees.all()) == [contact]
    assert AuditEvent.objects.filter(object_id=str(cadence.pk), action="create").exists()
    days = {due.due_on.day for due in http.get(url("cadence")).context["upcoming"]}
    assert days <= {5, 20}
    # The executive reads the schedule but has no form, and may not post one.
    assert "Save the cadence" not in login(carol).get(url("cadence")).content.decode()
    assert login(carol).post(url("cadence"), {"monthly_day": "9"}).status_code == 403


def test_a_bad_cadence_is_a_400_naming_the_field(login, bob, acme):
    response = login(bob).post(url("cadence"), {"monthly_day": "31", "reminder_days": "7"})
    assert response.status_code == 400
    assert "less than or equal to 28" in response.content.decode()
    assert not ReviewCadence.objects.filter(client=acme).exists()


def _double(acme, bob, round_: int) -> None:
    """More reviews, decisions and agenda items: what should not change the query count."""
    for month in (1, 2) if round_ == 1 else (3, 4):
        start = D(2025, month, 1)
        review = services.create_review(
            acme, "monthly", start, start.replace(day=28), bob, summary="x"
        )
        ActionItem.objects.create(client=acme, review=review, title=f"Item {month}", owner="A")


def test_review_list_and_page_run_a_constant_number_of_queries(login, bob, acme, draft):
    http = login(bob)
    services.add_decision(draft, bob, kind="note", note="one")
    _double(acme, bob, 1)
    http.get(url("review_list"))  # warm caches (content types, sessions)
    http.get(draft.get_absolute_url())
    counts = []
    for round_ in (2, 3):
        with CaptureQueriesContext(connection) as listing:
            assert http.get(url("review_list")).status_code == 200
        with CaptureQueriesContext(connection) as page:
            assert http.get(draft.get_absolute_url()).status_code == 200
        counts.append((len(listing), len(page)))
        if round_ == 2:
            _double(acme, bob, 2)
            services.add_decision(draft, bob, kind="note", note="two")
            services.add_decision(draft, bob, kind="note", note="three")
    assert counts[0] == counts[1]


def test_internal_notes_are_audited_without_their_text(login, bob, carol, draft):
    login(bob).post(url("review_notes", draft.pk), {"internal_notes": "They may not renew"})
    draft.refresh_from_db()
    assert draft.internal_notes == "They may not renew"
    event = AuditEvent.objects.filter(object_id=str(draft.pk), action="update").get()
    assert "internal_notes" in event.changes
    # The client's executive reads the audit log: the note itself is not in it.
    assert "They may not renew" not in login(carol).get("/clients/acme/audit/").content.decode()


def test_the_review_page_charts_the_health_trend_from_the_second_review(login, bob, acme, draft):
    # A monitored service on target: a health score to chart.
    MonitorFactory(service=ServiceFactory(client=acme, name="Mail"))
    assert "<svg" not in login(bob).get(draft.get_absolute_url()).content.decode()
    services.finalise(draft, bob, today=D(2026, 6, 10))
    later = services.create_review(acme, "monthly", D(2026, 6, 1), D(2026, 6, 30), bob)
    page = login(bob).get(later.get_absolute_url()).content.decode()
    assert "<svg" in page and "The health score at each finalised review" in page
