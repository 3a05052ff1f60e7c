"""A service's maintenance windows and alert channels: added from its page, deleted from it."""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path
from django.utils import timezone
from django.utils.text import capfirst

from vcio.availability.forms import ChannelForm, WindowForm
from vcio.availability.models import AlertChannel, BusinessService, MaintenanceWindow
from vcio.availability.views import CLIENT
from vcio.availability.views.common import InAvailabilityTab, service_url
from vcio.availability.views.services import service_of
from vcio.core import audit
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.core.views.base import ClientMixin, ClientScopedCreateView, ClientScopedDeleteView


class _PartCreate(InAvailabilityTab, ClientScopedCreateView):
    """A new row of ``part_model`` for the service in the URL (whose pk the route carries)."""

    model = BusinessService
    template_name = "core/form.html"
    noun = ""

    @cached_property
    def service(self) -> BusinessService:
        return service_of(self, Perm.EDIT)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["service"] = self.service
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = f"New {self.noun} of “{self.service}”"
        ctx["cancel_url"] = service_url(self.service, self.client.slug)
        return ctx

    def get_success_url(self) -> str:
        return service_url(self.service, self.client.slug)

    def form_valid(self, form) -> HttpResponse:
        with transaction.atomic():
            self.object = form.save()
            audit.record_create(self.request.user, self.object)
        messages.success(self.request, f"{capfirst(self.noun)} “{self.object}” added.")
        return HttpResponseRedirect(self.get_success_url())


class _PartDelete(InAvailabilityTab, ClientScopedDeleteView):
    template_name = "core/confirm_delete.html"

    def get_object(self, queryset=None):
        return part_of(self, self.model, Perm.EDIT)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["cancel_url"] = service_url(self.object.service, self.client.slug)
        return ctx

    def form_valid(self, form) -> HttpResponse:
        obj = self.get_object()
        url = service_url(obj.service, self.client.slug)
        with transaction.atomic():
            audit.record_delete(self.request.user, obj)
            obj.delete()
        messages.success(self.request, f"“{obj}” deleted.")
        return HttpResponseRedirect(url)


def part_of(view: ClientMixin, model, perm: Perm):
    """The window or channel named by the URL's ``pk``, of this client only (404 otherwise)."""
    qs = model.objects.filter(service__client=view.client).select_related("service")
    return get_for_user_or_404(qs, view.request.user, perm, pk=view.kwargs["pk"])


class WindowCreate(_PartCreate):
    """Times typed are the client's local times (the SLA is measured in its zone)."""

    form_class = WindowForm
    noun = "maintenance window"

    def post(self, request, *args, **kwargs) -> HttpResponse:
        with timezone.override(self.client.time_zone):
            return super().post(request, *args, **kwargs)


class WindowDelete(_PartDelete):
    model = MaintenanceWindow


class ChannelCreate(_PartCreate):
    form_class = ChannelForm
    noun = "alert channel"


class ChannelDelete(_PartDelete):
    model = AlertChannel


urlpatterns = [
    path(f"{CLIENT}services/<int:pk>/windows/new/", WindowCreate.as_view(), name="window_create"),
    path(f"{CLIENT}windows/<int:pk>/delete/", WindowDelete.as_view(), name="window_delete"),
    path(
        f"{CLIENT}services/<int:pk>/channels/new/", ChannelCreate.as_view(), name="channel_create"
    ),
    path(f"{CLIENT}channels/<int:pk>/delete/", ChannelDelete.as_view(), name="channel_delete"),
]
