"""The client portal: a client's leaders read their overview, roadmap and reports, and decide."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vcio.reviews import services
from vcio.reviews.models import ActionItem, Decision, ReviewCadence
from vcio.strategy.models import Initiative
from vcio.strategy.tests.factories import InitiativeFactory

D = datetime.date


@pytest.fixture
def final_qbr(acme, bob):
    """A finalised QBR of Acme with a summary, an action item and a draft monthly after it."""
    review = services.create_review(
        acme, "qbr", D(2026, 4, 1), D(2026, 6, 30), bob, summary="Backups are now tested."
    )
    ActionItem.objects.create(client=acme, review=review, title="Buy new laptops", owner="Carol")
    review = services.finalise(review, bob, today=D(2026, 7, 15))
    services.create_review(
        acme, "monthly", D(2026, 7, 1), D(2026, 7, 31), bob, summary="Draft words in progress"
    )
    return review


@pytest.fixture
def proposed(acme):
    return InitiativeFactory(
        client=acme,
        title="Replace the firewall",
        status="proposed",
        start_quarter=D(2026, 10, 1),
        capex=12000,
    )


def test_a_client_executive_lands_on_the_portal_of_their_client(login, carol):
    http = login(carol)
    home = http.get("/")
    assert home.status_code == 302 and home["Location"] == "/portal/"
    portal = http.get("/portal/")
    assert portal.status_code == 302 and portal["Location"] == "/portal/acme/"
    page = http.get("/portal/acme/").content.decode()
    assert "Acme Corp" in page and "Health score" in page
    assert 'href="/portal/">Client portal</a>' in page  # the top bar leads back here


def test_practice_staff_keep_their_dashboard_and_may_preview_the_portal(login, bob, acme):
    http = login(bob)
    assert http.get("/").status_code == 200
    page = http.get("/portal/acme/").content.decode()
    assert "Preview:" in page


def test_overview_shows_health_next_review_latest_report_and_open_action_items(
    login, carol, acme, final_qbr
):
    ReviewCadence.objects.create(client=acme, monthly_day=12)
    page = login(carol).get("/portal/acme/").content.decode()
    assert "Health score" in page
    assert "Next: the" in page  # the cadence's next review, whichever it is today
    assert f"/portal/acme/reviews/{final_qbr.pk}/report/" in page
    assert "Buy new laptops" in page


def test_roadmap_shows_initiatives_by_fiscal_quarter_with_cost(login, carol, acme, proposed):
    InitiativeFactory(client=acme, title="Someday project", status="proposed")
    page = login(carol).get("/portal/acme/roadmap/").content.decode()
    assert "FY2026 Q4" in page and "Replace the firewall" in page and "12,000" in page
    assert page.index("FY2026 Q4") < page.index("Not scheduled yet")
    assert 'value="approve"' in page and 'value="decline"' in page


def test_carol_approves_a_proposed_initiative_and_who_and_when_are_recorded(
    login, carol, acme, proposed
):
    http = login(carol)
    before = timezone.now()
    response = http.post(
        f"/portal/acme/initiatives/{proposed.pk}/decide/",
        {"decision": "approve", "note": "Within this year's budget"},
    )
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == "approved" and proposed.approved_by == carol
    decision = Decision.objects.get(initiative=proposed)
    assert decision.review is None and decision.kind == "approve"
    assert decision.decided_by == carol and decision.decision_maker == "Carol"
    assert decision.decided_at >= before and decision.applied_at is not None
    assert decision.note == "Within this year's budget"
    page = http.get("/portal/acme/roadmap/").content.decode()
    assert "Approve initiative by Carol on" in page
    assert "is now approved" in page  # the message after the redirect
    assert 'value="approve"' not in page  # no longer proposed


def test_carol_declines_a_proposed_initiative(login, carol, acme, proposed):
    response = login(carol).post(
        f"/portal/acme/initiatives/{proposed.pk}/decide/", {"decision": "decline"}
    )
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == "declined"
    assert Decision.objects.get(initiative=proposed).kind == "decline"


def test_an_editor_without_approval_rights_gets_403_and_sees_no_buttons(
    login, erin, acme, proposed
):
    http = login(erin)
    response = http.post(f"/portal/acme/initiatives/{proposed.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 403
    proposed.refresh_from_db()
    assert proposed.status == "proposed" and not Decision.objects.exists()
    page = http.get("/portal/acme/roadmap/").content.decode()
    assert "Replace the firewall" in page and 'value="approve"' not in page


def test_approving_a_finished_initiative_is_a_400_that_names_it_and_writes_nothing(
    login, carol, acme
):
    done = InitiativeFactory(client=acme, title="Old migration", status="done")
    response = login(carol).post(
        f"/portal/acme/initiatives/{done.pk}/decide/", {"decision": "approve"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Old migration" in text and "is done" in text and "Nothing was changed" in text
    done.refresh_from_db()
    assert done.status == "done" and not Decision.objects.exists()


def test_an_unknown_decision_is_a_400_naming_the_value(login, carol, acme, proposed):
    response = login(carol).post(
        f"/portal/acme/initiatives/{proposed.pk}/decide/", {"decision": "defer-forever"}
    )
    assert response.status_code == 400
    assert "defer-forever" in response.content.decode()
    assert Initiative.objects.get(pk=proposed.pk).status == "proposed"


def test_reviews_list_only_finalised_reviews_and_drafts_are_404(login, carol, acme, final_qbr):
    http = login(carol)
    page = http.get("/portal/acme/reviews/").content.decode()
    assert "FY2026 Q2" in page and "Draft words" not in page
    draft = acme.reviews.get(kind="monthly")
    for suffix in ("", "report/", "report.pdf"):
        assert http.get(f"/portal/acme/reviews/{draft.pk}/{suffix}").status_code == 404


def test_review_page_shows_summary_decisions_and_action_items(login, carol, acme, final_qbr):
    page = login(carol).get(f"/portal/acme/reviews/{final_qbr.pk}/").content.decode()
    assert "Backups are now tested." in page
    assert "What changed since the previous review" in page
    assert "Buy new laptops" in page


def test_report_reads_as_html_and_as_pdf(login, carol, acme, final_qbr):
    http = login(carol)
    html = http.get(f"/portal/acme/reviews/{final_qbr.pk}/report/")
    assert html.status_code == 200 and "Acme Corp" in html.content.decode()
    pdf = http.get(f"/portal/acme/reviews/{final_qbr.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_dave_of_globex_cannot_see_nor_decide_for_acme(login, dave, acme, proposed, final_qbr):
    http = login(dave)
    for url in (
        "/portal/acme/",
        "/portal/acme/roadmap/",
        "/portal/acme/reviews/",
        f"/portal/acme/reviews/{final_qbr.pk}/",
    ):
        assert http.get(url).status_code == 404, url
    response = http.post(f"/portal/acme/initiatives/{proposed.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 404
    proposed.refresh_from_db()
    assert proposed.status == "proposed"
    assert http.get("/portal/").status_code == 302  # to his own client, Globex


def _queries(http, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["", "roadmap/", "reviews/"])
def test_portal_pages_run_the_same_queries_whatever_the_data(login, carol, bob, acme, path):
    http = login(carol)

    def add(n: int) -> None:
        for i in range(n):
            first = InitiativeFactory(client=acme, status="proposed", start_quarter=D(2026, 1, 1))
            InitiativeFactory(client=acme, status="approved", start_quarter=D(2026, 4 + i % 3, 1))
            Decision.objects.create(
                client=acme,
                kind="approve",
                initiative=first,
                decided_by=bob,
                decided_at=timezone.now(),
            )
            ActionItem.objects.create(client=acme, title=f"Item {i}", owner="Bob")

    add(2)
    few = _queries(http, f"/portal/acme/{path}")
    add(10)
    assert _queries(http, f"/portal/acme/{path}") == few
