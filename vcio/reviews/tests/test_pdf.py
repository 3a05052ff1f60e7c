"""The report as HTML and PDF: what a client's leaders read, page by page."""

from __future__ import annotations

import datetime
import io

import pytest
from pypdf import PdfReader

from vcio.availability.tests.factories import MonitorFactory, ServiceFactory
from vcio.core.fiscal import add_months, quarter_of
from vcio.reviews import services
from vcio.reviews.models import Review
from vcio.strategy.tests.factories import InitiativeFactory

D = datetime.date
FINALISED_ON = D(2026, 7, 15)


def pdf_text(content: bytes) -> tuple[int, str]:
    """The number of pages and the text of every page, joined."""
    reader = PdfReader(io.BytesIO(content))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def qbr(acme, bob) -> Review:
    """Acme's finalised QBR of FY2026 Q2, with a service and an initiative next quarter."""
    MonitorFactory(service=ServiceFactory(client=acme, name="Customer portal"))
    next_quarter = quarter_of(add_months(FINALISED_ON, 3), acme.fiscal_year_start_month).start
    InitiativeFactory(
        client=acme, title="Move mail to the cloud", status="approved", start_quarter=next_quarter
    )
    review = services.create_review(
        acme, "qbr", D(2026, 4, 1), D(2026, 6, 30), bob, summary="A steady quarter."
    )
    services.update_review(review, bob, internal_notes="Practice-only remark")
    services.add_action_item(review, bob, title="Test the restore", owner="Bob")
    return services.finalise(review, bob, today=FINALISED_ON)


def test_the_pdf_of_a_finalised_qbr_reads_like_the_report(login, bob, qbr):
    response = login(bob).get(f"/clients/acme/reviews/{qbr.pk}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="acme-qbr-fy2026-q2.pdf"'
    pages, text = pdf_text(response.content)
    assert "Acme Corp" in text
    assert "Page 1 of" in text and f"Page {pages} of {pages}" in text
    assert text.count("Acme Corp") >= pages  # the client's name on every page
    assert "vcio practice" in text
    assert "Executive summary" in text and "A steady quarter." in text
    assert "Service availability (SLA)" in text and "Customer portal" in text
    assert "Roadmap: the next four quarters" in text and "Move mail to the cloud" in text
    assert "the restore" in text  # (pypdf splits the kerned "Te")
    assert "Practice-only remark" not in text


def test_the_html_report_of_a_finalised_review_is_the_stored_one(login, bob, carol, qbr):
    Review.objects.filter(pk=qbr.pk).update(report_html="<!doctype html><p>Stored report</p>")
    response = login(carol).get(f"/clients/acme/reviews/{qbr.pk}/report/")
    assert response.status_code == 200
    assert response.content.decode() == "<!doctype html><p>Stored report</p>"


def test_the_report_puts_the_summary_first_and_the_agenda_last(login, bob, qbr):
    html = login(bob).get(f"/clients/acme/reviews/{qbr.pk}/report/").content.decode()
    assert html.startswith("<!doctype html>") and "<script" not in html
    order = [
        html.index("Executive summary"),
        html.index("What changed"),
        html.index("Service availability (SLA)"),
        html.index("Decisions"),
        html.index("Action items"),
    ]
    assert order == sorted(order)
    assert "Acme Corp's IT health score" in html or "There is no health score yet" in html


def test_a_draft_report_of_a_client_with_no_data_says_so(login, bob, acme):
    review = services.create_review(acme, "monthly", D(2026, 5, 1), D(2026, 5, 31), bob)
    response = login(bob).get(f"/clients/acme/reviews/{review.pk}/report/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Draft" in html and "No data yet" in html
    pdf = login(bob).get(f"/clients/acme/reviews/{review.pk}/report.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Disposition"] == 'attachment; filename="acme-monthly-may-2026.pdf"'
    _pages, text = pdf_text(pdf.content)
    assert "No data yet" in text and "Page 1 of" in text


def test_the_health_trend_shows_from_the_second_finalised_review(login, bob, acme, qbr):
    first = login(bob).get(f"/clients/acme/reviews/{qbr.pk}/report/").content.decode()
    assert (
        "trend shows from the second review on" in first
        and "<svg" not in first.split("What changed")[0].split("Executive summary")[1]
    )
    later = services.create_review(acme, "monthly", D(2026, 7, 1), D(2026, 7, 31), bob)
    html = login(bob).get(f"/clients/acme/reviews/{later.pk}/report/").content.decode()
    summary = html.split("Executive summary")[1].split("What changed")[0]
    assert "<svg" in summary and "Health score" in summary
    assert "Covers 1 Jul 2026 – 31 Jul 2026" in html
