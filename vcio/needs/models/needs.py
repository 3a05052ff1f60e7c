"""Needs: what a department needs from IT (a pain, a request, an upcoming change).

Most come from survey answers; the practice also records them by hand
(from a meeting). A need serves at most one business goal and is planned
when an initiative addresses it (through the recommendation it became).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from vcio.core.scoping import ClientScopedModel


class NeedKind(models.TextChoices):
    PAIN = "pain", "Pain"
    REQUEST = "request", "Request"
    CHANGE = "change", "Upcoming change"


class Urgency(models.IntegerChoices):
    LOW = 1, "Low"
    MEDIUM = 2, "Medium"
    HIGH = 3, "High"
    CRITICAL = 4, "Critical"


class NeedStatus(models.TextChoices):
    OPEN = "open", "Open"
    PLANNED = "planned", "Planned (an initiative addresses it)"
    DONE = "done", "Done"
    DISMISSED = "dismissed", "Dismissed"


NEED_TEXT_MAX = 2000


class Need(ClientScopedModel):
    """One need of one department, editable by the practice."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="needs")
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="needs"
    )
    kind = models.CharField(max_length=20, choices=NeedKind.choices, default=NeedKind.REQUEST)
    text = models.TextField(max_length=NEED_TEXT_MAX)
    urgency = models.PositiveSmallIntegerField(choices=Urgency.choices, default=Urgency.MEDIUM)
    raised_on = models.DateField()
    due_on = models.DateField(null=True, blank=True)
    goal = models.ForeignKey(
        "strategy.BusinessGoal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
    )
    initiative = models.ForeignKey(
        "strategy.Initiative",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
    )
    answer = models.ForeignKey(
        "needs.Answer", null=True, blank=True, on_delete=models.SET_NULL, related_name="needs"
    )
    theme = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=20, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["status", "-urgency", "raised_on", "id"]

    def __str__(self) -> str:
        return self.text[:80]

    def clean(self) -> None:
        for name in ("department", "goal", "initiative", "answer"):
            target = getattr(self, name, None)
            if target is not None and target.client_id != self.client_id:
                label = self._meta.get_field(name).verbose_name
                raise ValidationError({name: f"This {label} belongs to another client."})
