"""Monitor forms and the "Check now" button of the service page."""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path
from django.views import generic

from vcio.availability import on_demand
from vcio.availability.forms import MonitorForm
from vcio.availability.models import BusinessService, Monitor
from vcio.availability.views import CLIENT
from vcio.availability.views.common import InAvailabilityTab, service_url
from vcio.availability.views.services import service_of
from vcio.core import audit
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.core.views.base import (
    ClientMixin,
    ClientScopedCreateView,
    ClientScopedDeleteView,
    ClientScopedUpdateView,
)


def monitor_of(view: ClientMixin, perm: Perm) -> Monitor:
    """The monitor named by the URL's ``pk``, of this client only (404 otherwise)."""
    qs = Monitor.objects.filter(service__client=view.client).select_related("service")
    return get_for_user_or_404(qs, view.request.user, perm, pk=view.kwargs["pk"])


class _MonitorFormMixin(InAvailabilityTab):
    form_class = MonitorForm
    template_name = "core/form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["service"] = self.service
        return kwargs

    def get_success_url(self) -> str:
        return service_url(self.service, self.client.slug)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["cancel_url"] = service_url(self.service, self.client.slug)
        return ctx


class MonitorCreate(_MonitorFormMixin, ClientScopedCreateView):
    """A new monitor of the service in the URL."""

    model = BusinessService  # the route's pk is the service's

    @cached_property
    def service(self) -> BusinessService:
        return service_of(self, Perm.EDIT)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = f"New monitor of “{self.service}”"
        return ctx

    def form_valid(self, form) -> HttpResponse:
        with transaction.atomic():
            self.object = form.save()
            audit.record_create(self.request.user, self.object)
        messages.success(
            self.request,
            f"Monitor “{self.object}” added to “{self.service}”: use Check now for a first result.",
        )
        return HttpResponseRedirect(self.get_success_url())


class MonitorUpdate(_MonitorFormMixin, ClientScopedUpdateView):
    model = Monitor

    def get_object(self, queryset=None) -> Monitor:
        return monitor_of(self, Perm.EDIT)

    @cached_property
    def service(self) -> BusinessService:
        return self.get_object().service


class MonitorDelete(InAvailabilityTab, ClientScopedDeleteView):
    model = Monitor
    template_name = "core/confirm_delete.html"

    def get_object(self, queryset=None) -> Monitor:
        return monitor_of(self, Perm.EDIT)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["warning"] = "Its check results, rollups and outages are deleted with it."
        ctx["cancel_url"] = service_url(self.object.service, self.client.slug)
        return ctx

    def get_success_url(self) -> str:
        return service_url(self.get_object().service, self.client.slug)

    def form_valid(self, form) -> HttpResponse:
        obj = self.get_object()
        url = service_url(obj.service, self.client.slug)
        with transaction.atomic():
            audit.record_delete(self.request.user, obj)
            obj.delete()
        messages.success(self.request, f"Monitor “{obj}” deleted.")
        return HttpResponseRedirect(url)


class MonitorCheck(ClientMixin, generic.View):
    """POST: ask the worker to check the monitor now; answers at once (see ``on_demand``)."""

    model = Monitor
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        monitor = monitor_of(self, Perm.EDIT)
        try:
            asked = on_demand.request_check(monitor, request.user)
        except on_demand.CheckRefused as exc:
            messages.error(request, str(exc))
        else:
            again = "" if asked.new else " (it was already waiting)"
            messages.success(
                request,
                f"Check of “{monitor}” requested{again}: the result appears here within seconds.",
            )
        return HttpResponseRedirect(service_url(monitor.service, self.client.slug))


urlpatterns = [
    path(
        f"{CLIENT}services/<int:pk>/monitors/new/",
        MonitorCreate.as_view(),
        name="monitor_create",
    ),
    path(f"{CLIENT}monitors/<int:pk>/edit/", MonitorUpdate.as_view(), name="monitor_update"),
    path(f"{CLIENT}monitors/<int:pk>/delete/", MonitorDelete.as_view(), name="monitor_delete"),
    path(f"{CLIENT}monitors/<int:pk>/check/", MonitorCheck.as_view(), name="monitor_check"),
]
