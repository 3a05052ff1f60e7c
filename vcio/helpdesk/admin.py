"""Django admin for the help desk: tickets, topics, topic models, policies and SLA targets."""

from django.contrib import admin

from vcio.helpdesk.models import HelpdeskPolicy, SlaTarget, Ticket, Topic, TopicModel


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["external_id", "subject", "client", "status", "priority", "topic", "opened_at"]
    list_filter = ["client", "status", "priority", "source"]
    search_fields = ["external_id", "subject", "requester"]
    list_select_related = ["client", "topic"]
    # Related choices by id: a dropdown of every client's assets would not scale.
    raw_id_fields = ["department", "asset", "topic", "topic_set_by_user"]
    readonly_fields = ["imported_at", "updated_at"]
    date_hierarchy = "opened_at"


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "client", "kind", "key", "named_by_person", "retired"]
    list_filter = ["client", "kind", "retired"]
    search_fields = ["name", "key"]
    list_select_related = ["client"]
    raw_id_fields = ["merged_into", "split_from"]


@admin.register(TopicModel)
class TopicModelAdmin(admin.ModelAdmin):
    list_display = ["__str__", "version", "trained_at", "n_train", "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["client"]
    raw_id_fields = ["trained_by"]
    readonly_fields = ["metrics", "labels"]


@admin.register(HelpdeskPolicy)
class HelpdeskPolicyAdmin(admin.ModelAdmin):
    list_display = ["client", "business_days", "business_start", "business_end"]
    list_select_related = ["client"]


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin):
    list_display = ["client", "priority", "first_response_hours", "resolve_hours"]
    list_filter = ["priority", "client"]
    list_select_related = ["client"]
