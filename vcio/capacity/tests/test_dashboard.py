"""The capacity panel of the practice dashboard: what runs out first, what is saturated."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.capacity import dashboard, figures
from vcio.capacity.tests.test_figures import AS_OF, TB, constructed, linear, machine
from vcio.core.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Every client's today is AS_OF, the last day of the constructed rollups."""
    monkeypatch.setattr(figures, "client_today", lambda _tz: AS_OF)


def panel_html(page: str) -> str:
    start = page.index('id="panel-capacityruns_out"')
    return page[start : page.index("</section>", start)]


def test_the_soonest_full_dates_and_the_saturated_machines(acme, globex, alice):
    constructed(acme)
    machine(globex, "GX-FS", disks=[("/srv", linear(0.8, 0.002), TB)])  # 50 days left
    context = dashboard.capacity_context([acme, globex], alice)
    assert [
        (r["client"].slug, r["machine"], r["resource"], r["days_left"]) for r in context["full"]
    ] == [
        ("acme", "PC01", "Disk C:", 0),
        ("acme", "SQL01", "Disk C:", 0),
        ("acme", "FS01", "Disk D:", 20),
        ("globex", "GX-FS", "Disk /srv", 50),
    ]
    assert context["full"][2]["crossing"] == AS_OF + timedelta(days=20)
    assert [(r["client"].slug, r["machine"]) for r in context["saturated"]] == [("acme", "SQL01")]
    assert context["machines"] == 7


def test_the_panel_on_the_dashboard_shows_only_the_users_clients(login, bob, acme, globex):
    constructed(acme)
    machine(globex, "GX-FS", disks=[("/srv", linear(0.8, 0.002), TB)])
    html = panel_html(login(bob).get("/").content.decode())
    assert "<h2>Capacity: running out and saturated</h2>" in html
    assert "FS01" in html and "SQL01" in html and "full now" in html
    assert "GX-FS" not in html and "Globex" not in html


def test_without_metrics_the_panel_says_so(login, alice, acme):
    html = panel_html(login(alice).get("/").content.decode())
    assert "No data yet: no machine reports capacity metrics." in html


def test_the_panel_runs_the_same_queries_for_2_and_4_clients(acme, globex, alice):
    constructed(acme)
    constructed(globex)
    clients = [acme, globex]
    with CaptureQueriesContext(connection) as two:
        dashboard.capacity_context(clients, alice)
    for n in range(2):
        extra = ClientFactory(name=f"Extra {n}", slug=f"extra-{n}")
        constructed(extra)
        clients.append(extra)
    with CaptureQueriesContext(connection) as four:
        context = dashboard.capacity_context(clients, alice)
    assert len(four) == len(two) == 2
    assert len(context["saturated"]) == 4
