"""``vcio report``: the latest finalised review's report, written to a file."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from vcio.reviews import services

D = datetime.date


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def two_qbrs(acme, bob):
    """Two finalised QBRs and a newer draft: the command must pick the newer finalised one."""
    for start, end, summary, today in (
        (D(2026, 1, 1), D(2026, 3, 31), "First quarter summary", D(2026, 4, 15)),
        (D(2026, 4, 1), D(2026, 6, 30), "Second quarter summary", D(2026, 7, 15)),
    ):
        review = services.create_review(acme, "qbr", start, end, bob, summary=summary)
        services.finalise(review, bob, today=today)
    services.create_review(acme, "qbr", D(2026, 7, 1), D(2026, 9, 30), bob, summary="Draft one")


def test_writes_the_latest_finalised_qbr_as_pdf(two_qbrs, tmp_path):
    out = tmp_path / "acme-qbr.pdf"
    message = run("qbr", "--client", "acme", "--out", str(out))
    assert "FY2026 Q2" in message and str(out) in message
    text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    assert "Acme Corp" in text and "Second quarter summary" in text
    assert "Draft one" not in text and "First quarter summary" not in text


def test_html_writes_the_stored_document(two_qbrs, tmp_path):
    out = tmp_path / "acme-qbr.html"
    run("qbr", "--client", "acme", "--out", str(out), "--html")
    html = out.read_text()
    assert html.startswith("<!doctype html>") and "Second quarter summary" in html


def test_an_unknown_client_is_named(db, tmp_path):
    with pytest.raises(CommandError, match="No client with slug 'nobody'"):
        run("qbr", "--client", "nobody", "--out", str(tmp_path / "x.pdf"))


def test_a_client_without_a_finalised_review_of_that_kind_is_told_so(two_qbrs, tmp_path):
    with pytest.raises(CommandError) as err:
        run("monthly", "--client", "acme", "--out", str(tmp_path / "x.pdf"))
    assert str(err.value) == "acme has no finalised monthly review yet."
    assert not (tmp_path / "x.pdf").exists()


def test_no_finalised_qbr_yet(acme, bob, tmp_path):
    services.create_review(acme, "qbr", D(2026, 4, 1), D(2026, 6, 30), bob)
    with pytest.raises(CommandError, match="acme has no finalised quarterly business review yet"):
        run("qbr", "--client", "acme", "--out", str(tmp_path / "x.pdf"))
