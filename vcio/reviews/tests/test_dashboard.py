"""The practice dashboard's panels: health and reviews, SLA breaches, recommendations, pipeline."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vcio.availability.tests.factories import OutageFactory, ServiceFactory
from vcio.core.fiscal import quarter_of
from vcio.core.tests.factories import ClientFactory
from vcio.reviews.models import Review, ReviewStatus
from vcio.strategy.tests.factories import InitiativeFactory, RecommendationFactory

D = datetime.date


def panel(page: str, key: str) -> str:
    """The HTML of one dashboard panel (by its registry key)."""
    match = re.search(
        rf'<section class="dashboard-panel" id="panel-{key}">(.*?)</section>', page, re.S
    )
    assert match, f"no panel {key}"
    return match.group(1)


def finalised(client, end: datetime.date, score: float) -> Review:
    """A finalised monthly review of the month ending ``end`` with its stored health score."""
    return Review.objects.create(
        client=client,
        kind="monthly",
        period_start=end.replace(day=1),
        period_end=end,
        status=ReviewStatus.FINALISED,
        health_score=score,
        finalised_at=timezone.now(),
    )


def this_quarter() -> datetime.date:
    return quarter_of(timezone.localdate(), 1).start


def with_data(client) -> None:
    """A client with reviews, a service down now, recommendations and initiatives."""
    for month, score in ((1, 70.0), (2, 75.0), (3, 72.0)):
        finalised(client, D(2026, month + 1, 1) - datetime.timedelta(days=1), score)
    service = ServiceFactory(client=client, name=f"{client.name} ERP")
    OutageFactory(
        monitor__service=service,
        started_at=timezone.now() - datetime.timedelta(hours=1),
        ended_at=None,
    )
    RecommendationFactory(client=client, title=f"{client.name} patch servers", risk="high")
    InitiativeFactory(client=client, status="approved", start_quarter=this_quarter())
    InitiativeFactory(client=client, status="proposed", start_quarter=this_quarter())


def test_the_panels_show_after_the_client_table(login, alice, acme):
    page = login(alice).get("/").content.decode()
    titles = [
        "Client health and reviews",
        "SLA breaches this month",
        "Top recommendations by risk",
        "Budget pipeline",
    ]
    positions = [page.index(t) for t in titles]
    assert page.index('id="client-table"') < min(positions)
    assert positions == sorted(positions)


def test_health_panel_shows_score_trend_next_and_overdue_reviews(login, alice, acme, globex):
    for end, score in ((D(2026, 5, 31), 60.0), (D(2026, 6, 30), 70.0), (D(2026, 7, 31), 65.0)):
        finalised(acme, end, score)
    html = panel(login(alice).get("/").content.decode(), "reviewshealth")
    acme_row = html[html.index("Acme Corp") : html.index("</tr>", html.index("Acme Corp"))]
    assert "<svg" in acme_row and "60, 70, 65" in acme_row  # the sparkline and its text
    assert "▼ -5.0" in acme_row
    assert "Monthly review," in acme_row  # the next one due
    # No review was ever held: the defaults' recent monthly reviews are overdue, in red.
    assert 'class="overdue"' in acme_row
    globex_row = html[html.index("Globex Health") :]
    assert "no trend yet" in globex_row


def test_the_health_score_is_a_summary_figure_of_the_client_list(login, alice, acme):
    assert "Health score" in login(alice).get("/clients/").content.decode()


def test_breaches_panel_lists_services_below_their_sla_this_month(login, alice, acme, globex):
    down = ServiceFactory(client=acme, name="Acme ERP")
    OutageFactory(
        monitor__service=down,
        started_at=timezone.now() - datetime.timedelta(hours=1),
        ended_at=None,
    )
    ServiceFactory(client=globex, name="Globex mail")  # no outage: not listed
    html = panel(login(alice).get("/").content.decode(), "availabilitybreaches")
    assert "Acme ERP" in html and "down now" in html and "Globex mail" not in html
    assert f"/clients/acme/services/{down.pk}/" in html


def test_breaches_panel_without_services_says_so(login, alice, acme):
    html = panel(login(alice).get("/").content.decode(), "availabilitybreaches")
    assert "No data yet" in html


def test_recommendations_panel_lists_the_ten_riskiest_open_ones(login, alice, acme, globex):
    RecommendationFactory(client=globex, title="Globex enable MFA", risk="critical")
    for n in range(10):
        RecommendationFactory(client=acme, title=f"Acme tidy {n}", risk="low")
    RecommendationFactory(client=acme, title="Acme dismissed", risk="critical", status="dismissed")
    html = panel(login(alice).get("/").content.decode(), "strategyrecommendations")
    assert html.index("Globex enable MFA") < html.index("Acme tidy")
    assert html.count("Acme tidy") == 9  # ten in all
    assert "Acme dismissed" not in html
    assert "/clients/globex/recommendations/#rec-" in html


def test_pipeline_panel_totals_approved_and_proposed_by_calendar_quarter_and_currency(
    login, alice, acme
):
    euro = ClientFactory(name="Euro Ltd", slug="euro", currency="EUR", fiscal_year_start_month=7)
    InitiativeFactory(client=acme, status="approved", start_quarter=this_quarter(), capex=5000)
    InitiativeFactory(
        client=acme,
        status="proposed",
        start_quarter=this_quarter(),
        capex=Decimal("3000"),
        opex_per_year=Decimal("400"),
    )
    InitiativeFactory(client=acme, status="declined", start_quarter=this_quarter(), capex=999)
    InitiativeFactory(client=euro, status="scheduled", start_quarter=this_quarter(), capex=7000)
    InitiativeFactory(client=acme, status="proposed")  # no quarter yet
    html = panel(login(alice).get("/").content.decode(), "strategypipeline")
    assert "calendar" in html
    assert html.index("EUR") < html.index("USD")
    usd = html[html.index("<caption>USD") :]
    assert "$5,000" in usd and "$3,100" in usd  # capex and a quarter of the opex
    assert "$3,400" in usd  # the proposed total: 3,000 + 4 × 100
    assert "999" not in html
    assert "€7,000" in html
    assert "1 initiative not placed in a quarter yet is left out" in html


def queries(http) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get("/").status_code == 200
    return len(ctx.captured_queries)


def test_the_dashboard_runs_the_same_queries_for_2_and_4_clients(login, alice, acme, globex):
    with_data(acme)
    with_data(globex)
    http = login(alice)
    two = queries(http)
    for n in range(2):
        with_data(ClientFactory(name=f"Extra {n}", slug=f"extra-{n}", currency="EUR"))
    assert queries(http) == two
    page = http.get("/").content.decode()
    assert "Extra 1 ERP" in panel(page, "availabilitybreaches")


def test_dashboard_statements_name_the_period_each_covers(login, alice, acme):
    """The breaches panel speaks of this month by name; the client table of this quarter by name."""
    acme.time_zone, acme.fiscal_year_start_month = "UTC", 4
    acme.save()
    ServiceFactory(client=acme, name="ERP")  # measured, no outage: meets its SLA
    today = timezone.now().astimezone(datetime.UTC).date()
    month = f"{today:%B %Y}"
    # Fiscal year from April, named by the calendar year it ends in (independent arithmetic).
    fy = today.year + 1 if today.month >= 4 else today.year
    quarter = f"FY{fy} Q{(today.month - 4) % 12 // 3 + 1}"
    page = login(alice).get("/").content.decode()
    table = page[page.index('id="client-table"') : page.index("</thead>")]
    named = f'<small class="period">({quarter} so far)</small>'
    assert f"Services in breach of their SLA, this quarter {named}" in table
    breaches = panel(page, "availabilitybreaches")
    assert f"Every business service meets its SLA this month so far ({month})." in breaches
    assert f"this quarter so far ({quarter})" in breaches
