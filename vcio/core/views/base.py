"""Base views: every page reaches data only through the scoping helpers.

A page under ``/clients/<client>/`` resolves the client with
``get_for_user_or_404`` (404 when the user may not see it, 403 when the user
may see it but not do what the page does); objects are fetched through
``for_user`` too, and every write records the audit log.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpResponseRedirect
from django.urls import resolve, reverse
from django.views import generic

from vcio.core import audit
from vcio.core.access import access_for
from vcio.core.models import Client
from vcio.core.registry import client_tabs
from vcio.core.roles import Perm, perm_for
from vcio.core.scoping import get_for_user_or_404, require
from vcio.core.tab_bar import tab_bar


class ClientMixin(LoginRequiredMixin):
    """Resolves ``self.client`` from the ``client`` slug in the URL."""

    # What the page needs, looked up in the permission matrix (vcio.core.roles):
    # ``client_perm`` to open it, ``write_perm`` to post to it (see ``perm_for``).
    client_perm: Perm = Perm.VIEW
    write_perm: Perm | None = None
    practice_wide = False  # True: the permission must be held on the whole practice
    client: Client

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        perm = perm_for(self, request.method)
        self.client = get_for_user_or_404(Client, request.user, perm, slug=kwargs["client"])
        if self.practice_wide:
            require(request.user, perm)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        access = access_for(self.request.user)
        ctx["client"] = self.client
        perms = access.perms_for(self.client.pk)
        ctx["client_perms"] = {p.value for p in perms}
        links = client_tab_links(self.client, self.request.path, getattr(self, "tab", None))
        ctx["client_tabs"] = [link for link in links if page_perm(link["url"]) in perms]
        ctx["client_tab_bar"] = tab_bar(ctx["client_tabs"])
        return ctx


def page_perm(url: str) -> Perm:
    """What opening the page at ``url`` needs, as its view declares (tabs one may not open hide)."""
    view = resolve(url).func
    return perm_for(getattr(view, "view_class", view), "GET")


def client_tab_links(client: Client, path: str, tab: str | None = None) -> list[dict]:
    """The client section tabs every app registered, in order.

    The current tab is the one whose address is the longest prefix of
    ``path``, so an edit page under a section keeps that section marked;
    a page whose address is outside its section names its tab (``tab``).
    """
    links = [
        {
            "key": tab.key,
            "label": tab.label,
            "order": tab.order,
            "group": tab.group,
            "url": reverse(tab.url_name, kwargs={"client": client.slug}),
        }
        for tab in sorted(client_tabs, key=lambda t: (t.order, t.key))
    ]
    matching = [link for link in links if path.startswith(link["url"]) or link["key"] == tab]
    if tab is not None:
        matching = [link for link in matching if link["key"] == tab] or matching
    current = max(matching, key=lambda link: len(link["url"]), default=None)
    for link in links:
        link["current"] = link is current
    return links


class ClientScopedListView(ClientMixin, generic.ListView):
    """A client's rows of ``model``, filtered by ``filterset_class`` when set."""

    paginate_by = 50
    filterset_class = None

    def base_queryset(self) -> QuerySet:
        return self.model.objects.for_user(self.request.user).filter(client=self.client)

    def get_queryset(self) -> QuerySet:
        qs = self.base_queryset()
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(
                self.request.GET, queryset=qs, request=self.request
            )
            return self.filterset.qs
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filter"] = getattr(self, "filterset", None)
        return ctx


class ClientScopedFormMixin(ClientMixin):
    """Create/update/delete of one client's rows, with the audit log."""

    client_perm = Perm.EDIT
    success_view: str = ""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["client"] = self.client
        return kwargs

    def get_object(self, queryset=None) -> Model:
        return get_for_user_or_404(
            self.model.objects.filter(client=self.client),
            self.request.user,
            self.client_perm,
            pk=self.kwargs["pk"],
        )

    def get_success_url(self) -> str:
        return reverse(self.success_view, kwargs={"client": self.client.slug})

    def form_invalid(self, form):
        # Bad input is the client's error: the form again, with its messages, as a 400.
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ClientScopedCreateView(ClientScopedFormMixin, generic.CreateView):
    template_name = "core/form.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = f"New {self.model._meta.verbose_name}"
        return ctx

    def form_valid(self, form):
        with transaction.atomic():
            self.object = form.save()
            audit.record_create(self.request.user, self.object)
        messages.success(
            self.request, f"{self.model._meta.verbose_name.capitalize()} “{self.object}” created."
        )
        return HttpResponseRedirect(self.get_success_url())


class ClientScopedUpdateView(ClientScopedFormMixin, generic.UpdateView):
    template_name = "core/form.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = f"Edit {self.model._meta.verbose_name} “{self.object}”"
        return ctx

    def form_valid(self, form):
        before = audit.snapshot(self.get_object())
        with transaction.atomic():
            self.object = form.save()
            audit.record_update(self.request.user, self.object, before)
        messages.success(self.request, f"“{self.object}” saved.")
        return HttpResponseRedirect(self.get_success_url())


class ClientScopedDeleteView(ClientScopedFormMixin, generic.DeleteView):
    template_name = "core/confirm_delete.html"

    def get_form_kwargs(self):
        # DeleteView's form is a plain Form that takes no client.
        kwargs = super().get_form_kwargs()
        kwargs.pop("client", None)
        return kwargs

    def form_valid(self, form):
        obj = self.get_object()
        with transaction.atomic():
            audit.record_delete(self.request.user, obj)
            obj.delete()
        messages.success(self.request, f"“{obj}” deleted.")
        return HttpResponseRedirect(self.get_success_url())
