"""The practice's survey pages: the questionnaire library, and each client's survey rounds.

Library: anyone who works for the practice reads it; changing it (editing
a question, copying a version) is practice-level MANAGE (owners and
admins), as for the framework library. A frozen version refuses any
question edit (409 with the reason): it is copied instead.

Rounds: practice roles only (INTERNAL), since a round's page lists each
head's individual answers — client executives see no survey page here
(the satisfaction pages show them aggregates). Starting a round, revoking
and resending links is the CIO's (PLAN).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.views import generic

from vcio.core import audit
from vcio.core.library import LibraryMixin as BaseLibraryMixin
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.core.views.base import ClientMixin
from vcio.needs import questionnaires, results, sending
from vcio.needs.models import Invitation, Question, Questionnaire, QuestionnaireVersion, SurveyRound
from vcio.needs.survey_forms import CopyVersionForm, QuestionForm, RoundForm


class LibraryMixin(BaseLibraryMixin):
    library_name = "questionnaire library"


def versions_with_counts():
    return QuestionnaireVersion.objects.annotate(
        n_questions=Count("questions", distinct=True), n_rounds=Count("rounds", distinct=True)
    ).order_by("-created_at", "-id")


class QuestionnaireList(LibraryMixin, generic.TemplateView):
    """Every questionnaire with its versions (frozen or editable)."""

    template_name = "needs/questionnaire_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["questionnaires"] = Questionnaire.objects.prefetch_related(
            Prefetch("versions", versions_with_counts())
        )
        return ctx


class VersionDetail(LibraryMixin, generic.TemplateView):
    """One version's questions; an edit form per question while it is not frozen."""

    model = QuestionnaireVersion  # practice-wide: the walkers aim the route at any row
    template_name = "needs/questionnaire_version.html"

    def get_version(self) -> QuestionnaireVersion:
        return get_object_or_404(
            versions_with_counts().select_related("questionnaire"), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        version = kwargs.get("version") or self.get_version()
        invalid = kwargs.get("invalid")  # (question pk, bound form) of a refused edit
        rows = []
        for q in version.questions.order_by("position", "id"):
            form = invalid[1] if invalid and invalid[0] == q.pk else QuestionForm(instance=q)
            form.prefix = f"q{q.pk}"
            rows.append({"question": q, "form": form})
        ctx.update(version=version, questionnaire=version.questionnaire, rows=rows)
        ctx.setdefault("copy_form", CopyVersionForm())
        return ctx


class VersionCopy(VersionDetail):
    """POST: copy the version to a new, editable one."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        version = self.get_version()
        form = CopyVersionForm(request.POST)
        problems: list[str] = []
        if form.is_valid():
            try:
                copy = questionnaires.copy_version(
                    version, form.cleaned_data["new_version"].strip(), request.user
                )
            except questionnaires.QuestionnaireFileError as exc:
                problems = exc.problems
            else:
                audit.record_create(request.user, copy)
                messages.success(request, f"Copied to {copy}; its questions can be edited.")
                return HttpResponseRedirect(reverse("needs:questionnaire_version", args=[copy.pk]))
        ctx = self.get_context_data(version=version, copy_form=form, problems=problems)
        return self.render_to_response(ctx, status=400)


class QuestionEdit(VersionDetail):
    """POST: change one question of an editable version; a frozen one answers 409."""

    model = Question
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        question = get_object_or_404(Question.objects.select_related("version"), pk=kwargs["pk"])
        self.kwargs["pk"] = question.version_id
        version = self.get_version()
        if version.frozen:
            ctx = self.get_context_data(version=version, frozen_message=(
                questionnaires.frozen_message(version)))  # fmt: skip
            return self.render_to_response(ctx, status=409)
        before = audit.snapshot(question)
        form = QuestionForm(request.POST, instance=question, prefix=f"q{question.pk}")
        if not form.is_valid():
            ctx = self.get_context_data(version=version, invalid=(question.pk, form))
            return self.render_to_response(ctx, status=400)
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        question.refresh_from_db()
        try:
            questionnaires.edit_question(question, **changes)
        except questionnaires.FrozenVersionError as exc:
            ctx = self.get_context_data(version=version, frozen_message=str(exc))
            return self.render_to_response(ctx, status=409)
        audit.record_update(request.user, question, before)
        messages.success(request, f"Question “{question.key}” saved.")
        url = reverse("needs:questionnaire_version", args=[version.pk])
        return HttpResponseRedirect(f"{url}#question-{question.pk}")


# --- A client's rounds -------------------------------------------------------------------


def rounds_with_counts(qs):
    return qs.select_related("version__questionnaire").annotate(
        n_invited=Count("invitations", distinct=True),
        n_answered=Count(
            "invitations", filter=Q(invitations__submitted_at__isnull=False), distinct=True
        ),
    )


class RoundList(ClientMixin, generic.TemplateView):
    """The client's survey rounds, newest first, with how many heads answered."""

    client_perm = Perm.INTERNAL
    template_name = "needs/round_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        rounds = SurveyRound.objects.for_user(self.request.user, Perm.INTERNAL).filter(
            client=self.client
        )
        ctx["rounds"] = rounds_with_counts(rounds).order_by("-opened_on", "-id")
        ctx["may_plan"] = Perm.PLAN.value in ctx["client_perms"]
        return ctx


