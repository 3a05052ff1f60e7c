"""Template context every page needs: the client switcher and the practice name."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from vcio.core.access import access_for
from vcio.core.admin_site import is_practice_owner
from vcio.core.models import Client
from vcio.core.roles import PRACTICE_ROLES, Perm


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    ctx = {"practice_name": settings.PRACTICE_NAME}
    if user is None or not user.is_authenticated:
        return ctx
    access = access_for(user)
    # Evaluated lazily: pages without the switcher run no extra query.
    ctx["switcher_clients"] = Client.objects.for_user(user).only("name", "slug")
    ctx["can_create_clients"] = access.can_practice(Perm.MANAGE)
    ctx["can_open_admin"] = user.is_superuser or is_practice_owner(user)
    ctx["is_practice_staff"] = bool(access.practice_perms) or any(
        role in PRACTICE_ROLES for role in access.client_roles.values()
    )
    return ctx
