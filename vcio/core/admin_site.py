"""The Django admin, opened to practice owners.

Django's admin admits staff users and checks per-model permissions. In vcio
the practice owner role is what grants it: an owner membership opens the
admin with every permission, without anyone having to tick "staff" and
"superuser" by hand (superusers still get in, as in any Django site).
"""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from vcio.core.access import access_for
from vcio.core.roles import Role


def is_practice_owner(user) -> bool:
    """True for an active user holding the practice owner role."""
    return access_for(user).practice_role == Role.OWNER


class OwnerPermissionBackend(BaseBackend):
    """Every model permission for practice owners; nothing for anybody else."""

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        return is_practice_owner(user_obj)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return is_practice_owner(user_obj)


class VcioAdminSite(AdminSite):
    site_header = "vcio administration"
    site_title = "vcio admin"
    index_title = "Practice administration"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or is_practice_owner(user))
