"""Tickets as the client's help desk or the practice's PSA recorded them.

A ticket is kept once per (client, source, external id): re-importing an
export, or a webhook sending the same ticket again, updates it. Times are
stored in UTC; analytics read them in the client's business hours.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from vcio.core.scoping import ClientScopedModel


class Priority(models.TextChoices):
    """vcio's four priorities; every source's own scale is mapped onto them."""

    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


PRIORITY_ORDER = [p.value for p in Priority]


class Status(models.TextChoices):
    """Where a ticket stands; sources' statuses are mapped onto these."""

    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING = "pending", "Pending (waiting on someone)"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


# Statuses in which the help desk still owes the requester something (the backlog).
OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING)
DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)


class TopicSetBy(models.TextChoices):
    NONE = "", "Not assigned"
    MODEL = "model", "Learned model"
    DISCOVERED = "discovered", "Discovered topics"
    PERSON = "person", "A person"


class AssetMatch(models.TextChoices):
    """How the linked asset was found, so a wrong guess can be traced."""

    NONE = "", "No asset"
    FIELD = "field", "Named in the ticket's asset field"
    SERIAL = "serial", "Serial number in the text"
    TAG = "tag", "Asset tag in the text"
    HOSTNAME = "hostname", "Host name in the text"
    PERSON = "person", "Set by a person"


class Ticket(ClientScopedModel):
    """One help-desk request of a client."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(
        max_length=40, help_text="The system it came from, e.g. zammad, connectwise, vcio."
    )
    external_id = models.CharField("ID in the source", max_length=100)
    subject = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True, help_text="Plain text; HTML is converted on import.")
    requester = models.CharField(max_length=200, blank=True)
    requester_email = models.CharField(max_length=254, blank=True)
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The source's own department text, kept when it matches none of the client's.
    source_department = models.CharField(max_length=120, blank=True)
    asset = models.ForeignKey(
        "assets.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    asset_matched_by = models.CharField(
        max_length=10, choices=AssetMatch.choices, blank=True, default=AssetMatch.NONE
    )
    opened_at = models.DateTimeField("created", db_index=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveIntegerField(default=0)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    # The source's own words, kept so a mapping can be checked and redone.
    source_priority = models.CharField(max_length=60, blank=True)
    source_status = models.CharField(max_length=60, blank=True)
    source_category = models.CharField(max_length=200, blank=True)
    assignee = models.CharField(max_length=200, blank=True)
    topic = models.ForeignKey(
        "helpdesk.Topic", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    topic_confidence = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(1)]
    )
    topic_set_by = models.CharField(
        max_length=10, choices=TopicSetBy.choices, blank=True, default=TopicSetBy.NONE
    )
    topic_set_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Below the confidence threshold: waits for a person to confirm or correct the topic.
    topic_needs_review = models.BooleanField(default=False)
    satisfaction = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="The requester's rating, 1 (very unhappy) to 5 (very happy).",
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "source", "external_id"], name="helpdesk_ticket_source_id"
            ),
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | (models.Q(satisfaction__gte=1) & models.Q(satisfaction__lte=5)),
                name="helpdesk_ticket_satisfaction_1_5",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "opened_at"], name="helpdesk_ticket_opened"),
            models.Index(fields=["client", "topic", "opened_at"], name="helpdesk_ticket_topic"),
            models.Index(fields=["client", "status"], name="helpdesk_ticket_status"),
        ]

    def __str__(self) -> str:
        return f"#{self.external_id} {self.subject}".strip()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
