"""The admin app with vcio's own site (imported while apps load: keep it bare)."""

from django.contrib.admin.apps import AdminConfig


class VcioAdminConfig(AdminConfig):
    default_site = "vcio.core.admin_site.VcioAdminSite"
