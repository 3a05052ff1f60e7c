"""The help-desk analytics page of a client: ``/clients/<client>/helpdesk/``.

One report (``analytics.report.build_report``) for the chosen period, as of
its end or now; a fixed number of queries whatever the number of tickets.
A bad ``?period=``/``?on=``/``?start=``/``?end=`` shows the current
fiscal quarter with the error, and answers 400.
"""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from django.views import generic

from vcio.core.periods import client_today
from vcio.core.roles import Perm
from vcio.core.views.base import ClientMixin
from vcio.helpdesk.analytics import present
from vcio.helpdesk.analytics.query import KINDS, PeriodError, parse_period
from vcio.helpdesk.analytics.report import build_report

CLIENT = "clients/<slug:client>/"


def decorate(report: dict, slug: str) -> dict:
    """Add drill-down links and ready-to-read text to the report's rows (no queries)."""
    start, end = report["period"]["start"], report["period"]["end"]
    for row in report["volume"]["by_topic"]:
        row["url"] = present.topic_url(slug, row["id"], start, end)
    for row in report["times"]["by_topic"]:
        row["url"] = present.topic_url(slug, row["id"], start, end)
    for key in ("previous", "last_year"):
        for row in report["trends"][key]:
            row["url"] = present.topic_url(slug, row["id"], start, end)
    year = {row["id"]: row for row in report["trends"]["last_year"]}
    for row in report["trends"]["previous"]:
        row["year"] = year.get(row["id"])
    for group in report["recurring"]["groups"]:
        query = {"topic": group["topic_id"], "opened_after": start.isoformat()}
        query["asset" if group["kind"] == "asset" else "department"] = group["where_id"] or ""
        group["url"] = present.tickets_url(slug, **query)
    return present.add_texts(report)


class HelpdeskOverview(ClientMixin, generic.TemplateView):
    """Ticket volume, times, SLA, backlog, trends and recurring problems of one period."""

    template_name = "helpdesk/overview.html"
    tab = "helpdesk"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = client_today(self.client)
        error = None
        try:
            period = parse_period(self.request.GET, self.client, today)
        except PeriodError as exc:
            error = str(exc)
            period = parse_period({}, self.client, today)
        report = decorate(build_report(self.client, period, timezone.now()), self.client.slug)
        if Perm.INTERNAL.value not in ctx["client_perms"]:
            # Who asked is for the practice; the client's leaders read trends, not names.
            report["volume"]["by_requester"] = []
        ctx.update(
            report=report,
            period=period,
            error=error,
            kinds=KINDS,
            chosen=self.request.GET.get("period", "quarter") if not error else "quarter",
            on=self.request.GET.get("on", "") if not error else "",
            chart=present.topics_chart(report),
            all_tickets=present.tickets_url(
                self.client.slug,
                opened_after=period.start.isoformat(),
                opened_before=period.end.isoformat(),
            ),
        )
        return ctx

    def get(self, request, *args, **kwargs):
        ctx = self.get_context_data(**kwargs)
        return self.render_to_response(ctx, status=400 if ctx["error"] else 200)


urlpatterns = [
    path(f"{CLIENT}helpdesk/", HelpdeskOverview.as_view(), name="overview"),
]
