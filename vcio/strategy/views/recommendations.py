"""A client's recommendations: the evidence, and the one-click decisions on it.

Apps generate recommendations (``vcio.strategy.recommend``); here a
consultant reads why each one is proposed, follows the link to its
evidence, and either makes it an initiative (the evidence travels with it)
or dismisses it with a reason. Executives see the same list read-only.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, QuerySet, Value, When
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from vcio.core import audit
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.core.views.base import ClientScopedListView
from vcio.strategy import recommend
from vcio.strategy.forms.recommendations import DismissForm, RecommendationFilter
from vcio.strategy.models import Recommendation, RecommendationStatus
from vcio.strategy.views import CLIENT

Status = RecommendationStatus


def error_text(exc: ValidationError) -> str:
    """A service's refusal as one sentence for the page."""
    return " ".join(exc.messages)


class RecommendationList(ClientScopedListView):
    """Open recommendations first, then the decided ones, each with its evidence."""

    model = Recommendation
    template_name = "strategy/recommendation_list.html"
    paginate_by = 50

    def base_queryset(self) -> QuerySet[Recommendation]:
        return super().base_queryset().select_related("initiative", "dismissed_by")

    def get_queryset(self) -> QuerySet[Recommendation]:
        qs = self.base_queryset()
        self.status_counts = dict(
            qs.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
        )
        sources = sorted(set(qs.order_by().values_list("source_app", flat=True).distinct()) - {""})
        self.filterset = RecommendationFilter(
            self.request.GET, queryset=qs, request=self.request, sources=sources
        )
        # Undecided ones first, the soonest due at the top; undated ones after the dated.
        return self.filterset.qs.annotate(
            decided=Case(
                When(status=Status.OPEN, then=Value(0)), default=1, output_field=IntegerField()
            )
        ).order_by("decided", F("due_date").asc(nulls_last=True), "id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["status_counts"] = [
            (value, label, self.status_counts.get(value, 0)) for value, label in Status.choices
        ]
        ctx["can_edit"] = Perm.PLAN in ctx["client_perms"]
        ctx.setdefault("error", "")
        ctx.setdefault("error_for", None)
        ctx.setdefault("reason", "")
        return ctx


class _RecommendationAction(RecommendationList):
    """A POST on one recommendation; a refusal re-renders the list with status 400."""

    client_perm = Perm.PLAN
    http_method_names = ["post"]

    def get_recommendation(self) -> Recommendation:
        return get_for_user_or_404(
            Recommendation.objects.filter(client=self.client),
            self.request.user,
            Perm.EDIT,
            pk=self.kwargs["pk"],
        )

    def refuse(self, message: str, rec: Recommendation | None = None, **extra) -> HttpResponse:
        """The list page with ``message`` shown (beside ``rec`` when given), status 400."""
        self.object_list = self.get_queryset()
        ctx = self.get_context_data(error=message, error_for=rec.pk if rec else None, **extra)
        return self.render_to_response(ctx, status=400)

    def list_url(self) -> str:
        return reverse("strategy:recommendation_list", kwargs={"client": self.client.slug})


class RecommendationPromote(_RecommendationAction):
    """Makes an open recommendation a proposed initiative that keeps its evidence."""

    def post(self, request, *args, **kwargs) -> HttpResponse:
        rec = self.get_recommendation()
        before = audit.snapshot(rec)
        try:
            with transaction.atomic():
                initiative = recommend.promote(rec, request.user)
                audit.record_create(request.user, initiative)
                audit.record_update(request.user, rec, before)
        except ValidationError as exc:
            return self.refuse(error_text(exc), rec)
        messages.success(
            request,
            format_html(
                "Initiative “{}” created from the recommendation, with its costs, due date "
                'and evidence. Link it to the goals it serves below. <a href="{}">Back to the '
                "recommendations</a>",
                initiative.title,
                self.list_url(),
            ),
        )
        # Straight to the new initiative: linking it to goals is the next step.
        return HttpResponseRedirect(
            reverse(
                "strategy:initiative_detail",
                kwargs={"client": self.client.slug, "pk": initiative.pk},
            )
        )


class RecommendationDismiss(_RecommendationAction):
    """Dismisses an open recommendation; the reason is required and kept."""

    def post(self, request, *args, **kwargs) -> HttpResponse:
        rec = self.get_recommendation()
        form = DismissForm(request.POST)
        if not form.is_valid():
            return self.refuse(f"“{rec.title}”: {' '.join(form.errors['reason'])}", rec)
        before = audit.snapshot(rec)
        try:
            with transaction.atomic():
                recommend.dismiss(rec, request.user, form.cleaned_data["reason"])
                audit.record_update(request.user, rec, before)
        except ValidationError as exc:
            return self.refuse(error_text(exc), rec, reason=form.cleaned_data["reason"])
        messages.success(request, f"“{rec.title}” dismissed: {rec.dismissed_reason}")
        return HttpResponseRedirect(self.list_url())


class RecommendationSync(_RecommendationAction):
    """Runs every app's generators for this client now instead of at the next hourly run."""

    def post(self, request, *args, **kwargs) -> HttpResponse:
        result = recommend.sync_recommendations([self.client.pk])
        messages.success(
            request,
            f"Recommendations refreshed: {result.created} created, {result.updated} updated, "
            f"{result.resolved} resolved (no longer found)"
            + (f", {result.reopened} reopened." if result.reopened else "."),
        )
        return HttpResponseRedirect(self.list_url())


urlpatterns = [
    path(
        f"{CLIENT}recommendations/",
        RecommendationList.as_view(),
        name="recommendation_list",
    ),
    path(
        f"{CLIENT}recommendations/refresh/",
        RecommendationSync.as_view(),
        name="recommendation_sync",
    ),
    path(
        f"{CLIENT}recommendations/<int:pk>/promote/",
        RecommendationPromote.as_view(),
        name="recommendation_promote",
    ),
    path(
        f"{CLIENT}recommendations/<int:pk>/dismiss/",
        RecommendationDismiss.as_view(),
        name="recommendation_dismiss",
    ),
]
