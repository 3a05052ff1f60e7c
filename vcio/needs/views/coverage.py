"""The coverage matrix page: ``/clients/<client>/coverage/``.

The client's departments × goals, needs, initiatives, spend, devices,
tickets and survey answers (whatever apps register as coverage columns),
with the departments left out highlighted and why. Anyone who may view the
client reads it; see :mod:`vcio.needs.coverage_matrix` for the rules.
"""

from __future__ import annotations

from django.urls import path
from django.views import generic

from vcio.core.views.base import ClientMixin
from vcio.needs.coverage_matrix import coverage_matrix


class CoverageView(ClientMixin, generic.TemplateView):
    """Departments × what each app knows of them; the left-out ones first to the eye."""

    template_name = "needs/coverage.html"
    tab = "coverage"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["matrix"] = coverage_matrix(self.client)
        return ctx


urlpatterns = [
    path("clients/<slug:client>/coverage/", CoverageView.as_view(), name="coverage"),
]
