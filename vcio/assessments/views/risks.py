"""A client's risk register: ``/clients/<client>/risks/...``.

Who sees and does what (see :mod:`vcio.assessments.risks`): everyone who may
view the client reads the register — a client's executive included, it is
their register, and a risk holds no practice-internal field. The practice's
people with EDIT (``permissions.may_answer``) add, edit, mitigate and
transfer risks and raise them from assessed items; accepting a risk is the
client executive's or the CIO's decision (APPROVE or PLAN). The treatment
page therefore opens to VIEW and checks the treatment asked for, as the
initiative status page does.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import generic

from vcio.assessments import risks
from vcio.assessments.filters import RiskFilter
from vcio.assessments.models import Answer, Risk, Treatment
from vcio.assessments.permissions import may_answer
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.core.views.base import ClientMixin, ClientScopedCreateView, ClientScopedUpdateView
from vcio.strategy.models import Initiative

CLIENT = "clients/<slug:client>/risks/"
ONE_TO_FIVE = [(n, str(n)) for n in range(1, 6)]


class RiskForm(forms.ModelForm):
    """What a risk is: its title, description, likelihood, impact, owner; closed when gone."""

    likelihood = forms.TypedChoiceField(choices=ONE_TO_FIVE, coerce=int, initial=3)
    impact = forms.TypedChoiceField(choices=ONE_TO_FIVE, coerce=int, initial=3)

    class Meta:
        model = Risk
        fields = ["title", "description", "likelihood", "impact", "owner", "closed"]

    def __init__(self, *args, client=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.client = client


class TreatForm(forms.Form):
    """How the risk is treated; which fields matter depends on the treatment (see risks.treat)."""

    treatment = forms.ChoiceField(choices=Treatment.choices)
    accept_reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Why it is accepted"
    )
    review_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Review the acceptance on",
    )
    initiative = forms.ModelChoiceField(
        queryset=Initiative.objects.none(), required=False, label="Mitigating initiative"
    )
    transferred_to = forms.CharField(required=False, max_length=200, label="Transferred to")
    residual_likelihood = forms.TypedChoiceField(
        choices=[("", "—"), *ONE_TO_FIVE], coerce=int, empty_value=None, required=False
    )
    residual_impact = forms.TypedChoiceField(
        choices=[("", "—"), *ONE_TO_FIVE], coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args, initiatives: QuerySet, allowed: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["initiative"].queryset = initiatives
        self.fields["treatment"].choices = [c for c in Treatment.choices if c[0] in allowed]


def treat_form(view: ClientMixin, risk: Risk, data=None) -> TreatForm:
    """The treatment form: the client's initiatives, the treatments the user may give."""
    user = view.request.user
    initiatives = Initiative.objects.for_user(user).filter(client=view.client).order_by("title")
    allowed = [t for t in Treatment.values if risks.may_treat(user, risk, t)]
    initial = {
        "treatment": risk.treatment,
        "accept_reason": risk.accept_reason,
        "review_date": risk.review_date,
        "initiative": risk.initiative_id,
        "transferred_to": risk.transferred_to,
        "residual_likelihood": risk.residual_likelihood,
        "residual_impact": risk.residual_impact,
    }
    return TreatForm(data, initial=initial, initiatives=initiatives, allowed=allowed)


class RiskList(ClientMixin, generic.TemplateView):
    """The register: a likelihood × impact matrix, then the risks by score, reviews due flagged."""

    model = Risk
    template_name = "assessments/risk_list.html"
    tab = "risks"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.setdefault("closed", "false")
        qs = (
            Risk.objects.for_user(self.request.user)
            .filter(client=self.client)
            .select_related("initiative", "accepted_by")
            .annotate(risk_score=F("likelihood") * F("impact"))
            .order_by("-risk_score", "-id")
        )
        filterset = RiskFilter(query, queryset=qs, request=self.request)
        rows = list(filterset.qs) if filterset.is_valid() else []
        today = timezone.localdate()
        grid = risks.matrix(rows)
        ctx.update(
            filter=filterset,
            rows=[(r, r.review_due(today)) for r in rows],
            matrix=[
                (impact, [(lk, grid[impact - 1][lk - 1], lk * impact) for lk in range(1, 6)])
                for impact in range(5, 0, -1)
            ],
            due=sum(1 for r in rows if r.review_due(today)),
            may_edit=may_answer(self.request.user, self.client.pk),
            high=risks.HIGH_SCORE,
        )
        return ctx


class PracticeEditMixin:
    """Posting needs the practice's EDIT (``may_answer``), not a client editor's."""

    def post(self, request, *args, **kwargs):
        if not may_answer(request.user, self.client.pk):
            raise PermissionDenied("Only the practice's people add and edit risks.")
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["may_edit"] = may_answer(self.request.user, self.client.pk)
        ctx["cancel_url"] = reverse("assessments:risk_list", kwargs={"client": self.client.slug})
        return ctx


