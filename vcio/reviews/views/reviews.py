"""A client's reviews: the list, the next one due by the cadence, and new reviews.

The list reads neither snapshots nor stored reports (they can be large):
the period label is computed from the dates, as the snapshot computed it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path
from django.views import generic

from vcio.core.roles import Perm
from vcio.core.views.base import ClientMixin, ClientScopedListView
from vcio.reviews import cadence, services
from vcio.reviews.filters import ReviewFilter
from vcio.reviews.forms import NewReviewForm
from vcio.reviews.models import Review, ReviewKind
from vcio.reviews.snapshot import period_label
from vcio.reviews.views import CLIENT, list_url, message_of


class ReviewList(ClientScopedListView):
    """Every review of the client, newest first, with the next due and the overdue ones."""

    model = Review
    filterset_class = ReviewFilter
    template_name = "reviews/review_list.html"
    paginate_by = 25

    def base_queryset(self) -> QuerySet[Review]:
        return super().base_queryset().defer("snapshot", "report_html", "report_html_without_fee")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        month = self.client.fiscal_year_start_month
        ctx["rows"] = [
            (r, period_label(r.kind, r.period_start, r.period_end, month))
            for r in ctx["object_list"]
        ]
        today = services.client_today(self.client)
        schedule = cadence.schedules([self.client], today)[self.client.pk]
        ctx["schedule"] = schedule
        ctx["overdue"] = self.with_reviews(schedule.overdue)
        ctx["next_due"] = self.with_reviews([schedule.next_due] if schedule.next_due else [])
        ctx["today"] = today
        ctx.setdefault("form", NewReviewForm(client=self.client))
        return ctx

    def with_reviews(self, due: list[cadence.DueReview]) -> list[dict[str, Any]]:
        """Each due review with the draft already prepared for it, if any (one query)."""
        prepared = {
            (r.kind, r.period_start): r
            for r in Review.objects.for_user(self.request.user)
            .filter(client=self.client, period_start__in=[d.period_start for d in due])
            .only("id", "kind", "period_start", "client_id")
        }
        return [{"due": d, "review": prepared.get((d.kind, d.period_start))} for d in due]


class ReviewCreate(ClientMixin, generic.FormView):
    """A review of any period; an overlap with another of the same kind is a 400 naming it."""

    client_perm = Perm.PLAN
    form_class = NewReviewForm
    template_name = "reviews/review_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["client"] = self.client
        return kwargs

    def form_invalid(self, form: NewReviewForm) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form: NewReviewForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            review = services.create_review(
                self.client,
                data["kind"],
                data["period_start"],
                data["period_end"],
                self.request.user,
                meeting_date=data["meeting_date"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"The {review} is ready to prepare.")
        return HttpResponseRedirect(review.get_absolute_url())


class ReviewPrepare(ClientMixin, generic.TemplateView):
    """Create the review the cadence says is due (the next one, or an overdue one)."""

    client_perm = Perm.PLAN
    http_method_names = ["post"]
    template_name = "core/refused.html"

    def post(self, request, *args, **kwargs) -> HttpResponse:
        today = services.client_today(self.client)
        schedule = cadence.schedules([self.client], today)[self.client.pk]
        due = [d for d in [schedule.next_due, *schedule.overdue] if d is not None]
        wanted = (request.POST.get("kind", ""), request.POST.get("due_on", ""))
        match = next((d for d in due if (d.kind, d.due_on.isoformat()) == wanted), None)
        if match is None:
            kind = dict(ReviewKind.choices).get(wanted[0], "review").lower()
            return self.refuse(
                f"No {kind} is due on {wanted[1] or 'that day'} for "
                f"{self.client}: choose one from the list of due reviews."
            )
        try:
            review = services.create_due_review(self.client, match, request.user)
        except ValidationError as exc:
            return self.refuse(message_of(exc))
        messages.success(request, f"The {review} is ready to prepare.")
        return HttpResponseRedirect(review.get_absolute_url())

    def refuse(self, message: str) -> HttpResponse:
        back = list_url(self.client.slug)
        return self.render_to_response(
            self.get_context_data(message=message, back=back), status=400
        )


urlpatterns = [
    path(CLIENT, ReviewList.as_view(), name="review_list"),
    path(f"{CLIENT}new/", ReviewCreate.as_view(), name="review_create"),
    path(f"{CLIENT}prepare/", ReviewPrepare.as_view(), name="review_prepare"),
]
