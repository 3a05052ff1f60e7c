"""Serializers of the assessments API: frameworks, assessments, answers, evidence, risks.

Component names start with Framework…, Assessment… or Risk… so they never
collide with another app's in the OpenAPI schema. Related rows named in a
request are looked up among the requesting user's visible rows (core's
scoped fields), so naming another client's row is a 400, never a write.

Answers: the internal ``note`` and ``override_reason`` are the practice's
working material; they are left out of the answer for readers who may not
see notes (``permissions.may_see_notes``: a client's executive or editor).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vcio.assessments import scores
from vcio.assessments.models import (
    Answer,
    AnswerStatus,
    Assessment,
    Evidence,
    Framework,
    FrameworkVersion,
    Risk,
    Treatment,
)
from vcio.assessments.permissions import may_see_notes
from vcio.core.api.serializers import ClientOwnedSerializer, ClientSlugField, ScopedPkField

# --- frameworks ------------------------------------------------------------------------------


class FrameworkVersionBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = FrameworkVersion
        fields = ["id", "version", "released", "frozen"]


class FrameworkSerializer(serializers.ModelSerializer):
    versions = FrameworkVersionBriefSerializer(many=True, read_only=True)
    # Text, not "uri": most frameworks have none, and "" is no URI.
    source_url = serializers.CharField(read_only=True)

    class Meta:
        model = Framework
        fields = [
            "id", "key", "name", "publisher", "description", "licence", "attribution",
            "source_url", "shipped", "created_at", "versions",
        ]  # fmt: skip
        read_only_fields = fields


class FrameworkVersionSerializer(serializers.ModelSerializer):
    framework = serializers.SlugRelatedField(slug_field="key", read_only=True)
    framework_name = serializers.CharField(source="framework.name", read_only=True)
    licence = serializers.CharField(source="framework.licence", read_only=True)
    attribution = serializers.CharField(source="framework.attribution", read_only=True)
    sections = serializers.IntegerField(source="section_count", read_only=True)
    items = serializers.IntegerField(source="item_count", read_only=True)

    class Meta:
        model = FrameworkVersion
        fields = [
            "id", "framework", "framework_name", "version", "released", "notes", "frozen",
            "licence", "attribution", "sections", "items", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class FrameworkImportSerializer(serializers.Serializer):
    """An upload: a vcio framework file or an OSCAL catalog (JSON, at most 20 MB)."""

    file = serializers.FileField()


class FrameworkCopySerializer(serializers.Serializer):
    version = serializers.CharField(max_length=60, help_text='The copy\'s version, e.g. "2026.2"')
    key = serializers.SlugField(
        max_length=60, required=False, allow_blank=True,
        help_text="A new framework's key; blank: a new version of the same framework",
    )  # fmt: skip
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)


class FrameworkProblemsSerializer(serializers.Serializer):
    problems = serializers.ListField(child=serializers.CharField())


# --- assessments -----------------------------------------------------------------------------


class AssessmentScoreSerializer(serializers.Serializer):
    """Weights by status and the alignment % (null when no item applies)."""

    percent = serializers.FloatField(allow_null=True)
    unknown_percent = serializers.FloatField(allow_null=True)
    aligned = serializers.IntegerField()
    partly = serializers.IntegerField()
    not_aligned = serializers.IntegerField()
    unknown = serializers.IntegerField()
    not_applicable = serializers.IntegerField()
    items = serializers.IntegerField()


class AssessmentSectionScoreSerializer(AssessmentScoreSerializer):
    section = serializers.CharField()


class AssessmentListSerializer(serializers.ListSerializer):
    """Scores every assessment of a page at once (two queries), then serialises them."""

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        rows = list(data.all() if isinstance(data, QuerySet) else data)
        self.child._context["scorecards"] = scores.scorecards([a.pk for a in rows])
        return super().to_representation(rows)


class AssessmentSerializer(ClientOwnedSerializer):
    client = ClientSlugField(read_only=True)
    framework = serializers.CharField(source="version.framework.key", read_only=True)
    framework_name = serializers.CharField(source="version.framework.name", read_only=True)
    version_name = serializers.CharField(source="version.version", read_only=True)
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    submitted_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    signed_off_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    score = serializers.SerializerMethodField()
    sections = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        list_serializer_class = AssessmentListSerializer
        fields = [
            "id", "client", "version", "framework", "framework_name", "version_name", "title",
            "as_of", "status", "summary", "created_by", "created_at", "submitted_by",
            "submitted_at", "signed_off_by", "signed_off_at", "evidence_at", "score", "sections",
        ]  # fmt: skip
        read_only_fields = fields

    def card(self, assessment: Assessment) -> scores.Scorecard:
        cards = self.context.get("scorecards")
        if cards is None or assessment.pk not in cards:
            cards = scores.scorecards([assessment.pk])
            self._context["scorecards"] = cards
        return cards[assessment.pk]

    @extend_schema_field(AssessmentScoreSerializer)
    def get_score(self, assessment: Assessment) -> dict:
        return self.card(assessment).overall.as_dict()

    @extend_schema_field(AssessmentSectionScoreSerializer(many=True))
    def get_sections(self, assessment: Assessment) -> list[dict]:
        """The score per top-level section, in the framework's order."""
        card = self.card(assessment)
        return [{"section": ref, **s.as_dict()} for ref, s in card.sections.items()]


