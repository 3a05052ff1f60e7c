"""A client's business goals and the KPIs that measure them.

A KPI is either entered by hand (values recorded here, kept day by day) or
bound to a live figure an app publishes (``core.registry.figures``): its
current value is computed for this one client when the page is shown, one
call per figure used, whatever the number of goals and KPIs.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.views import generic

from vcio.core import audit, charts
from vcio.core.models import Client
from vcio.core.registry import MONEY, Number, compute_figures, figures
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.core.views.base import (
    ClientMixin,
    ClientScopedCreateView,
    ClientScopedDeleteView,
    ClientScopedListView,
    ClientScopedUpdateView,
)
from vcio.strategy import kpis as kpi_logic
from vcio.strategy.forms.goals import GoalFilter, GoalForm, KpiForm, KpiValueForm
from vcio.strategy.kpis import FigureValues
from vcio.strategy.models import BusinessGoal, InitiativeGoal, Kpi, KpiValue
from vcio.strategy.views import CLIENT

# How many of a KPI's values the table beside its chart lists (latest first).
TABLE_ROWS = 24


def format_amount(value: Number | None, unit: str, currency: str) -> str:
    """``87.5`` with unit "%" → ``"87.5 %"``; money in the client's currency; ``None`` → "—"."""
    if value is None:
        return "—"
    text = f"{value:,.2f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if unit == MONEY:
        unit = currency
    return f"{text} {unit}".strip()


def live_values(client: Client, kpis: Iterable[Kpi]) -> FigureValues:
    """The live figures these KPIs are bound to, computed for this client only.

    One call per distinct figure, however many KPIs read it; a key that is no
    longer registered is skipped (its KPIs show no current value).
    """
    keys = sorted({k.figure_key for k in kpis if k.figure_key and k.figure_key in figures})
    return compute_figures([client.pk], keys) if keys else {}


def figure_label(kpi: Kpi) -> str:
    """The label of the figure a KPI reads ("" when entered by hand)."""
    if not kpi.figure_key:
        return ""
    if kpi.figure_key in figures:
        return figures.get(kpi.figure_key).label
    return f"{kpi.figure_key} (no longer published)"


@dataclass(frozen=True)
class KpiRow:
    """A KPI as a page shows it: its value now against its target."""

    kpi: Kpi
    value: Decimal | None
    value_text: str
    baseline_text: str
    target_text: str
    progress: float | None  # share 0–1 of the way from baseline to target
    figure_label: str
    standing: kpi_logic.Standing

    @property
    def percent(self) -> int | None:
        return None if self.progress is None else round(100 * self.progress)

    @property
    def expected_percent(self) -> int:
        return round(100 * self.standing.expected)


def kpi_row(kpi: Kpi, goal: BusinessGoal, values: FigureValues, currency: str) -> KpiRow:
    """``kpi`` (a KPI of ``goal``) with its current value (live or entered), formatted,
    its progress and whether it is on track along the goal's time line."""
    value = kpi_logic.current_value(kpi, values)
    at = kpi_logic.standing(
        value,
        kpi.baseline,
        kpi.target,
        kpi.unit,
        timezone.localdate(goal.created_at),
        goal.target_date,
        timezone.localdate(),
    )
    return KpiRow(
        kpi=kpi,
        value=value,
        value_text=format_amount(value, kpi.unit, currency),
        baseline_text=format_amount(kpi.baseline, kpi.unit, currency),
        target_text=format_amount(kpi.target, kpi.unit, currency),
        progress=at.progress,
        figure_label=figure_label(kpi),
        standing=at,
    )


def kpis_prefetch(user, *, with_values: bool = False) -> Prefetch:
    """A goal's KPIs, through the scoping path, in one query (and their values in one more)."""
    qs = Kpi.objects.for_user(user).order_by("name", "id")
    if with_values:
        qs = qs.prefetch_related(
            Prefetch("values", queryset=KpiValue.objects.for_user(user).order_by("at"))
        )
    return Prefetch("kpis", queryset=qs)


def goal_url(client: Client, pk: int) -> str:
    return reverse("strategy:goal_detail", kwargs={"client": client.slug, "pk": pk})


# Goals -------------------------------------------------------------------------


