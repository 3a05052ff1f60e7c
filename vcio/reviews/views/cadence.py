"""A client's review cadence: which days, who attends, when reminders go out.

Everyone who sees the client sees the schedule; only those who may edit
the client's records change it. A client without a saved cadence follows
the defaults (monthly on the 10th, QBR on the 15th of each fiscal quarter's
first month), shown as such.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.views import generic

from vcio.core import audit
from vcio.core.access import access_for
from vcio.core.fiscal import add_months
from vcio.core.roles import Perm
from vcio.core.scoping import require
from vcio.core.views.base import ClientMixin
from vcio.reviews import cadence, services
from vcio.reviews.forms import CadenceForm
from vcio.reviews.models import ReviewCadence
from vcio.reviews.views import CLIENT

# How many of the coming reviews the page lists.
UPCOMING = 6


def cadence_of(client, user) -> ReviewCadence:
    """The client's saved cadence, or an unsaved one with the defaults."""
    saved = ReviewCadence.objects.for_user(user).filter(client=client).first()
    return saved or ReviewCadence(client=client)


def upcoming(client, rule: ReviewCadence, today) -> list[cadence.DueReview]:
    """The next reviews the cadence asks for, from today, in date order."""
    found = cadence.due_in(rule, client.fiscal_year_start_month, today, add_months(today, 12))
    return found[:UPCOMING]


class CadencePage(ClientMixin, generic.FormView):
    """The cadence form (for editors) and the next reviews it schedules."""

    model = ReviewCadence
    write_perm = Perm.PLAN
    form_class = CadenceForm
    template_name = "reviews/cadence.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        self.rule = cadence_of(self.client, self.request.user)
        kwargs = super().get_form_kwargs()
        kwargs.update(client=self.client, user=self.request.user, instance=self.rule)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        today = services.client_today(self.client)
        # The schedule shown is the saved one, even while a bad form is shown again.
        saved = cadence_of(self.client, self.request.user)
        ctx["upcoming"] = upcoming(self.client, saved, today)
        ctx["is_saved"] = saved.pk is not None
        ctx["attendees"] = list(saved.attendees.all()) if saved.pk else []
        ctx["can_edit"] = access_for(self.request.user).can(Perm.PLAN, self.client.pk)
        return ctx

    def post(self, request, *args, **kwargs) -> HttpResponse:
        require(request.user, Perm.PLAN, self.client)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: CadenceForm) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form: CadenceForm) -> HttpResponse:
        creating = self.rule.pk is None
        before = None if creating else audit.snapshot(self.rule)
        with transaction.atomic():
            rule = form.save()
            if creating:
                audit.record_create(self.request.user, rule)
            else:
                audit.record_update(self.request.user, rule, before)
        messages.success(self.request, f"Review cadence of {self.client} saved.")
        return HttpResponseRedirect(reverse("reviews:cadence", kwargs={"client": self.client.slug}))


urlpatterns = [
    path(f"{CLIENT}cadence/", CadencePage.as_view(), name="cadence"),
]
