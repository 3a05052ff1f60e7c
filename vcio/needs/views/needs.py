"""A client's needs: list, board, new, detail and edit, under ``/clients/<client>/needs/``.

Everyone who may view the client reads its needs (the departments' own
words); EDIT adds and changes them. Every list runs a fixed number of
queries whatever the number of needs.
"""

from __future__ import annotations

from django.urls import path, reverse
from django.utils import timezone
from django.views import generic

from vcio.core.models import Department
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.core.views.base import ClientMixin, ClientScopedCreateView, ClientScopedUpdateView
from vcio.needs.forms import NeedFilter, NeedForm
from vcio.needs.models import Need, NeedStatus
from vcio.strategy.models import Recommendation

CLIENT = "clients/<slug:client>/needs/"
BOARD = [NeedStatus.OPEN, NeedStatus.PLANNED, NeedStatus.DONE, NeedStatus.DISMISSED]


def client_needs(view: ClientMixin):
    """The client's needs the user may see, with what the pages show of each."""
    return (
        Need.objects.for_user(view.request.user)
        .filter(client=view.client)
        .select_related("department", "goal", "initiative")
    )


def needs_filter(view: ClientMixin) -> NeedFilter:
    """The list's filter, its department choices narrowed to this client's."""
    filterset = NeedFilter(view.request.GET, queryset=client_needs(view), request=view.request)
    filterset.form.fields["department"].queryset = Department.objects.filter(client=view.client)
    filterset.form.fields["goal"].queryset = view.client.goals.all()
    return filterset


def themes_of(view: ClientMixin) -> list[str]:
    """The client's themes, for the theme filter's suggestions."""
    rows = client_needs(view).exclude(theme="").values_list("theme", flat=True)
    return sorted(set(rows.order_by()))


class NeedPageMixin(ClientMixin):
    tab = "needs"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["may_edit"] = Perm.EDIT.value in ctx["client_perms"]
        return ctx


class NeedList(NeedPageMixin, generic.TemplateView):
    """The needs, most urgent first; filters: department, status, kind, urgency, theme, goal."""

    model = Need
    template_name = "needs/need_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        filterset = needs_filter(self)
        ctx.update(
            filter=filterset,
            needs=list(filterset.qs) if filterset.is_valid() else [],
            themes=themes_of(self),
        )
        return ctx


class NeedBoard(NeedPageMixin, generic.TemplateView):
    """The needs in columns by status (open, planned, done, dismissed): a page, no script."""

    model = Need
    template_name = "needs/need_board.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        filterset = needs_filter(self)
        rows = list(filterset.qs) if filterset.is_valid() else []
        ctx["filter"] = filterset
        ctx["columns"] = [
            (status.label, status.value, [n for n in rows if n.status == status])
            for status in BOARD
        ]
        return ctx


class NeedDetail(NeedPageMixin, generic.TemplateView):
    """One need: its text, the survey answer and round it came from, its recommendation."""

    model = Need
    template_name = "needs/need_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        need = get_for_user_or_404(
            client_needs(self).select_related(
                "answer__question", "answer__invitation__round", "created_by"
            ),
            self.request.user,
            pk=self.kwargs["pk"],
        )
        ctx["need"] = need
        ctx["recommendations"] = recommendations_of(need, self.request.user)
        return ctx


def recommendations_of(need: Need, user) -> list[Recommendation]:
    """The needs recommendations listing ``need`` in their evidence (one query)."""
    rows = (
        Recommendation.objects.for_user(user)
        .filter(client_id=need.client_id, source_app="needs")
        .select_related("initiative")
        .order_by("-last_generated_at", "-id")
    )
    return [r for r in rows if need.pk in (r.evidence or {}).get("need_ids", [])]


class NeedFormMixin(NeedPageMixin):
    model = Need
    form_class = NeedForm
    template_name = "needs/need_form.html"
    success_view = "needs:need_list"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["cancel_url"] = reverse("needs:need_list", kwargs={"client": self.client.slug})
        return ctx


class NeedCreate(NeedFormMixin, ClientScopedCreateView):
    def get_initial(self):
        return {"raised_on": timezone.localdate(), **super().get_initial()}

    def form_valid(self, form):
        form.instance.created_by = self.request.user
        return super().form_valid(form)


class NeedUpdate(NeedFormMixin, ClientScopedUpdateView):
    def get_success_url(self) -> str:
        return reverse(
            "needs:need_detail", kwargs={"client": self.client.slug, "pk": self.object.pk}
        )


urlpatterns = [
    path(CLIENT, NeedList.as_view(), name="need_list"),
    path(f"{CLIENT}board/", NeedBoard.as_view(), name="need_board"),
    path(f"{CLIENT}new/", NeedCreate.as_view(), name="need_create"),
    path(f"{CLIENT}<int:pk>/", NeedDetail.as_view(), name="need_detail"),
    path(f"{CLIENT}<int:pk>/edit/", NeedUpdate.as_view(), name="need_update"),
]
