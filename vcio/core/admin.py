"""Django admin for practice owners: every core model, read-mostly where it matters."""

from django.contrib import admin
from django.db import models

from vcio.core.models import ApiToken, AuditEvent, Client, Contact, Department, JobRun, Membership


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "industry", "employee_count", "monthly_fee", "is_active"]
    list_filter = ["industry", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "client", "cost_centre"]
    list_filter = ["client"]
    search_fields = ["name"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["__str__", "client", "title", "email", "is_primary", "is_decision_maker"]
    list_filter = ["client", "is_primary", "is_decision_maker"]
    search_fields = ["first_name", "last_name", "email"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "client", "role", "created_at"]
    list_filter = ["role", "client"]
    search_fields = ["user__username", "user__email"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "action", "object_repr", "client_name"]
    list_filter = ["action", "client"]
    # The audit log is evidence: nobody edits it, not even owners.
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "client", "read_only", "created_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False  # keys are issued where they can be shown once: UI, API, CLI


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["name", "next_run_at", "last_status", "last_finished_at", "run_count"]
    readonly_fields = [f.name for f in JobRun._meta.fields]
