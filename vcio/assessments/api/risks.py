"""API of the risk register: CRUD by the practice's people, treatment through ``…/treat/``.

Everyone who may view the client reads its register. Adding, editing and
deleting risks is the practice's (EDIT and ``may_answer``); the treatment
changes only through ``treat``, which checks what the treatment asked for
needs (:func:`vcio.assessments.risks.may_treat`: accepting is the client
executive's or the CIO's decision) and refuses with a 400 naming the field.
``POST /api/assessment-answers/{id}/raise-risk/`` raises one from an answer.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from vcio.assessments import risks
from vcio.assessments.api import serializers as s
from vcio.assessments.api.assessments import AnswerViewSet, require_practice_editor
from vcio.assessments.filters import RISK_ORDERING, RiskFilter
from vcio.assessments.models import Answer, Risk
from vcio.core.api.base import ScopedModelViewSet
from vcio.core.roles import Perm
from vcio.core.scoping import require


class RiskViewSet(ScopedModelViewSet):
    """A client's risks, highest score first. Filters: ``client`` (slug), ``treatment``,
    ``closed``, ``assessment``, ``q`` (title, owner)."""

    model = Risk
    select_related = ("client", "accepted_by")
    serializer_class = s.RiskSerializer
    filterset_class = RiskFilter
    ordering_fields = RISK_ORDERING
    ordering = ["-risk_score", "-id"]
    lookup_value_regex = r"\d+"

    def queryset_base(self) -> QuerySet[Risk]:
        # The score as a column (``risk_score``), so the list sorts by it in the database.
        return super().queryset_base().annotate(risk_score=F("likelihood") * F("impact"))

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        client = serializer.validated_data.get("client")
        require(self.request.user, Perm.EDIT, client)
        require_practice_editor(self.request.user, client.pk)
        super().perform_create(serializer)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        require_practice_editor(self.request.user, serializer.instance.client_id)
        super().perform_update(serializer)

    def perform_destroy(self, instance: Risk) -> None:
        require_practice_editor(self.request.user, instance.client_id)
        super().perform_destroy(instance)

    def fresh(self, risk: Risk, code: int = status.HTTP_200_OK) -> Response:
        row = self.get_queryset().get(pk=risk.pk)
        return Response(s.RiskSerializer(row, context=self.get_serializer_context()).data, code)

    @extend_schema(request=s.RiskTreatSerializer, responses=s.RiskSerializer)
    @action(detail=True, methods=["post"], write_perm=Perm.VIEW,
            serializer_class=s.RiskTreatSerializer)  # fmt: skip
    def treat(self, request: Request, *args, **kwargs) -> Response:
        """Open, mitigate (``initiative``), accept (``reason``, future ``review_date``) or
        transfer (``transferred_to``); the residual likelihood and impact with any of them.
        Who may: see :func:`vcio.assessments.risks.may_treat` (403 otherwise)."""
        # Not get_object(): its write check asks EDIT, and accepting asks APPROVE or PLAN.
        risk = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        params = s.RiskTreatSerializer(data=request.data, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        treatment = data["treatment"]
        if not risks.may_treat(request.user, risk, treatment):
            raise exceptions.PermissionDenied(
                f"You may not give this risk the treatment {treatment!r}."
            )
        try:
            risks.treat(
                risk,
                request.user,
                treatment,
                reason=data.get("reason", ""),
                review_date=data.get("review_date"),
                initiative=data.get("initiative"),
                transferred_to=data.get("transferred_to", ""),
                residual_likelihood=data.get("residual_likelihood"),
                residual_impact=data.get("residual_impact"),
            )
        except risks.RiskError as err:
            field = {"accept_reason": "reason"}.get(err.field, err.field)
            raise exceptions.ValidationError({field: [err.message]}) from None
        return self.fresh(risk)


class AnswerWithRiskViewSet(AnswerViewSet):
    """Answers, plus raising a risk from one."""

    @extend_schema(request=None, responses={200: s.RiskSerializer, 201: s.RiskSerializer})
    @action(detail=True, methods=["post"], url_path="raise-risk", serializer_class=None)
    def raise_risk(self, request: Request, *args, **kwargs) -> Response:
        """The register's risk for this not aligned or partly aligned answer: 201 when raised
        now, 200 when it was already there."""
        answer: Answer = self.get_object()  # EDIT on the client, else 403
        require_practice_editor(request.user, answer.assessment.client_id)
        try:
            with transaction.atomic():
                risk, created = risks.risk_from_item(answer, request.user)
        except risks.RiskError as err:
            raise exceptions.ValidationError({err.field: [err.message]}) from None
        row = Risk.objects.for_user(request.user).annotate(risk_score=F("likelihood") * F("impact"))
        context = {**self.get_serializer_context(), "today": timezone.localdate()}
        body = s.RiskSerializer(row.select_related("client").get(pk=risk.pk), context=context)
        return Response(body.data, status.HTTP_201_CREATED if created else status.HTTP_200_OK)
