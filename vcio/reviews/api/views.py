"""API endpoints of the reviews app: reviews, decisions and action items.

Rows only through core's scoped viewsets; every write goes through
:mod:`vcio.reviews.services`, which refuses (400, naming the review) any
change to a finalised review and an overlapping period.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from vcio.core.api.base import ScopedModelViewSet
from vcio.core.roles import Perm
from vcio.core.scoping import require
from vcio.reviews import reports, services
from vcio.reviews.api import serializers as s
from vcio.reviews.filters import ActionItemFilter, DecisionFilter, ReviewFilter
from vcio.reviews.models import ActionItem, Decision, Review
from vcio.reviews.views import pdf_filename


class ReviewViewSet(ScopedModelViewSet):
    """Monthly reviews and QBRs; filter by ``client`` (slug), ``kind`` and ``status``.

    POST creates a draft (an overlap with another review of the same kind is a
    400 naming it); PATCH changes ``summary``, ``meeting_date`` and (practice
    only) ``internal_notes`` while the review is open. ``…/start/`` and
    ``…/finalise/`` move it on; ``…/report/`` and ``…/pdf/`` return its report.
    """

    model = Review
    select_related = ("client", "finalised_by")
    serializer_class = s.ReviewSerializer
    filterset_class = ReviewFilter
    ordering_fields = ["period_start", "period_end", "meeting_date", "status"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"\d+"
    write_perm = Perm.PLAN  # running reviews is the practice's planning work

    def queryset_base(self) -> QuerySet:
        # Snapshots and stored reports are large; the list shows neither.
        return super().queryset_base().defer("snapshot", "report_html", "report_html_without_fee")

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = serializer.validated_data
        require(self.request.user, self.write_perm, data["client"])
        serializer.instance = services.create_review(
            data["client"],
            data["kind"],
            data["period_start"],
            data["period_end"],
            self.request.user,
            meeting_date=data.get("meeting_date"),
            summary=data.get("summary", ""),
        )
        if data.get("internal_notes"):
            services.update_review(
                serializer.instance, self.request.user, internal_notes=data["internal_notes"]
            )

    def perform_update(self, serializer: BaseSerializer) -> None:
        data = serializer.validated_data
        fields = {k: data[k] for k in services.EDITABLE_FIELDS if k in data}
        review = serializer.instance
        if fields:
            services.update_review(review, self.request.user, **fields)
        else:
            services.guard_editable(review)  # even an empty PATCH says a final review is final

    @extend_schema(request=None, responses=s.ReviewSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start the meeting (draft → in meeting)."""
        review = services.start_meeting(self.get_object(), request.user)
        return Response(self.get_serializer(review).data)

    @extend_schema(request=None, responses=s.ReviewSerializer)
    @action(detail=True, methods=["post"])
    def finalise(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Apply the decisions and store the snapshot and report, once and for all."""
        review = services.finalise(self.get_object(), request.user)
        return Response(self.get_serializer(review).data)

    @extend_schema(
        responses={(200, "text/html"): OpenApiResponse(OpenApiTypes.STR, "The report")},
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def report(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        """The report as a complete HTML document (stored once finalised, live before)."""
        review = self.get_object()
        document = reports.report_of(review, request.user)
        return HttpResponse(document, content_type="text/html; charset=utf-8")

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, "The PDF")},
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def pdf(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        """The report as a PDF download."""
        review = self.get_object()
        response = HttpResponse(
            reports.pdf_bytes(reports.report_of(review, request.user)),
            content_type="application/pdf",
        )
        response["Content-Disposition"] = f'attachment; filename="{pdf_filename(review)}"'
        return response


class DecisionViewSet(ScopedModelViewSet):
    """Decisions recorded in reviews; changed or removed only while the review is open."""

    model = Decision
    select_related = ("client", "review", "review__finalised_by", "initiative", "decided_by")
    serializer_class = s.DecisionSerializer
    filterset_class = DecisionFilter
    ordering_fields = ["decided_at"]
    lookup_value_regex = r"\d+"
    write_perm = Perm.PLAN

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        review = data.pop("review")
        require(self.request.user, self.write_perm, review)
        serializer.instance = services.add_decision(review, self.request.user, **data)

    def perform_update(self, serializer: BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("review", None)
        services.update_decision(serializer.instance, self.request.user, **data)

    def perform_destroy(self, instance: Decision) -> None:
        services.delete_decision(instance, self.request.user)


class ActionItemViewSet(ScopedModelViewSet):
    """Action items; once their review is finalised, they may only be marked done."""

    model = ActionItem
    select_related = ("client", "review", "review__finalised_by")
    serializer_class = s.ActionItemSerializer
    filterset_class = ActionItemFilter
    search_fields = ["title", "owner"]
    ordering_fields = ["due_date", "status", "created_at"]
    lookup_value_regex = r"\d+"
    write_perm = Perm.PLAN

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        review = data.pop("review")
        require(self.request.user, self.write_perm, review)
        serializer.instance = services.add_action_item(review, self.request.user, **data)

    def perform_update(self, serializer: BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("review", None)
        services.update_action_item(serializer.instance, self.request.user, **data)

    def perform_destroy(self, instance: ActionItem) -> None:
        services.delete_action_item(instance, self.request.user)
