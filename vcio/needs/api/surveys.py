"""API of surveys: questionnaires and versions, survey rounds, invitations, answers (read).

Questionnaires are the practice's library (no client): the practice's
people read them; importing a JSON document and copying a version need
MANAGE on the whole practice. Rounds, invitations and answers belong to a
client and are the practice's only (INTERNAL: answers are individual);
starting a round, revoking and resending a link need PLAN.

A link's key is shown exactly once: in the response that created it
(starting a round, resending). Only its hash is stored.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from vcio.core import audit
from vcio.core.access import access_for
from vcio.core.api.base import Pagination, ScopedQueryMixin
from vcio.core.api.serializers import ClientSlugField, ContactField, DepartmentField
from vcio.core.filters import FilterSet, IdChoiceFilter, client_filter
from vcio.core.library import LibraryAccess as BaseLibraryAccess
from vcio.core.roles import Perm
from vcio.core.scoping import require
from vcio.needs import questionnaires, sending
from vcio.needs.models import (
    Answer,
    Invitation,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
    SurveyRound,
)

# --- serializers --------------------------------------------------------------------------


class QuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "position", "key", "kind", "text", "help", "required"]


class VersionSummarySerializer(serializers.ModelSerializer):
    frozen = serializers.BooleanField(read_only=True)

    class Meta:
        model = QuestionnaireVersion
        fields = ["id", "version", "published_at", "frozen", "created_at"]


class QuestionnaireSerializer(serializers.ModelSerializer):
    versions = VersionSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Questionnaire
        fields = ["id", "key", "name", "description", "created_at", "versions"]


class QuestionnaireVersionSerializer(serializers.ModelSerializer):
    questionnaire = serializers.SlugRelatedField(slug_field="key", read_only=True)
    questionnaire_name = serializers.CharField(source="questionnaire.name", read_only=True)
    frozen = serializers.BooleanField(read_only=True)
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta:
        model = QuestionnaireVersion
        fields = ["id", "questionnaire", "questionnaire_name", "version", "intro", "published_at",
                  "frozen", "created_at", "questions"]  # fmt: skip


class QuestionDocSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Lower-case letters, digits and dashes; unique")
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    text = serializers.CharField(max_length=300)
    help = serializers.CharField(max_length=300, required=False, allow_blank=True)
    required = serializers.BooleanField(required=False, default=False)


class QuestionnaireDocSerializer(serializers.Serializer):
    """The questionnaire file (vcio.needs.questionnaires), for the schema; checked there."""

    format = serializers.CharField(required=False, help_text=questionnaires.FORMAT)
    key = serializers.CharField()
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    version = serializers.CharField(max_length=20)
    intro = serializers.CharField(required=False, allow_blank=True)
    questions = QuestionDocSerializer(many=True)


class ProblemsSerializer(serializers.Serializer):
    problems = serializers.ListField(child=serializers.CharField())


class CopySerializer(serializers.Serializer):
    version = serializers.CharField(max_length=20, help_text="The new version's name (new)")


class InvitationSerializer(serializers.ModelSerializer):
    client = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    state = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "client", "round", "department", "department_name", "contact", "name",
                  "email", "token_prefix", "state", "expires_at", "revoked_at", "sent_at",
                  "reminders_sent", "last_reminded_at", "opened_at", "submitted_at"]  # fmt: skip
        read_only_fields = fields

    def get_state(self, invitation: Invitation) -> str:
        return invitation.state()


class SentInvitationSerializer(InvitationSerializer):
    link = serializers.SerializerMethodField(
        help_text="The private answer link: shown only in this response, never again"
    )

    class Meta(InvitationSerializer.Meta):
        fields = [*InvitationSerializer.Meta.fields, "link"]
        read_only_fields = fields

    def get_link(self, invitation: Invitation) -> str:
        return sending.answer_url(self.context["keys"][invitation.pk])


class SurveyRoundSerializer(serializers.ModelSerializer):
    client = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    invited = serializers.IntegerField(read_only=True)
    answered = serializers.IntegerField(read_only=True)

    class Meta:
        model = SurveyRound
        fields = ["id", "client", "version", "title", "opened_on", "closes_on", "created_at",
                  "closed_at", "invited", "answered"]  # fmt: skip
        read_only_fields = fields


class RecipientSerializer(serializers.Serializer):
    department = DepartmentField()
    contact = ContactField(required=False, allow_null=True)
    name = serializers.CharField(max_length=160)
    email = serializers.EmailField()


class RoundCreateSerializer(serializers.Serializer):
    client = ClientSlugField()
    version = serializers.PrimaryKeyRelatedField(
        queryset=QuestionnaireVersion.objects.select_related("questionnaire"),
        help_text="The questionnaire version to send (id); sending freezes it",
    )
    title = serializers.CharField(max_length=200)
    closes_on = serializers.DateField(help_text="The links stop working at the end of this day")
    recipients = RecipientSerializer(
        many=True,
        required=False,
        help_text="The department heads; default: each department's head with an email",
    )


class RoundCreatedSerializer(SurveyRoundSerializer):
    """A round just started, with each invitation's link (shown this once)."""

    invitations = SentInvitationSerializer(many=True, read_only=True)

    class Meta(SurveyRoundSerializer.Meta):
        fields = [*SurveyRoundSerializer.Meta.fields, "invitations"]
        read_only_fields = fields


