"""The audit log: who created, changed or deleted what, and when."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from vcio.core.scoping import ScopedManager, ScopedRow


class AuditEvent(ScopedRow):
    """One change to one record, kept even after the record is gone."""

    class Action(models.TextChoices):
        CREATE = "create", "created"
        UPDATE = "update", "changed"
        DELETE = "delete", "deleted"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Kept when the client is deleted so the practice still has the trail.
    client = models.ForeignKey(
        "core.Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client_name = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    changes = models.JSONField(default=dict, blank=True)

    scope_field = "client_id"
    scope_kind = "client"

    objects = ScopedManager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["client", "-at"], name="audit_client_at")]

    def __str__(self) -> str:
        return f"{self.actor_name or 'system'} {self.get_action_display()} {self.object_repr}"

    @property
    def kind(self) -> str:
        return self.content_type.name
