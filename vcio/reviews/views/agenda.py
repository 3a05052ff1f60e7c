"""Decisions and action items recorded in a review, from its page.

Decisions wait for the review to be finalised to be applied to the roadmap;
action items stay on every review's agenda until done. Each write goes
through :mod:`vcio.reviews.services`, which refuses it on a finalised review.
"""

from __future__ import annotations

from django.urls import path

from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404
from vcio.reviews import services
from vcio.reviews.models import ActionItem, Decision
from vcio.reviews.views import CLIENT
from vcio.reviews.views.detail import Invalid, ReviewAction, action_item_form, decision_form


class DecisionAdd(ReviewAction):
    anchor = "#decisions"

    def act(self) -> str:
        form = decision_form(self.review, self.request.user, self.request.POST)
        if not form.is_valid():
            raise Invalid(decision_form=form)
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        decision = services.add_decision(self.review, self.request.user, **fields)
        return f"Decision recorded: {decision}. It is applied when the review is finalised."


class DecisionDelete(ReviewAction):
    """Remove a decision recorded by mistake (the URL's ``pk`` is the decision's)."""

    model = Decision
    review_kwarg = "review_id"
    anchor = "#decisions"

    def act(self) -> str:
        qs = Decision.objects.filter(client=self.client, review=self.review)
        decision = get_for_user_or_404(qs, self.request.user, Perm.EDIT, pk=self.kwargs["pk"])
        services.delete_decision(decision, self.request.user)
        return f"Decision “{decision}” removed."


class ActionItemAdd(ReviewAction):
    anchor = "#action-items"

    def act(self) -> str:
        form = action_item_form(self.review, self.request.POST)
        if not form.is_valid():
            raise Invalid(action_item_form=form)
        item = services.add_action_item(self.review, self.request.user, **form.cleaned_data)
        return f"Action item “{item}” added: it stays on the agenda until done."


class ActionItemDone(ReviewAction):
    """Mark an item of this review's agenda done (the URL's ``pk`` is the item's)."""

    model = ActionItem
    review_kwarg = "review_id"
    anchor = "#action-items"

    def act(self) -> str:
        qs = ActionItem.objects.filter(client=self.client)
        item = get_for_user_or_404(qs, self.request.user, Perm.EDIT, pk=self.kwargs["pk"])
        services.complete_action_item(item, self.review, self.request.user)
        return f"“{item}” is done."


urlpatterns = [
    path(f"{CLIENT}<int:pk>/decisions/", DecisionAdd.as_view(), name="decision_add"),
    path(
        f"{CLIENT}<int:review_id>/decisions/<int:pk>/delete/",
        DecisionDelete.as_view(),
        name="decision_delete",
    ),
    path(f"{CLIENT}<int:pk>/action-items/", ActionItemAdd.as_view(), name="action_item_add"),
    path(
        f"{CLIENT}<int:review_id>/action-items/<int:pk>/done/",
        ActionItemDone.as_view(),
        name="action_item_done",
    ),
]
