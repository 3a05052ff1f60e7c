"""Frameworks as versioned data: a framework, its versions, their sections and items.

Practice-wide reference data (no client): every client is assessed against
the same library. A version is what an assessment is answered against; once
it is shipped or a finished assessment uses it, it is frozen, and the
practice copies it to a new version to change it, so a signed-off assessment
keeps reading as it was answered.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

RISKS = [("low", "Low"), ("medium", "Medium"), ("high", "High"), ("critical", "Critical")]


class Framework(models.Model):
    """A standard or checklist (NIST CSF 2.0, the SMB baseline, a practice's own)."""

    key = models.SlugField(max_length=60, unique=True, help_text="e.g. nist-csf, smb-baseline")
    name = models.CharField(max_length=200)
    publisher = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    licence = models.CharField(max_length=200, blank=True, help_text="e.g. CC BY 4.0")
    attribution = models.TextField(blank=True, help_text="Shown wherever the content is shown.")
    source_url = models.URLField(max_length=500, blank=True)
    shipped = models.BooleanField(default=False, help_text="Loaded from vcio's data, not edited.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FrameworkVersion(models.Model):
    """One version of a framework: the sections and items an assessment answers."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(max_length=60)
    released = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    # Frozen versions are read-only: shipped data, or one a finished assessment answered.
    frozen = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["framework__name", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "version"], name="one_framework_version")
        ]

    def __str__(self) -> str:
        return f"{self.framework.name} {self.version}"


class Section(models.Model):
    """A function or category of a framework version; sections nest (parent)."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    ref = models.CharField(max_length=80, help_text="e.g. GV, GV.OC, IDN")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "ref"], name="one_section_ref")]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"


class Item(models.Model):
    """One thing to check, with why it matters, how to verify it and how to fix it."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="items")
    ref = models.CharField(max_length=80, help_text="e.g. GV.OC-01, SMB-ID-01")
    text = models.TextField()
    why = models.TextField(blank=True, help_text="Why it matters, in a leader's words.")
    verify = models.TextField(blank=True, help_text="How an engineer verifies it.")
    remediation = models.CharField(max_length=300, blank=True, help_text="Title of the fix.")
    one_time_cost = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    recurring_cost = models.DecimalField(
        "recurring cost a year", max_digits=12, decimal_places=2, default=Decimal("0")
    )
    effort_days = models.DecimalField(max_digits=7, decimal_places=1, default=Decimal("0"))
    risk = models.CharField(max_length=10, choices=RISKS, default="medium")
    weight = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    # Asset kinds or business-service names it applies to; empty: the whole client.
    applies_to = models.JSONField(default=list, blank=True)
    # Subcategories of other frameworks it maps to, e.g. {"nist-csf": ["PR.AA-03"]}.
    maps_to = models.JSONField(default=dict, blank=True)
    # The key of an evidence rule that answers it from live data ("" for people only).
    evidence_rule = models.CharField(max_length=80, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "ref"], name="one_item_ref"),
            models.CheckConstraint(
                condition=models.Q(one_time_cost__gte=0, recurring_cost__gte=0, effort_days__gte=0),
                name="item_costs_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.text[:60]}"