class FrameworkVersionField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": "no framework version with id {pk_value}",
        "incorrect_type": "give a framework version id (a number), not {data_type}",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=FrameworkVersion.objects.select_related("framework"), **kwargs)


class AssessmentCreateSerializer(serializers.Serializer):
    client = ClientSlugField()
    version = FrameworkVersionField(help_text="The framework version to assess against (id)")
    as_of = serializers.DateField(required=False, help_text="Default: today")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AssessmentSignOffSerializer(serializers.Serializer):
    summary = serializers.CharField(
        required=False, allow_blank=True, help_text="For the client's leaders (the portal)"
    )


class AssessmentCompareParams(serializers.Serializer):
    with_ = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        help_text="The id of the other assessment (same client)",
    )

    def to_internal_value(self, data: Any) -> dict:
        value = data.get("with") if hasattr(data, "get") else None
        return super().to_internal_value({"with_": value} if value is not None else {})


class AssessmentChangeSerializer(serializers.Serializer):
    ref = serializers.CharField()
    text = serializers.CharField()
    before = serializers.CharField(allow_null=True)
    after = serializers.CharField(allow_null=True)
    change = serializers.ChoiceField(
        choices=["improved", "regressed", "new", "removed", "answered", "unchanged"]
    )


class AssessmentComparisonSerializer(serializers.Serializer):
    before = serializers.IntegerField(help_text="The earlier assessment's id")
    after = serializers.IntegerField(help_text="The later assessment's id")
    changes = AssessmentChangeSerializer(many=True)


class AssessmentRefreshSerializer(serializers.Serializer):
    changed = serializers.IntegerField(help_text="Answers whose live evidence changed")
    assessment = AssessmentSerializer()


# --- answers and evidence --------------------------------------------------------------------


class AssessmentAnswerSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.ref", read_only=True)
    item_text = serializers.CharField(source="item.text", read_only=True)
    section = serializers.CharField(source="item.section.ref", read_only=True)
    weight = serializers.IntegerField(source="item.weight", read_only=True)
    client = serializers.SlugRelatedField(
        source="assessment.client", slug_field="slug", read_only=True
    )
    status = serializers.ChoiceField(choices=AnswerStatus.choices, required=False)
    note = serializers.CharField(
        required=False, allow_blank=True, help_text="Internal: practice people only"
    )
    reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True,
        help_text="Why a person's answer overrides the live evidence",
    )  # fmt: skip
    override_reason = serializers.CharField(
        read_only=True, required=False, help_text="Internal: practice people only"
    )
    answered_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    disagrees = serializers.BooleanField(read_only=True)

    class Meta:
        model = Answer
        fields = [
            "id", "assessment", "client", "item", "item_text", "section", "weight", "status",
            "source", "note", "reason", "override_reason", "answered_by", "answered_at",
            "live_status", "live_sentence", "live_at", "disagrees",
        ]  # fmt: skip
        read_only_fields = [
            "id", "assessment", "source", "answered_at", "live_status", "live_sentence", "live_at",
        ]  # fmt: skip

    def to_representation(self, instance: Answer) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if not may_see_notes(user, instance.assessment.client_id):
            data.pop("note", None)
            data.pop("override_reason", None)
        return data


