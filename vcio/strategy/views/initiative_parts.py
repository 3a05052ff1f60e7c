"""The actions on one initiative's page: status, goals, dependencies, milestones, spend.

Each is a POST that checks the permission, makes its change through the
services in one transaction, records the audit log and returns to the
initiative's page. When a service or a form refuses, the page is shown
again with the reason and status 400, and nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.text import capfirst
from django.views import generic

from vcio.core import audit
from vcio.core.access import access_for
from vcio.core.models import AuditEvent
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.core.views.base import ClientMixin
from vcio.strategy import services
from vcio.strategy.forms.initiatives import LinkGoalForm, MilestoneForm, RequireForm, SpendForm
from vcio.strategy.models import (
    BusinessGoal,
    Initiative,
    InitiativeGoal,
    InitiativeStatus,
    Milestone,
    SpendEntry,
)
from vcio.strategy.views import CLIENT


class Refused(Exception):
    """An action refused: ``message`` for the page, ``forms`` bound with what was typed."""

    def __init__(self, message: str, **forms: forms.BaseForm) -> None:
        super().__init__(message)
        self.message = message
        self.forms = forms


def form_message(form: forms.BaseForm) -> str:
    """Every error of ``form`` in one sentence, each prefixed by its field unless it names it."""
    parts = []
    for name, errors in form.errors.items():
        label = capfirst(form.fields[name].label or name) if name in form.fields else ""
        for error in errors:
            said = error.lower()
            named = not label or label.lower() in said or name.replace("_", " ") in said
            parts.append(error if named else f"{label}: {error}")
    return " ".join(parts)


class InitiativeAction(ClientMixin, generic.View):
    """A POST changing one part of an initiative; subclasses implement ``act``.

    ``model`` is the class whose pk is in the URL (the isolation walker aims
    at a row of it); ``perm`` is what the user needs on the client.
    """

    model: type[models.Model] = Initiative
    perm: Perm = Perm.EDIT
    # The client page itself only needs VIEW: an executive reaches the approve action.
    client_perm = Perm.VIEW
    http_method_names = ["post"]

    def target(self) -> models.Model:
        """The row named in the URL, only among the shown client's (else 404)."""
        if self.model is Initiative:
            qs = Initiative.objects.filter(client=self.client)
        else:
            qs = self.model.objects.filter(initiative__client=self.client)
        return get_for_user_or_404(qs, self.request.user, self.perm, pk=self.kwargs["pk"])

    def act(self, obj: Any, initiative: Initiative) -> str:
        """Make the change; return the success message or raise ValidationError/Refused."""
        raise NotImplementedError

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        obj = self.target()
        initiative = obj if isinstance(obj, Initiative) else obj.initiative
        try:
            with transaction.atomic():
                message = self.act(obj, initiative)
        except ValidationError as exc:
            return self.refused(initiative, " ".join(exc.messages))
        except Refused as exc:
            return self.refused(initiative, exc.message, **exc.forms)
        messages.success(request, message)
        return HttpResponseRedirect(
            reverse(
                "strategy:initiative_detail",
                kwargs={"client": self.client.slug, "pk": initiative.pk},
            )
        )

    def refused(self, initiative: Initiative, message: str, **bound: Any) -> HttpResponse:
        # Imported here: the initiatives module imports this one for its urlpatterns.
        from vcio.strategy.views.initiatives import detail_response

        return detail_response(self.request, self.client, initiative, message, **bound)

    def bound(self, form: forms.BaseForm, name: str) -> forms.BaseForm:
        """``form`` when valid, else refuse with its errors and keep it for the page."""
        if not form.is_valid():
            raise Refused(form_message(form), **{name: form})
        return form


def transition_perms(status: str) -> frozenset[Perm]:
    """Any one of these lets a user move an initiative to ``status``.

    Approving is the client's decision (APPROVE: executives and the practice
    owners); a decline may be the client's or the consultant's withdrawing it
    (PLAN), never a technician's; the other moves are the practice's work (EDIT).
    """
    if status == InitiativeStatus.APPROVED:
        return frozenset({Perm.APPROVE})
    if status == InitiativeStatus.DECLINED:
        return frozenset({Perm.APPROVE, Perm.PLAN})
    return frozenset({Perm.EDIT})


class TransitionAction(InitiativeAction):
    perm = Perm.VIEW  # the permission depends on the status asked for; checked in act
    write_perm = Perm.VIEW

    def act(self, obj: Initiative, initiative: Initiative) -> str:
        status = self.request.POST.get("status", "")
        access = access_for(self.request.user)
        if status in InitiativeStatus.values and not any(
            access.can(p, initiative.client_id) for p in transition_perms(status)
        ):
            raise PermissionDenied(f"You may not mark initiatives {status}.")
        before = audit.snapshot(initiative)
        services.transition(initiative, status, self.request.user)
        audit.record_update(self.request.user, initiative, before)
        return f"“{initiative}” is now {initiative.get_status_display().lower()}."


