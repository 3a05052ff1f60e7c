"""The client portal's Standards page: the finished (signed-off) result, as leaders read it.

Only signed-off assessments, and of each answer only its status, the item's
text and why it matters, and the live evidence sentence: never the
practice's notes, override reasons or who answered.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.views import generic

from vcio.assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Risk,
    Section,
    Treatment,
)
from vcio.assessments.scores import scorecards
from vcio.core.registry import PortalTab, portal_tabs
from vcio.reviews.portal.views import PortalMixin

GAPS = ("not_aligned", "partly")


class Standards(PortalMixin, generic.TemplateView):
    template_name = "assessments/portal_standards.html"
    tab = "standards"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        latest = latest_signed_off_for(user, self.client)
        cards = scorecards([a.pk for a in latest])
        titles = {
            (s.version_id, s.ref): s.title
            for s in Section.objects.filter(version__in=[a.version_id for a in latest], parent=None)
        }
        answers = (
            Answer.objects.for_user(user)
            .filter(assessment__in=latest)
            .select_related("item", "item__section")
            .order_by("assessment_id", "item__order")
        )
        by_assessment: dict[int, list[Answer]] = {}
        for answer in answers:
            by_assessment.setdefault(answer.assessment_id, []).append(answer)
        ctx["results"] = [
            {
                "assessment": a,
                "card": cards[a.pk],
                "sections": [
                    (f"{ref} {titles.get((a.version_id, ref), '')}".strip(), s)
                    for ref, s in cards[a.pk].sections.items()
                ],
                "gaps": [x for x in by_assessment.get(a.pk, []) if x.status in GAPS],
                "framework": a.version.framework,
            }
            for a in latest
        ]
        ctx["accepted"] = list(
            Risk.objects.for_user(user)
            .filter(client=self.client, treatment=Treatment.ACCEPT, closed=False)
            .order_by("review_date")
        )
        return ctx


def latest_signed_off_for(user, client) -> list[Assessment]:
    """The latest signed-off assessment of each framework the client was assessed against."""
    seen: set[int] = set()
    latest = []
    for a in (
        Assessment.objects.for_user(user)
        .filter(client=client, status=AssessmentStatus.SIGNED_OFF)
        .select_related("version__framework")
        .order_by("-as_of", "-signed_off_at", "-id")
    ):
        if a.version.framework_id not in seen:
            seen.add(a.version.framework_id)
            latest.append(a)
    return latest


urlpatterns = [
    path("portal/<slug:client>/standards/", Standards.as_view(), name="portal_standards"),
]


def register() -> None:
    portal_tabs.register(PortalTab("standards", "Standards", "assessments:portal_standards", 40))
