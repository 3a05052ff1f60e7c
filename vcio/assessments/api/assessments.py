"""API of assessments, their answers and evidence (rows only through core's scoped viewsets).

Who may do what (vcio.assessments.permissions): everyone who may view the
client reads its assessments and answers — without the internal notes
unless they work for the practice. Starting, signing off and re-opening an
assessment is the CIO's (PLAN); answering, attaching evidence, submitting
and refreshing live evidence are the practice's people with EDIT (a client
editor holds EDIT but is not the practice's engineer: 403). A step refused
by the workflow is a 400 with the reason, naming the item.
"""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from vcio.assessments import live, scores, workflow
from vcio.assessments.api import serializers as s
from vcio.assessments.filters import AnswerFilter, AssessmentFilter, EvidenceFilter
from vcio.assessments.models import Answer, Assessment, Evidence
from vcio.assessments.permissions import may_answer
from vcio.core import audit
from vcio.core.access import access_for
from vcio.core.api.base import ScopedModelViewSet, ScopedQueryMixin
from vcio.core.models import AuditEvent
from vcio.core.roles import Perm
from vcio.core.scoping import require


def require_practice_editor(user, client_id: int) -> None:
    """403 unless the user answers for the practice on this client (``may_answer``)."""
    if not may_answer(user, client_id):
        raise exceptions.PermissionDenied(
            "Only the practice's people answer assessments and attach evidence."
        )


def refused(exc: workflow.AssessmentError) -> exceptions.ValidationError:
    return exceptions.ValidationError({"detail": [str(exc)]})


