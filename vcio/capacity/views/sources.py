"""Where a client's metrics come from: scrape targets, Prometheus connectors, ingest tokens.

The page and every form on it need EDIT on the client (the permission
matrix: consultants, technicians, client editors): executives read the
figures, not the plumbing. Connector secrets are never shown back.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.views import generic

from vcio.capacity import connectors, scraping
from vcio.capacity.forms import ConnectorForm, ScrapeTargetForm, TokenForm
from vcio.capacity.models import IngestToken, PromConnector, ScrapeTarget
from vcio.capacity.promql import ConnectorError
from vcio.capacity.views import CLIENT
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.core.views.base import (
    ClientMixin,
    ClientScopedCreateView,
    ClientScopedDeleteView,
    ClientScopedUpdateView,
)


def sources_url(client) -> str:
    return reverse("capacity:sources", kwargs={"client": client.slug})


class SourcesPage(ClientMixin, generic.TemplateView):
    """Scrape targets, connectors and ingest tokens of the client, and how to set up an agent."""

    client_perm = Perm.EDIT
    template_name = "capacity/sources.html"
    tab = "capacity"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["targets"] = (
            ScrapeTarget.objects.for_user(user, Perm.EDIT)
            .filter(client=self.client)
            .select_related("asset")
        )
        ctx["connectors"] = PromConnector.objects.for_user(user, Perm.EDIT).filter(
            client=self.client
        )
        ctx["tokens"] = IngestToken.objects.for_user(user, Perm.EDIT).filter(client=self.client)
        ctx["token_form"] = TokenForm()
        return ctx


class _SourceFormMixin:
    template_name = "core/form.html"
    success_view = "capacity:sources"
    tab = "capacity"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["cancel_url"] = sources_url(self.client)
        return ctx


class TargetCreate(_SourceFormMixin, ClientScopedCreateView):
    model = ScrapeTarget
    form_class = ScrapeTargetForm

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = "New scrape target (node_exporter or windows_exporter)"
        return ctx


class TargetUpdate(_SourceFormMixin, ClientScopedUpdateView):
    model = ScrapeTarget
    form_class = ScrapeTargetForm


class TargetDelete(_SourceFormMixin, ClientScopedDeleteView):
    model = ScrapeTarget
    template_name = "core/confirm_delete.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["warning"] = "The metrics already read stay; vcio stops scraping this URL."
        return ctx


class ConnectorCreate(_SourceFormMixin, ClientScopedCreateView):
    model = PromConnector
    form_class = ConnectorForm

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = "New Prometheus connector"
        return ctx


class ConnectorUpdate(_SourceFormMixin, ClientScopedUpdateView):
    model = PromConnector
    form_class = ConnectorForm


class ConnectorDelete(_SourceFormMixin, ClientScopedDeleteView):
    model = PromConnector
    template_name = "core/confirm_delete.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["warning"] = "The rollups already read stay; vcio stops reading this store."
        return ctx


class _TestNow(ClientMixin, generic.View):
    """POST: try the source at once and say what happened on the sources page."""

    http_method_names = ["post"]
    client_perm = Perm.EDIT

    def source(self):
        qs = self.model.objects.filter(client=self.client)
        return get_for_user_or_404(qs, self.request.user, Perm.EDIT, pk=self.kwargs["pk"])

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        source = self.source()
        ok, message = self.run(source)
        (messages.success if ok else messages.error)(request, f"“{source}”: {message}")
        return HttpResponseRedirect(sources_url(self.client))


class TargetTest(_TestNow):
    """Scrape the target now (the network policy is checked by the scraper)."""

    model = ScrapeTarget

    def run(self, target: ScrapeTarget) -> tuple[bool, str]:
        return scraping.scrape_now(target)


class ConnectorTest(_TestNow):
    """Ask the store which targets it sees (``up``), within the network policy."""

    model = PromConnector

    def run(self, connector: PromConnector) -> tuple[bool, str]:
        try:
            return True, connectors.test_connection(connector)
        except (ConnectorError, ValueError) as exc:
            return False, str(exc)


class ConnectorSync(_TestNow):
    """Make the connector due now: the worker's next pass (every 5 minutes) reads it.

    A sync may read a month of rollups in ~20 requests: too long for a page to wait on.
    """

    model = PromConnector

    def run(self, connector: PromConnector) -> tuple[bool, str]:
        if not connector.enabled:
            return False, "paused: enable it to have it read."
        PromConnector.objects.filter(pk=connector.pk).update(next_run_at=timezone.now())
        return True, "due now: the worker reads it within five minutes."


S = f"{CLIENT}capacity/sources/"
urlpatterns = [
    path(S, SourcesPage.as_view(), name="sources"),
    path(f"{S}targets/new/", TargetCreate.as_view(), name="target_create"),
    path(f"{S}targets/<int:pk>/edit/", TargetUpdate.as_view(), name="target_update"),
    path(f"{S}targets/<int:pk>/delete/", TargetDelete.as_view(), name="target_delete"),
    path(f"{S}targets/<int:pk>/test/", TargetTest.as_view(), name="target_test"),
    path(f"{S}connectors/new/", ConnectorCreate.as_view(), name="connector_create"),
    path(f"{S}connectors/<int:pk>/edit/", ConnectorUpdate.as_view(), name="connector_update"),
    path(f"{S}connectors/<int:pk>/delete/", ConnectorDelete.as_view(), name="connector_delete"),
    path(f"{S}connectors/<int:pk>/test/", ConnectorTest.as_view(), name="connector_test"),
    path(f"{S}connectors/<int:pk>/sync/", ConnectorSync.as_view(), name="connector_sync"),
]
