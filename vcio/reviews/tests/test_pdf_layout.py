"""The PDF's pages as laid out, by where the text lands on A4, not only what it says.

Page 1 holds the health-trend chart under the parts table, the large score
reads "NN/100" on one line, the SLA tables keep every month inside the
page's right margin, and the page header and page numbers use the body's font.
Word boxes come from Poppler's ``pdftotext -bbox``; fonts from pypdf.
"""

from __future__ import annotations

import datetime
import html
import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

import pytest
from pypdf import PdfReader

from vcio.availability.tests.factories import MonitorFactory, ServiceFactory
from vcio.reviews import reports, services
from vcio.reviews.models import Review

D = datetime.date
MM = 72 / 25.4  # PDF points in a millimetre
A4_WIDTH = 210 * MM
RIGHT_MARGIN = 16 * MM  # the report's @page margin
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Poppler's pdftotext (Debian's poppler-utils, a test dependency like chromium).
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


@dataclass(frozen=True)
class Word:
    """A word as printed: its box in points from the page's top left (pdftotext -bbox)."""

    text: str
    left: float
    top: float
    right: float
    bottom: float


def page_words(content: bytes) -> list[list[Word]]:
    """Every page's words with their boxes, as Poppler lays the PDF out."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(content)
        pdf.flush()
        out = subprocess.run(
            [PDFTOTEXT, "-bbox", pdf.name, "-"], capture_output=True, check=True, text=True
        ).stdout
    pages = []
    for page in out.split("<page ")[1:]:
        pages.append(
            [
                Word(html.unescape(m[5]), float(m[1]), float(m[2]), float(m[3]), float(m[4]))
                for m in WORD.finditer(page)
            ]
        )
    return pages


def page_fonts(content: bytes) -> list[list[tuple[str, float, str]]]:
    """Per page, ``(text, height from the bottom, font family)`` of each text run (pypdf)."""
    pages = []
    for page in PdfReader(io.BytesIO(content)).pages:
        runs: list[tuple[str, float, str]] = []

        def visit(text, cm, tm, font, size, runs=runs):
            if text.strip() and font is not None:
                name = str(font.get("/BaseFont", "")).split("+")[-1]
                family = name.split("-Bold")[0].split("-Oblique")[0]
                runs.append((text.strip(), tm[5] * cm[3] + cm[5], family))

        page.extract_text(visitor_text=visit)
        pages.append(runs)
    return pages


def _header_and_number_fonts(runs: list[tuple[str, float, str]]) -> tuple[str, str]:
    """The font of the client's name in the page header (the highest one) and of "Page n of m"."""
    header = max((r for r in runs if r[0] == "Acme Corp"), key=lambda r: r[1])
    number = next(r for r in runs if re.match(r"^Page \d+ of \d+$", r[0]))
    return header[2], number[2]


@pytest.fixture
def second_qbr(acme, bob) -> Review:
    """Acme's FY2026 Q2 QBR, finalised after its Q1 QBR: a trend of two health scores."""
    # Monitored (a service never checked has no SLA, hence no availability score).
    MonitorFactory(service=ServiceFactory(client=acme, name="Customer portal"))
    MonitorFactory(
        service=ServiceFactory(client=acme, name="ERP (Epicor Kinetic) for the whole group")
    )
    first = services.create_review(acme, "qbr", D(2026, 1, 1), D(2026, 3, 31), bob)
    services.finalise(first, bob, today=D(2026, 4, 15))
    review = services.create_review(acme, "qbr", D(2026, 4, 1), D(2026, 6, 30), bob)
    return services.finalise(review, bob, today=D(2026, 7, 15))


@pytest.fixture
def pdf(login, bob, second_qbr) -> bytes:
    assert Review.objects.filter(client=second_qbr.client, health_score__isnull=False).count() == 2
    response = login(bob).get(f"/clients/acme/reviews/{second_qbr.pk}/report.pdf")
    assert response.status_code == 200
    return response.content


def _find(words: list[Word], text: str, after: Word | None = None) -> Word:
    """The first ``text`` on the page (below ``after`` when given)."""
    found = [w for w in words if w.text == text and (after is None or w.top > after.top)]
    assert found, f"no {text!r} on the page: {' '.join(w.text for w in words)[:2000]}"
    return found[0]


