"""A client's initiatives: the ranked list, one initiative's page, and its form.

The list ranks by the transparent score (``scoring.score_all``), which is
computed in Python, so the rows are sorted in Python too: a client has tens
of initiatives, not thousands. The actions on one initiative (status,
goals, dependencies, milestones, spend) are in ``initiative_parts``.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views import generic

from vcio.core.models import Client
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.core.views.base import (
    ClientMixin,
    ClientScopedCreateView,
    ClientScopedDeleteView,
    ClientScopedUpdateView,
)
from vcio.strategy import scoring, services
from vcio.strategy.forms.initiatives import (
    InitiativeFilter,
    InitiativeForm,
    LinkGoalForm,
    MilestoneForm,
    RequireForm,
    SpendForm,
    quarter_label,
)
from vcio.strategy.models import (
    BusinessGoal,
    Initiative,
    InitiativeGoal,
    InitiativeStatus,
    SpendEntry,
)
from vcio.strategy.views import CLIENT
from vcio.strategy.views.initiative_parts import transition_perms
from vcio.strategy.views.initiative_parts import urlpatterns as _parts

STATUS_ORDER = {s: i for i, s in enumerate(InitiativeStatus.values)}
# (header, ordering key or None, css class); "score" sorts best first by default.
COLUMNS = [
    ("Initiative", "title", ""),
    ("Category", "category", ""),
    ("Status", "status", ""),
    ("Score", "score", "num"),
    ("Capex", "capex", "num"),
    ("Opex / yr", "opex_per_year", "num"),
    ("Effort (days)", "effort_days", "num"),
    ("Quarters", "start_quarter", ""),
    ("Goals", None, ""),
]
# How each key sorts; None values (no quarter) always sort last.
SORT_KEYS = {
    "title": lambda r: r.initiative.title.lower(),
    "category": lambda r: r.initiative.category.lower(),
    "status": lambda r: STATUS_ORDER.get(r.initiative.status, 99),
    "score": lambda r: r.score.total if r.score else 0.0,
    "capex": lambda r: r.initiative.capex,
    "opex_per_year": lambda r: r.initiative.opex_per_year,
    "effort_days": lambda r: r.initiative.effort_days,
    "start_quarter": lambda r: r.initiative.start_quarter,
}
DEFAULT_ORDERING = "-score"
CSV_HEADER = [
    "title",
    "category",
    "status",
    "score",
    "capex",
    "opex_per_year",
    "effort_days",
    "start_quarter",
    "end_quarter",
    "mandatory",
    "locked",
    "alternative_group",
    "goals",
    "requires",
    "owner",
]
# A cell starting with one of these runs as a formula in a spreadsheet; titles are typed
# by people and copied from recommendations, so a crafted one must stay plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Row:
    """One initiative of the list with its score and its quarters as the client names them."""

    initiative: Initiative
    score: scoring.ScoreBreakdown | None
    start: str
    end: str


def client_goals(view: ClientMixin) -> QuerySet[BusinessGoal]:
    """The shown client's goals the user may see."""
    return BusinessGoal.objects.for_user(view.request.user).filter(client=view.client)


def client_initiatives(view: ClientMixin) -> QuerySet[Initiative]:
    """The shown client's initiatives the user may see."""
    return Initiative.objects.for_user(view.request.user).filter(client=view.client)


def sort_rows(rows: list[Row], ordering: str | None) -> tuple[list[Row], str]:
    """``rows`` sorted by ``ordering`` ("score", "-capex", …); returns the key used.

    Rows without a value for the key (no start quarter) go last either way;
    ties keep the title order.
    """
    key = ordering if ordering and ordering.lstrip("-") in SORT_KEYS else DEFAULT_ORDERING
    field, descending = key.lstrip("-"), key.startswith("-")
    value = SORT_KEYS[field]
    rows = sorted(rows, key=lambda r: r.initiative.title.lower())
    present = [r for r in rows if value(r) is not None]
    missing = [r for r in rows if value(r) is None]
    return sorted(present, key=value, reverse=descending) + missing, key


def sort_links(request: HttpRequest, current: str) -> list[dict[str, Any]]:
    """Column headers: each sortable one links to its order (reversed when already on it)."""
    headers = []
    for label, key, css in COLUMNS:
        header = {"label": label, "css": css, "url": None, "direction": None}
        if key is not None:
            params = request.GET.copy()
            if current.lstrip("-") == key:
                header["direction"] = "desc" if current.startswith("-") else "asc"
                params["ordering"] = key if current.startswith("-") else f"-{key}"
            else:
                # Money, effort and score read best as "largest first".
                params["ordering"] = f"-{key}" if css == "num" else key
            header["url"] = f"?{params.urlencode()}"
        headers.append(header)
    return headers


