"""Assessments of a client against one framework version, their answers and evidence."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vcio.assessments.models.frameworks import FrameworkVersion, Item
from vcio.core.scoping import ClientScopedModel, ScopedManager, ScopedRow


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Being answered"
    IN_REVIEW = "in_review", "Waiting for sign-off"
    SIGNED_OFF = "signed_off", "Signed off"


class AnswerStatus(models.TextChoices):
    ALIGNED = "aligned", "Aligned"
    PARTLY = "partly", "Partly aligned"
    NOT_ALIGNED = "not_aligned", "Not aligned"
    NOT_APPLICABLE = "na", "Not applicable"
    UNKNOWN = "unknown", "Unknown"


class AnswerSource(models.TextChoices):
    PERSON = "person", "Answered by a person"
    LIVE = "live", "Live evidence"
    OVERRIDE = "override", "Live evidence overridden"


class Assessment(ClientScopedModel):
    """A client measured against one framework version: answered, reviewed, signed off."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="assessments")
    version = models.ForeignKey(
        FrameworkVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    title = models.CharField(max_length=200, blank=True)
    # The day the assessment describes; scores and comparisons are as of it.
    as_of = models.DateField()
    status = models.CharField(
        max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    summary = models.TextField(
        blank=True, help_text="For the client's leaders; shown in the portal."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    # When live evidence last ran over it.
    evidence_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["client_id", "-as_of", "-id"]
        indexes = [models.Index(fields=["client", "status", "as_of"])]

    def __str__(self) -> str:
        return self.title or f"{self.version} ({self.as_of})"

    @property
    def finished(self) -> bool:
        return self.status == AssessmentStatus.SIGNED_OFF


class Answer(ScopedRow):
    """One item of an assessment: its status, who said so, and the live evidence beside it.

    ``status`` is the answer that counts. A live answer copies the rule's
    status; a person may override it with a reason (``source`` "override"),
    and the answer is flagged whenever the latest evidence disagrees.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=12, choices=AnswerStatus.choices, default=AnswerStatus.UNKNOWN
    )
    source = models.CharField(
        max_length=10, choices=AnswerSource.choices, default=AnswerSource.PERSON
    )
    # Internal: for the practice only, never in the portal.
    note = models.TextField(blank=True)
    override_reason = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # The latest run of the item's evidence rule ("" when it has none or never ran).
    live_status = models.CharField(max_length=12, blank=True)
    live_sentence = models.TextField(blank=True)
    live_rows = models.JSONField(default=list, blank=True)
    live_counts = models.JSONField(default=dict, blank=True)
    live_at = models.DateTimeField(null=True, blank=True)

    scope_field = "assessment__client_id"
    scope_kind = "client"
    objects = ScopedManager()

    class Meta:
        ordering = ["assessment_id", "item__order", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="one_answer_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item.ref}: {self.get_status_display()}"

    @property
    def disagrees(self) -> bool:
        """An override the latest evidence contradicts (it says something else, with data)."""
        return (
            self.source == AnswerSource.OVERRIDE
            and self.live_status not in ("", "no_data")
            and self.live_status != self.status
        )


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    return f"assessments/{instance.answer.assessment.client_id}/{instance.answer_id}/{filename}"


class Evidence(ScopedRow):
    """A link or a file a person attached to an answer."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="evidence")
    label = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    file = models.FileField(upload_to=evidence_upload_to, blank=True, max_length=300)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    scope_field = "answer__assessment__client_id"
    scope_kind = "client"
    objects = ScopedManager()

    class Meta:
        ordering = ["answer_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(url="") | ~models.Q(file=""), name="evidence_link_or_file"
            )
        ]

    def __str__(self) -> str:
        return self.label or self.url or self.file.name
