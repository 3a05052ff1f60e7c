"""Who has access to a client: list, grant, change role, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.views import generic

from vcio.core import audit
from vcio.core.filters import MembershipFilter
from vcio.core.forms import MemberForm, MembershipRoleForm
from vcio.core.models import Membership
from vcio.core.roles import Perm
from vcio.core.views.base import (
    ClientMixin,
    ClientScopedDeleteView,
    ClientScopedListView,
    ClientScopedUpdateView,
)


class MemberList(ClientScopedListView):
    model = Membership
    filterset_class = MembershipFilter
    template_name = "core/member_list.html"
    client_perm = Perm.INTERNAL  # who has access is the practice's record, like the audit log

    def base_queryset(self):
        return super().base_queryset().select_related("user")


class MemberCreate(ClientMixin, generic.FormView):
    model = Membership
    form_class = MemberForm
    template_name = "core/form.html"
    client_perm = Perm.MEMBERS

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "client": self.client}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"Add a member to {self.client}"}

    def form_valid(self, form):
        with transaction.atomic():
            membership = form.save(self.request)
            audit.record_create(self.request.user, membership)
        messages.success(
            self.request,
            f"{membership.user.email} is now {membership.get_role_display()} of {self.client}.",
        )
        return HttpResponseRedirect(self.client.get_absolute_url() + "members/")


class MemberUpdate(ClientScopedUpdateView):
    model = Membership
    form_class = MembershipRoleForm
    client_perm = Perm.MEMBERS
    success_view = "core:member_list"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("client", None)
        return kwargs


class MemberDelete(ClientScopedDeleteView):
    model = Membership
    client_perm = Perm.MEMBERS
    success_view = "core:member_list"