class SurveyAnswerSerializer(serializers.ModelSerializer):
    client = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    round = serializers.IntegerField(source="invitation.round_id", read_only=True)
    department = serializers.IntegerField(source="invitation.department_id", read_only=True)
    question_key = serializers.CharField(source="question.key", read_only=True)
    question_kind = serializers.CharField(source="question.kind", read_only=True)
    change_kind = serializers.CharField(
        read_only=True,
        help_text="A change question's kind: hiring, new_site, new_software, other; else empty",
    )

    class Meta:
        model = Answer
        fields = ["id", "client", "round", "invitation", "department", "question", "question_key",
                  "question_kind", "service", "service_name", "rating", "text", "change_kind",
                  "due_on"]  # fmt: skip
        read_only_fields = fields


# --- access -------------------------------------------------------------------------------


class LibraryAccess(BaseLibraryAccess):
    message = "The questionnaire library is the practice's: owners and admins change it."


# --- questionnaires -----------------------------------------------------------------------


def versions_qs():
    return QuestionnaireVersion.objects.select_related("questionnaire").prefetch_related(
        Prefetch("questions", Question.objects.order_by("position", "id"))
    )


class QuestionnaireViewSet(viewsets.ReadOnlyModelViewSet):
    """The practice's questionnaires with their versions (newest first)."""

    model = Questionnaire
    queryset = Questionnaire.objects.prefetch_related(
        Prefetch("versions", QuestionnaireVersion.objects.order_by("-created_at", "-id"))
    ).order_by("name", "id")
    serializer_class = QuestionnaireSerializer
    permission_classes = [LibraryAccess]
    pagination_class = Pagination
    filter_backends: list = []
    lookup_value_regex = r"\d+"


class QuestionnaireVersionViewSet(viewsets.ReadOnlyModelViewSet):
    """Questionnaire versions with their questions; import a JSON document; copy a version."""

    model = QuestionnaireVersion
    queryset = versions_qs().order_by("questionnaire__name", "-created_at", "-id")
    serializer_class = QuestionnaireVersionSerializer
    permission_classes = [LibraryAccess]
    pagination_class = Pagination
    filter_backends: list = []
    lookup_value_regex = r"\d+"

    def fresh(self, version: QuestionnaireVersion) -> Response:
        row = versions_qs().get(pk=version.pk)
        body = QuestionnaireVersionSerializer(row, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=QuestionnaireDocSerializer,
        responses={
            201: QuestionnaireVersionSerializer,
            400: OpenApiResponse(ProblemsSerializer, description="Every problem of the document"),
        },
    )
    @action(detail=False, methods=["post"], url_path="import", url_name="import",
            serializer_class=QuestionnaireDocSerializer)  # fmt: skip
    def import_(self, request: Request) -> Response:
        """A questionnaire document (JSON body): a new editable version, or a 400 listing
        every problem (question number, key and field); nothing is saved then."""
        try:
            with transaction.atomic():
                version = questionnaires.load(request.data, user=request.user)
                audit.record_create(request.user, version)
        except questionnaires.QuestionnaireFileError as exc:
            return Response({"problems": exc.problems}, status=status.HTTP_400_BAD_REQUEST)
        return self.fresh(version)

    @extend_schema(
        request=CopySerializer,
        responses={201: QuestionnaireVersionSerializer, 400: ProblemsSerializer},
    )
    @action(detail=True, methods=["post"], serializer_class=CopySerializer)
    def copy(self, request: Request, *args, **kwargs) -> Response:
        """An editable copy of the version under a new version name."""
        original = self.get_object()
        params = CopySerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                version = questionnaires.copy_version(
                    original, params.validated_data["version"].strip(), request.user
                )
                audit.record_create(request.user, version)
        except questionnaires.QuestionnaireFileError as exc:
            return Response({"problems": exc.problems}, status=status.HTTP_400_BAD_REQUEST)
        return self.fresh(version)


# --- rounds, invitations, answers ---------------------------------------------------------


def visible_invitations(request) -> Any:
    return Invitation.objects.for_user(getattr(request, "user", None), Perm.INTERNAL)


def visible_rounds(request) -> Any:
    if request is None:
        return SurveyRound.objects.none()
    return SurveyRound.objects.for_user(request.user, Perm.INTERNAL)


class RoundFilter(FilterSet):
    client = client_filter()

    class Meta:
        model = SurveyRound
        fields = ["client"]


class InvitationFilter(FilterSet):
    client = client_filter()
    round = IdChoiceFilter(queryset=visible_rounds)

    class Meta:
        model = Invitation
        fields = ["client", "round"]


class AnswerFilter(FilterSet):
    client = client_filter()
    round = IdChoiceFilter(queryset=visible_rounds, field_name="invitation__round")
    invitation = IdChoiceFilter(queryset=visible_invitations)

    class Meta:
        model = Answer
        fields = ["client", "round", "invitation"]


