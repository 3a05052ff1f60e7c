"""Help-desk figures of many clients at once, over the days to an "as of" date.

Five queries whatever the number of clients and tickets: the clients (zone,
headcount, fiscal year), their business hours (2), their SLA targets, and
the tickets alive in the widest window. Each client's window is the
``days`` days ending with ``at`` (included) in its own time zone; ``at``
None is each client's own today.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils import timezone

from vcio.helpdesk.analytics import sla
from vcio.helpdesk.analytics.data import Period, is_open_at, load_rows, opened_in, resolved_in
from vcio.helpdesk.analytics.hours import BusinessHours, business_hours_between, hours_for_clients
from vcio.helpdesk.analytics.times import durations

WINDOW_DAYS = 90
DAYS_PER_MONTH = 365.25 / 12


@dataclass
class ClientWindow:
    """One client's tickets over its window ``[start, end)`` (aware instants)."""

    client: dict[str, Any]
    start: datetime.datetime
    end: datetime.datetime
    rows: list[dict]
    hours: BusinessHours
    targets: sla.Targets

    @property
    def opened(self) -> list[dict]:
        return opened_in(self.rows, self.start, self.end)

    @property
    def resolved(self) -> list[dict]:
        return resolved_in(self.rows, self.start, self.end)


def client_rows(client_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Slug, name, zone, headcount, currency and fiscal start of each client: one query."""
    from vcio.core.models import Client

    fields = ("id", "slug", "name", "time_zone", "employee_count", "currency")
    rows = Client.objects.filter(pk__in=client_ids).values(*fields, "fiscal_year_start_month")
    return {r["id"]: r for r in rows}


def window_bounds(
    time_zone: str, at: datetime.date | None, days: int, now: datetime.datetime | None = None
) -> tuple[datetime.datetime, datetime.datetime]:
    """``days`` days ending with ``at`` (or now, for today) in ``time_zone``, as instants."""
    zone = zoneinfo.ZoneInfo(time_zone or "UTC")
    now = now or timezone.now()
    if at is None:
        end = now
        day = now.astimezone(zone).date()
    else:
        day = at
        end = min(
            datetime.datetime.combine(at + datetime.timedelta(days=1), datetime.time(), zone), now
        )
    start_day = day - datetime.timedelta(days=days - 1)
    return datetime.datetime.combine(start_day, datetime.time(), zone), end


def clients_windows(
    client_ids: list[int], at: datetime.date | None = None, days: int = WINDOW_DAYS
) -> dict[int, ClientWindow]:
    """Every client's window of ``days`` days to ``at``, with its tickets (five queries)."""
    clients = client_rows(client_ids)
    if not clients:
        return {}
    hours = hours_for_clients(list(clients))
    targets = sla.targets_for_clients(list(clients))
    bounds = {cid: window_bounds(c["time_zone"], at, days) for cid, c in clients.items()}
    rows = load_rows(
        list(clients), min(b[0] for b in bounds.values()), max(b[1] for b in bounds.values())
    )
    by_client: dict[int, list[dict]] = {cid: [] for cid in clients}
    for r in rows:
        by_client[r["client_id"]].append(r)
    return {
        cid: ClientWindow(c, *bounds[cid], by_client[cid], hours[cid], targets[cid])
        for cid, c in clients.items()
    }


def sla_pct(w: ClientWindow, since: datetime.datetime | None = None) -> tuple[float | None, int]:
    """% in SLA over the window (or from ``since``; see ``analytics.sla``), and tickets counted."""
    resolved = resolved_in(w.rows, since or w.start, w.end)
    d = durations(resolved, w.hours)
    still_open = [r for r in w.rows if is_open_at(r, w.end)]
    open_hours = business_hours_between(
        [r["opened_at"] for r in still_open], [w.end] * len(still_open), w.hours
    )
    pr = [r["priority"] for r in resolved]
    po = [r["priority"] for r in still_open]
    result = sla.compliance(
        pr,
        sla.met(pr, d.response, d.resolve, w.targets),
        po,
        sla.overdue(po, open_hours, w.targets),
        w.targets,
    )
    return result["pct"], result["total"]


def median_resolve(w: ClientWindow) -> float | None:
    """Median business hours to resolve the tickets resolved in the window (None: none)."""
    values = durations(w.resolved, w.hours).resolve
    values = values[~np.isnan(values)]
    return float(np.percentile(values, 50)) if values.size else None


def recent_and_before(w: ClientWindow, days: int) -> tuple[Period, Period]:
    """The ``days`` days to the window's end (the client's today) and the ``days`` before."""
    end = w.end.astimezone(zoneinfo.ZoneInfo(w.client["time_zone"] or "UTC")).date()
    now = Period(end - datetime.timedelta(days=days - 1), end, w.client["time_zone"] or "UTC")
    return now, now.previous()


def counts_by_topic(w: ClientWindow, now: Period, before: Period) -> tuple[dict, dict]:
    """Tickets opened per topic in ``now`` (to the window's end) and ``before``, and topic names.

    Returns ``({topic_id: {"current": n, "previous": n}}, {topic_id: name})``, the
    shape :func:`analytics.trends.compare` reads; tickets without a topic are left out.
    """
    counts: dict = defaultdict(lambda: {"current": 0, "previous": 0})
    names = {}
    for r in w.rows:
        if r["topic_id"] is None:
            continue
        names[r["topic_id"]] = r["topic_name"]
        if now.utc_start <= r["opened_at"] < w.end:
            counts[r["topic_id"]]["current"] += 1
        elif before.utc_start <= r["opened_at"] < before.utc_end:
            counts[r["topic_id"]]["previous"] += 1
    return dict(counts), names
