"""The help-desk panel of the practice dashboard: SLA share, backlog, the topic rising most."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vcio.core.tests.factories import ClientFactory
from vcio.helpdesk import dashboard
from vcio.helpdesk.models import Status
from vcio.helpdesk.tests.factories import make_ticket, make_topic

NOW = timezone.now()


def ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def fill(client, rising: bool = False) -> None:
    """Resolved tickets of the last 90 days, half of them within target; a rising VPN topic."""
    topic = make_topic(client, "VPN")
    for i in range(4):
        opened = ago(10 + i)
        make_ticket(client, opened_at=opened, first_response_at=opened, resolved_at=opened,
                    status=Status.RESOLVED)  # fmt: skip
    for i in range(4):  # answered and resolved 40 days later: over every target
        make_ticket(client, opened_at=ago(60 + i), first_response_at=ago(20),
                    resolved_at=ago(20), status=Status.RESOLVED)  # fmt: skip
    make_ticket(client, opened_at=ago(100), topic=topic)
    for i in range(12 if rising else 1):
        make_ticket(client, opened_at=ago(1 + i), topic=topic, status=Status.CANCELLED)


def test_clients_lowest_sla_first_with_their_rising_topic(acme, globex, alice):
    fill(acme, rising=True)
    opened = ago(5)
    make_ticket(globex, opened_at=opened, first_response_at=opened, resolved_at=opened,
                status=Status.RESOLVED)  # fmt: skip
    rows = dashboard.helpdesk_context([acme, globex], alice)["rows"]
    assert [r["client"].slug for r in rows] == ["acme", "globex"]
    acme_row = rows[0]
    # 4 of 8 resolved in SLA; the VPN ticket of 100 days ago is open and past its target.
    assert acme_row["sla_text"] == "44.4 %" and acme_row["backlog"] == 1
    assert acme_row["rising"]["name"] == "VPN"
    assert rows[1]["sla_text"] == "100.0 %" and rows[1]["rising"] is None


def test_the_panel_on_the_dashboard_and_its_query_count(client, alice, acme):
    fill(acme)
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert 'id="helpdesk-panel"' in page and "/clients/acme/helpdesk/" in page
    clients = [acme]
    with CaptureQueriesContext(connection) as one:
        dashboard.helpdesk_context(clients, alice)
    for i in range(4):
        extra = ClientFactory(name=f"Extra {i}", slug=f"extra{i}")
        fill(extra)
        clients.append(extra)
    with CaptureQueriesContext(connection) as five:
        dashboard.helpdesk_context(clients, alice)
    assert len(five) == len(one) == 5