def _chart_space(words: list[Word]) -> tuple[Word, Word]:
    """The last word of the health parts table and the chart's caption, on page 1."""
    caption = _find(words, "finalised", after=_find(words, "Health"))
    above = [w for w in words if w.bottom < caption.top and w.top > _find(words, "Weight").top]
    return max(above, key=lambda w: w.bottom), caption


def test_page_one_holds_the_health_trend_chart(pdf):
    first = page_words(pdf)[0]
    _, caption = _chart_space(first)
    table_end = _find(first, "Weight")
    # The chart's own words (its legend and the dates of the two reviews) lie above its caption.
    for text in ("Healthy", "2026-03-31", "2026-06-30"):
        word = _find(first, text, after=table_end)
        assert word.bottom <= caption.top, (word, caption)
    legend = _find(first, "Healthy", after=table_end)
    assert caption.top - legend.top > 35 * MM  # a chart about 50 mm tall, not an empty line


def test_the_large_score_reads_on_one_line(pdf, second_qbr):
    first = page_words(pdf)[0]
    score = f"{second_qbr.health_score:.0f}"
    big = next(w for w in first if w.text.startswith(score) and w.bottom - w.top > 20)
    out_of = big if big.text == f"{score}/100" else _find(first, "/100")
    # "/100" on the big figure's baseline, to its right: nothing wrapped to a second line.
    assert abs(out_of.bottom - big.bottom) < 4 and out_of.left >= big.right - 1, (big, out_of)


def test_every_month_of_the_sla_tables_fits_the_page(pdf):
    pages = page_words(pdf)
    edge = A4_WIDTH - RIGHT_MARGIN + 1
    months = [
        (w, pages[n][i + 1])
        for n in range(len(pages))
        for i, w in enumerate(pages[n][:-1])
        if w.text in MONTHS and pages[n][i + 1].text == "2026"
    ]
    assert {m.text for m, _ in months} >= {"Apr", "May", "Jun"}
    for month, year in months:
        assert year.right <= edge, f"{month.text} 2026 ends at {year.right / MM:.0f} mm of 210"
    for number, page in enumerate(pages, start=1):
        for word in page:
            assert word.right <= edge, f"page {number}: {word} beyond the right margin"


def test_the_page_header_and_numbers_use_the_body_font(pdf):
    for runs in page_fonts(pdf):
        assert _header_and_number_fonts(runs) == ("DejaVu-Sans", "DejaVu-Sans"), runs


def test_a_report_stored_before_the_print_rules_prints_with_them(second_qbr):
    # Finalised reports keep their HTML; the print rules are applied again when printing.
    stored = re.sub(r"figure\.chart svg \{[^}]*\}", "", second_qbr.report_html)
    stored = stored.replace("font-family", "x-font-family")  # as before: no font for headers
    pdf = reports.pdf_bytes(stored)
    first = page_words(pdf)[0]
    _, caption = _chart_space(first)
    legend = _find(first, "Healthy", after=_find(first, "Weight"))
    assert caption.top - legend.top > 35 * MM
    assert _header_and_number_fonts(page_fonts(pdf)[0]) == ("DejaVu-Sans", "DejaVu-Sans")


@pytest.fixture
def budget_pdf(login, bob, acme) -> bytes:
    """A QBR whose roadmap section has the budget table (a fee makes it non-empty)."""
    acme.monthly_fee = 12_500
    acme.save()
    review = services.create_review(acme, "qbr", D(2026, 4, 1), D(2026, 6, 30), bob)
    review = services.finalise(review, bob, today=D(2026, 7, 15))
    return login(bob).get(f"/clients/acme/reviews/{review.pk}/report.pdf").content


def test_no_word_runs_past_the_right_margin(budget_pdf):
    """Wide tables (the budget by quarter: six or seven figures a row) wrap their headers
    instead of running off the page, where WeasyPrint would cut them."""
    limit = A4_WIDTH - RIGHT_MARGIN + 1  # a point of rounding
    pages = page_words(budget_pdf)
    assert any(w.text == "fee" for words in pages for w in words)  # "Practice fee" column
    over = [(n, w.text, round(w.right)) for n, words in enumerate(pages, 1) for w in words
            if w.right > limit]  # fmt: skip
    assert over == [], f"past the margin at {limit:.0f} pt"
