"""The help desk's practice-dashboard panel: clients whose service levels slip or topics rise.

Across the clients the user may see, over the 90 days to each client's
today: % of tickets in SLA, the backlog now, and the topic rising most
beyond chance against the 90 days before. Clients with the lowest SLA
share first. Five queries whatever the number of clients and tickets.
"""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse

from vcio.core.registry import DashboardPanel, dashboard_panels
from vcio.helpdesk.analytics import trends
from vcio.helpdesk.analytics.data import is_open_at
from vcio.helpdesk.analytics.many import (
    clients_windows,
    counts_by_topic,
    recent_and_before,
    sla_pct,
)
from vcio.helpdesk.analytics.present import pct_text

ROWS = 10
WINDOW = 90


def overview_url(slug: str) -> str:
    """The client's Help desk tab (the path it is served at if the page is not installed)."""
    try:
        return reverse("helpdesk:overview", kwargs={"client": slug})
    except NoReverseMatch:
        return f"/clients/{slug}/helpdesk/"


def helpdesk_context(clients: list[Any], user: Any) -> dict[str, Any]:
    """Rows of the panel: each client with tickets, its SLA share, backlog and top rising topic."""
    by_id = {c.pk: c for c in clients}
    rows = []
    for cid, w in clients_windows(list(by_id), None, 2 * WINDOW).items():
        now, before = recent_and_before(w, WINDOW)
        current = [r for r in w.rows if now.utc_start <= r["opened_at"] < w.end]
        if not current:
            continue
        counts, names = counts_by_topic(w, now, before)
        rising = [r for r in trends.compare(counts, names, now, before, "previous")
                  if r["news"] and r["direction"] == "rising"]  # fmt: skip
        pct, _counted = sla_pct(w, since=now.utc_start)
        rows.append(
            {
                "client": by_id[cid],
                "url": overview_url(by_id[cid].slug),
                "opened": len(current),
                "sla_pct": pct,
                "sla_text": pct_text(pct),
                "backlog": sum(1 for r in w.rows if is_open_at(r, w.end)),
                "rising": rising[0] if rising else None,
            }
        )
    rows.sort(key=lambda r: (r["sla_pct"] is None, r["sla_pct"] or 0, r["client"].name))
    return {"rows": rows[:ROWS], "more": max(len(rows) - ROWS, 0), "days": WINDOW}


PANEL = DashboardPanel(
    key="helpdesk.service",
    title="Help desk: service levels and rising topics",
    template="helpdesk/panel_helpdesk.html",
    context=helpdesk_context,
    order=30,
    app="helpdesk",
)


def register() -> None:
    dashboard_panels.register(PANEL)