class LinkGoalAction(InitiativeAction):
    def act(self, obj: Initiative, initiative: Initiative) -> str:
        goals = BusinessGoal.objects.for_user(self.request.user).filter(client=self.client)
        form = LinkGoalForm(self.request.POST, client=self.client, goals=goals)
        data = self.bound(form, "link_goal_form").cleaned_data
        existing = InitiativeGoal.objects.filter(initiative=initiative, goal=data["goal"]).first()
        before = audit.snapshot(existing) if existing else None
        link = services.link_goal(initiative, data["goal"], data["contribution"])
        if before is None:
            audit.record_create(self.request.user, link)
        else:
            audit.record_update(self.request.user, link, before)
        return f"“{initiative}” contributes {link.contribution} % to “{link.goal}”."


class UnlinkGoalAction(InitiativeAction):
    model = InitiativeGoal

    def act(self, obj: InitiativeGoal, initiative: Initiative) -> str:
        audit.record_delete(self.request.user, obj)
        obj.delete()
        return f"“{initiative}” is no longer linked to “{obj.goal}”."


def _requires_titles(initiative: Initiative) -> list[str]:
    return sorted(initiative.requires.values_list("title", flat=True))


class RequireAction(InitiativeAction):
    def act(self, obj: Initiative, initiative: Initiative) -> str:
        others = Initiative.objects.for_user(self.request.user).filter(client=self.client)
        form = RequireForm(self.request.POST, client=self.client, others=others)
        required = self.bound(form, "require_form").cleaned_data["requires"]
        before = _requires_titles(initiative)
        services.add_requirement(initiative, required)
        audit.record(
            self.request.user,
            initiative,
            AuditEvent.Action.UPDATE,
            {"requires": [before, _requires_titles(initiative)]},
        )
        return f"“{initiative}” now requires “{required}”."


class UnrequireAction(InitiativeAction):
    def act(self, obj: Initiative, initiative: Initiative) -> str:
        form = RequireForm(self.request.POST, client=self.client, others=initiative.requires.all())
        if not form.is_valid():
            raise ValidationError(f"“{initiative}” does not require that initiative.")
        required = form.cleaned_data["requires"]
        before = _requires_titles(initiative)
        initiative.requires.remove(required)
        audit.record(
            self.request.user,
            initiative,
            AuditEvent.Action.UPDATE,
            {"requires": [before, _requires_titles(initiative)]},
        )
        return f"“{initiative}” no longer requires “{required}”."


class MilestoneCreateAction(InitiativeAction):
    def act(self, obj: Initiative, initiative: Initiative) -> str:
        form = self.bound(MilestoneForm(self.request.POST), "milestone_form")
        milestone = form.save(commit=False)
        milestone.initiative = initiative
        milestone.save()
        audit.record_create(self.request.user, milestone)
        return f"Milestone “{milestone}” added."


class MilestoneToggleAction(InitiativeAction):
    model = Milestone

    def act(self, obj: Milestone, initiative: Initiative) -> str:
        before = audit.snapshot(obj)
        obj.done = not obj.done
        obj.save(update_fields=["done"])
        audit.record_update(self.request.user, obj, before)
        return f"Milestone “{obj}” marked {'done' if obj.done else 'not done'}."


class MilestoneDeleteAction(InitiativeAction):
    model = Milestone

    def act(self, obj: Milestone, initiative: Initiative) -> str:
        audit.record_delete(self.request.user, obj)
        obj.delete()
        return f"Milestone “{obj}” deleted."


class SpendCreateAction(InitiativeAction):
    def act(self, obj: Initiative, initiative: Initiative) -> str:
        form = self.bound(SpendForm(self.request.POST), "spend_form")
        entry = form.save(commit=False)
        entry.initiative = initiative
        entry.save()
        audit.record_create(self.request.user, entry)
        return f"Spend of {entry.amount} on {entry.date} recorded."


class SpendDeleteAction(InitiativeAction):
    model = SpendEntry

    def act(self, obj: SpendEntry, initiative: Initiative) -> str:
        audit.record_delete(self.request.user, obj)
        obj.delete()
        return f"Spend of {obj.amount} on {obj.date} deleted."


ONE = f"{CLIENT}initiatives/<int:pk>/"
urlpatterns = [
    path(f"{ONE}status/", TransitionAction.as_view(), name="initiative_transition"),
    path(f"{ONE}goals/", LinkGoalAction.as_view(), name="initiative_link_goal"),
    path(
        f"{CLIENT}initiative-goals/<int:pk>/delete/",
        UnlinkGoalAction.as_view(),
        name="initiative_unlink_goal",
    ),
    path(f"{ONE}requires/", RequireAction.as_view(), name="initiative_require"),
    path(f"{ONE}requires/remove/", UnrequireAction.as_view(), name="initiative_unrequire"),
    path(f"{ONE}milestones/", MilestoneCreateAction.as_view(), name="milestone_create"),
    path(
        f"{CLIENT}milestones/<int:pk>/toggle/",
        MilestoneToggleAction.as_view(),
        name="milestone_toggle",
    ),
    path(
        f"{CLIENT}milestones/<int:pk>/delete/",
        MilestoneDeleteAction.as_view(),
        name="milestone_delete",
    ),
    path(f"{ONE}spend/", SpendCreateAction.as_view(), name="spend_create"),
    path(f"{CLIENT}spend/<int:pk>/delete/", SpendDeleteAction.as_view(), name="spend_delete"),
]
