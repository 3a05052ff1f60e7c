"""Where a service's alerts go, and each delivery of one (with retries)."""

from __future__ import annotations

from django.db import models

from vcio.availability.models.monitors import Outage
from vcio.availability.models.services import BusinessService
from vcio.core.scoping import ScopedManager, ScopedRow


class AlertChannel(ScopedRow):
    """An email address list or a webhook URL told when a service goes down and recovers."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        WEBHOOK = "webhook", "Webhook (JSON POST)"

    service = models.ForeignKey(
        BusinessService, on_delete=models.CASCADE, related_name="alert_channels"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.EMAIL)
    target = models.CharField(
        max_length=500, help_text="Email addresses (comma-separated), or the webhook's URL."
    )
    enabled = models.BooleanField(default=True)

    scope_field = "service__client_id"
    scope_kind = "client"
    objects = ScopedManager()

    class Meta:
        ordering = ["service", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.target}"


class AlertDelivery(ScopedRow):
    """One alert (down or up) of one outage to one channel; retried with backoff until sent."""

    class Event(models.TextChoices):
        DOWN = "down", "Down"
        UP = "up", "Recovered"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (gave up)"

    channel = models.ForeignKey(AlertChannel, on_delete=models.CASCADE, related_name="deliveries")
    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, related_name="alerts")
    event = models.CharField(max_length=10, choices=Event.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_field = "channel__service__client_id"
    scope_kind = "client"
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            # One alert per state change: a retried job cannot send it twice.
            models.UniqueConstraint(
                fields=["channel", "outage", "event"], name="one_alert_per_state_change"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} alert to {self.channel}: {self.status}"
