"""Goal changes re-plan: ``/clients/<client>/roadmap/replan/``.

Shows what the roadmap would become now that goals changed since the
applied scenario (see :mod:`vcio.strategy.replan`): moves with the goal
change behind each, spend per fiscal quarter and year. Anyone who may view
the roadmap reads it (the client's leaders should see what their goal
changes imply); saving the re-optimised plan as a scenario is the CIO's
planning (PLAN), and applying it is then the usual confirmed step.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.views import generic

from vcio.core.access import access_for
from vcio.core.roles import Perm
from vcio.core.views.base import ClientMixin
from vcio.strategy import replan
from vcio.strategy.views import CLIENT


class ReplanView(ClientMixin, generic.TemplateView):
    """The current plan beside a re-optimised one; POST saves it as a scenario (not applied)."""

    template_name = "strategy/replan.html"
    write_perm = Perm.PLAN
    tab = "roadmap"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["r"] = replan.replan(self.client)
        return ctx

    def post(self, request, *args, **kwargs) -> HttpResponse:
        try:
            scenario = replan.save_replan(self.client, request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(request.path)
        messages.success(
            request,
            f"Scenario “{scenario.name}” saved. Nothing has moved yet: "
            "check the moves, then apply.",
        )
        may_apply = Perm.EDIT in access_for(request.user).perms_for(self.client.pk)
        name = "strategy:scenario_apply" if may_apply else "strategy:scenario_detail"
        return HttpResponseRedirect(reverse(name, args=[self.client.slug, scenario.pk]))


urlpatterns = [
    path(f"{CLIENT}roadmap/replan/", ReplanView.as_view(), name="replan"),
]