class AnswerField(ScopedPkField):
    model, noun = Answer, "answer"


class AssessmentEvidenceSerializer(serializers.ModelSerializer):
    answer = AnswerField()
    # Text checked as a link, not "uri" in the schema: evidence that is a file has url "".
    url = serializers.CharField(max_length=500, required=False, allow_blank=True)
    added_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    file = serializers.FileField(
        required=False, allow_null=True, allow_empty_file=False, use_url=True
    )

    class Meta:
        model = Evidence
        fields = ["id", "answer", "label", "url", "file", "added_by", "added_at"]
        read_only_fields = ["id", "added_by", "added_at"]

    def validate_url(self, value: str) -> str:
        if value:
            try:
                URLValidator(schemes=["http", "https"])(value)
            except DjangoValidationError:
                raise serializers.ValidationError(
                    "give a link starting with http:// or https://"
                ) from None
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        url, upload = attrs.get("url", ""), attrs.get("file")
        if not url and not upload:
            raise serializers.ValidationError({"url": "give a link (url) or upload a file (file)"})
        return attrs


# --- risks -----------------------------------------------------------------------------------


class InitiativeIdField(ScopedPkField):
    noun = "initiative"

    @property
    def model(self):  # imported late: strategy is another app
        from vcio.strategy.models import Initiative

        return Initiative


class RiskSerializer(ClientOwnedSerializer):
    """A risk; its treatment fields change only through ``…/treat/`` (checked together)."""

    score = serializers.IntegerField(read_only=True, help_text="likelihood × impact, 1–25")
    residual_score = serializers.IntegerField(read_only=True)
    accepted_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    review_due = serializers.SerializerMethodField()

    class Meta:
        model = Risk
        fields = [
            "id", "client", "title", "description", "assessment", "item_ref", "likelihood",
            "impact", "score", "owner", "treatment", "initiative", "accept_reason",
            "review_date", "transferred_to", "residual_likelihood", "residual_impact",
            "residual_score", "accepted_by", "accepted_on", "review_due", "closed", "created_at",
        ]  # fmt: skip
        read_only_fields = [
            "id", "assessment", "item_ref", "treatment", "initiative", "accept_reason",
            "review_date", "transferred_to", "residual_likelihood", "residual_impact",
            "accepted_by", "accepted_on", "created_at",
        ]  # fmt: skip
        extra_kwargs = {
            "likelihood": {"min_value": 1, "max_value": 5},
            "impact": {"min_value": 1, "max_value": 5},
        }

    def get_review_due(self, risk: Risk) -> bool:
        return risk.review_due(self.context["today"])


class RiskTreatSerializer(serializers.Serializer):
    treatment = serializers.ChoiceField(choices=Treatment.choices)
    reason = serializers.CharField(required=False, allow_blank=True, help_text="accept: why")
    review_date = serializers.DateField(
        required=False, allow_null=True, help_text="accept: when to decide again (future)"
    )
    initiative = InitiativeIdField(
        required=False, allow_null=True, help_text="mitigate: an initiative of the same client"
    )
    transferred_to = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="transfer: to whom"
    )
    residual_likelihood = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=5
    )
    residual_impact = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=5
    )


@extend_schema_field(OpenApiTypes.OBJECT)
class FrameworkDocumentField(serializers.JSONField):
    """A vcio framework document (see ``vcio/assessments/frameworks/document.py``)."""
