"""Discovered machines: a person confirms one, or merges it into the asset it really is.

An exporter or agent reporting a host that matches no asset creates an
asset with status "discovered" (:mod:`vcio.capacity.hosts`). Its machine
page offers both actions to those who may edit the client.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.views import generic

from vcio.assets.models import Asset, AssetStatus
from vcio.capacity import hosts
from vcio.capacity.views import CLIENT
from vcio.core import audit
from vcio.core.models import AuditEvent
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.core.views.base import ClientMixin


def merge_choices(asset: Asset) -> list[Asset]:
    """The client's other assets a discovered one may be merged into, by name (one query)."""
    return list(
        Asset.objects.filter(client_id=asset.client_id)
        .exclude(pk=asset.pk)
        .exclude(status=AssetStatus.DISCOVERED)
        .only("pk", "name", "kind")
        .order_by("name")
    )


class _DiscoveredAction(ClientMixin, generic.View):
    model = Asset
    http_method_names = ["post"]
    client_perm = Perm.EDIT

    def discovered(self) -> Asset:
        qs = Asset.objects.filter(client=self.client, status=AssetStatus.DISCOVERED)
        return get_for_user_or_404(qs, self.request.user, Perm.EDIT, pk=self.kwargs["pk"])


class ConfirmMachine(_DiscoveredAction):
    """POST: the discovered machine is real and in use."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        asset = self.discovered()
        hosts.confirm(asset)
        audit.record(
            request.user, asset, AuditEvent.Action.UPDATE, {"status": ["discovered", "in_use"]}
        )
        messages.success(request, f"{asset.name} is confirmed as an asset in use.")
        return HttpResponseRedirect(reverse("capacity:machine", args=[self.client.slug, asset.pk]))


class MergeMachine(_DiscoveredAction):
    """POST ``into``: fold the discovered machine into that asset of the same client."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        asset = self.discovered()
        machine_url = reverse("capacity:machine", args=[self.client.slug, asset.pk])
        into_id = request.POST.get("into", "")
        into = (
            Asset.objects.filter(client=self.client, pk=into_id).first()
            if into_id.isdigit()
            else None
        )
        if into is None or into.pk == asset.pk or into.status == AssetStatus.DISCOVERED:
            messages.error(request, "Choose the asset of this client that this machine really is.")
            return HttpResponseRedirect(machine_url)
        name = asset.name
        hosts.merge(asset, into)
        audit.record(request.user, into, AuditEvent.Action.UPDATE, {"merged": [name, into.name]})
        messages.success(
            request, f"{name} is merged into {into.name}: its metrics are {into.name}'s."
        )
        return HttpResponseRedirect(reverse("capacity:machine", args=[self.client.slug, into.pk]))


urlpatterns = [
    path(f"{CLIENT}capacity/assets/<int:pk>/confirm/", ConfirmMachine.as_view(), name="confirm"),
    path(f"{CLIENT}capacity/assets/<int:pk>/merge/", MergeMachine.as_view(), name="merge"),
]
