"""What tickets are about: topics (learned from trusted categories, or discovered) and models.

A topic belongs to one client. Learned topics are the labels of a trained
classifier (practice-wide or the client's own), one row per label the
client's tickets received. Discovered topics come from clustering a
client's tickets without labels; a person's rename, merge or split is kept
on the row, and the next discovery run matches its clusters to these rows
(by ``centroid``) so the person's work survives.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vcio.core.scoping import ClientScopedModel, ScopedManager, ScopedRow


class TopicKind(models.TextChoices):
    LEARNED = "learned", "Learned (from trusted categories)"
    DISCOVERED = "discovered", "Discovered (from the text)"


class Topic(ClientScopedModel):
    """A subject a client's tickets are about, e.g. "Printers" or "Password resets"."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=TopicKind.choices)
    # Stable identity across runs: the model's label, or "d<n>" for a discovered cluster.
    key = models.CharField(max_length=120)
    name = models.CharField(max_length=120)
    # A person chose the name: discovery never renames it again.
    named_by_person = models.BooleanField(default=False)
    # Top terms of the topic, most characteristic first (for the name and the page).
    terms = models.JSONField(default=list, blank=True)
    # Term → weight of the cluster's centre (discovered topics), to match the next run's clusters.
    centroid = models.JSONField(default=dict, blank=True)
    # A person merged this topic into another: its tickets (now and in later runs) go there.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    # A person split this topic: its parts point here; later runs share its clusters among them.
    split_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="split_into"
    )
    # No ticket in the latest run, or replaced by its parts after a split.
    retired = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "kind", "key"], name="helpdesk_topic_key")
        ]

    def __str__(self) -> str:
        return self.name


class TopicModel(ScopedRow):
    """A trained topic classifier: practice-wide (no client) or one client's own.

    The fitted scikit-learn pipeline is kept in the database (joblib bytes),
    so the web process and every worker read the same model. Each training
    adds a new version; the newest active one assigns topics.
    """

    client = models.ForeignKey(
        "core.Client", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text="Empty: the practice-wide model, used for clients without their own.",
    )  # fmt: skip
    version = models.PositiveIntegerField()
    trained_at = models.DateTimeField()
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    method = models.CharField(max_length=200, help_text="What was fitted, in words.")
    labels = models.JSONField(default=list)
    # {"accuracy", "macro_f1", "per_class": {label: {precision, recall, f1, support}}, "n_test"}.
    metrics = models.JSONField(default=dict, blank=True)
    n_train = models.PositiveIntegerField(default=0)
    train_seconds = models.FloatField(default=0)
    threshold = models.FloatField(
        default=0.5, help_text="Assignments less confident than this wait for a person."
    )
    blob = models.BinaryField(editable=False)
    is_active = models.BooleanField(default=True)

    # Practice-wide models (no client) are seen by practice-wide roles only.
    scope_field = "client_id"
    scope_kind = "client"

    objects = ScopedManager()

    class Meta:
        ordering = ["-trained_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "version"], name="helpdesk_model_version")
        ]

    def __str__(self) -> str:
        scope = self.client.name if self.client_id else "practice-wide"
        return f"Topic model v{self.version} ({scope})"
