"""The roadmap: timeline and board by fiscal quarter, optimisation, scenarios and moves."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views import generic

from vcio.core.charts import Series, bar_chart
from vcio.core.fiscal import FiscalQuarter, quarter_of
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.core.views.base import ClientMixin, ClientScopedDeleteView
from vcio.strategy import applying, moves, planning
from vcio.strategy.forms.roadmap import MoveForm, OptimiseForm, VariantForm
from vcio.strategy.gantt import Bar, gantt
from vcio.strategy.models import Initiative, InitiativeStatus, Scenario
from vcio.strategy.views import CLIENT

S = InitiativeStatus
OPEN = (S.PROPOSED, S.APPROVED, S.SCHEDULED, S.IN_PROGRESS, S.DEFERRED)
SHOWN = (*OPEN, S.DONE)


def roadmap_quarters(client, today: datetime.date) -> list[FiscalQuarter]:
    """The roadmap's quarters: the applied scenario's horizon (8 by default) from today."""
    applied = moves.applied_scenario(client.pk)
    return planning.horizon_quarters(client, applied.horizon if applied else 8, today)


def _index(quarters: list[FiscalQuarter], day: datetime.date | None) -> int | None:
    return None if day is None else planning.quarter_index(quarters, day)


def board(initiatives: list[Initiative], quarters: list[FiscalQuarter]) -> dict:
    """Initiatives by column: one per quarter, "earlier" (still under way) and unscheduled."""
    columns: list[list[Initiative]] = [[] for _ in quarters]
    earlier, unscheduled = [], []
    for item in initiatives:
        i = _index(quarters, item.start_quarter)
        if i is None:
            if item.status != S.DONE:
                unscheduled.append(item)
        elif i < 0:
            if item.status == S.IN_PROGRESS:
                earlier.append(item)
        elif i < len(quarters):
            columns[i].append(item)
    return {
        "columns": list(zip(quarters, columns, strict=True)),
        "earlier": earlier,
        "unscheduled": unscheduled,
    }


def timeline(client, initiatives: list[Initiative], quarters: list[FiscalQuarter], today):
    """The Gantt SVG of the scheduled initiatives that overlap ``quarters``."""
    bars = []
    for item in initiatives:
        first = _index(quarters, item.start_quarter)
        if first is None:
            continue
        last = _index(quarters, item.end_quarter or item.start_quarter)
        if last < 0 or first >= len(quarters):
            continue
        bars.append(
            Bar(
                title=item.title,
                status=item.status,
                status_label=item.get_status_display(),
                first=first,
                last=last,
                mandatory=item.mandatory,
                url=reverse("strategy:initiative_detail", args=[client.slug, item.pk]),
            )
        )
    bars.sort(key=lambda b: (b.first, b.last, b.title))
    return gantt(quarters, bars, today=today, title=f"Roadmap of {client.name}")


class RoadmapView(ClientMixin, generic.TemplateView):
    """The roadmap as it stands: timeline, board, scenarios and the optimise form."""

    template_name = "strategy/roadmap.html"

    def initiatives(self) -> QuerySet[Initiative]:
        return (
            Initiative.objects.for_user(self.request.user)
            .filter(client=self.client, status__in=SHOWN)
            .order_by("start_quarter", "title", "id")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        quarters = roadmap_quarters(self.client, today)
        items = list(self.initiatives())
        applied = moves.applied_scenario(self.client.pk)
        scenarios = list(
            Scenario.objects.for_user(self.request.user)
            .filter(client=self.client)
            .select_related("created_by")
        )
        ctx.update(
            quarters=quarters,
            board=board(items, quarters),
            gantt=timeline(self.client, items, quarters, today),
            applied=applied,
            scenarios=scenarios,
            move_choices=MoveForm(quarters=quarters).fields["quarter"].choices,
            form=kwargs.get("form") or OptimiseForm(initial=_initial(self.client, applied)),
        )
        return ctx


def _initial(client, applied: Scenario | None) -> dict:
    """The optimise form's starting values: the applied scenario's caps, and a fresh name."""
    today = timezone.localdate()
    name = f"Plan of {today.isoformat()}"
    n = 2
    taken = set(Scenario.objects.filter(client=client).values_list("name", flat=True))
    while name in taken:
        name, n = f"Plan of {today.isoformat()} ({n})", n + 1
    initial = {"name": name, "horizon": applied.horizon if applied else 8}
    if applied:
        initial.update({k: v for k, v in (applied.caps or {}).items() if v is not None})
    return initial


class OptimiseView(RoadmapView):
    """Runs the optimiser under the form's caps and saves the result as a scenario."""

    client_perm = Perm.PLAN
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs) -> HttpResponse:
        form = OptimiseForm(request.POST)
        if form.is_valid():
            try:
                scenario = planning.save_scenario(
                    self.client, form.cleaned_data["name"], form.settings(), request.user
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"Scenario “{scenario.name}” computed and saved.")
                return HttpResponseRedirect(_scenario_url(scenario))
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _scenario_url(scenario: Scenario) -> str:
    return reverse("strategy:scenario_detail", args=[scenario.client.slug, scenario.pk])