class AssessmentViewSet(
    ScopedQueryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """A client's assessments against framework versions, with their scores.

    Filters: ``client`` (slug), ``status``, ``framework`` (key). Creating one
    starts it: one unknown answer per item, live evidence applied.
    """

    model = Assessment
    select_related = ("client", "version__framework", "created_by", "submitted_by",
                      "signed_off_by")  # fmt: skip
    serializer_class = s.AssessmentSerializer
    filterset_class = AssessmentFilter
    search_fields = ["title"]
    ordering_fields = ["as_of", "title", "status", "created_at"]
    lookup_value_regex = r"\d+"
    write_perm = Perm.PLAN

    def get_serializer_class(self):
        if self.action == "create":
            return s.AssessmentCreateSerializer
        return super().get_serializer_class()

    def visible(self, perm: Perm) -> Assessment:
        assessment = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        require(self.request.user, perm, assessment)
        return assessment

    def answer_with(self, assessment: Assessment, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=assessment.pk)
        body = s.AssessmentSerializer(fresh, context=self.get_serializer_context()).data
        return Response(body, status=code)

    @extend_schema(request=s.AssessmentCreateSerializer, responses={201: s.AssessmentSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        if access_for(request.user).client_ids(Perm.PLAN) == set():
            raise exceptions.PermissionDenied("Starting an assessment is the CIO's (PLAN).")
        params = s.AssessmentCreateSerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        data = params.validated_data
        require(request.user, Perm.PLAN, data["client"])
        assessment = workflow.start(
            data["client"], data["version"], request.user, data.get("as_of"), data.get("title", "")
        )
        audit.record_create(request.user, assessment)
        return self.answer_with(assessment, status.HTTP_201_CREATED)

    def step(self, perm: Perm, do, *args, practice: bool = False) -> Response:
        assessment = self.visible(perm)
        if practice:
            require_practice_editor(self.request.user, assessment.client_id)
        before = audit.snapshot(assessment)
        try:
            do(assessment, self.request.user, *args)
        except workflow.AssessmentError as exc:
            raise refused(exc) from None
        audit.record_update(self.request.user, assessment, before)
        return self.answer_with(assessment)

    @extend_schema(request=None, responses=s.AssessmentSerializer)
    @action(detail=True, methods=["post"], write_perm=Perm.EDIT, serializer_class=None)
    def submit(self, request: Request, *args, **kwargs) -> Response:
        """The engineer hands the assessment to the CIO for review."""
        return self.step(Perm.EDIT, workflow.submit, practice=True)

    @extend_schema(request=s.AssessmentSignOffSerializer, responses=s.AssessmentSerializer)
    @action(detail=True, methods=["post"], url_path="sign-off",
            serializer_class=s.AssessmentSignOffSerializer)  # fmt: skip
    def sign_off(self, request: Request, *args, **kwargs) -> Response:
        """The CIO signs off: final, shown in the portal, its framework version frozen."""
        params = s.AssessmentSignOffSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        return self.step(Perm.PLAN, workflow.sign_off, params.validated_data.get("summary"))

    @extend_schema(request=None, responses=s.AssessmentSerializer)
    @action(detail=True, methods=["post"], serializer_class=None)
    def reopen(self, request: Request, *args, **kwargs) -> Response:
        """Back to the engineer (sent back from review, or a signed-off one to correct)."""
        return self.step(Perm.PLAN, workflow.reopen)

    @extend_schema(request=None, responses=s.AssessmentRefreshSerializer)
    @action(detail=True, methods=["post"], url_path="refresh-evidence", write_perm=Perm.EDIT,
            serializer_class=None)  # fmt: skip
    def refresh_evidence(self, request: Request, *args, **kwargs) -> Response:
        """Run the live evidence rules now (open assessments only; a signed-off one keeps its)."""
        assessment = self.visible(Perm.EDIT)
        require_practice_editor(request.user, assessment.client_id)
        changed = live.refresh([assessment])
        fresh = self.get_queryset().get(pk=assessment.pk)
        context = self.get_serializer_context()
        return Response(
            {
                "changed": changed,
                "assessment": s.AssessmentSerializer(fresh, context=context).data,
            }
        )

    @extend_schema(
        parameters=[OpenApiParameter("with", int, required=True, description="Other assessment")],
        responses=s.AssessmentComparisonSerializer,
    )
    @action(detail=True, filter_backends=[], pagination_class=None, serializer_class=None)
    def compare(self, request: Request, *args, **kwargs) -> Response:
        """Item by item against another assessment of the same client (the earlier one first)."""
        this = self.visible(Perm.VIEW)  # first: another client's assessment is a 404, not a 400
        params = s.AssessmentCompareParams(data=request.query_params)
        if not params.is_valid():
            raise exceptions.ValidationError({"with": params.errors.get("with_", ["invalid"])})
        other = self.get_queryset().filter(pk=params.validated_data["with_"]).first()
        if other is None:
            raise exceptions.NotFound("no assessment with that id that you can access")
        if other.client_id != this.client_id:
            raise exceptions.ValidationError({"with": ["that assessment is another client's"]})
        before, after = sorted([this, other], key=lambda a: (a.as_of, a.pk))
        changes = scores.compare(item_states(before), item_states(after))
        return Response(
            {
                "before": before.pk,
                "after": after.pk,
                "changes": [c.__dict__ for c in changes],
            }
        )


def item_states(assessment: Assessment) -> dict[str, tuple[str, str]]:
    """``{item ref: (status, text)}`` of an assessment, in the framework's order (one query)."""
    rows = Answer.objects.filter(assessment=assessment).values_list(
        "item__ref", "status", "item__text"
    )
    return {ref: (answer_status, text) for ref, answer_status, text in rows}


class AnswerViewSet(
    ScopedQueryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Answers of assessments (``?assessment=<id>``); PATCH ``status``, ``note``, ``reason``.

    An answer contradicting the item's live evidence needs a ``reason``
    (400 naming the item otherwise). ``note`` and ``override_reason`` appear
    only for the practice's people.
    """

    model = Answer
    select_related = ("assessment__client", "item__section", "answered_by")
    serializer_class = s.AssessmentAnswerSerializer
    filterset_class = AnswerFilter
    ordering_fields = ["item__order", "status", "answered_at"]
    ordering = ["assessment_id", "item__order", "item_id"]
    lookup_value_regex = r"\d+"
    write_perm = Perm.EDIT
    # Answers are made by starting an assessment, never one by one; POST is for actions.
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        answer: Answer = serializer.instance
        require_practice_editor(self.request.user, answer.assessment.client_id)
        data = serializer.validated_data
        before = audit.snapshot(answer)
        try:
            with transaction.atomic():
                workflow.answer(
                    answer,
                    self.request.user,
                    status=data.get("status", answer.status),
                    note=data.get("note"),
                    reason=data.get("reason", answer.override_reason),
                )
                audit.record_update(self.request.user, answer, before)
        except workflow.AssessmentError as exc:
            field = "reason" if "give a reason" in str(exc) else "status"
            raise exceptions.ValidationError({field: [str(exc)]}) from None


class EvidenceViewSet(ScopedModelViewSet):
    """Links and files attached to answers (``?answer=<id>``): add (JSON or multipart), delete."""

    model = Evidence
    select_related = ("answer__assessment", "added_by")
    serializer_class = s.AssessmentEvidenceSerializer
    filterset_class = EvidenceFilter
    ordering = ["answer_id", "id"]
    ordering_fields = ["added_at"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "delete", "head", "options"]

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        answer: Answer = serializer.validated_data["answer"]
        require(self.request.user, Perm.EDIT, answer)
        require_practice_editor(self.request.user, answer.assessment.client_id)
        with transaction.atomic():
            evidence = serializer.save(added_by=self.request.user)
            audit.record(self.request.user, evidence, AuditEvent.Action.CREATE, snapshot(evidence))

    def perform_destroy(self, instance: Evidence) -> None:
        require_practice_editor(self.request.user, instance.answer.assessment.client_id)
        with transaction.atomic():
            audit.record(self.request.user, instance, AuditEvent.Action.DELETE, snapshot(instance))
            instance.file.delete(save=False)
            instance.delete()


def snapshot(evidence: Evidence) -> dict:
    """The audit snapshot with the file's name (core's snapshot cannot put a file in JSON)."""
    return {**audit.snapshot(evidence), "file": evidence.file.name or ""}
