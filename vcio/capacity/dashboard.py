"""The capacity app's practice-dashboard panel: what runs out first, and what is saturated.

Across the clients the user may see: the disks and memory forecast to be
full soonest, and the machines saturated over the last 30 days. Two queries
per distinct "today" among the clients (their time zones), whatever the
number of clients and machines.
"""

from __future__ import annotations

from typing import Any

from vcio.capacity.assess import SATURATED
from vcio.capacity.figures import capacity_as_of, machine_url, reporting
from vcio.core.registry import DashboardPanel, dashboard_panels

ROWS = 10  # rows per table
HORIZON_DAYS = 90  # a "full" date further out is not dashboard news


def capacity_context(clients: list[Any], user: Any) -> dict[str, Any]:
    """Rows of the panel: the soonest "full" dates and the saturated machines, 10 of each.

    ``clients`` are already scoped to the user; their time zones come with
    them, so no query reads the clients again.
    """
    by_id = {c.pk: c for c in clients}
    rows = {c.pk: {"time_zone": c.time_zone} for c in clients}
    full, saturated, reporting_count = [], [], 0
    for cid, (_day, machines) in capacity_as_of(rows, None).items():
        client = by_id[cid]
        found = reporting(machines)
        reporting_count += len(found)
        for m in found:
            url = machine_url(client.slug, m.asset_id)
            for r in m.forecasts:
                if r.forecast.days_left <= HORIZON_DAYS:
                    full.append(
                        {
                            "client": client,
                            "machine": m.name,
                            "resource": r.label,
                            "url": url,
                            "crossing": r.forecast.crossing,
                            "days_left": r.forecast.days_left,
                        }
                    )
            if m.efficiency == SATURATED:
                saturated.append(
                    {"client": client, "machine": m.name, "url": url, "evidence": m.evidence}
                )
    full.sort(key=lambda row: (row["days_left"], row["client"].name, row["machine"]))
    saturated.sort(key=lambda row: (row["client"].name, row["machine"]))
    return {
        "full": full[:ROWS],
        "full_more": max(len(full) - ROWS, 0),
        "saturated": saturated[:ROWS],
        "saturated_more": max(len(saturated) - ROWS, 0),
        "machines": reporting_count,
        "horizon": HORIZON_DAYS,
    }


PANEL = DashboardPanel(
    key="capacity.runs_out",
    title="Capacity: running out and saturated",
    template="capacity/panel_capacity.html",
    context=capacity_context,
    order=25,
    app="capacity",
)


def register() -> None:
    dashboard_panels.register(PANEL)