class GoalList(ClientScopedListView):
    """Every goal with its KPIs now against their targets, filtered by status."""

    model = BusinessGoal
    filterset_class = GoalFilter
    template_name = "strategy/goal_list.html"
    paginate_by = 25

    def base_queryset(self) -> QuerySet[BusinessGoal]:
        return (
            super()
            .base_queryset()
            .select_related("owner", "department")
            .annotate(initiative_count=Count("initiative_links", distinct=True))
            # An aggregate drops Meta.ordering; pages must not shuffle between requests.
            .order_by("-priority", "title", "id")
            .prefetch_related(kpis_prefetch(self.request.user))
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        goals = list(ctx["object_list"])
        values = live_values(self.client, (k for g in goals for k in g.kpis.all()))
        currency = self.client.currency
        ctx["goals"] = [
            (goal, [kpi_row(k, goal, values, currency) for k in goal.kpis.all()]) for goal in goals
        ]
        ctx["filtered"] = any(self.request.GET.get(k) for k in ("status", "priority", "q"))
        return ctx


@dataclass(frozen=True)
class HistoryRow:
    at: datetime.date
    value: Decimal
    value_text: str
    source: str


def kpi_history(kpi: Kpi, row: KpiRow, today: datetime.date, currency: str) -> list[HistoryRow]:
    """The KPI's recorded values, oldest first, plus today's live value if not yet recorded.

    A KPI bound to a figure is recorded once a day by the worker; showing
    today's live value too means a KPI added this morning already has a point.
    """
    history = [
        HistoryRow(
            v.at, v.value, format_amount(v.value, kpi.unit, currency), v.get_source_display()
        )
        for v in kpi.values.all()
    ]
    if kpi.is_bound and row.value is not None and (not history or history[-1].at < today):
        history.append(HistoryRow(today, row.value, row.value_text, "Live figure (now)"))
    return history


def kpi_chart(kpi: Kpi, history: list[HistoryRow], currency: str) -> str:
    """The KPI's values over time, its target as a dashed line."""
    return charts.line_chart(
        [h.at for h in history],
        [charts.Series(kpi.name, [h.value for h in history])],
        title=f"{kpi.name} over time",
        target=kpi.target,
        target_label="Target",
        value_format=lambda v: format_amount(v, kpi.unit, currency),
        height=220,
    )


class GoalDetail(ClientMixin, generic.DetailView):
    """A goal with each KPI charted against its target, and the initiatives serving it."""

    model = BusinessGoal
    template_name = "strategy/goal_detail.html"

    def get_object(self, queryset=None) -> BusinessGoal:
        qs = (
            BusinessGoal.objects.filter(client=self.client)
            .select_related("owner", "department")
            .prefetch_related(kpis_prefetch(self.request.user, with_values=True))
        )
        return get_for_user_or_404(qs, self.request.user, Perm.VIEW, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        goal, currency = self.object, self.client.currency
        values = live_values(self.client, goal.kpis.all())
        today = timezone.localdate()
        panels = []
        for kpi in goal.kpis.all():
            row = kpi_row(kpi, goal, values, currency)
            history = kpi_history(kpi, row, today, currency)
            panels.append(
                {
                    "row": row,
                    "chart": kpi_chart(kpi, history, currency) if history else "",
                    "table": history[::-1][:TABLE_ROWS],
                    "count": len(history),
                }
            )
        ctx["panels"] = panels
        ctx["links"] = (
            InitiativeGoal.objects.for_user(self.request.user)
            .filter(goal=goal)
            .select_related("initiative")
            .order_by("-contribution", "initiative__title", "pk")
        )
        ctx["today"] = today
        return ctx


class _GoalFormMixin:
    model = BusinessGoal
    form_class = GoalForm
    template_name = "strategy/goal_form.html"

    def get_success_url(self) -> str:
        return goal_url(self.client, self.object.pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if getattr(self, "object", None) is not None:
            ctx["cancel_url"] = goal_url(self.client, self.object.pk)
        else:
            ctx["cancel_url"] = reverse("strategy:goal_list", kwargs={"client": self.client.slug})
        return ctx


class GoalCreate(_GoalFormMixin, ClientScopedCreateView):
    pass


class GoalUpdate(_GoalFormMixin, ClientScopedUpdateView):
    pass


class GoalDelete(ClientScopedDeleteView):
    model = BusinessGoal
    success_view = "strategy:goal_list"
    template_name = "core/confirm_delete.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["warning"] = (
            "Its KPIs and their recorded values are deleted with it; the initiatives "
            "linked to it stay, without this goal."
        )
        ctx["cancel_url"] = goal_url(self.client, self.object.pk)
        return ctx


# KPIs --------------------------------------------------------------------------


def kpi_of(view: ClientMixin, perm: Perm) -> Kpi:
    """The KPI named by the URL's ``pk``, of this client only (404 otherwise)."""
    qs = Kpi.objects.filter(goal__client=view.client).select_related("goal")
    return get_for_user_or_404(qs, view.request.user, perm, pk=view.kwargs["pk"])


class _KpiFormMixin:
    form_class = KpiForm
    template_name = "strategy/kpi_form.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["figures"] = sorted(figures, key=lambda f: (f.app, f.label))
        return ctx


class KpiCreate(_KpiFormMixin, ClientScopedCreateView):
    """A new KPI for the goal in the URL."""

    model = BusinessGoal  # the route's pk is the goal's

    @cached_property
    def goal(self) -> BusinessGoal:
        return self.get_object()  # this client's goal, EDIT required, else 404/403

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["goal"] = self.goal
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = f"New KPI for “{self.goal}”"
        ctx["cancel_url"] = goal_url(self.client, self.goal.pk)
        return ctx

    def form_valid(self, form) -> HttpResponse:
        with transaction.atomic():
            self.object = form.save()
            audit.record_create(self.request.user, self.object)
        messages.success(self.request, f"KPI “{self.object}” added to “{self.goal}”.")
        return HttpResponseRedirect(goal_url(self.client, self.goal.pk))


class KpiUpdate(_KpiFormMixin, ClientScopedUpdateView):
    model = Kpi

    def get_object(self, queryset=None) -> Kpi:
        return kpi_of(self, Perm.EDIT)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["cancel_url"] = goal_url(self.client, self.object.goal_id)
        return ctx

    def get_success_url(self) -> str:
        return goal_url(self.client, self.object.goal_id)


class KpiDelete(ClientScopedDeleteView):
    model = Kpi
    template_name = "core/confirm_delete.html"

    def get_object(self, queryset=None) -> Kpi:
        return kpi_of(self, Perm.EDIT)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["warning"] = "Its recorded values are deleted with it."
        ctx["cancel_url"] = goal_url(self.client, self.object.goal_id)
        return ctx

    def get_success_url(self) -> str:
        return goal_url(self.client, self.object.goal_id)


class KpiRecord(ClientMixin, generic.FormView):
    """Enter a measured value of an entered KPI; a KPI read from a live figure refuses."""

    model = Kpi
    client_perm = Perm.EDIT
    form_class = KpiValueForm
    template_name = "strategy/kpi_record.html"

    def get(self, request, *args, **kwargs) -> HttpResponse:
        self.kpi = kpi_of(self, Perm.EDIT)
        if self.kpi.is_bound:
            return self.refuse()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs) -> HttpResponse:
        self.kpi = kpi_of(self, Perm.EDIT)
        if self.kpi.is_bound:
            return self.refuse()
        form = self.get_form()
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        at, value = form.cleaned_data["at"], form.cleaned_data["value"]
        try:
            self.save_value(at, value)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        shown = format_amount(value, self.kpi.unit, self.client.currency)
        messages.success(request, f"{self.kpi}: {shown} recorded for {at.isoformat()}.")
        return HttpResponseRedirect(goal_url(self.client, self.kpi.goal_id))

    def save_value(self, at: datetime.date, value: Decimal) -> KpiValue:
        """Record the value through ``kpis.record_value`` and audit it, in one transaction."""
        with transaction.atomic():
            existing = KpiValue.objects.filter(kpi=self.kpi, at=at).first()
            before = audit.snapshot(existing) if existing else None
            row = kpi_logic.record_value(self.kpi, value, at)
            if before is None:
                audit.record_create(self.request.user, row)
            else:
                audit.record_update(self.request.user, row, before)
        return row

    def refuse(self) -> HttpResponse:
        label = figure_label(self.kpi)
        refusal = (
            f"“{self.kpi}” is read from the live figure “{label}”: its values are recorded "
            f"every day from {self.client}'s data, not entered by hand."
        )
        return self.render_to_response(
            self.get_context_data(refusal=refusal, form=None), status=400
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["kpi"] = self.kpi
        ctx["title"] = f"Record a value of “{self.kpi}”"
        ctx["cancel_url"] = goal_url(self.client, self.kpi.goal_id)
        return ctx


urlpatterns = [
    path(f"{CLIENT}goals/", GoalList.as_view(), name="goal_list"),
    path(f"{CLIENT}goals/new/", GoalCreate.as_view(), name="goal_create"),
    path(f"{CLIENT}goals/<int:pk>/", GoalDetail.as_view(), name="goal_detail"),
    path(f"{CLIENT}goals/<int:pk>/edit/", GoalUpdate.as_view(), name="goal_update"),
    path(f"{CLIENT}goals/<int:pk>/delete/", GoalDelete.as_view(), name="goal_delete"),
    path(f"{CLIENT}goals/<int:pk>/kpis/new/", KpiCreate.as_view(), name="kpi_create"),
    path(f"{CLIENT}kpis/<int:pk>/edit/", KpiUpdate.as_view(), name="kpi_update"),
    path(f"{CLIENT}kpis/<int:pk>/delete/", KpiDelete.as_view(), name="kpi_delete"),
    path(f"{CLIENT}kpis/<int:pk>/record/", KpiRecord.as_view(), name="kpi_record"),
]
