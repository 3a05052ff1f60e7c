"""A review's page and what a consultant does on it: start the meeting, edit, finalise.

The page shows the review as it would be stored if finalised now (live
figures for a draft, the stored snapshot once finalised). Every write posts
to its own address, goes through :mod:`vcio.reviews.services` and comes back
to the page; a refusal shows the page again as a 400 with the reason, and
nothing is changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path
from django.views import generic

from vcio.core.access import access_for
from vcio.core.roles import Perm
from vcio.core.views.base import ClientMixin
from vcio.reviews import reports, services
from vcio.reviews.forms import ActionItemForm, DecisionForm, NotesForm, SummaryForm
from vcio.reviews.models import ActionItem, Decision, Review
from vcio.reviews.snapshot import interim_text
from vcio.reviews.views import CLIENT, message_of, review_of


class Invalid(Exception):
    """A form of the page was filled wrongly: show the page again with it (400)."""

    def __init__(self, **forms: Any) -> None:
        super().__init__("invalid form")
        self.forms = forms


def decision_form(review: Review, user: Any, data: Any = None) -> DecisionForm:
    # The instance carries the client so the model's own checks compare against it.
    return DecisionForm(
        data, client=review.client, user=user, instance=Decision(client=review.client)
    )


def action_item_form(review: Review, data: Any = None) -> ActionItemForm:
    return ActionItemForm(data, instance=ActionItem(client=review.client))


class ReviewPage(ClientMixin, generic.TemplateView):
    """Status, summary, health, what changed, decisions and the agenda of one review."""

    model = Review
    template_name = "reviews/review_detail.html"
    review_kwarg = "pk"
    review: Review

    def get(self, request, *args, **kwargs) -> HttpResponse:
        self.review = review_of(self, Perm.VIEW, kwargs[self.review_kwarg])
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        review, user = self.review, self.request.user
        perms = access_for(user).perms_for(self.client.pk)
        snap = services.report_snapshot(review)
        ctx.update(
            review=review,
            snap=snap,
            health=snap.get("health", {}),
            health_chart=reports.health_chart(
                reports.health_trend(review, snap.get("health", {}).get("score"))
            ),
            changes=reports.grouped_changes(snap.get("changes", [])),
            decisions=list(
                review.decisions.select_related("initiative").order_by("decided_at", "id")
            ),
            action_items=services.agenda_items(review),
            can_edit=Perm.EDIT in perms and not review.is_final,
            can_internal=Perm.INTERNAL in perms,
            today=services.client_today(self.client),
        )
        ctx.setdefault(
            "summary_form",
            SummaryForm(initial={"summary": review.summary, "meeting_date": review.meeting_date}),
        )
        if ctx["can_internal"]:
            ctx.setdefault(
                "notes_form", NotesForm(initial={"internal_notes": review.internal_notes})
            )
        ctx.setdefault("decision_form", decision_form(review, user))
        ctx.setdefault("action_item_form", action_item_form(review))
        return ctx


class ReviewAction(ReviewPage):
    """A POST that changes the review; subclasses say what in :meth:`act`."""

    http_method_names = ["post"]
    perm = Perm.EDIT
    anchor = ""

    def post(self, request, *args, **kwargs) -> HttpResponse:
        self.review = review_of(self, self.perm, kwargs[self.review_kwarg])
        try:
            done = self.act()
        except Invalid as bad:
            return self.render_to_response(self.get_context_data(**bad.forms), status=400)
        except ValidationError as exc:
            return self.render_to_response(self.get_context_data(error=message_of(exc)), status=400)
        messages.success(request, done)
        return HttpResponseRedirect(self.review.get_absolute_url() + self.anchor)

    def act(self) -> str:
        """Do the change through the services; returns the message the user reads."""
        raise NotImplementedError


class ReviewStart(ReviewAction):
    def act(self) -> str:
        services.start_meeting(self.review, self.request.user)
        return f"The meeting on the {self.review} has started."


class ReviewFinalise(ReviewAction):
    """GET: the confirmation step; POST: finalise, apply decisions, store the report."""

    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs) -> HttpResponse:
        self.review = review_of(self, Perm.EDIT, kwargs["pk"])
        ctx = super().get_context_data()
        if self.review.is_final:
            try:
                services.guard_editable(self.review)
            except ValidationError as exc:
                ctx["error"] = message_of(exc)
        else:
            # Finalising before the period ends makes an interim review: say so first.
            review = self.review
            ctx["as_of"] = services.review_day(review)
            ctx["interim"] = interim_text(review.period_start, ctx["as_of"], review.period_end)
        return self.response_class(
            request=request,
            template=["reviews/finalise_confirm.html"],
            context=ctx,
            using=self.template_engine,
        )

    def act(self) -> str:
        self.review = services.finalise(self.review, self.request.user)
        return f"The {self.review} is finalised: its report is stored and its decisions applied."


class ReviewSummary(ReviewAction):
    anchor = "#summary"

    def act(self) -> str:
        form = SummaryForm(self.request.POST)
        if not form.is_valid():
            raise Invalid(summary_form=form)
        services.update_review(self.review, self.request.user, **form.cleaned_data)
        return "Executive summary saved."


class ReviewNotes(ReviewAction):
    """The practice's internal notes: only users who may read them may write them."""

    anchor = "#internal-notes"

    def act(self) -> str:
        if not access_for(self.request.user).can(Perm.INTERNAL, self.client.pk):
            raise PermissionDenied("You may not read nor write the practice's internal notes.")
        form = NotesForm(self.request.POST)
        if not form.is_valid():
            raise Invalid(notes_form=form)
        services.update_review(self.review, self.request.user, **form.cleaned_data)
        return "Internal notes saved."


urlpatterns = [
    path(f"{CLIENT}<int:pk>/", ReviewPage.as_view(), name="review_detail"),
    path(f"{CLIENT}<int:pk>/start/", ReviewStart.as_view(), name="review_start"),
    path(f"{CLIENT}<int:pk>/finalise/", ReviewFinalise.as_view(), name="review_finalise"),
    path(f"{CLIENT}<int:pk>/summary/", ReviewSummary.as_view(), name="review_summary"),
    path(f"{CLIENT}<int:pk>/notes/", ReviewNotes.as_view(), name="review_notes"),
]
