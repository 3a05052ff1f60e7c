"""``/api/helpdesk/analytics/``: the page's report as JSON, scoped; errors name the parameter."""

from __future__ import annotations

import datetime as dt

import pytest

from vcio.helpdesk.models import Status
from vcio.helpdesk.tests.factories import make_ticket, make_topic

URL = "/api/helpdesk/analytics/"


def u(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def printers(acme):
    topic = make_topic(acme, "Printers")
    for day in (6, 7, 8):  # Monday to Wednesday, each resolved in 3 business hours
        make_ticket(acme, opened_at=u(2026, 4, day, 9), resolved_at=u(2026, 4, day, 12),
                    first_response_at=u(2026, 4, day, 10), topic=topic,
                    status=Status.RESOLVED)  # fmt: skip
    return topic


def test_the_report_of_a_range(api, bob, acme, printers):
    r = api(bob).get(URL, {"client": "acme", "start": "2026-04-01", "end": "2026-04-30"})
    assert r.status_code == 200
    data = r.json()
    assert data["client"] == "acme"
    assert data["period"]["start"] == "2026-04-01" and data["period"]["complete"] is True
    assert data["kpis"]["opened"] == 3 and data["kpis"]["median_resolve_hours"] == 3.0
    assert data["volume"]["by_topic"] == [
        {"id": printers.pk, "name": "Printers", "count": 3, "share": 100.0}
    ]
    assert data["sla"]["pct"] == 100.0


def test_a_fiscal_quarter_by_name(api, alice, acme, printers):
    data = api(alice).get(URL, {"client": "acme", "period": "quarter", "on": "2026-05-01"}).json()
    assert (data["period"]["start"], data["period"]["end"]) == ("2026-04-01", "2026-06-30")


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({}, "client", "client's slug"),
        ({"client": "acme", "start": "2026-13-01", "end": "2026-12-01"}, "start", "'2026-13-01'"),
        ({"client": "acme", "start": "2026-05-01"}, "end", "give both"),
        ({"client": "acme", "period": "decade"}, "period", "'decade'"),
        ({"client": "acme", "start": "2020-01-01", "end": "2026-01-01"}, "end", "3 years"),
        ({"client": "acme", "on": "9999-12-31"}, "on", "outside 1970–2199"),
        ({"client": "acme", "start": "0001-01-01", "end": "0001-01-02"}, "start", "outside"),
    ],
)
def test_bad_parameters_answer_400_naming_them(api, bob, acme, params, field, words):
    r = api(bob).get(URL, params)
    assert r.status_code == 400
    assert words in str(r.json()[field])


def test_another_clients_report_is_not_found(api, dave, bob, acme, globex):
    assert api(dave).get(URL, {"client": "acme"}).status_code == 404
    assert api(bob).get(URL, {"client": "globex"}).status_code == 404


def test_executive_reads_own_client(api, carol, acme, printers):
    assert api(carol).get(URL, {"client": "acme"}).status_code == 200
