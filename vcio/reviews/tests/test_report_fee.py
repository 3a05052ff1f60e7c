"""The practice's fee in a review report is for those who see the commercial terms.

The roadmap's budget table of a report once folded the monthly fee into its
"Committed" column, and the stored report was the same document for all: a
technician or a client editor read the fee there (committed minus the
licences they can list). Now the fee is a column of its own for readers with
COMMERCIAL, and the others get a stored version without it, in its totals
too, so it cannot be worked out as total minus the other columns.
"""

from __future__ import annotations

import datetime
import html
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from vcio.assets.tests.factories import LicenceFactory
from vcio.reviews import services

D = datetime.date
FEE = Decimal("3217")  # a month; 9,651 a quarter, 38,604 over the report's four quarters
QUARTER_FEE = "$9,651"


@pytest.fixture
def final(acme, bob):
    acme.monthly_fee = FEE
    acme.save()
    # $1,200 a year of licences: $300 a quarter committed whatever the fee.
    LicenceFactory(
        client=acme, product="Backup", seats_owned=10, unit_cost=Decimal("10"),
        billing_period="monthly", renewal_date=None,
    )  # fmt: skip
    review = services.create_review(acme, "qbr", D(2026, 4, 1), D(2026, 6, 30), bob)
    return services.finalise(review, bob, today=D(2026, 7, 15))


def budget_rows(document: str) -> tuple[list[str], list[list[str]]]:
    """The header and rows of the report's "Budget by quarter" table, as text."""
    table = document.split("Budget by quarter")[1].split("</table>")[0]
    header = [html.unescape(h) for h in re.findall(r"<th class=\"num\">([^<$]+)</th>", table)]
    rows = [
        [html.unescape(c) for c in re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    ]
    return header, rows


def amount(text: str) -> Decimal:
    return Decimal(text.replace("$", "").replace(",", "") or "0")


def adds_up(rows: list[list[str]]) -> None:
    """Each row's last cell is the sum of its amounts (recomputed here from the cells)."""
    for row in rows:
        *parts, total = row[1:]
        assert sum(amount(p) for p in parts) == amount(total), row


def test_the_consultant_reads_the_fee_as_its_own_column(login, bob, final):
    document = login(bob).get(reverse("reviews:review_report", args=["acme", final.pk])).text
    header, rows = budget_rows(document)
    assert header[-2:] == ["Practice fee", "Total"]
    assert [row[-2] for row in rows[:4]] == [QUARTER_FEE] * 4
    assert rows[-1][-2] == "$38,604"
    assert [row[-3] for row in rows[:4]] == ["$300"] * 4  # committed licences, fee apart
    adds_up(rows)


@pytest.mark.parametrize("who", ["tess", "erin"])
def test_readers_without_the_commercial_terms_get_no_fee_in_any_total(
    request, login, api, who, final
):
    user = request.getfixturevalue(who)
    report = reverse("reviews:review_report", args=["acme", final.pk])
    documents = {"report page": login(user).get(report).text}
    documents["API"] = api(user).get(f"/api/reviews/{final.pk}/report/").content.decode()
    if who == "erin":  # a client's editor also reads the portal's copy
        portal = reverse("portal:review_report", args=["acme", final.pk])
        documents["portal"] = login(user).get(portal).text
    for where, document in documents.items():
        header, rows = budget_rows(document)
        assert "Practice fee" not in header, where
        assert [row[-2] for row in rows[:4]] == ["$300"] * 4, where
        adds_up(rows)  # so total minus the other columns gives no fee either
        for fee in ("3,217", "9,651", "38,604"):  # a month, a quarter, four quarters
            assert fee not in document, (fee, where)
    pdf = login(user).get(reverse("reviews:review_pdf", args=["acme", final.pk])).content
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Budget by quarter" in text and "9,651" not in text and "Practice fee" not in text


def test_the_client_executive_reads_the_fee_in_the_portal(login, carol, final):
    page = login(carol).get(reverse("portal:review_report", args=["acme", final.pk])).text
    header, rows = budget_rows(page)
    assert "Practice fee" in header and rows[0][-2] == QUARTER_FEE