def recipient_rows(client, data=None) -> list[dict[str, Any]]:
    """One row per department: its default head (or blanks), or what was posted."""
    heads, missing = sending.default_recipients(client)
    rows = [
        {"department": r.department, "contact": r.contact, "name": r.name, "email": r.email,
         "include": True}
        for r in heads
    ] + [
        {"department": d, "contact": None, "name": "", "email": "", "include": False,
         "no_head": True}
        for d in missing
    ]  # fmt: skip
    rows.sort(key=lambda row: row["department"].name)
    for n, row in enumerate(rows, start=1):
        row["n"] = n
        if data is not None:
            row["include"] = data.get(f"r{n}-include") == "on"
            row["name"] = data.get(f"r{n}-name", "")[:200]
            row["email"] = data.get(f"r{n}-email", "")[:254]
    return rows


class RoundCreate(ClientMixin, generic.TemplateView):
    """Start a round: questionnaire, title, closing day, and the heads (prefilled, editable)."""

    client_perm = Perm.PLAN
    template_name = "needs/round_form.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        if "form" not in ctx:
            latest = QuestionnaireVersion.objects.order_by("-published_at", "-created_at").first()
            ctx["form"] = RoundForm(
                initial={"version": latest, "closes_on": sending.default_closes_on(self.client)}
            )
        ctx.setdefault("rows", recipient_rows(self.client))
        ctx["no_versions"] = not QuestionnaireVersion.objects.exists()
        return ctx

    def post(self, request, *args, **kwargs):
        form = RoundForm(request.POST)
        rows = recipient_rows(self.client, request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, rows=rows), status=400)
        chosen = [row for row in rows if row["include"]]
        recipients = [
            sending.Recipient(row["department"], row["contact"], row["name"], row["email"])
            for row in chosen
        ]
        data = form.cleaned_data
        try:
            round_, sent = sending.start_round(
                self.client, data["version"], data["title"], data["closes_on"], recipients,
                request.user,
            )  # fmt: skip
        except sending.SurveyInputError as exc:
            self.name_rows(exc.errors, chosen, form)
            return self.render_to_response(self.get_context_data(form=form, rows=rows), status=400)
        audit.record_create(request.user, round_)
        messages.success(request, f"“{round_.title}” sent to {len(sent)} department heads.")
        return HttpResponseRedirect(
            reverse("needs:round_detail", kwargs={"client": self.client.slug, "pk": round_.pk})
        )

    @staticmethod
    def name_rows(errors: dict[str, list[str]], chosen: list[dict], form) -> None:
        """Put each error on its form field, or on the recipient row it names."""
        for key, msgs in errors.items():
            if key in form.fields:
                form.add_error(key, msgs)
            elif key.startswith("recipients["):
                n = int(key[len("recipients[") : key.index("]")])
                row = chosen[n - 1]
                row.setdefault("errors", []).extend(msgs)
            else:
                form.add_error(None, msgs)


