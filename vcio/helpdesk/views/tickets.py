"""A client's tickets (list, one ticket with its correction form) and help-desk settings.

Who reads what: everyone who may view the client sees its ticket list and
each ticket's subject, requester, department, asset, topic and timeline —
a client's executive included, since the list is the evidence behind the
help-desk figures of their reviews. The *body* of a ticket is the
requester's own words (a colleague's personal trouble, sometimes a password
typed where it should not be): it is shown only to those who work tickets,
i.e. hold EDIT on the client (the practice's owner, admins, consultants and
technicians, and the client's own editor). A client's executive sees a
note saying so; other clients' tickets are never seen by anyone of another
client (404, as every scoped row). The API follows the same rule
(``body`` is null for readers without EDIT).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.views import generic

from vcio.assets.filters import order_by_param
from vcio.assets.views.common import sort_headers
from vcio.core import audit, audit_display
from vcio.core.models import AuditEvent
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.core.views.base import ClientMixin, ClientScopedListView
from vcio.helpdesk.filters import TICKET_ORDERING, TicketFilter
from vcio.helpdesk.forms import (
    HelpdeskPolicyForm,
    TicketCorrectionForm,
    apply_correction,
    save_sla_targets,
    sla_forms,
)
from vcio.helpdesk.models import HelpdeskPolicy, Ticket

CLIENT = "clients/<slug:client>/helpdesk/"

# (header, sort key, css class) of the list's columns, in order.
COLUMNS = [
    ("#", "external_id", ""),
    ("Subject", "subject", ""),
    ("Requester", "requester", ""),
    ("Department", "department__name", ""),
    ("Asset", "asset__name", ""),
    ("Topic", "topic__name", ""),
    ("Priority", "priority", ""),
    ("Status", "status", ""),
    ("Opened", "opened_at", ""),
    ("Time to resolve", None, "num"),
]


def duration_text(seconds: float | None) -> str:
    """A wall-clock duration for a person: "45 min", "6.5 h", "3.2 days"; "" when unknown."""
    if seconds is None or seconds < 0:
        return ""
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def time_to_resolve(ticket: Ticket) -> str:
    """Opened to resolved (or closed), in calendar time, as text; "" while open."""
    end = ticket.resolved_at or ticket.closed_at
    return duration_text((end - ticket.opened_at).total_seconds() if end else None)


def filtered_tickets(view: ClientMixin) -> tuple[TicketFilter, QuerySet[Ticket], str]:
    """The client's tickets narrowed by the request's filters and sorted by its ``ordering``."""
    qs = Ticket.objects.for_user(view.request.user).filter(client=view.client)
    qs = qs.select_related("department", "asset", "topic").defer("body")
    filterset = TicketFilter(
        view.request.GET, queryset=qs, request=view.request, client=view.client
    )
    qs, key = order_by_param(
        filterset.qs, view.request.GET.get("ordering"), TICKET_ORDERING, "-opened_at"
    )
    return filterset, qs, key


class TicketList(ClientScopedListView):
    """The client's tickets: filters, sortable columns, 50 a page, a fixed number of queries."""

    model = Ticket
    template_name = "helpdesk/ticket_list.html"

    def get_queryset(self) -> QuerySet[Ticket]:
        self.filterset, qs, self.sort_key = filtered_tickets(self)
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        query = self.request.GET
        ctx["headers"] = sort_headers(query, self.sort_key, COLUMNS)
        ctx["filtered"] = any(v for k, v in query.items() if k not in ("page", "ordering"))
        ctx["rows"] = [(t, time_to_resolve(t)) for t in ctx["object_list"]]
        ctx["subnav"] = "tickets"
        return ctx


