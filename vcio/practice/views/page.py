"""The practice page (``/practice/``): MRR and its trend, each client's economics, capacity.

Owners and admins see every client with costs, margins and flags against the
targets; consultants see their own clients' fees, hours, effective rate,
health and last contact (no cost, margin or target); technicians are sent to
time entry; client roles get a 404 (see :mod:`vcio.practice.access`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.views import generic

from vcio.core.charts import Series, line_chart
from vcio.core.fiscal import add_months
from vcio.practice import access, capacity, economics, fees


class PracticeAccessMixin(LoginRequiredMixin):
    """Refuses (404) users without the practice level the page needs."""

    levels: tuple[str, ...] = (access.FULL, access.CONSULTANT, access.TECHNICIAN)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.level = access.level(request.user)
        if self.level is None:
            raise Http404
        if self.level not in self.levels:
            return self.refuse()
        return super().dispatch(request, *args, **kwargs)

    def refuse(self):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("The practice's owners and admins only.")


def mrr_chart(trend) -> tuple[str, dict[str, Any]]:
    """A line per currency over the months, and the current month's totals."""
    currencies = sorted({cur for _, totals in trend for cur in totals})
    xs = [month for month, _ in trend]
    series = [Series(cur, [float(totals.get(cur, 0)) for _, totals in trend]) for cur in currencies]
    chart = (
        line_chart(
            xs, series, title="Monthly recurring revenue", y_label="per month", integer_axis=True
        )
        if series
        else ""
    )
    return chart, (trend[-1][1] if trend else {})


class PracticePage(PracticeAccessMixin, generic.TemplateView):
    template_name = "practice/page.html"
    levels = (access.FULL, access.CONSULTANT)

    def refuse(self):
        return redirect("practice:time")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        full = self.level == access.FULL
        clients = list(access.economics_clients(user).order_by("name"))
        ids = [c.pk for c in clients]
        today = timezone.localdate()
        trend = fees.mrr_by_month(ids, add_months(today.replace(day=1), -12), 13)
        ctx["chart"], ctx["mrr_now"] = mrr_chart(trend)
        rows = economics.client_economics(clients, today=today)
        if not full:
            rows = [economics.redact(r) for r in rows]
        sort = self.request.GET.get("sort", "name")
        if sort == "margin" and not full:
            sort = "name"
        ctx["rows"] = economics.sort_rows(rows, sort)
        ctx["sort"] = sort
        ctx["full"] = full
        ctx["period"] = economics.default_period(today)
        ctx["practice_currency"] = settings.VCIO_PRACTICE_CURRENCY
        ctx["grid"] = capacity.capacity_grid(
            ids, today.replace(day=1), show_capacity_of=None if full else {user.pk}
        )
        if full:
            from vcio.practice.models import Targets

            ctx["targets"] = Targets.current()
        return ctx


urlpatterns = [path("practice/", PracticePage.as_view(), name="page")]