class RoundDetail(ClientMixin, generic.TemplateView):
    """One round: each head's link state, revoke and resend, and the results."""

    client_perm = Perm.INTERNAL
    model = SurveyRound
    template_name = "needs/round_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        round_ = get_for_user_or_404(
            SurveyRound.objects.filter(client=self.client).select_related(
                "version__questionnaire", "created_by"
            ),
            self.request.user,
            Perm.INTERNAL,
            pk=self.kwargs["pk"],
        )
        now = timezone.now()
        invitations = list(round_.invitations.select_related("department"))
        for invitation in invitations:
            invitation.current_state = invitation.state(now)
        found = results.round_results(round_)
        departments = found["departments"]
        ctx.update(
            round=round_,
            invitations=invitations,
            may_plan=Perm.PLAN.value in ctx["client_perms"],
            departments=departments,
            question_table=results.table(found["questions"], departments),
            service_table=results.table(found["services"], departments),
            texts=found["texts"],
            answered=found["answered"],
        )
        return ctx


class InvitationAction(ClientMixin, generic.View):
    """POST on one invitation of the client (PLAN); back to its round with a message."""

    client_perm = Perm.INTERNAL
    write_perm = Perm.PLAN
    model = Invitation
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs) -> HttpResponse:
        invitation = get_for_user_or_404(
            Invitation.objects.filter(client=self.client).select_related(
                "round__client", "department"
            ),
            request.user,
            Perm.PLAN,
            pk=kwargs["pk"],
        )
        before = audit.snapshot(invitation)
        try:
            text = self.act(invitation)
        except sending.InvitationStateError as exc:
            messages.error(request, str(exc))
        else:
            invitation.refresh_from_db()
            audit.record_update(request.user, invitation, before)
            messages.success(request, text)
        url = reverse(
            "needs:round_detail", kwargs={"client": self.client.slug, "pk": invitation.round_id}
        )
        return HttpResponseRedirect(url, status=303)

    def act(self, invitation: Invitation) -> str:
        raise NotImplementedError


class InvitationRevoke(InvitationAction):
    def act(self, invitation: Invitation) -> str:
        sending.revoke(invitation, self.request.user)
        return f"The link of {invitation.name} ({invitation.department}) no longer works."


class InvitationResend(InvitationAction):
    def act(self, invitation: Invitation) -> str:
        sending.resend(invitation, self.request.user)
        return (
            f"A new link was emailed to {invitation.email}; the link in earlier emails no "
            "longer works."
        )


urlpatterns = [
    path("questionnaires/", QuestionnaireList.as_view(), name="questionnaire_list"),
    path("questionnaires/versions/<int:pk>/", VersionDetail.as_view(),
         name="questionnaire_version"),
    path("questionnaires/versions/<int:pk>/copy/", VersionCopy.as_view(),
         name="questionnaire_copy"),
    path("questionnaires/questions/<int:pk>/edit/", QuestionEdit.as_view(), name="question_edit"),
    path("clients/<slug:client>/surveys/", RoundList.as_view(), name="round_list"),
    path("clients/<slug:client>/surveys/new/", RoundCreate.as_view(), name="round_create"),
    path("clients/<slug:client>/surveys/<int:pk>/", RoundDetail.as_view(), name="round_detail"),
    path("clients/<slug:client>/surveys/invitations/<int:pk>/revoke/",
         InvitationRevoke.as_view(), name="invitation_revoke"),
    path("clients/<slug:client>/surveys/invitations/<int:pk>/resend/",
         InvitationResend.as_view(), name="invitation_resend"),
]  # fmt: skip
