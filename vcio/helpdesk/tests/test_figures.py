"""The help-desk figures, for several clients at once, as of a day, against hand counts."""

from __future__ import annotations

import datetime as dt

import pytest

from vcio.core.registry import compute_figures
from vcio.helpdesk.models import Status
from vcio.helpdesk.tests.factories import make_ticket, make_topic

AT = dt.date(2026, 6, 30)
KEYS = [
    "helpdesk.tickets_per_employee",
    "helpdesk.median_resolve_hours",
    "helpdesk.sla_pct",
    "helpdesk.top_topic_share",
]


def u(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def data(acme, globex):
    globex.employee_count = 10
    globex.time_zone = "America/New_York"
    globex.save()
    printers, vpn = make_topic(acme, "Printers"), make_topic(acme, "VPN")
    # Acme: 4 tickets in the 90 days to 30 June (1 April – 30 June), resolve 2, 4, 30 h.
    make_ticket(
        acme,
        opened_at=u(2026, 6, 1, 8),
        first_response_at=u(2026, 6, 1, 9),
        resolved_at=u(2026, 6, 1, 10),
        topic=printers,
        status=Status.RESOLVED,
    )
    make_ticket(
        acme,
        opened_at=u(2026, 6, 2, 8),
        first_response_at=u(2026, 6, 2, 9),
        resolved_at=u(2026, 6, 2, 12),
        topic=printers,
        status=Status.RESOLVED,
    )
    # Resolve 30 h (3 business days) > 24 h medium target: missed.
    make_ticket(
        acme,
        opened_at=u(2026, 6, 8, 8),
        first_response_at=u(2026, 6, 8, 9),
        resolved_at=u(2026, 6, 11, 8),
        topic=printers,
        status=Status.RESOLVED,
    )
    make_ticket(acme, opened_at=u(2026, 6, 20, 8), topic=vpn)  # open, 8 days: past 24 h, missed
    make_ticket(acme, opened_at=u(2026, 3, 31, 8), topic=vpn)  # before the window (and open)
    make_ticket(acme, opened_at=u(2026, 7, 1, 8), topic=vpn)  # after "as of"
    # Globex (New York): one ticket at 23:30 on 30 June local = 03:30 UTC on 1 July: inside.
    make_ticket(globex, opened_at=u(2026, 7, 1, 3, 30), resolved_at=u(2026, 7, 1, 14),
                first_response_at=u(2026, 7, 1, 13), status=Status.RESOLVED)  # fmt: skip
    return printers


def test_figures_of_two_clients_as_of_a_day(acme, globex, data, django_assert_max_num_queries):
    with django_assert_max_num_queries(4 * 5):
        got = compute_figures([acme.pk, globex.pk], KEYS, at=AT)
    months = 90 / (365.25 / 12)
    assert got["helpdesk.tickets_per_employee"][acme.pk] == round(4 / 120 / months, 2)
    assert got["helpdesk.tickets_per_employee"][globex.pk] == round(1 / 10 / months, 2)
    assert got["helpdesk.median_resolve_hours"][acme.pk] == 4.0
    # 2 met out of 3 resolved + the VPN ticket and the 31 March one still open past target.
    assert got["helpdesk.sla_pct"][acme.pk] == round(100 * 2 / 5, 1)
    assert got["helpdesk.top_topic_share"][acme.pk] == 75.0
    # Globex's ticket is still open at 30 June's end in New York (resolved 10:00 on 1 July).
    assert got["helpdesk.median_resolve_hours"][globex.pk] is None
    assert got["helpdesk.top_topic_share"][globex.pk] is None  # no topic


def test_no_tickets_is_no_data(acme):
    got = compute_figures([acme.pk], KEYS, at=AT)
    assert all(got[k][acme.pk] is None for k in KEYS)