class SurveyRoundViewSet(
    ScopedQueryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """A client's survey rounds (practice only). Creating one sends it: see ``create``."""

    model = SurveyRound
    read_perm = Perm.INTERNAL
    write_perm = Perm.PLAN
    select_related = ("client",)
    serializer_class = SurveyRoundSerializer
    filterset_class = RoundFilter
    ordering_fields = ["opened_on", "closes_on", "title", "created_at"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(
                invited=Count("invitations", distinct=True),
                answered=Count(
                    "invitations",
                    filter=Q(invitations__submitted_at__isnull=False),
                    distinct=True,
                ),
            )
            .order_by("-opened_on", "-id")
        )

    @extend_schema(request=RoundCreateSerializer, responses={201: RoundCreatedSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Start a round: one invitation per head, the version frozen, every head emailed.

        The response lists each invitation with its private ``link``: the only
        time a link is shown. A bad recipient is a 400 naming it
        (``recipients[2].email``) and nothing is created or sent.
        """
        if access_for(request.user).client_ids(Perm.PLAN) == set():
            raise exceptions.PermissionDenied("Sending a survey is the CIO's (PLAN).")
        params = RoundCreateSerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        data = params.validated_data
        client = data["client"]
        require(request.user, Perm.PLAN, client)
        if "recipients" in data:
            recipients = [
                sending.Recipient(r["department"], r.get("contact"), r["name"], r["email"])
                for r in data["recipients"]
            ]
        else:
            recipients, _ = sending.default_recipients(client)
        try:
            round_, sent = sending.start_round(
                client, data["version"], data["title"], data["closes_on"], recipients,
                request.user,
            )  # fmt: skip
        except sending.SurveyInputError as exc:
            raise exceptions.ValidationError(exc.errors) from None
        audit.record_create(request.user, round_)
        row = self.get_queryset().get(pk=round_.pk)
        context = {**self.get_serializer_context(), "keys": {i.pk: k for i, k in sent}}
        body = RoundCreatedSerializer(row, context=context).data
        return Response(body, status=status.HTTP_201_CREATED)


class InvitationViewSet(ScopedQueryMixin, viewsets.ReadOnlyModelViewSet):
    """Invitations of survey rounds (practice only); revoke and resend (PLAN)."""

    model = Invitation
    read_perm = Perm.INTERNAL
    select_related = ("client", "department")
    serializer_class = InvitationSerializer
    filterset_class = InvitationFilter
    ordering_fields = ["sent_at", "submitted_at", "name"]
    lookup_value_regex = r"\d+"

    def planned(self) -> Invitation:
        invitation = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        require(self.request.user, Perm.PLAN, invitation)
        return invitation

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"], write_perm=Perm.PLAN, serializer_class=None)
    def revoke(self, request: Request, *args, **kwargs) -> Response:
        """The link stops working (idempotent); a submitted invitation is a 400."""
        invitation = self.planned()
        before = audit.snapshot(invitation)
        try:
            sending.revoke(invitation, request.user)
        except sending.InvitationStateError as exc:
            raise exceptions.ValidationError({"detail": [str(exc)]}) from None
        audit.record_update(request.user, invitation, before)
        fresh = self.get_queryset().get(pk=invitation.pk)
        return Response(InvitationSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=SentInvitationSerializer)
    @action(detail=True, methods=["post"], write_perm=Perm.PLAN, serializer_class=None)
    def resend(self, request: Request, *args, **kwargs) -> Response:
        """Email a NEW link (returned here, once); the old link stops working."""
        invitation = self.planned()
        before = audit.snapshot(invitation)
        try:
            key = sending.resend(invitation, request.user)
        except sending.InvitationStateError as exc:
            raise exceptions.ValidationError({"detail": [str(exc)]}) from None
        fresh = self.get_queryset().get(pk=invitation.pk)
        audit.record_update(request.user, fresh, before)
        context = {**self.get_serializer_context(), "keys": {fresh.pk: key}}
        return Response(SentInvitationSerializer(fresh, context=context).data)


class SurveyAnswerViewSet(ScopedQueryMixin, viewsets.ReadOnlyModelViewSet):
    """Answers of submitted invitations (practice only); filter by ``round``."""

    model = Answer
    read_perm = Perm.INTERNAL
    select_related = ("client", "invitation", "question")
    serializer_class = SurveyAnswerSerializer
    filterset_class = AnswerFilter
    ordering_fields = ["id"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return super().get_queryset().order_by("invitation_id", "question__position", "id")


router = SimpleRouter()
router.register("questionnaires", QuestionnaireViewSet, basename="questionnaire")
router.register(
    "questionnaire-versions", QuestionnaireVersionViewSet, basename="questionnaire-version"
)
router.register("survey-rounds", SurveyRoundViewSet, basename="survey-round")
router.register("survey-invitations", InvitationViewSet, basename="survey-invitation")
router.register("survey-answers", SurveyAnswerViewSet, basename="survey-answer")

urlpatterns = router.urls