class TicketDetail(ClientMixin, generic.DetailView):
    """Every field of one ticket, its timeline and audit trail; EDIT users correct it here."""

    model = Ticket
    template_name = "helpdesk/ticket_detail.html"
    context_object_name = "ticket"

    def get_object(self, queryset=None) -> Ticket:
        return get_for_user_or_404(
            Ticket.objects.filter(client=self.client).select_related(
                "department", "asset", "topic", "topic_set_by_user"
            ),
            self.request.user,
            perm_for_method(self.request.method),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ticket = self.object
        may_edit = Perm.EDIT in ctx["client_perms"]
        ctx["show_body"] = may_edit
        if may_edit and "form" not in ctx:
            ctx["form"] = TicketCorrectionForm(ticket=ticket)
        ctx["time_to_resolve"] = time_to_resolve(ticket)
        ctx["first_response_in"] = duration_text(
            (ticket.first_response_at - ticket.opened_at).total_seconds()
            if ticket.first_response_at
            else None
        )
        ctx["events"] = audit_display.describe(
            AuditEvent.objects.for_user(self.request.user)
            .filter(
                client=self.client,
                content_type=ContentType.objects.get_for_model(Ticket),
                object_id=str(ticket.pk),
            )
            .select_related("content_type")[:50],
            self.request.user,
            show_internal=Perm.INTERNAL in ctx["client_perms"],
        )
        ctx["subnav"] = "tickets"
        return ctx

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = TicketCorrectionForm(request.POST, ticket=self.object)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        apply_correction(self.object, request.user, form.cleaned_data)
        messages.success(request, f"Ticket #{self.object.external_id} corrected.")
        return HttpResponseRedirect(request.path)


def perm_for_method(method: str) -> Perm:
    """VIEW to read a ticket, EDIT to post a correction (the page mixin checked it already)."""
    return Perm.VIEW if method in ("GET", "HEAD", "OPTIONS") else Perm.EDIT


class HelpdeskSettings(ClientMixin, generic.TemplateView):
    """Business hours, the recurring-problem rule and SLA targets per priority.

    Everyone who may view the client reads them (they explain the figures);
    EDIT users change them. One form for the policy, one per priority; all
    are saved together or none is (a 400 with the messages on the fields).
    """

    model = HelpdeskPolicy
    template_name = "helpdesk/settings.html"
    write_perm = Perm.EDIT

    def policy(self) -> HelpdeskPolicy:
        return HelpdeskPolicy.objects.filter(client=self.client).first() or HelpdeskPolicy(
            client=self.client
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault(
            "policy_form", HelpdeskPolicyForm(instance=self.policy(), client=self.client)
        )
        ctx.setdefault("sla_forms", sla_forms(self.client))
        ctx["may_edit"] = Perm.EDIT in ctx["client_perms"]
        ctx["subnav"] = "settings"
        return ctx

    def post(self, request, *args, **kwargs):
        policy = self.policy()
        before = audit.snapshot(policy) if policy.pk else None
        policy_form = HelpdeskPolicyForm(request.POST, instance=policy, client=self.client)
        targets = sla_forms(self.client, request.POST)
        valid = policy_form.is_valid()
        valid = all([form.is_valid() for form in targets]) and valid
        if not valid:
            ctx = self.get_context_data(policy_form=policy_form, sla_forms=targets)
            return self.render_to_response(ctx, status=400)
        with transaction.atomic():
            saved = policy_form.save()
            if before is None:
                audit.record_create(request.user, saved)
            else:
                audit.record_update(request.user, saved, before)
            save_sla_targets(self.client, request.user, targets)
        messages.success(request, "Help-desk settings saved.")
        return HttpResponseRedirect(
            reverse("helpdesk:settings", kwargs={"client": self.client.slug})
        )


urlpatterns = [
    path(f"{CLIENT}tickets/", TicketList.as_view(), name="tickets"),
    path(f"{CLIENT}tickets/<int:pk>/", TicketDetail.as_view(), name="ticket"),
    path(f"{CLIENT}settings/", HelpdeskSettings.as_view(), name="settings"),
]
