"""Fees (``/practice/fees/``), people's cost rates and capacity, and the practice's targets.

Fee history: owners, admins and consultants (for their clients, INTERNAL);
recording a change needs MANAGE on the client. People and targets are the
owners' and admins' only (403 to consultants and technicians, 404 to client roles).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.views import generic

from vcio.core.models import Membership
from vcio.core.roles import PRACTICE_ROLES, Perm
from vcio.core.scoping import require
from vcio.practice import access, fees
from vcio.practice.forms import FeeChangeForm, PersonRateForm, TargetsForm
from vcio.practice.models import PersonRate, Targets
from vcio.practice.views.page import PracticeAccessMixin


class FeesPage(PracticeAccessMixin, generic.TemplateView):
    template_name = "practice/fees.html"
    levels = (access.FULL, access.CONSULTANT)

    def clients(self):
        return access.economics_clients(self.request.user).order_by("name")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        clients = list(self.clients())
        found = fees.history([c.pk for c in clients])
        ctx["rows"] = [{"client": c, "changes": found.get(c.pk, [])} for c in clients]
        ctx.setdefault("form", FeeChangeForm(clients=self.clients()))
        return ctx

    def post(self, request, *args, **kwargs):
        form = FeeChangeForm(request.POST, clients=self.clients())
        if form.is_valid():
            data = form.cleaned_data
            require(request.user, Perm.MANAGE, data["client"])
            try:
                fees.record_fee_change(
                    data["client"],
                    data["monthly_fee"],
                    data["starts_on"],
                    data["note"],
                    request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, f"Fee of {data['client'].name} recorded.")
                return redirect("practice:fees")
        return self.render_to_response(self.get_context_data(form=form), status=400)


def practice_people():
    """Users holding a practice role (practice-wide or on a client), by username."""
    ids = Membership.objects.filter(role__in=PRACTICE_ROLES).values("user_id")
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("username")


class PeoplePage(PracticeAccessMixin, generic.TemplateView):
    template_name = "practice/people.html"
    levels = (access.FULL,)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        rates = {r.user_id: r for r in PersonRate.objects.all()}
        bad = kwargs.get("bad")
        ctx["people"] = [
            {
                "user": u,
                "form": bad[1]
                if bad and bad[0] == u.pk
                else PersonRateForm(instance=rates.get(u.pk), prefix=f"p{u.pk}"),
            }
            for u in practice_people()
        ]
        return ctx

    def post(self, request, *args, **kwargs):
        if not access.sees_margins(request.user) or access.access_for(request.user).read_only:
            raise PermissionDenied
        raw = request.POST.get("user", "")
        pk = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 18 else 0
        person = get_object_or_404(practice_people(), pk=pk)
        instance = PersonRate.objects.filter(user=person).first() or PersonRate(user=person)
        form = PersonRateForm(request.POST, instance=instance, prefix=f"p{person.pk}")
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(bad=(person.pk, form)), status=400)
        form.save()
        messages.success(request, f"Rate of {person.username} saved.")
        return redirect("practice:people")


class TargetsPage(PracticeAccessMixin, generic.UpdateView):
    template_name = "practice/targets.html"
    form_class = TargetsForm
    levels = (access.FULL,)

    def get_object(self, queryset=None) -> Targets:
        return Targets.current()

    def form_valid(self, form):
        form.save()
        messages.success(self.request, "Targets saved.")
        return redirect("practice:page")

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


urlpatterns = [
    path("practice/fees/", FeesPage.as_view(), name="fees"),
    path("practice/people/", PeoplePage.as_view(), name="people"),
    path("practice/targets/", TargetsPage.as_view(), name="targets"),
]
