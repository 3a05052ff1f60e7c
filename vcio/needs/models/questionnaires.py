"""Questionnaires: the practice's survey of department heads, versioned like frameworks.

A version is frozen once a survey round has used it (``published_at`` is
set): its questions never change again, so every answer keeps the exact
question it answered. To change a question, the practice copies the version
to a new one and edits that.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class QuestionKind(models.TextChoices):
    SATISFACTION = "satisfaction", "Satisfaction with IT (1–5)"
    SERVICES = "services", "Satisfaction per business service (1–5 each)"
    PAIN = "pain", "Pain points (free text)"
    REQUEST = "request", "Requests (free text)"
    CHANGE = "change", "Upcoming change (hiring, new site, new software…) with a date"
    TEXT = "text", "Comment (free text)"


# Kinds whose answer is a 1–5 rating; the others are text that may become needs.
RATING_KINDS = frozenset({QuestionKind.SATISFACTION, QuestionKind.SERVICES})
NEED_KINDS = frozenset({QuestionKind.PAIN, QuestionKind.REQUEST, QuestionKind.CHANGE})


class ChangeKind(models.TextChoices):
    HIRING = "hiring", "Hiring"
    NEW_SITE = "new_site", "New site or move"
    NEW_SOFTWARE = "new_software", "New software"
    OTHER = "other", "Other change"


class Questionnaire(models.Model):
    """A survey the practice sends to department heads (practice-wide, not a client's)."""

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QuestionnaireVersion(models.Model):
    """One wording of a questionnaire; frozen once a round has been sent with it."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="versions"
    )
    version = models.CharField(max_length=20)
    intro = models.TextField(blank=True, help_text="Shown above the questions.")
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["questionnaire__name", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "version"], name="one_questionnaire_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire.name} {self.version}"

    @property
    def frozen(self) -> bool:
        return self.published_at is not None


class Question(models.Model):
    """A question of one version; never edited once the version is frozen."""

    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(default=0)
    key = models.SlugField(max_length=40)
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    text = models.CharField(max_length=300)
    help = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=False)

    class Meta:
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="one_question_key_per_version")
        ]

    def __str__(self) -> str:
        return self.text
