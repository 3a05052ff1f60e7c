"""The client portal: a client's leaders read their overview, roadmap, reviews and reports.

Every query goes through ``for_user``/``get_for_user_or_404``, so a user
sees only clients they belong to (another client's pages answer 404).
Practice staff may open the portal to preview it. Nothing here reads the
practice's internal notes: the portal shows the same page to everybody.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View, generic

from vcio.core.access import access_for
from vcio.core.fiscal import quarter_of
from vcio.core.models import Client
from vcio.core.registry import portal_tabs
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.core.views.base import ClientMixin
from vcio.reviews import cadence, reports
from vcio.reviews.health import health_of
from vcio.reviews.models import ActionItem, ActionItemStatus, Decision, Review, ReviewStatus
from vcio.reviews.portal.decide import decide
from vcio.reviews.services import client_today
from vcio.strategy.models import Initiative, InitiativeStatus

PORTAL_TABS = (
    ("overview", "Overview", "portal:overview"),
    ("roadmap", "Roadmap", "portal:roadmap"),
    ("reviews", "Reviews and reports", "portal:review_list"),
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The clients the user belongs to; straight to the client when there is one."""
    clients = list(Client.objects.for_user(request.user).filter(is_active=True))
    if len(clients) == 1:
        return redirect("portal:overview", client=clients[0].slug)
    return render(request, "reviews/portal/home.html", {"clients": clients})


class PortalMixin(ClientMixin):
    """A portal page of one client: the client, its portal tabs, and whether it is a preview."""

    tab = "overview"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        # The portal's own tabs, then those apps add (standards...), in their order.
        tabs = [*PORTAL_TABS, *((t.key, t.label, t.url_name) for t in sorted(
            portal_tabs, key=lambda t: t.order))]  # fmt: skip
        ctx["portal_tabs"] = [
            {
                "label": label,
                "url": reverse(name, kwargs={"client": self.client.slug}),
                "current": key == self.tab,
            }
            for key, label, name in tabs
        ]
        # Practice staff see the portal as the client does, with a banner saying so.
        ctx["is_preview"] = Perm.INTERNAL in access_for(self.request.user).perms_for(self.client.pk)
        return ctx

    def final_reviews(self):
        return Review.objects.for_user(self.request.user).filter(
            client=self.client, status=ReviewStatus.FINALISED
        )


class Overview(PortalMixin, generic.TemplateView):
    template_name = "reviews/portal/overview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        schedule = cadence.schedules([self.client], client_today(self.client))[self.client.pk]
        ctx["health"] = health_of([self.client.pk])[self.client.pk]
        ctx["schedule"] = schedule
        ctx["latest"] = self.final_reviews().order_by("-period_end", "-finalised_at").first()
        ctx["action_items"] = list(
            ActionItem.objects.for_user(self.request.user).filter(
                client=self.client, status=ActionItemStatus.OPEN
            )
        )
        return ctx


def quarter_groups(initiatives: list[Initiative], fiscal_month: int) -> list[dict[str, Any]]:
    """Initiatives grouped by the fiscal quarter they start in, unscheduled ones last.

    Each group: ``label``, ``initiatives``, ``capex`` and ``opex`` (yearly)
    totals in the client's currency.
    """
    groups: dict[Any, list[Initiative]] = defaultdict(list)
    for initiative in initiatives:
        start = initiative.start_quarter
        groups[quarter_of(start, fiscal_month) if start else None].append(initiative)
    ordered = sorted((q for q in groups if q is not None), key=lambda q: q.start)
    if None in groups:
        ordered.append(None)
    return [
        {
            "label": q.label if q else "Not scheduled yet",
            "initiatives": groups[q],
            "capex": sum(i.capex for i in groups[q]),
            "opex": sum(i.opex_per_year for i in groups[q]),
        }
        for q in ordered
    ]


class Roadmap(PortalMixin, generic.TemplateView):
    template_name = "reviews/portal/roadmap.html"
    tab = "roadmap"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        initiatives = list(
            Initiative.objects.for_user(user)
            .filter(client=self.client)
            .select_related("approved_by")
            .order_by(F("start_quarter").asc(nulls_last=True), "title", "id")
        )
        latest: dict[int, Decision] = {}
        for decision in (
            Decision.objects.for_user(user)
            .filter(client=self.client, initiative__isnull=False)
            .select_related("decided_by")
            .order_by("decided_at", "id")
        ):
            latest[decision.initiative_id] = decision  # the last one wins
        for initiative in initiatives:
            initiative.last_decision = latest.get(initiative.pk)
        ctx["groups"] = quarter_groups(initiatives, self.client.fiscal_year_start_month)
        ctx["can_approve"] = access_for(user).can(Perm.APPROVE, self.client.pk)
        ctx["proposed"] = InitiativeStatus.PROPOSED
        return ctx


class Decide(PortalMixin, View):
    """POST approve/decline on one initiative: recorded with who and when, applied at once."""

    model = Initiative
    write_perm = Perm.APPROVE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, client: str, pk: int) -> HttpResponse:
        initiative = get_for_user_or_404(
            Initiative.objects.filter(client=self.client), request.user, Perm.APPROVE, pk=pk
        )
        kind = request.POST.get("decision", "")
        try:
            decision = decide(initiative, kind, request.user, request.POST.get("note", ""))
        except ValidationError as exc:
            return render(
                request,
                "reviews/portal/refused.html",
                {"client": self.client, "initiative": initiative, "errors": exc.messages},
                status=400,
            )
        messages.success(request, decision.outcome)
        url = reverse("portal:roadmap", kwargs={"client": self.client.slug})
        return HttpResponseRedirect(f"{url}#initiative-{initiative.pk}")


class ReviewList(PortalMixin, generic.TemplateView):
    template_name = "reviews/portal/review_list.html"
    tab = "reviews"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["reviews"] = list(self.final_reviews().order_by("-period_end", "kind"))
        return ctx


class FinalReviewMixin(PortalMixin):
    """A page of one finalised review; a draft or another client's review is a 404."""

    model = Review
    tab = "reviews"

    def get_review(self) -> Review:
        return get_for_user_or_404(self.final_reviews(), self.request.user, pk=self.kwargs["pk"])


class ReviewDetail(FinalReviewMixin, generic.TemplateView):
    template_name = "reviews/portal/review_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        review = self.get_review()
        snap = review.snapshot or {}
        ctx["review"] = review
        ctx["summary"] = snap.get("summary", review.summary)
        ctx["health"] = snap.get("health", {})
        ctx["changes"] = reports.grouped_changes(snap.get("changes", []))
        ctx["decisions"] = snap.get("decisions", [])
        ctx["action_items"] = snap.get("action_items", [])
        return ctx


class ReviewReport(FinalReviewMixin, View):
    """The stored report as its own HTML page (the same document the PDF is printed from)."""

    def get(self, request: HttpRequest, client: str, pk: int) -> HttpResponse:
        review = self.get_review()
        return HttpResponse(reports.report_of(review, request.user))


class ReviewPdf(FinalReviewMixin, View):
    def get(self, request: HttpRequest, client: str, pk: int) -> HttpResponse:
        review = self.get_review()
        response = HttpResponse(
            reports.pdf_bytes(reports.report_of(review, request.user)),
            content_type="application/pdf",
        )
        name = f"{self.client.slug}-{review.kind}-{review.period_end:%Y-%m-%d}.pdf"
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response
