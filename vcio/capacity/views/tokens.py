"""Ingest tokens from the sources page: issue (the key shown once), revoke, agent set-up.

The key is kept in the session only between the POST that issues it and
the page that shows it; that page pops it, so a reload says the key is
gone rather than showing it again.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.views import generic

from vcio.capacity import agent
from vcio.capacity.forms import TokenForm
from vcio.capacity.models import IngestToken
from vcio.capacity.views import CLIENT
from vcio.capacity.views.sources import sources_url
from vcio.core import audit
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.core.views.base import ClientMixin

SESSION_KEY = "capacity_issued_key"


def token_of(view: ClientMixin) -> IngestToken:
    qs = IngestToken.objects.filter(client=view.client)
    return get_for_user_or_404(qs, view.request.user, Perm.EDIT, pk=view.kwargs["pk"])


def base_url(request: HttpRequest) -> str:
    """Where agents reach this server: VCIO_BASE_URL, else the address this page was asked on."""
    return settings.VCIO_BASE_URL or request.build_absolute_uri("/")


class TokenIssue(ClientMixin, generic.FormView):
    """GET: the form alone; POST: issue a token and show its key once, on the next page."""

    client_perm = Perm.EDIT
    form_class = TokenForm
    template_name = "core/form.html"
    tab = "capacity"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = "New ingest token"
        ctx["cancel_url"] = sources_url(self.client)
        return ctx

    def form_invalid(self, form) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form) -> HttpResponse:
        with transaction.atomic():
            token, key = IngestToken.issue(
                self.client, form.cleaned_data["name"], self.request.user
            )
            audit.record_create(self.request.user, token)
        self.request.session[SESSION_KEY] = {"id": token.pk, "key": key}
        url = reverse("capacity:token_issued", kwargs={"client": self.client.slug, "pk": token.pk})
        return HttpResponseRedirect(url)


class TokenIssued(ClientMixin, generic.TemplateView):
    """The new key, once, with the agent's command line and agent.cfg lines that use it."""

    model = IngestToken
    client_perm = Perm.EDIT
    template_name = "capacity/token_issued.html"
    tab = "capacity"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        token = token_of(self)
        kept = self.request.session.get(SESSION_KEY) or {}
        key = ""
        if kept.get("id") == token.pk:
            key = kept["key"]
            del self.request.session[SESSION_KEY]
        ctx["token"] = token
        ctx["key"] = key
        if key:
            root = base_url(self.request)
            ctx["agent_command"] = agent.agent_command(root, key)
            ctx["agent_config"] = agent.agent_config(root, key)
            ctx["agent_url"] = agent.agent_url(root, key)
        return ctx


class TokenRevoke(ClientMixin, generic.View):
    """POST: revoke the token; agents using it get a 401 from now on."""

    model = IngestToken
    client_perm = Perm.EDIT
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        token = token_of(self)
        before = audit.snapshot(token)
        with transaction.atomic():
            token.revoke()
            audit.record_update(request.user, token, before)
        messages.success(request, f"Ingest token “{token}” revoked: agents using it are refused.")
        return HttpResponseRedirect(sources_url(self.client))


T = f"{CLIENT}capacity/sources/tokens/"
urlpatterns = [
    path(f"{T}new/", TokenIssue.as_view(), name="token_issue"),
    path(f"{T}<int:pk>/issued/", TokenIssued.as_view(), name="token_issued"),
    path(f"{T}<int:pk>/revoke/", TokenRevoke.as_view(), name="token_revoke"),
]
