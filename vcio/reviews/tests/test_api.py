"""The reviews API: reviews, decisions and action items, scoped and guarded like the pages."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.core.models import AuditEvent
from vcio.reviews import services
from vcio.reviews.models import ActionItem, Review, ReviewStatus
from vcio.reviews.tests.factories import review_rows_for
from vcio.strategy.tests.factories import InitiativeFactory

D = datetime.date


@pytest.fixture
def draft(acme, bob) -> Review:
    return services.create_review(
        acme, "monthly", D(2026, 5, 1), D(2026, 5, 31), bob, summary="May summary"
    )


def test_a_consultant_creates_and_lists_reviews(api, bob, acme):
    http = api(bob)
    created = http.post(
        "/api/reviews/",
        {"client": "acme", "kind": "qbr", "period_start": "2026-04-01", "period_end": "2026-06-30"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["period_label"] == "FY2026 Q2" and body["status"] == "draft"
    listing = http.get("/api/reviews/?client=acme&kind=qbr").json()
    assert [r["id"] for r in listing["results"]] == [body["id"]]
    assert http.get("/api/reviews/?kind=monthly").json()["count"] == 0
    assert AuditEvent.objects.filter(object_id=str(body["id"]), action="create").exists()


def test_an_overlapping_period_is_a_400_naming_the_other_review(api, bob, draft):
    response = api(bob).post(
        "/api/reviews/",
        {
            "client": "acme",
            "kind": "monthly",
            "period_start": "2026-05-15",
            "period_end": "2026-06-14",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "overlaps the monthly review of 01 May 2026 – 31 May 2026" in str(response.json())
    assert Review.objects.count() == 1


def test_start_finalise_and_the_reports(api, bob, draft):
    http = api(bob)
    started = http.post(f"/api/reviews/{draft.pk}/start/")
    assert started.status_code == 200 and started.json()["status"] == "in_meeting"
    final = http.post(f"/api/reviews/{draft.pk}/finalise/")
    assert final.status_code == 200 and final.json()["status"] == "finalised"
    assert final.json()["finalised_by"] == "bob"
    again = http.post(f"/api/reviews/{draft.pk}/finalise/")
    assert again.status_code == 400
    assert "was finalised on" in str(again.json()) and "by bob" in str(again.json())
    report = http.get(f"/api/reviews/{draft.pk}/report/")
    assert report.status_code == 200 and "May summary" in report.content.decode()
    pdf = http.get(f"/api/reviews/{draft.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "acme-monthly-may-2026.pdf" in pdf["Content-Disposition"]


def test_patching_a_finalised_review_is_refused(api, bob, draft):
    http = api(bob)
    assert (
        http.patch(f"/api/reviews/{draft.pk}/", {"summary": "New"}, format="json").json()["summary"]
        == "New"
    )
    services.finalise(draft, bob)
    response = http.patch(f"/api/reviews/{draft.pk}/", {"summary": "Rewritten"}, format="json")
    assert response.status_code == 400 and "no longer be changed" in str(response.json())
    draft.refresh_from_db()
    assert draft.summary == "New"


def test_the_period_of_an_existing_review_cannot_move(api, bob, draft):
    response = api(bob).patch(
        f"/api/reviews/{draft.pk}/", {"period_start": "2026-04-01"}, format="json"
    )
    assert response.status_code == 400 and "period_start" in response.json()


def test_the_executive_reads_without_internal_notes_and_cannot_write(api, carol, bob, draft):
    services.update_review(draft, bob, internal_notes="Practice eyes only")
    http = api(carol)
    row = http.get(f"/api/reviews/{draft.pk}/").json()
    assert row["summary"] == "May summary" and "internal_notes" not in row
    assert "internal_notes" in api(bob).get(f"/api/reviews/{draft.pk}/").json()
    assert (
        http.patch(f"/api/reviews/{draft.pk}/", {"summary": "x"}, format="json").status_code == 403
    )
    assert http.post(f"/api/reviews/{draft.pk}/finalise/").status_code == 403
    decision = {"review": draft.pk, "kind": "note", "note": "x"}
    assert http.post("/api/review-decisions/", decision, format="json").status_code == 403
    draft.refresh_from_db()
    assert draft.status == ReviewStatus.DRAFT and not draft.decisions.exists()


def test_another_clients_user_sees_nothing(api, dave, gina, draft):
    assert api(dave).get("/api/reviews/").json()["count"] == 0
    assert api(gina).get(f"/api/reviews/{draft.pk}/").status_code == 404
    assert api(gina).post(f"/api/reviews/{draft.pk}/finalise/").status_code == 404


def test_decisions_crud_and_guard(api, bob, acme, globex, draft):
    http = api(bob)
    initiative = InitiativeFactory(client=acme, title="New laptops")
    created = http.post(
        "/api/review-decisions/",
        {"review": draft.pk, "kind": "defer", "initiative": initiative.pk, "note": "Next year"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["client"] == "acme"
    changed = http.patch(f"/api/review-decisions/{pk}/", {"note": "In Q3"}, format="json")
    assert changed.status_code == 200 and changed.json()["note"] == "In Q3"
    services.finalise(draft, bob)
    refused = http.patch(f"/api/review-decisions/{pk}/", {"note": "Never"}, format="json")
    assert refused.status_code == 400
    assert http.delete(f"/api/review-decisions/{pk}/").status_code == 400
    assert draft.decisions.get().note == "In Q3"
    late = http.post(
        "/api/review-decisions/", {"review": draft.pk, "kind": "note", "note": "x"}, format="json"
    )
    assert late.status_code == 400 and "no longer be changed" in str(late.json())


def test_action_items_crud_and_guard(api, bob, draft):
    http = api(bob)
    created = http.post(
        "/api/action-items/",
        {"review": draft.pk, "title": "Patch the NAS", "owner": "Tess", "due_date": "2026-06-15"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    services.finalise(draft, bob)
    renamed = http.patch(f"/api/action-items/{pk}/", {"title": "Other"}, format="json")
    assert renamed.status_code == 400
    assert http.delete(f"/api/action-items/{pk}/").status_code == 400
    # Still on later agendas until done: ticking it off stays possible.
    done = http.patch(f"/api/action-items/{pk}/", {"status": "done"}, format="json")
    assert done.status_code == 200 and done.json()["done_at"]
    assert ActionItem.objects.get(pk=pk).title == "Patch the NAS"


def test_review_list_query_count_does_not_grow(api, bob, acme, globex):
    http = api(bob)
    review_rows_for(acme, "ONE", bob)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert http.get("/api/reviews/").status_code == 200
            assert http.get("/api/action-items/").status_code == 200
            assert http.get("/api/review-decisions/").status_code == 200
        return len(ctx.captured_queries)

    first = count()
    for month in (1, 2, 3):
        review = services.create_review(acme, "monthly", D(2025, month, 1), D(2025, month, 28), bob)
        services.add_action_item(review, bob, title="x", owner="y")
        services.add_decision(review, bob, kind="note", note="z")
    assert count() == first
