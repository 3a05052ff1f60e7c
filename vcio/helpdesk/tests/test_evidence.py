"""The help-desk evidence rule (SLA compliance), as a CIO reads it, as of 30 June 2026.

Business hours are the defaults (Monday–Friday 08:00–18:00, UTC clients);
targets the defaults: medium 4 h to answer and 24 h to resolve, high 2 h and 8 h.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.core.registry import compute_figures, evidence_rules
from vcio.core.tests.factories import ClientFactory
from vcio.helpdesk import evidence
from vcio.helpdesk.models import Priority, Status
from vcio.helpdesk.tests.factories import make_ticket

pytestmark = pytest.mark.django_db
AT = dt.date(2026, 6, 30)
KEY = "helpdesk.sla_compliance"


def u(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def resolved(client, ref: str, opened, answered, done, **kw):
    return make_ticket(client, external_id=ref, opened_at=opened, first_response_at=answered,
                       resolved_at=done, status=Status.RESOLVED, **kw)  # fmt: skip


def evaluate(*clients) -> dict:
    return evidence_rules.get(KEY).evaluate([c.pk for c in clients], AT)


def test_the_rule_is_registered_under_its_key():
    rule = evidence_rules.get(KEY)
    assert rule.evaluate is evidence.sla_compliance
    assert rule.app == "helpdesk" and rule.label and rule.description


@pytest.fixture
def tickets(acme):
    in_sla = ["T1", "T2"]
    resolved(acme, "T1", u(2026, 6, 1, 8), u(2026, 6, 1, 9), u(2026, 6, 1, 10))  # 1 h, 2 h
    resolved(acme, "T2", u(2026, 6, 2, 8), u(2026, 6, 2, 9), u(2026, 6, 2, 12))  # 1 h, 4 h
    # High priority, answered after 3 h (> 2 h), resolved in 4 h (within 8 h): missed.
    resolved(acme, "T6", u(2026, 6, 3, 8), u(2026, 6, 3, 11), u(2026, 6, 3, 12),
             priority=Priority.HIGH)  # fmt: skip
    # Resolved after three business days, 30 h (> 24 h): missed.
    resolved(acme, "T3", u(2026, 6, 8, 8), u(2026, 6, 8, 9), u(2026, 6, 11, 8))
    # Opened Saturday 20 June, still open: Monday 22 to Tuesday 30 June = 7 days = 70 h.
    make_ticket(acme, external_id="T4", opened_at=u(2026, 6, 20, 8))
    make_ticket(acme, external_id="T7", opened_at=u(2026, 6, 30, 9))  # open 9 h: not late yet
    make_ticket(acme, external_id="T8", opened_at=u(2026, 7, 1, 8))  # after the day
    return in_sla


def test_sla_compliance_names_the_tickets_that_missed(acme, tickets):
    got = evaluate(acme)[acme.pk]

    counted = len(tickets) + 3  # T3, T6 and T4 missed; T7 not late, T8 after the day
    assert got.counts == {"ok": len(tickets), "total": counted}
    assert got.status == "not_aligned"  # 40 %
    assert got.sentence == (
        "2 of 5 tickets of the last 90 days were answered and resolved within their SLA "
        "(40 %); 3 were not: #T6 (answered in 3.0 h, target 2 h), "
        "#T3 (resolved in 30.0 h, target 24 h), #T4 (still open after 70.0 h, target 24 h)."
    )
    assert [(r.label, r.ok) for r in got.rows] == [
        ("#T6", False),
        ("#T3", False),
        ("#T4", False),
        ("#T1", True),
        ("#T2", True),
    ]
    assert got.rows[3].detail == "answered in 1.0 h, target 4 h; resolved in 2.0 h, target 24 h"
    assert got.rows[0].url.startswith("/clients/acme/helpdesk/tickets/")


def test_sla_compliance_counts_as_the_tickets_in_sla_figure(acme, tickets):
    got = evaluate(acme)[acme.pk]
    figure = compute_figures([acme.pk], ["helpdesk.sla_pct"], at=AT)["helpdesk.sla_pct"]
    assert figure[acme.pk] == round(100 * got.counts["ok"] / got.counts["total"], 1) == 40.0


def test_thresholds_and_no_data(acme, globex):
    for n in range(19):
        resolved(acme, f"A{n}", u(2026, 6, 1, 8), u(2026, 6, 1, 9), u(2026, 6, 1, 10))
    resolved(acme, "LATE", u(2026, 6, 8, 8), u(2026, 6, 8, 9), u(2026, 6, 11, 8))
    for n in range(4):
        resolved(globex, f"G{n}", u(2026, 6, 1, 8), u(2026, 6, 1, 9), u(2026, 6, 1, 10))
    resolved(globex, "GLATE", u(2026, 6, 8, 8), u(2026, 6, 8, 9), u(2026, 6, 11, 8))
    quiet = ClientFactory()
    make_ticket(
        quiet, opened_at=u(2026, 1, 5, 8), resolved_at=u(2026, 1, 5, 9), status=Status.RESOLVED
    )  # fmt: skip  (before the 90 days)

    got = evaluate(acme, globex, quiet)

    assert (got[acme.pk].status, got[acme.pk].counts) == ("aligned", {"ok": 19, "total": 20})
    assert (got[globex.pk].status, got[globex.pk].counts) == ("partly", {"ok": 4, "total": 5})
    assert got[quiet.pk].status == "no_data"
    assert got[quiet.pk].sentence == (
        "No ticket was resolved in the last 90 days, and none is open past its target."
    )


def test_queries_do_not_grow_with_the_number_of_clients():
    clients = [ClientFactory() for _ in range(5)]
    for client in clients:
        resolved(client, f"{client.pk}-1", u(2026, 6, 1, 8), u(2026, 6, 1, 9), u(2026, 6, 1, 10))
        make_ticket(client, opened_at=u(2026, 6, 20, 8))
    rule = evidence_rules.get(KEY)
    with CaptureQueriesContext(connection) as one:
        rule.evaluate([clients[0].pk], AT)
    with CaptureQueriesContext(connection) as five:
        got = rule.evaluate([c.pk for c in clients], AT)
    # As of each client's own today too (no day given).
    assert set(rule.evaluate([c.pk for c in clients], None)) == {c.pk for c in clients}
    assert len(five) == len(one)
    assert {r.counts["total"] for r in got.values()} == {2}
