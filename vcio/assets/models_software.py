"""What an agent inventory says is installed on an asset: software packages and antivirus.

Both are child rows of :class:`~vcio.assets.models.Asset`, scoped through
``asset__client_id``, and both are replaced wholesale on each import of the
machine's inventory: the agent's list is the truth, there is nothing to merge.
Antivirus products are rows rather than fields on the asset because an
inventory lists several at once (Windows Defender beside a third-party
product is common), each with its own enabled / up-to-date state.
"""

from __future__ import annotations

from django.db import models

from vcio.core.scoping import ScopedManager, ScopedRow


class InstalledSoftware(ScopedRow):
    """One package or program the asset's last inventory listed."""

    asset = models.ForeignKey(
        "assets.Asset", on_delete=models.CASCADE, related_name="installed_software"
    )
    name = models.CharField(max_length=255)
    version = models.CharField(max_length=120, blank=True)
    publisher = models.CharField(max_length=255, blank=True)
    install_date = models.DateField(null=True, blank=True)

    scope_field = "asset__client_id"
    scope_kind = "client"
    objects = ScopedManager()

    class Meta:
        ordering = ["name", "version", "id"]
        verbose_name_plural = "installed software"
        indexes = [models.Index(fields=["asset", "name"], name="software_asset_name")]

    def __str__(self) -> str:
        return f"{self.name} {self.version}".strip()


class Antivirus(ScopedRow):
    """An antivirus product the asset's last inventory reported, with its state.

    ``enabled`` and ``up_to_date`` are None when the agent did not say
    (Linux agents often report a product without either).
    """

    asset = models.ForeignKey("assets.Asset", on_delete=models.CASCADE, related_name="antivirus")
    name = models.CharField(max_length=255)
    company = models.CharField(max_length=255, blank=True)
    version = models.CharField(max_length=120, blank=True)
    enabled = models.BooleanField(null=True, blank=True)
    up_to_date = models.BooleanField(null=True, blank=True)
    base_version = models.CharField("signature base version", max_length=120, blank=True)
    base_date = models.DateField("signature base date", null=True, blank=True)

    scope_field = "asset__client_id"
    scope_kind = "client"
    objects = ScopedManager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "antivirus products"

    def __str__(self) -> str:
        return self.name
