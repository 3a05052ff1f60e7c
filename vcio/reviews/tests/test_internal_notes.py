"""The practice's internal notes never reach a client's users: portal, reports, PDFs, review pages.

Each internal note carries a marker. Carol (Acme's executive) opens every
page she may open and none of the markers may appear; Bob (Acme's
consultant) sees them where the practice reads them, so the test is not
passing only because nothing renders the notes at all. Dave (Globex's
executive) gets a 404 on every Acme portal address.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from vcio.reviews import services
from vcio.strategy.tests.factories import InitiativeFactory

D = datetime.date
CLIENT_NOTE = "NOTE-CLIENT-7Q"
FINAL_NOTE = "NOTE-FINAL-7Q"
DRAFT_NOTE = "NOTE-DRAFT-7Q"
MARKERS = (CLIENT_NOTE, FINAL_NOTE, DRAFT_NOTE, "internal practice note")


@pytest.fixture
def world(acme, bob):
    """Acme with internal notes on the client, on a finalised QBR and on a draft review."""
    acme.internal_notes = f"{CLIENT_NOTE} the CFO is leaving; internal practice note"
    acme.save()
    final = services.create_review(
        acme, "qbr", D(2026, 4, 1), D(2026, 6, 30), bob, summary="A good quarter."
    )
    # Written before finalising: the stored report must leave it out, not just the page.
    final.internal_notes = f"{FINAL_NOTE} they may not renew"
    final.save()
    final = services.finalise(final, bob, today=D(2026, 7, 15))
    draft = services.create_review(acme, "monthly", D(2026, 7, 1), D(2026, 7, 31), bob)
    draft.internal_notes = f"{DRAFT_NOTE} push the backup project"
    draft.save()
    InitiativeFactory(client=acme, title="Replace the firewall", status="proposed")
    return {"final": final, "draft": draft}


def portal_urls(final, draft) -> list[str]:
    acme = {"client": "acme"}
    return [
        reverse("portal:overview", kwargs=acme),
        reverse("portal:roadmap", kwargs=acme),
        reverse("portal:review_list", kwargs=acme),
        *(
            reverse(name, kwargs={**acme, "pk": review.pk})
            for review in (final, draft)
            for name in ("portal:review_detail", "portal:review_report")
        ),
    ]


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def assert_no_marker(text: str, where: str) -> None:
    for marker in MARKERS:
        assert marker not in text, f"{marker} shown on {where}"


def test_no_internal_note_in_the_portal_nor_its_reports(login, carol, world):
    http = login(carol)
    assert http.get("/portal/", follow=True).status_code == 200
    for url in portal_urls(world["final"], world["draft"]):
        response = http.get(url)
        assert response.status_code in (200, 404), url
        assert_no_marker(response.content.decode(), url)
    assert FINAL_NOTE not in world["final"].report_html


def test_no_internal_note_in_the_pdf(login, carol, world):
    url = reverse("portal:review_pdf", kwargs={"client": "acme", "pk": world["final"].pk})
    response = login(carol).get(url)
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Acme Corp" in text  # the text was read, so the absence below means something
    assert_no_marker(text, url)


def test_the_portal_hides_them_from_practice_staff_too(login, bob, world):
    http = login(bob)
    # The practice reads the client's note on its own pages...
    assert CLIENT_NOTE in http.get("/clients/acme/").content.decode()
    # ...but the portal shows everybody what the client sees.
    for url in portal_urls(world["final"], world["draft"]):
        assert_no_marker(http.get(url).content.decode(), url)


def test_no_internal_note_on_the_practice_review_pages_for_an_executive(login, bob, carol, world):
    detail = reverse("reviews:review_detail", kwargs={"client": "acme", "pk": world["final"].pk})
    assert FINAL_NOTE in login(bob).get(detail).content.decode()  # the practice reads it there
    http = login(carol)
    urls = [reverse("reviews:review_list", kwargs={"client": "acme"})]
    for review in (world["final"], world["draft"]):
        for name in ("reviews:review_detail", "reviews:review_report"):
            urls.append(reverse(name, kwargs={"client": "acme", "pk": review.pk}))
    for url in urls:
        response = http.get(url)
        assert response.status_code in (200, 403, 404), url
        assert_no_marker(response.content.decode(), url)


def test_dave_of_globex_gets_404_on_every_acme_portal_address(login, dave, world):
    http = login(dave)
    final, draft = world["final"], world["draft"]
    urls = [
        *portal_urls(final, draft),
        reverse("portal:review_pdf", kwargs={"client": "acme", "pk": final.pk}),
    ]
    for url in urls:
        response = http.get(url)
        assert response.status_code == 404, url
        assert_no_marker(response.content.decode(), url)
        assert "Acme Corp" not in response.content.decode()
    initiative = world["final"].client.initiatives.get()
    url = reverse("portal:decide", kwargs={"client": "acme", "pk": initiative.pk})
    assert http.post(url, {"decision": "approve"}).status_code == 404
    initiative.refresh_from_db()
    assert initiative.status == "proposed"