def ranked_rows(view: ClientMixin) -> tuple[InitiativeFilter, list[Row], str]:
    """The client's initiatives narrowed by the filters, scored and sorted.

    Returns the filterset (for the form), the rows and the sort key used.
    A fixed number of queries whatever the number of initiatives.
    """
    qs = (
        client_initiatives(view)
        .select_related("owner")
        .prefetch_related(
            Prefetch("goal_links", InitiativeGoal.objects.select_related("goal")),
            Prefetch("requires", Initiative.objects.only("id", "title")),
        )
    )
    filterset = InitiativeFilter(
        view.request.GET, queryset=qs, client=view.client, goals=client_goals(view)
    )
    scores = scoring.score_all(view.client.pk)
    rows = [
        Row(
            i,
            scores.get(i.pk),
            quarter_label(i.start_quarter, view.client),
            quarter_label(i.end_quarter, view.client),
        )
        for i in filterset.qs
    ]
    rows, key = sort_rows(rows, view.request.GET.get("ordering"))
    return filterset, rows, key


class InitiativeList(ClientMixin, generic.TemplateView):
    """The client's initiatives ranked by score, filtered, with totals of what is shown."""

    model = Initiative
    template_name = "strategy/initiative_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        filterset, rows, key = ranked_rows(self)
        ctx.update(
            filter=filterset,
            rows=rows,
            headers=sort_links(self.request, key),
            filtered=any(v for k, v in self.request.GET.items() if k != "ordering"),
            export_query=self.request.GET.urlencode(),
            totals={
                "capex": sum((r.initiative.capex for r in rows), Decimal(0)),
                "opex": sum((r.initiative.opex_per_year for r in rows), Decimal(0)),
                "effort": sum((r.initiative.effort_days for r in rows), Decimal(0)),
            },
        )
        return ctx


