"""The practice heat-map: every client the user may see × the top-level sections of a framework.

Each cell is the section's alignment in the client's latest signed-off
assessment of that framework. A fixed number of queries whatever the number
of clients: the clients, the frameworks, the latest assessments, one
``scorecards`` call for all of them, the section titles.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import path
from django.views import generic

from vcio.assessments.latest import latest_signed_off
from vcio.assessments.models import Framework, Section
from vcio.assessments.scores import scorecards
from vcio.core.models import Client

# Lower bounds of the colour bands, in % aligned (the same reading as the portal's gauge).
BANDS = ((80.0, "good"), (50.0, "fair"), (0.0, "poor"))


def band(percent: float | None) -> str:
    """The colour band of an alignment %: good, fair, poor; "none" without a score."""
    if percent is None:
        return "none"
    return next(name for low, name in BANDS if percent >= low)


def heatmap(clients: list[Client], framework_key: str) -> dict[str, Any]:
    """``columns`` (section ref, title) and ``rows`` (client, assessment, cells) for a framework."""
    latest = latest_signed_off([c.pk for c in clients], framework_key=framework_key)
    cards = scorecards([a.pk for a in latest.values()])
    newest = max(latest.values(), key=lambda a: (a.as_of, a.pk), default=None)
    titles: dict[str, str] = {}
    if latest:
        version_ids = {a.version_id for a in latest.values()}
        for ref, title, vid in Section.objects.filter(
            version_id__in=version_ids, parent=None
        ).values_list("ref", "title", "version_id"):
            if vid == newest.version_id or ref not in titles:
                titles[ref] = title
    refs = list(titles)
    rows = []
    for client in clients:
        a = latest.get(client.pk)
        card = cards.get(a.pk) if a else None
        cells = []
        for ref in refs:
            s = card.sections.get(ref) if card else None
            pct = s.percent if s else None
            cells.append({"ref": ref, "percent": pct, "band": band(pct)})
        overall = card.overall.percent if card else None
        rows.append(
            {
                "client": client,
                "assessment": a,
                "cells": cells,
                "overall": overall,
                "band": band(overall),
            }
        )
    return {"columns": [(ref, titles[ref]) for ref in refs], "rows": rows}


class Heatmap(LoginRequiredMixin, generic.TemplateView):
    template_name = "assessments/heatmap.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        frameworks = list(Framework.objects.only("key", "name"))
        wanted = self.request.GET.get("framework", "")
        chosen = next((f for f in frameworks if f.key == wanted), None)
        if chosen is None and frameworks:
            chosen = frameworks[0]
        ctx["frameworks"] = frameworks
        ctx["framework"] = chosen
        clients = list(Client.objects.for_user(self.request.user).only("name", "slug"))
        ctx.update(heatmap(clients, chosen.key) if chosen else {"columns": [], "rows": []})
        ctx["assessed"] = sum(1 for r in ctx["rows"] if r["assessment"])
        return ctx


urlpatterns = [
    path("assessments/heatmap/", Heatmap.as_view(), name="heatmap"),
]
