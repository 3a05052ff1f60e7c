"""The help-desk section of a review and what changed since the last one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string

from vcio.assets.tests.factories import AssetFactory
from vcio.core.registry import ReviewPeriod
from vcio.helpdesk import review
from vcio.helpdesk.models import Status
from vcio.helpdesk.tests.factories import make_ticket, make_topic

D = dt.date


def u(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def period(client, start: dt.date, end: dt.date) -> ReviewPeriod:
    return ReviewPeriod(client.pk, "qbr", start, end, end)


@pytest.fixture
def world(acme):
    """Printers rise from 5 tickets in Q1 to 25 in Q2; a recurring VPN problem on one server."""
    printers, vpn = make_topic(acme, "Printers"), make_topic(acme, "VPN")
    for i in range(5):
        make_ticket(acme, opened_at=u(2026, 2, 2 + i, 9), topic=printers, requester="Ann Person",
                    resolved_at=u(2026, 2, 2 + i, 10), first_response_at=u(2026, 2, 2 + i, 9, 30),
                    status=Status.RESOLVED)  # fmt: skip
    for i in range(25):
        make_ticket(acme, opened_at=u(2026, 4, 1 + i, 9), topic=printers, requester="Ann Person",
                    subject="SECRET subject", body="SECRET body text",
                    resolved_at=u(2026, 4, 1 + i, 10), first_response_at=u(2026, 4, 1 + i, 9, 30),
                    status=Status.RESOLVED)  # fmt: skip
    server = AssetFactory(client=acme, name="SRV-01")
    for day in (4, 5, 6):
        make_ticket(acme, opened_at=u(2026, 5, day, 9), topic=vpn, asset=server)
    return printers


def test_collect_keeps_figures_trends_and_recurring_problems(acme, world):
    data = review.collect(period(acme, D(2026, 4, 1), D(2026, 6, 30)))
    assert data["opened"] == 28 and data["resolved"] == 25
    assert data["top_topics"][0] == {"topic": "Printers", "count": 25, "share_text": "89.3 %"}
    assert [r["topic"] for r in data["rising"]] == ["Printers"]
    assert data["rising"][0]["words"].startswith("+400 %, unlikely to be chance")
    assert data["recurring"] == [{"topic": "VPN", "kind": "asset", "where": "SRV-01", "count": 3}]
    # The three VPN tickets are still open at the end: 8 weeks > 24 h, missed.
    assert data["sla_pct"] == round(100 * 25 / 28, 1)


def test_the_section_never_holds_ticket_text_nor_requesters(acme, world):
    data = review.collect(period(acme, D(2026, 4, 1), D(2026, 6, 30)))
    html = render_to_string("helpdesk/report_section.html", {"data": data, "client": acme})
    for secret in ("SECRET", "Ann Person"):
        assert secret not in str(data) and secret not in html
    assert "Printers" in html and "SRV-01" in html


def test_empty_period_reads_no_data_yet(acme):
    assert review.collect(period(acme, D(2026, 4, 1), D(2026, 6, 30))) == {}
    html = render_to_string("helpdesk/report_section.html", {"data": {}, "client": acme})
    assert "No data yet" in html


def test_changes_name_rising_topics_sla_moves_and_new_recurring_problems(acme, world):
    q2 = period(acme, D(2026, 4, 1), D(2026, 6, 30))
    now = review.collect(q2)
    before = dict(now, sla_pct=99.0, recurring=[])
    found = {c.kind: c for c in review.changes(before, now, q2)}
    assert found["helpdesk.rising"].direction == "worse"
    assert found["helpdesk.rising"].text.startswith("Printers tickets rising: 25 against 5 before")
    assert (
        found["helpdesk.sla"].text == "Tickets in SLA: 89.3 %, down from 99.0 % at the last review."
    )
    assert found["helpdesk.recurring"].text == (
        "Recurring problem: VPN on SRV-01, 3 tickets within 30 days."
    )
    # Same SLA, same recurring problem: no news of either.
    kinds = [c.kind for c in review.changes(now, now, q2)]
    assert kinds == ["helpdesk.rising"]


def test_a_finalised_review_shows_the_section(acme, bob, world):
    from vcio.reviews import services

    q2 = services.create_review(acme, "qbr", D(2026, 4, 1), D(2026, 6, 30), bob)
    services.finalise(q2, bob, today=D(2026, 6, 30))
    q2.refresh_from_db()
    assert "Help desk: ticket trends and service levels" in q2.report_html
    assert "Printers tickets rising" in q2.report_html
