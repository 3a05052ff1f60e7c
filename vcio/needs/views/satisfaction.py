"""``/clients/<client>/needs/satisfaction/``: IT satisfaction per department and service.

Two server-side SVG line charts (core's charts: the same picture in the
PDF), one line per department and one per service, each point a round's
mean rating; tables beside them give the numbers and the n behind each.
"""

from __future__ import annotations

from django.urls import path
from django.views import generic

from vcio.core.charts import Series, line_chart
from vcio.core.numbers import format_number
from vcio.core.views.base import ClientMixin
from vcio.needs.satisfaction import Mean, Trend, trends


def _fmt(value: float) -> str:
    return format_number(value, 1)


def series_table(trend: Trend, kind: str) -> tuple[list[str], list[tuple[str, list[Mean | None]]]]:
    """Rows of ``kind`` ("departments" or "services"): a name and a Mean (or None) per round."""
    names: dict[str, None] = {}
    per_round = []
    for one in trend.rounds:
        if kind == "departments":
            values = {name: mean for name, mean in one.departments.values()}
        else:
            values = dict(one.services)
        per_round.append(values)
        for name in values:
            names.setdefault(name, None)
    rows = [(name, [r.get(name) for r in per_round]) for name in sorted(names)]
    return [r.title for r in trend.rounds], rows


def chart(trend: Trend, kind: str, title: str):
    """The line chart of ``kind`` over the trend's rounds; None without two lines to draw."""
    _, rows = series_table(trend, kind)
    if not rows:
        return None
    xs = [r.opened_on for r in trend.rounds]
    series = [Series(name, [m.mean if m else None for m in means]) for name, means in rows]
    return line_chart(xs, series, title=title, value_format=_fmt, y_label="mean rating (1–5)")


class Satisfaction(ClientMixin, generic.TemplateView):
    template_name = "needs/satisfaction.html"
    tab = "satisfaction"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        trend = trends([self.client.pk])[self.client.pk]
        rounds, departments = series_table(trend, "departments")
        _, services = series_table(trend, "services")
        ctx.update(
            trend=trend,
            rounds=rounds,
            overall=[r.overall for r in trend.rounds],
            departments=departments,
            services=services,
            department_chart=chart(trend, "departments", "IT satisfaction per department"),
            service_chart=chart(trend, "services", "Satisfaction per business service"),
            change=trend.overall_change(),
        )
        return ctx


urlpatterns = [
    path("clients/<slug:client>/needs/satisfaction/", Satisfaction.as_view(), name="satisfaction"),
]