class RiskCreate(PracticeEditMixin, ClientScopedCreateView):
    model = Risk
    form_class = RiskForm
    template_name = "assessments/risk_form.html"
    success_view = "assessments:risk_list"
    tab = "risks"


class RiskEdit(PracticeEditMixin, ClientScopedUpdateView):
    model = Risk
    form_class = RiskForm
    template_name = "assessments/risk_form.html"
    success_view = "assessments:risk_list"
    tab = "risks"

    def get_object(self, queryset=None) -> Risk:
        # Reading the form needs only VIEW here; posting is checked by the mixin and dispatch.
        return get_for_user_or_404(
            Risk.objects.filter(client=self.client), self.request.user, pk=self.kwargs["pk"]
        )


class RiskTreat(ClientMixin, generic.TemplateView):
    """Mitigate, accept, transfer or re-open a risk, with what each needs."""

    model = Risk
    template_name = "assessments/risk_treat.html"
    tab = "risks"
    client_perm = Perm.VIEW
    write_perm = Perm.VIEW  # what is needed depends on the treatment asked for; see post()

    def risk(self) -> Risk:
        return get_for_user_or_404(
            Risk.objects.filter(client=self.client).select_related("initiative", "accepted_by"),
            self.request.user,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        risk = kwargs.get("risk") or self.risk()
        ctx["risk"] = risk
        ctx.setdefault("form", treat_form(self, risk))
        ctx["review_due"] = risk.review_due(timezone.localdate())
        return ctx

    def post(self, request, *args, **kwargs):
        risk = self.risk()
        form = treat_form(self, risk, request.POST)
        if not form.is_valid():
            if not form.fields["treatment"].choices:
                raise PermissionDenied("You may not change how this risk is treated.")
            return self.render_to_response(self.get_context_data(risk=risk, form=form), status=400)
        data = form.cleaned_data
        treatment = data["treatment"]
        if not risks.may_treat(request.user, risk, treatment):
            raise PermissionDenied(f"You may not give a risk the treatment “{treatment}”.")
        try:
            risks.treat(
                risk,
                request.user,
                treatment,
                reason=data["accept_reason"],
                review_date=data["review_date"],
                initiative=data["initiative"],
                transferred_to=data["transferred_to"],
                residual_likelihood=data["residual_likelihood"],
                residual_impact=data["residual_impact"],
            )
        except risks.RiskError as err:
            form.add_error(err.field if err.field in form.fields else None, err.message)
            risk.refresh_from_db()
            return self.render_to_response(self.get_context_data(risk=risk, form=form), status=400)
        messages.success(request, f"“{risk}”: {risk.get_treatment_display().lower()}.")
        return HttpResponseRedirect(
            reverse("assessments:risk_list", kwargs={"client": self.client.slug})
        )


class RaiseFromAnswer(ClientMixin, generic.View):
    """POST: the register's risk for a not aligned or partly aligned answer (made once)."""

    model = Answer
    client_perm = Perm.EDIT
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        answer = get_for_user_or_404(
            Answer.objects.filter(assessment__client=self.client).select_related(
                "item", "assessment"
            ),
            request.user,
            Perm.EDIT,
            pk=self.kwargs["pk"],
        )
        if not may_answer(request.user, self.client.pk):
            raise PermissionDenied("Only the practice's people raise risks.")
        try:
            risk, created = risks.risk_from_item(answer, request.user)
        except risks.RiskError as err:
            messages.error(request, err.message)
            return HttpResponseRedirect(self.back(None))
        if created:
            messages.success(request, f"Risk “{risk}” added to the register.")
        else:
            messages.info(request, f"“{risk}” is already in the register.")
        return HttpResponseRedirect(self.back(risk))

    def back(self, risk: Risk | None) -> str:
        """``next`` when it is a page of this site, else the risk (or the register)."""
        target = self.request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}
        ):
            return target
        if risk is None:
            return reverse("assessments:risk_list", kwargs={"client": self.client.slug})
        return reverse("assessments:risk_treat", kwargs={"client": self.client.slug, "pk": risk.pk})


urlpatterns = [
    path(CLIENT, RiskList.as_view(), name="risk_list"),
    path(f"{CLIENT}new/", RiskCreate.as_view(), name="risk_create"),
    path(f"{CLIENT}<int:pk>/edit/", RiskEdit.as_view(), name="risk_edit"),
    path(f"{CLIENT}<int:pk>/treat/", RiskTreat.as_view(), name="risk_treat"),
    path(f"{CLIENT}from-answer/<int:pk>/", RaiseFromAnswer.as_view(), name="risk_from_answer"),
]
