"""Client pages: overview, create, edit, delete and the audit log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import generic

from vcio.core import audit, audit_display
from vcio.core.filters import AuditEventFilter
from vcio.core.forms import ClientForm
from vcio.core.models import AuditEvent, Client, Contact, Membership
from vcio.core.registry import client_panels, compute_figures, figures
from vcio.core.roles import Perm
from vcio.core.scoping import require
from vcio.core.views.base import ClientMixin


def client_panels_for(client: Client, user, perms) -> list[dict]:
    """The registered panels the user may see, in order, each with its template's context."""
    shown = []
    for panel in sorted(client_panels, key=lambda p: p.order):
        if panel.perm not in perms:
            continue
        context = panel.context(client, user)
        if context is not None:
            shown.append({"panel": panel, "context": context})
    return shown


class ClientDetailView(ClientMixin, generic.TemplateView):
    """The client overview: facts, figures, key contacts, members, recent changes."""

    model = Client
    template_name = "core/client_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, client = self.request.user, self.client
        values = compute_figures([client.pk])
        ctx["figures"] = [(f, values[f.key].get(client.pk)) for f in figures]
        ctx["panels"] = client_panels_for(client, user, ctx["client_perms"])
        ctx["key_contacts"] = (
            Contact.objects.for_user(user)
            .filter(client=client)
            .filter(Q(is_primary=True) | Q(is_decision_maker=True))
            .order_by("-is_primary", "last_name")
        )
        # Read with the permission the matrix asks for: no rows for those without it.
        ctx["members"] = (
            Membership.objects.for_user(user, Perm.INTERNAL)
            .filter(client=client)
            .select_related("user")
        )
        ctx["audit_events"] = audit_display.describe(
            AuditEvent.objects.for_user(user, Perm.INTERNAL)
            .filter(client=client)
            .select_related("content_type")[:10],
            user,
            show_internal=Perm.INTERNAL in ctx["client_perms"],
        )
        return ctx


class ClientAuditView(ClientMixin, generic.ListView):
    model = AuditEvent
    template_name = "core/audit_list.html"
    client_perm = Perm.INTERNAL
    paginate_by = 50

    def get_queryset(self):
        qs = (
            AuditEvent.objects.for_user(self.request.user)
            .filter(client=self.client)
            .select_related("content_type")
        )
        self.filterset = AuditEventFilter(self.request.GET, queryset=qs, request=self.request)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filter"] = self.filterset
        ctx["object_list"] = audit_display.describe(
            ctx["object_list"],
            self.request.user,
            show_internal=Perm.INTERNAL in ctx["client_perms"],
        )
        return ctx


@login_required
def client_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.MANAGE)  # practice-wide: owners and admins
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            client = form.save()
            audit.record_create(request.user, client)
        messages.success(request, f"Client “{client}” created.")
        return redirect(client)
    return render(request, "core/form.html", {"form": form, "title": "New client"})


class ClientUpdateView(ClientMixin, generic.UpdateView):
    model = Client
    form_class = ClientForm
    template_name = "core/form.html"
    client_perm = Perm.MANAGE

    def get_object(self, queryset=None) -> Client:
        return self.client

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"Edit {self.client}"}

    def form_valid(self, form):
        before = audit.snapshot(Client.objects.get(pk=self.client.pk))
        with transaction.atomic():
            self.object = form.save()
            audit.record_update(self.request.user, self.object, before)
        messages.success(self.request, f"“{self.object}” saved.")
        return redirect(self.object)


class ClientDeleteView(ClientMixin, generic.TemplateView):
    """Deleting a client removes all its data; only practice owners and admins."""

    model = Client
    template_name = "core/confirm_delete.html"
    client_perm = Perm.MANAGE
    practice_wide = True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["object"] = self.client
        ctx["warning"] = "Every department, contact, membership and record of this client goes too."
        return ctx

    def post(self, request, *args, **kwargs):
        client = self.client
        with transaction.atomic():
            audit.record_delete(request.user, client)
            client.delete()
        messages.success(request, f"Client “{client}” deleted.")
        return redirect("core:dashboard")
