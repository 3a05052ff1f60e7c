"""In a real browser, on a demo client: a QBR held end to end, then read in the client portal.

The consultant opens the quarter's review, sees what changed since the
previous review, records the client's decisions and an action item,
finalises it and downloads the PDF; the client's executive then logs in,
lands on the portal and finds the review, its decision and its report.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from vcio.core.fiscal import quarter_of
from vcio.core.models import Client
from vcio.core.tests.browser import log_in
from vcio.reviews.demo import INTERNAL
from vcio.reviews.models import Review
from vcio.strategy.models import Initiative

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    """The demo practice (users' password: vcio-demo), as ``vcio demo`` loads it."""
    from django.core.management import call_command

    call_command("demo", quiet=True)


def test_a_consultant_runs_a_qbr_and_the_executive_reads_it_in_the_portal(
    browser, live_server, demo
):
    acme = Client.objects.get(slug="acme")
    quarter = quarter_of(timezone.localdate(), acme.fiscal_year_start_month)
    proposal = Initiative.objects.filter(client=acme, status="proposed").order_by("title").first()
    assert proposal is not None, "the demo has proposals for the client to decide on"
    base = f"{live_server.url}/clients/acme"
    page = browser.new_page()
    log_in(page, live_server.url, "bob", "vcio-demo")

    # 1. Open the quarter's review (the demo holds the four reviews before it).
    page.goto(f"{base}/reviews/")
    assert page.locator("#reviews tbody tr").count() >= 4
    page.select_option("#id_new_kind", value="qbr")
    page.fill("#id_new_period_start", quarter.start.isoformat())
    page.fill("#id_new_period_end", quarter.end.isoformat())
    page.click("#new-review button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#status").count() == 1, page.locator("main").inner_text()
    review = Review.objects.get(client=acme, kind="qbr", period_start=quarter.start)
    assert page.url.endswith(f"/reviews/{review.pk}/")

    # 2. What changed since the previous finalised review: computed, with its direction.
    changes = page.locator("#changes li")
    assert changes.count() > 0
    assert page.locator("#changes li.better, #changes li.worse").count() > 0

    # 3. The leaders' decisions and a promise, recorded in the meeting.
    page.click("#decisions summary")
    page.select_option("#decisions select[name=kind]", value="approve")
    page.select_option("#decisions select[name=initiative]", value=str(proposal.pk))
    page.fill("#decisions input[name=decision_maker]", "Carol Hale")
    page.fill("#decisions textarea[name=note]", "Approved within this year's budget.")
    page.click("#decisions button:has-text('Record the decision')")
    page.wait_for_selector(f"#decisions td:has-text('{proposal.title}')")
    page.click("#action-items summary")
    page.fill("#action-items input[name=title]", "Book the installer for the first site")
    page.fill("#action-items input[name=owner]", "Bob Lindqvist")
    page.click("#action-items button:has-text('Add')")
    page.wait_for_selector("#action-items td:has-text('Book the installer')")

    # 4. Finalise: the decision reaches the roadmap, the review is frozen.
    page.click("a:has-text('Finalise')")
    page.click("button:has-text('Finalise the review')")
    page.wait_for_selector("#status:has-text('Finalised')")
    proposal.refresh_from_db()
    assert proposal.status == "approved"
    review.refresh_from_db()
    assert review.is_final and review.report_html

    # 5. The PDF: the client's name, the SLA table and the roadmap.
    with page.expect_download() as download:
        page.click("a:has-text('Report (PDF)')")
    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Acme Manufacturing" in text
    assert "Service availability (SLA)" in text and "ERP" in text
    assert "Roadmap" in text and proposal.title[:20] in text.replace("\n", " ")

    # 6. The executive logs in, lands on the portal and reads the finalised QBR.
    portal = browser.new_context().new_page()
    portal.goto(live_server.url + "/accounts/login/")
    portal.fill("input[name=username]", "carol")
    portal.fill("input[name=password]", "vcio-demo")
    portal.click("main button[type=submit]")
    portal.wait_for_url(f"{live_server.url}/portal/acme/")
    portal.click("a:has-text('Reviews')")
    portal.click(f"a[href$='/reviews/{review.pk}/']")
    body = portal.locator("main").inner_text()
    assert proposal.title in body and "Carol Hale" in body
    # The practice's internal notes never reach the portal (the word itself may: CSF 2.0 has
    # "internal and external threats").
    assert INTERNAL not in body and "practice only" not in body.lower()
    report = portal.request.get(f"{live_server.url}/portal/acme/reviews/{review.pk}/report/")
    assert report.ok and "Acme Manufacturing" in report.text()
