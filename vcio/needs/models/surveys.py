"""Survey rounds sent to a client's department heads, their private links and answers.

A link's token is random, shown only in the email, and stored as its
SHA-256 (like API tokens): a leaked database does not open anybody's survey.
An invitation belongs to one client and one department; it opens the
answer page until it expires or is revoked, takes one submission, and is
read-only after that.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from vcio.core.scoping import ClientScopedModel
from vcio.needs.models.questionnaires import ChangeKind, Question, QuestionnaireVersion


class SurveyRound(ClientScopedModel):
    """One sending of a questionnaire to a client's departments (e.g. "Spring 2026")."""

    client = models.ForeignKey(
        "core.Client", on_delete=models.CASCADE, related_name="survey_rounds"
    )
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="rounds"
    )
    title = models.CharField(max_length=200)
    opened_on = models.DateField()
    closes_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["client", "-opened_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Invitation(ClientScopedModel):
    """A department head's private link to one round's answer page."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="invitations")
    department = models.ForeignKey(
        "core.Department", on_delete=models.CASCADE, related_name="survey_invitations"
    )
    contact = models.ForeignKey(
        "core.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=160)
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(max_length=12, editable=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "department__name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.department})"

    def state(self, now=None) -> str:
        """ "submitted", "revoked", "expired" or "open" (in that order of precedence)."""
        now = now or timezone.now()
        if self.submitted_at is not None:
            return "submitted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "open"


class Answer(ClientScopedModel):
    """One answer of a submitted invitation to one question (per service for SERVICES)."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    # SERVICES questions: one answer per business service rated; the name is kept as
    # answered so a renamed or deleted service still reads right in past rounds.
    service = models.ForeignKey(
        "availability.BusinessService",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    service_name = models.CharField(max_length=200, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)  # 1–5
    text = models.TextField(blank=True)
    change_kind = models.CharField(max_length=20, choices=ChangeKind.choices, blank=True)
    due_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["invitation", "question__position", "service_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True)
                | (models.Q(rating__gte=1) & models.Q(rating__lte=5)),
                name="answer_rating_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.question.key}: {self.rating or self.text[:40]}"
