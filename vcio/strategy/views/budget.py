"""The budget page: by quarter and fiscal year, capex and opex, plan vs actual, exports."""

from __future__ import annotations

import io

from django.http import FileResponse, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views import generic

from vcio.core.access import access_for
from vcio.core.charts import Series, bar_chart
from vcio.core.fiscal import fiscal_year_of
from vcio.core.roles import Perm
from vcio.core.views.base import ClientMixin
from vcio.strategy.budget import Budget, build_budget, to_csv, to_xlsx, without_fee
from vcio.strategy.forms.budget import BudgetRangeForm
from vcio.strategy.views import CLIENT

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BudgetMixin(ClientMixin):
    def budget_or_form(self) -> tuple[Budget | None, BudgetRangeForm]:
        """The budget for the requested years, or None with the form's errors."""
        form = BudgetRangeForm(self.request.GET or None)
        if self.request.GET and not form.is_valid():
            return None, form
        data = form.cleaned_data if form.is_bound else {}
        budget = build_budget(self.client, data.get("year"), data.get("years") or 2)
        if not access_for(self.request.user).can(Perm.COMMERCIAL, self.client.pk):
            without_fee(budget)
        return budget, form


class BudgetView(BudgetMixin, generic.TemplateView):
    template_name = "strategy/budget.html"

    def get(self, request, *args, **kwargs) -> HttpResponse:
        budget, form = self.budget_or_form()
        ctx = self.get_context_data(budget=budget, form=form)
        if budget is not None:
            ctx["chart"] = _chart(budget, "commercial" in ctx["client_perms"])
            ctx["query"] = request.GET.urlencode()
        else:
            ctx["current_year"] = fiscal_year_of(
                timezone.localdate(), self.client.fiscal_year_start_month
            )
        return self.render_to_response(ctx, status=200 if budget is not None else 400)


def _chart(b: Budget, with_fee: bool = True):
    series = [
        Series("Initiatives, one-time", [line.initiative_capex for line in b.lines]),
        Series("Forecast replacements", [line.forecast for line in b.lines]),
        Series("Initiatives, recurring", [line.initiative_opex for line in b.lines]),
        Series("Licences and subscriptions", [line.committed for line in b.lines]),
    ]
    if with_fee:
        series.append(Series("Practice fee", [line.fee for line in b.lines]))
    return bar_chart(
        [line.label.replace(" ", "\n") for line in b.lines],
        series,
        title=f"IT budget of {b.client.name} by quarter",
        desc="Planned spend per fiscal quarter: the roadmap's one-time and recurring costs, "
        "the forecast replacements not on the roadmap yet, the licences and subscriptions "
        "already paid for, and the practice's fee (savings are in the table).",
        width=760,
        height=300,
    )


class BudgetExport(BudgetMixin, generic.View):
    """The budget table as CSV or XLSX (``kind`` in the URL)."""

    kind = "csv"

    def get(self, request, *args, **kwargs) -> HttpResponse:
        budget, form = self.budget_or_form()
        if budget is None:
            errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
            return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
        name = f"{self.client.slug}-budget-{budget.lines[0].label}-{budget.lines[-1].label}"
        name = name.replace(" ", "")
        if self.kind == "xlsx":
            # A file response: binary, and streamed like the other downloads.
            return FileResponse(
                io.BytesIO(to_xlsx(budget)),
                as_attachment=True,
                filename=f"{name}.xlsx",
                content_type=XLSX,
            )
        else:
            response = HttpResponse(to_csv(budget), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.{self.kind}"'
        return response


urlpatterns = [
    path(f"{CLIENT}budget/", BudgetView.as_view(), name="budget"),
    path(f"{CLIENT}budget.csv", BudgetExport.as_view(kind="csv"), name="budget_csv"),
    path(f"{CLIENT}budget.xlsx", BudgetExport.as_view(kind="xlsx"), name="budget_xlsx"),
]
