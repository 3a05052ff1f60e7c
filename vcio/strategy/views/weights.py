"""The scoring weights of one client, with the ranking they produce.

A consultant sets how much each part of the score counts (goal alignment,
risk, urgency, benefit, cost, effort) and sees at once which initiatives
come out on top and why; executives see the same page read-only, so the
ranking they are shown is never a black box.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.forms import BoundField
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.views import generic

from vcio.core.models import Client
from vcio.core.roles import Perm
from vcio.core.scoping import require
from vcio.core.views.base import ClientMixin
from vcio.strategy import scoring
from vcio.strategy.forms.weights import PARTS, Part, WeightsForm, save_weights
from vcio.strategy.models import Initiative, InitiativeStatus
from vcio.strategy.models.planning import DEFAULT_WEIGHTS, WEIGHT_FIELDS
from vcio.strategy.views import CLIENT

# How many initiatives the preview ranks: enough to see the order change, short enough to read.
PREVIEW_SIZE = 10
CLOSED = (InitiativeStatus.DONE, InitiativeStatus.DECLINED)


@dataclass(frozen=True)
class WeightRow:
    """One line of the weights table: the part, its current and default weight, its share."""

    part: Part
    field: BoundField
    weight: int
    default: int
    share: float  # % of the sum of the weights


@dataclass(frozen=True)
class Ranked:
    rank: int
    initiative_id: int
    title: str
    breakdown: scoring.ScoreBreakdown


def weight_rows(form: WeightsForm, weights: dict[str, int]) -> list[WeightRow]:
    """The six parts with ``weights`` (the ones the ranking uses) and their shares in %."""
    whole = sum(weights.values()) or 1
    return [
        WeightRow(
            PARTS[name],
            form[name],
            weights[name],
            DEFAULT_WEIGHTS[name],
            weights[name] / whole * 100,
        )
        for name in WEIGHT_FIELDS
    ]


def ranking(
    client: Client, user: Any, weights: dict[str, int], limit: int = PREVIEW_SIZE
) -> list[Ranked]:
    """The ``limit`` best-scoring initiatives still to do under ``weights``; four queries.

    Done and declined initiatives are left out: the ranking is about what to
    fund next. They still count as yardsticks for "cheap" and "small", as in
    every other score of the client.
    """
    closed = set(
        Initiative.objects.for_user(user)
        .filter(client=client, status__in=CLOSED)
        .values_list("pk", flat=True)
    )
    scored = [
        (d, scoring.score(d, weights))
        for d in scoring.initiative_data(client.pk)
        if d.id not in closed
    ]
    scored.sort(key=lambda pair: (-pair[1].total, pair[0].title, pair[0].id))
    return [
        Ranked(i, data.id, data.title, breakdown)
        for i, (data, breakdown) in enumerate(scored[:limit], start=1)
    ]


class WeightsView(ClientMixin, generic.TemplateView):
    """Shows the weights and the ranking; saving, resetting and previewing need MANAGE."""

    template_name = "strategy/weights.html"
    write_perm = Perm.MANAGE

    def get_context_data(
        self, form: WeightsForm | None = None, preview: dict[str, int] | None = None, **kwargs
    ) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        saved = scoring.weights_for(self.client.pk)
        # The ranking follows what is previewed, else what is saved.
        shown = preview or saved
        form = form or WeightsForm(initial=saved)
        ctx.update(
            form=form,
            can_manage=Perm.MANAGE in ctx["client_perms"],
            rows=weight_rows(form, shown),
            is_default=saved == DEFAULT_WEIGHTS,
            previewing=preview is not None,
            ranking=ranking(self.client, self.request.user, shown),
            preview_size=PREVIEW_SIZE,
        )
        return ctx

    def post(self, request, *args, **kwargs) -> HttpResponse:
        require(request.user, Perm.MANAGE, self.client)
        resetting = "reset" in request.POST
        form = WeightsForm(DEFAULT_WEIGHTS if resetting else request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        if "preview" in request.POST:
            ctx = self.get_context_data(form=form, preview=form.weights())
            return self.render_to_response(ctx)
        save_weights(self.client, form.weights(), request.user)
        messages.success(
            request,
            "Scoring weights reset to the defaults." if resetting else "Scoring weights saved.",
        )
        return HttpResponseRedirect(
            reverse("strategy:weights", kwargs={"client": self.client.slug})
        )


urlpatterns = [
    path(f"{CLIENT}scoring/", WeightsView.as_view(), name="weights"),
]