class MoveView(ClientMixin, generic.View):
    """Moves one initiative to a quarter (or off the roadmap) and warns what that breaks."""

    client_perm = Perm.PLAN
    model = Initiative
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs) -> HttpResponse:
        initiative = get_for_user_or_404(
            Initiative.objects.filter(client=self.client).select_related("client"),
            request.user,
            Perm.EDIT,
            pk=kwargs["pk"],
        )
        quarters = roadmap_quarters(self.client, timezone.localdate())
        form = MoveForm(request.POST, quarters=quarters)
        back = request.POST.get("next") or reverse("strategy:roadmap", args=[self.client.slug])
        if not back.startswith("/"):
            back = reverse("strategy:roadmap", args=[self.client.slug])
        if not form.is_valid():
            return _refuse(request, self.client, "; ".join(form.errors["quarter"]))
        raw = form.cleaned_data["quarter"]
        start = datetime.date.fromisoformat(raw) if raw else None
        try:
            warnings = moves.move(initiative, start, request.user)
        except ValidationError as exc:
            return _refuse(request, self.client, " ".join(exc.messages))
        where = quarter_of(start, self.client.fiscal_year_start_month).label if start else None
        messages.success(
            request,
            f"“{initiative.title}” moved to {where} and locked there."
            if where
            else f"“{initiative.title}” taken off the roadmap.",
        )
        for text in warnings:
            messages.warning(request, text)
        return HttpResponseRedirect(back)


def _refuse(request, client, text: str) -> HttpResponse:
    return render(
        request,
        "core/refused.html",
        {
            "client": client,
            "message": text,
            "back": reverse("strategy:roadmap", args=[client.slug]),
        },
        status=400,
    )


class ScenarioMixin(ClientMixin):
    model = Scenario
    scenario_perm = Perm.VIEW
    tab = "roadmap"  # scenarios/… is outside roadmap/ but belongs to it

    def get_scenario(self) -> Scenario:
        return get_for_user_or_404(
            Scenario.objects.filter(client=self.client).select_related("client", "created_by"),
            self.request.user,
            self.scenario_perm,
            pk=self.kwargs["pk"],
        )


class ScenarioDetail(ScenarioMixin, generic.TemplateView):
    template_name = "strategy/scenario_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        scenario = self.get_scenario()
        plan = scenario.plan or {}
        labels = plan.get("labels", [])
        rows = plan.get("items", [])
        for row in rows:
            q = row.get("quarter")
            row["label"] = labels[q] if q is not None else ""
            # The first quarter's reason up front, the others on demand: they repeat.
            row["reason_head"], row["reason_rest"] = reason_parts(row.get("reason") or "")
            g = row.get("greedy_quarter") if greedy_compared(plan) else None
            row["greedy_label"] = labels[g] if g is not None else ""
        ctx.update(
            scenario=scenario,
            plan=plan,
            chosen=[r for r in rows if r["quarter"] is not None],
            left_out=[r for r in rows if r["quarter"] is None],
            per_quarter=_per_quarter(plan),
            chart=_cost_chart(scenario, plan),
            caps=planning.settings_of(scenario),
            others=Scenario.objects.for_user(self.request.user)
            .filter(client=self.client)
            .exclude(pk=scenario.pk)
            .only("id", "name"),
            variant_form=kwargs.get("variant_form") or VariantForm(),
            greedy_compared=greedy_compared(plan),
            gain=(plan.get("score", 0) - plan["greedy_score"]) if greedy_compared(plan) else None,
        )
        return ctx


