"""The Help desk tab: what a consultant and a client executive see for a period."""

from __future__ import annotations

import datetime as dt
import html as htmllib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.helpdesk.models import Status
from vcio.helpdesk.tests.factories import make_ticket, make_topic

URL = "/clients/acme/helpdesk/"
Q2 = "?period=quarter&on=2026-05-15"


def u(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def tickets(acme):
    printers = make_topic(acme, "Printers")
    for day in range(1, 9):
        make_ticket(acme, opened_at=u(2026, 4, day, 9), topic=printers,
                    resolved_at=u(2026, 4, day, 11), first_response_at=u(2026, 4, day, 10),
                    status=Status.RESOLVED)  # fmt: skip
    make_ticket(acme, opened_at=u(2026, 6, 1, 9), subject="VPN down", body="ACME-ONLY body text")
    return printers


def test_consultant_sees_kpis_chart_and_drill_down(login, bob, acme, tickets):
    page = login(bob).get(URL + Q2)
    assert page.status_code == 200
    html = page.content.decode()
    assert "FY2026 Q2" in html
    assert 'id="topics-chart"' in html and "<svg" in html
    # 9 tickets: 8 printer tickets resolved in 2 business hours each.
    assert '<span class="value" id="kpi-opened">9</span>' in html
    assert '<span class="value" id="kpi-resolve">2.0 h</span>' in html
    drill = f"topic={tickets.pk}&amp;opened_after=2026-04-01&amp;opened_before=2026-06-30"
    assert drill in html
    assert "ACME-ONLY body text" not in html  # the page shows figures, never a ticket's text


def test_client_executive_sees_own_trends_and_other_clients_are_404(
    login, carol, dave, acme, globex, tickets
):
    assert login(carol).get(URL + Q2).status_code == 200
    assert login(dave).get(URL).status_code == 404


def test_default_is_the_current_fiscal_quarter(login, bob, acme):
    html = login(bob).get(URL).content.decode()
    assert "so far" in html or "FY" in html
    assert "Help desk" in html


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("?period=week", "period: 'week'"),
        ("?on=2026-02-31", "on: '2026-02-31' is not a date"),
        ("?start=2026-05-01", "end: give both start and end"),
        ("?start=2026-05-01&end=2026-04-01", "end: 2026-04-01 is before start 2026-05-01"),
    ],
)
def test_bad_period_answers_400_naming_the_parameter(login, bob, acme, query, names):
    page = login(bob).get(URL + query)
    assert page.status_code == 400
    assert names in htmllib.unescape(page.content.decode())


def test_query_count_does_not_grow_with_tickets(login, bob, acme):
    topic = make_topic(acme, "Printers")
    client = login(bob)
    make_ticket(acme, opened_at=u(2026, 4, 2, 9), topic=topic)
    with CaptureQueriesContext(connection) as few:
        client.get(URL + Q2)
    for i in range(40):
        other = make_topic(acme, f"Topic {i}") if i % 4 == 0 else topic
        make_ticket(
            acme, opened_at=u(2026, 4, 1 + i % 28, 9), topic=other, resolved_at=u(2026, 6, 1)
        )
    with CaptureQueriesContext(connection) as many:
        client.get(URL + Q2)
    assert len(many) == len(few)