def csv_cell(value: object) -> object:
    """``value`` for a CSV cell; text a spreadsheet would run as a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


class InitiativeExport(ClientMixin, generic.View):
    """The filtered, sorted list as CSV, with the score and the quarter labels."""

    model = Initiative

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        _, rows, _ = ranked_rows(self)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{self.client.slug}-initiatives.csv"'
        )
        writer = csv.writer(response)
        writer.writerow(CSV_HEADER)
        for row in rows:
            i = row.initiative
            goals = "; ".join(f"{g.goal.title} ({g.contribution} %)" for g in i.goal_links.all())
            cells = [
                i.title,
                i.category,
                i.get_status_display(),
                f"{row.score.total:.1f}" if row.score else "",
                i.capex,
                i.opex_per_year,
                i.effort_days,
                row.start,
                row.end,
                "yes" if i.mandatory else "no",
                "yes" if i.locked else "no",
                i.alternative_group,
                goals,
                "; ".join(r.title for r in i.requires.all()),
                str(i.owner or ""),
            ]
            writer.writerow([csv_cell(c) for c in cells])
        return response


def evidence_items(evidence: Any) -> list[tuple[str, str]]:
    """The evidence JSON as (label, text) pairs a leader can read.

    Keys read as words ("earliest_end_of_support" → "Earliest end of support"),
    mappings as "a: 1, b: 2", and long lists of ids (which the evidence link
    already shows as rows) as their count.
    """
    if not isinstance(evidence, dict):
        return [("Evidence", json.dumps(evidence, default=str))] if evidence else []
    return [(_label(k), _text(v)) for k, v in evidence.items() if not _internal(k)]


def _internal(key: object) -> bool:
    """Bookkeeping a leader has no use for: record ids (the evidence link shows those
    rows) and the recommendation's key ("assets.replace.FY2027-Q2"), which initiatives
    promoted before it was dropped still carry."""
    text = str(key)
    return text == "recommendation_key" or text.endswith(("_id", "_ids"))


def _label(key: object) -> str:
    text = str(key).replace("_", " ").strip()
    if text.endswith(" ids"):
        text = text[:-4] + " (records)"
    return text[:1].upper() + text[1:]


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    if isinstance(value, list) and len(value) > 8:
        return f"{len(value)} records"
    return json.dumps(value, default=str)


def safe_link(url: str) -> str:
    """``url`` when it is a web or site-relative address, else "" (no javascript: links)."""
    return url if url.startswith(("http://", "https://", "/")) else ""


def plan_vs_actual(initiative: Initiative, spend: list[SpendEntry]) -> dict[str, Decimal]:
    """Planned first-year cost (capex + a year of opex) against the money spent so far.

    ``left`` is negative when the initiative is over its plan.
    """
    planned = initiative.capex + initiative.opex_per_year
    by_kind = {kind: Decimal(0) for kind in SpendEntry.Kind.values}
    for entry in spend:
        by_kind[entry.kind] = by_kind.get(entry.kind, Decimal(0)) + entry.amount
    actual = sum(by_kind.values(), Decimal(0))
    return {
        "planned": planned,
        "actual": actual,
        "capex": by_kind[SpendEntry.Kind.CAPEX],
        "opex": by_kind[SpendEntry.Kind.OPEX],
        "left": planned - actual,
    }


class InitiativeDetail(ClientMixin, generic.DetailView):
    """Everything about one initiative, with the forms to change its parts."""

    model = Initiative
    template_name = "strategy/initiative_detail.html"

    def get_object(self, queryset=None) -> Initiative:
        return get_for_user_or_404(
            client_initiatives(self).select_related("owner", "approved_by"),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        initiative: Initiative = self.object
        perms = ctx["client_perms"]
        spend = list(initiative.spend.all())
        milestones = list(initiative.milestones.all())
        allowed = services.allowed_transitions(initiative.status)
        ctx.update(
            initiative=initiative,
            start=quarter_label(initiative.start_quarter, self.client),
            end=quarter_label(initiative.end_quarter, self.client),
            score=scoring.score_all(self.client.pk).get(initiative.pk),
            goal_links=initiative.goal_links.select_related("goal"),
            requires=initiative.requires.all(),
            required_by=initiative.required_by.all(),
            milestones=milestones,
            milestones_done=sum(m.done for m in milestones),
            spend=spend,
            plan=plan_vs_actual(initiative, spend),
            evidence_link=safe_link(initiative.evidence_url),
            evidence=evidence_items(initiative.evidence),
            transitions=[
                (s, InitiativeStatus(s).label) for s in allowed if transition_perms(s) & perms
            ],
            # Approving is the client's decision: say so rather than hide it silently.
            awaits_client=InitiativeStatus.APPROVED in allowed and Perm.APPROVE not in perms,
            can_edit=Perm.EDIT in perms,
        )
        if ctx["can_edit"]:
            self.add_forms(ctx, initiative)
        return ctx

    def add_forms(self, ctx: dict[str, Any], initiative: Initiative) -> None:
        """The part forms, unbound unless the failed POST put its bound form in ``ctx``."""
        # Offer only what it does not require yet; the service still refuses cycles.
        others = client_initiatives(self).exclude(pk=initiative.pk).exclude(required_by=initiative)
        ctx.setdefault("link_goal_form", LinkGoalForm(client=self.client, goals=client_goals(self)))
        ctx.setdefault("require_form", RequireForm(client=self.client, others=others))
        ctx.setdefault("milestone_form", MilestoneForm())
        ctx.setdefault("spend_form", SpendForm())


def detail_response(
    request: HttpRequest, client: Client, initiative: Initiative, error: str, **forms: Any
) -> HttpResponse:
    """The initiative's page with ``error`` shown and any bound ``forms``: status 400.

    Used by the part actions when a service or a form refuses, so the user
    sees the reason on the page they acted from and nothing is saved.
    """
    view = InitiativeDetail()
    view.setup(request, client=client.slug, pk=initiative.pk)
    view.client = client
    view.object = get_for_user_or_404(
        Initiative.objects.filter(client=client).select_related("owner", "approved_by"),
        request.user,
        pk=initiative.pk,
    )
    ctx = view.get_context_data(object=view.object, error=error, **forms)
    return render(request, view.template_name, ctx, status=400)


class _InitiativeFormMixin:
    model = Initiative
    form_class = InitiativeForm
    template_name = "core/form.html"

    def get_success_url(self) -> str:
        return reverse(
            "strategy:initiative_detail", kwargs={"client": self.client.slug, "pk": self.object.pk}
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj = getattr(self, "object", None)
        ctx["cancel_url"] = (
            reverse("strategy:initiative_detail", kwargs={"client": self.client.slug, "pk": obj.pk})
            if obj is not None and obj.pk
            else reverse("strategy:initiative_list", kwargs={"client": self.client.slug})
        )
        return ctx


class InitiativeCreate(_InitiativeFormMixin, ClientScopedCreateView):
    pass


class InitiativeUpdate(_InitiativeFormMixin, ClientScopedUpdateView):
    pass


class InitiativeDelete(ClientScopedDeleteView):
    model = Initiative
    success_view = "strategy:initiative_list"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        needed_by = self.object.required_by.count()
        if needed_by:
            ctx["warning"] = (
                f"{needed_by} other initiative{'s' if needed_by != 1 else ''} require"
                f"{'' if needed_by != 1 else 's'} this one; the dependency goes with it."
            )
        return ctx


urlpatterns = [
    path(f"{CLIENT}initiatives/", InitiativeList.as_view(), name="initiative_list"),
    path(f"{CLIENT}initiatives.csv", InitiativeExport.as_view(), name="initiative_export"),
    path(f"{CLIENT}initiatives/new/", InitiativeCreate.as_view(), name="initiative_create"),
    path(f"{CLIENT}initiatives/<int:pk>/", InitiativeDetail.as_view(), name="initiative_detail"),
    path(
        f"{CLIENT}initiatives/<int:pk>/edit/", InitiativeUpdate.as_view(), name="initiative_update"
    ),
    path(
        f"{CLIENT}initiatives/<int:pk>/delete/",
        InitiativeDelete.as_view(),
        name="initiative_delete",
    ),
    *_parts,
]