def reason_parts(reason: str) -> tuple[str, list[str]]:
    """A stored reason as (first part, the others). Only a "not earlier" reason has
    parts, one per quarter ("not in FY2026 Q3: …; not in FY2026 Q4: …"); splitting on
    that prefix, not on any "; ", keeps a bracket with a semicolon whole."""
    head, *rest = reason.split("; not in ")
    return head, [f"not in {part}" for part in rest]


def greedy_compared(plan: dict) -> bool:
    """Whether the plan's greedy beside it kept every mandatory and locked item, so the
    two can be compared. Plans stored before the flag existed say so by their score:
    a greedy "above" the optimum can only have dropped a mandatory item."""
    if plan.get("greedy_score") is None or not plan.get("greedy_feasible", True):
        return False
    return plan["greedy_score"] <= plan.get("score", 0) + 1e-6


def _per_quarter(plan: dict) -> list[dict]:
    labels = plan.get("labels", [])
    greedy = plan.get("greedy", {}) if greedy_compared(plan) else {}
    return [
        {
            "label": label,
            "capex": plan["capex"][i],
            "opex": plan["opex"][i],
            "effort": plan["effort"][i],
            "greedy_total": greedy["capex"][i] + greedy["opex"][i] if greedy else None,
        }
        for i, label in enumerate(labels)
    ]


def _cost_chart(scenario: Scenario, plan: dict):
    labels = plan.get("labels", [])
    if not labels:
        return ""
    return bar_chart(
        [label.replace(" ", "\n") for label in labels],
        [Series("One-time (capex)", plan["capex"]), Series("Recurring (opex)", plan["opex"])],
        title=f"Spend by quarter in scenario {scenario.name}",
        desc="Planned one-time and recurring spend of the chosen initiatives per fiscal quarter.",
        width=720,
        height=260,
    )


class ScenarioApply(ScenarioMixin, generic.TemplateView):
    """GET: the moves applying the scenario would make; POST (from that page, with
    ``confirm``): write them. Agreed work moves only with ``move_agreed``; work under
    way never (see :mod:`vcio.strategy.applying`)."""

    client_perm = Perm.EDIT
    scenario_perm = Perm.EDIT
    template_name = "strategy/scenario_apply.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        scenario = self.get_scenario()
        moves = applying.preview(scenario)
        ctx.update(
            scenario=scenario,
            moves=[m for m in moves if m.kind == "move"],
            agreed=[m for m in moves if m.kind == "agreed"],
            under_way=[m for m in moves if m.kind == "under_way"],
        )
        return ctx

    def post(self, request, *args, **kwargs) -> HttpResponse:
        scenario = self.get_scenario()
        if request.POST.get("confirm") != "1":
            # Nothing moves before the consultant has seen the moves.
            messages.info(request, "Check the moves below, then confirm.")
            return HttpResponseRedirect(request.path)
        move_agreed = request.POST.get("move_agreed") == "1"
        changed, kept = applying.apply(scenario, request.user, move_agreed)
        plural = "s" if changed != 1 else ""
        text = f"Scenario “{scenario.name}” applied: {changed} initiative{plural} moved."
        if kept:
            text += f" Kept where they are: {', '.join(kept)}."
        messages.success(request, text)
        return HttpResponseRedirect(reverse("strategy:roadmap", args=[self.client.slug]))


