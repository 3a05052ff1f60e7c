"""Which assets an inventory agent (FusionInventory / OCS / GLPI agent) reports, and when."""

from __future__ import annotations

from django.db import models

from vcio.core.scoping import ClientScopedModel


class AgentContact(ClientScopedModel):
    """The last time an agent reported a machine: one row per client and agent device id."""

    client = models.ForeignKey("core.Client", on_delete=models.CASCADE, related_name="+")
    asset = models.ForeignKey(
        "assets.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The agent's DEVICEID (hostname + the agent's install date), stable across runs.
    device_id = models.CharField(max_length=200)
    agent = models.CharField(
        max_length=120, blank=True, help_text="e.g. FusionInventory-Agent_v2.6"
    )
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    last_inventory_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-last_contact_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "device_id"], name="capacity_agent_device")
        ]

    def __str__(self) -> str:
        return self.device_id
