"""A URLconf with a view that declares a permission it does not enforce, for the matrix walker."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.urls import path
from django.views import generic

from vcio.core.models import Client
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.core.views.base import ClientMixin


class Lax(LoginRequiredMixin, generic.View):
    # The bug the walker must catch: declared INTERNAL, but only visibility is checked.
    client_perm = Perm.INTERNAL

    def get(self, request, client):
        return HttpResponse(get_for_user_or_404(Client, request.user, slug=client).internal_notes)


class Enforced(ClientMixin, generic.View):
    client_perm = Perm.INTERNAL

    def get(self, request, client):
        return HttpResponse(self.client.internal_notes)


urlpatterns = [
    path("lax/<slug:client>/", Lax.as_view(), name="lax"),
    path("enforced/<slug:client>/", Enforced.as_view(), name="enforced"),
]