class ScenarioUndo(ScenarioMixin, generic.View):
    """Puts back what applying the scenario moved (those changed since stay)."""

    client_perm = Perm.PLAN
    scenario_perm = Perm.EDIT
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs) -> HttpResponse:
        scenario = self.get_scenario()
        roadmap = reverse("strategy:roadmap", args=[self.client.slug])
        if not applying.can_undo(scenario):
            return _refuse(
                request, self.client, f"Scenario “{scenario.name}” is not applied: nothing to undo."
            )
        restored, left = applying.undo(scenario, request.user)
        plural = "s" if restored != 1 else ""
        text = f"Undone “{scenario.name}”: {restored} initiative{plural} back where they were."
        if left:
            text += f" Changed since, so left as they are: {', '.join(left)}."
        messages.success(request, text)
        return HttpResponseRedirect(roadmap)


class ScenarioVariant(ScenarioMixin, generic.View):
    """A copy of a scenario with the money caps changed by a percentage, then compared."""

    client_perm = Perm.PLAN
    scenario_perm = Perm.EDIT
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs) -> HttpResponse:
        scenario = self.get_scenario()
        form = VariantForm(request.POST)
        if not form.is_valid():
            return _refuse(request, self.client, "; ".join(form.errors["percent"]))
        pct = form.cleaned_data["percent"]
        settings = planning.settings_of(scenario).scaled(1 + Decimal(pct) / 100)
        name = f"{scenario.name} (budget {pct:+d} %)"
        try:
            variant = planning.save_scenario(self.client, name, settings, request.user)
        except ValidationError as exc:
            return _refuse(request, self.client, " ".join(exc.messages))
        messages.success(request, f"Scenario “{variant.name}” computed and saved.")
        url = reverse("strategy:scenario_compare", args=[self.client.slug])
        return HttpResponseRedirect(f"{url}?a={scenario.pk}&b={variant.pk}")


class ScenarioCompare(ClientMixin, generic.TemplateView):
    """Two scenarios side by side: total score, cost by quarter, what moved."""

    template_name = "strategy/scenario_compare.html"

    def get(self, request, *args, **kwargs) -> HttpResponse:
        scenarios = Scenario.objects.for_user(request.user).filter(client=self.client)
        ids = [request.GET.get("a", ""), request.GET.get("b", "")]
        if not all(i.isdigit() for i in ids):
            return _refuse(request, self.client, "Choose two scenarios to compare.")
        found = {s.pk: s for s in scenarios.filter(pk__in=[int(i) for i in ids])}
        missing = [i for i in ids if int(i) not in found]
        if missing:
            return _refuse(request, self.client, f"No scenario {missing[0]} for {self.client}.")
        comparison = planning.compare(found[int(ids[0])], found[int(ids[1])])
        return self.render_to_response(self.get_context_data(c=comparison))


class ScenarioDelete(ClientScopedDeleteView):
    tab = "roadmap"
    model = Scenario
    client_perm = Perm.PLAN
    success_view = "strategy:roadmap"


urlpatterns = [
    path(f"{CLIENT}roadmap/", RoadmapView.as_view(), name="roadmap"),
    path(f"{CLIENT}roadmap/optimise/", OptimiseView.as_view(), name="roadmap_optimise"),
    path(f"{CLIENT}roadmap/compare/", ScenarioCompare.as_view(), name="scenario_compare"),
    path(f"{CLIENT}roadmap/move/<int:pk>/", MoveView.as_view(), name="roadmap_move"),
    path(f"{CLIENT}scenarios/<int:pk>/", ScenarioDetail.as_view(), name="scenario_detail"),
    path(f"{CLIENT}scenarios/<int:pk>/apply/", ScenarioApply.as_view(), name="scenario_apply"),
    path(f"{CLIENT}scenarios/<int:pk>/undo/", ScenarioUndo.as_view(), name="scenario_undo"),
    path(
        f"{CLIENT}scenarios/<int:pk>/variant/", ScenarioVariant.as_view(), name="scenario_variant"
    ),
    path(f"{CLIENT}scenarios/<int:pk>/delete/", ScenarioDelete.as_view(), name="scenario_delete"),
]
