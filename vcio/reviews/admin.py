from django.contrib import admin

from vcio.reviews.models import ActionItem, Decision, Review, ReviewCadence, ReviewReminder


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["client", "kind", "period_start", "period_end", "status", "health_score"]
    list_filter = ["kind", "status", "client"]
    readonly_fields = ["snapshot", "report_html", "finalised_at", "finalised_by"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["client", "kind", "initiative", "decided_at", "applied_at"]
    list_filter = ["kind", "client"]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["client", "title", "owner", "due_date", "status"]
    list_filter = ["status", "client"]


admin.site.register(ReviewCadence)
admin.site.register(ReviewReminder)
