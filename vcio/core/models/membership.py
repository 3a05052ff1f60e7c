"""Who may reach which client, and in which role."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from vcio.core.roles import PRACTICE_WIDE_ROLES, Role
from vcio.core.scoping import ScopedManager, ScopedRow

# Sorted: a set's order changes between runs, and the migration must not.
_PRACTICE_WIDE = sorted(r.value for r in PRACTICE_WIDE_ROLES)


class Membership(ScopedRow):
    """A user's role, for one client or (owners and admins) for the practice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    client = models.ForeignKey(
        "core.Client",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
        help_text="Empty for practice owners and admins, who reach every client.",
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_field = "client_id"
    scope_kind = "client"

    objects = ScopedManager()

    class Meta:
        ordering = ["client__name", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "client"], name="one_membership_per_user_and_client"
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(client__isnull=True),
                name="one_practice_membership_per_user",
            ),
            # Practice-wide roles have no client; every other role needs one.
            models.CheckConstraint(
                condition=(
                    models.Q(role__in=_PRACTICE_WIDE, client__isnull=True)
                    | (~models.Q(role__in=_PRACTICE_WIDE) & models.Q(client__isnull=False))
                ),
                name="membership_role_matches_client",
            ),
        ]

    def __str__(self) -> str:
        where = self.client.name if self.client_id else "the practice"
        return f"{self.user} — {self.get_role_display()} of {where}"

    def clean(self) -> None:
        if self.role in PRACTICE_WIDE_ROLES and self.client_id:
            raise ValidationError(
                {"role": "Owners and admins reach every client: leave client empty."}
            )
        if self.role not in PRACTICE_WIDE_ROLES and not self.client_id:
            raise ValidationError({"client": "This role needs a client."})
