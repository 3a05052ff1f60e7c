"""Django admin for the asset app: inventories, licences, policies and the EOL table."""

from django.contrib import admin
from django.db import models

from vcio.assets.models import Asset, EolRule, Licence, LifecyclePolicy


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ["name", "client", "kind", "model", "os_name", "os_version", "warranty_end"]
    list_filter = ["client", "kind", "status"]
    search_fields = ["name", "serial", "asset_tag", "model", "assigned_to"]
    list_select_related = ["client"]
    # Related choices by id: a dropdown of every client's departments would not scale.
    raw_id_fields = ["department", "contact"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    list_display = ["product", "vendor", "client", "seats_owned", "seats_used", "renewal_date"]
    list_filter = ["client", "kind", "billing_period"]
    search_fields = ["vendor", "product"]
    list_select_related = ["client"]
    raw_id_fields = ["department"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(LifecyclePolicy)
class LifecyclePolicyAdmin(admin.ModelAdmin):
    list_display = ["client", "kind", "replace_after_years", "replacement_cost"]
    list_filter = ["kind", "client"]
    list_select_related = ["client"]


@admin.register(EolRule)
class EolRuleAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["product", "version", "edition", "end_of_support", "shipped"]
    list_filter = ["shipped", "product"]
    search_fields = ["product", "version", "edition"]

    def save_model(self, request, obj, form, change) -> None:
        # A row the practice edits is its own: reloading vcio's data file leaves it alone.
        obj.shipped = False
        super().save_model(request, obj, form, change)
