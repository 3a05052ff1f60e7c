"""A review finalised before its period ends is an interim review, and says so everywhere.

Acme's FY2026 Q4 QBR covers 1 Oct – 31 Dec 2026; finalised as of 2 Dec it
covers 1 Oct – 2 Dec only, and every page, the PDF (each printed page), the
portal and the API say so. A review finalised after its period ended says
nothing of the kind.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from vcio.reviews import services

D = datetime.date
INTERIM = "Interim review: covers 1 Oct – 2 Dec 2026 of a period that ends 31 Dec 2026."


@pytest.fixture
def interim_qbr(acme, bob):
    review = services.create_review(acme, "qbr", D(2026, 10, 1), D(2026, 12, 31), bob)
    return services.finalise(review, bob, today=D(2026, 12, 2))


@pytest.fixture
def whole_qbr(acme, bob):
    review = services.create_review(acme, "qbr", D(2026, 7, 1), D(2026, 9, 30), bob)
    return services.finalise(review, bob, today=D(2026, 10, 15))


def _pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_the_practice_pages_and_report_say_interim(login, bob, interim_qbr):
    http = login(bob)
    base = f"/clients/acme/reviews/{interim_qbr.pk}/"
    assert INTERIM in http.get(base).content.decode()
    assert INTERIM in http.get(base + "report/").content.decode()
    listing = http.get("/clients/acme/reviews/").content.decode()
    assert ">Interim</span>" in listing


def test_every_printed_page_of_the_pdf_says_interim(login, bob, interim_qbr):
    pages = _pages(login(bob).get(f"/clients/acme/reviews/{interim_qbr.pk}/report.pdf").content)
    assert len(pages) > 1
    assert all("Interim review" in text for text in pages)
    assert "covers 1 Oct – 2 Dec 2026" in " ".join(pages)


def test_the_portal_and_the_api_say_interim(login, api, carol, bob, interim_qbr):
    http = login(carol)
    detail = reverse("portal:review_detail", kwargs={"client": "acme", "pk": interim_qbr.pk})
    assert INTERIM in http.get(detail).content.decode()
    listing = reverse("portal:review_list", kwargs={"client": "acme"})
    assert "Quarterly business review FY2026 Q4 (interim)" in http.get(listing).content.decode()
    row = api(bob).get(f"/api/reviews/{interim_qbr.pk}/").json()
    assert row["as_of"] == "2026-12-02"
    assert row["interim"] == INTERIM


def test_finalising_early_warns_before_the_button_is_pressed(login, bob, acme):
    draft = services.create_review(
        acme, "qbr", D(2026, 10, 1), D(2026, 12, 31), bob, meeting_date=D(2026, 12, 2)
    )
    page = login(bob).get(f"/clients/acme/reviews/{draft.pk}/finalise/").content.decode()
    assert "becomes an <strong>interim review</strong>" in page
    assert INTERIM in page


def test_a_review_finalised_after_its_period_is_not_interim(login, bob, whole_qbr):
    assert not whole_qbr.is_interim
    http = login(bob)
    assert "Interim" not in http.get(f"/clients/acme/reviews/{whole_qbr.pk}/").content.decode()
    assert "Interim" not in whole_qbr.report_html
