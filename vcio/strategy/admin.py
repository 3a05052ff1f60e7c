"""Django admin for the strategy app (the practice's back office, not the consultant's UI)."""

from django.contrib import admin

from vcio.strategy.models import (
    BusinessGoal,
    Initiative,
    InitiativeGoal,
    Kpi,
    KpiValue,
    Milestone,
    Recommendation,
    Scenario,
    ScoringWeights,
    SpendEntry,
)


class KpiInline(admin.TabularInline):
    model = Kpi
    extra = 0


@admin.register(BusinessGoal)
class BusinessGoalAdmin(admin.ModelAdmin):
    list_display = ["title", "client", "priority", "status", "target_date"]
    list_filter = ["status", "priority", "client"]
    search_fields = ["title", "description"]
    list_select_related = ["client"]
    # Related choices by id: a dropdown of every client's contacts would not scale.
    raw_id_fields = ["owner", "department"]
    inlines = [KpiInline]


@admin.register(KpiValue)
class KpiValueAdmin(admin.ModelAdmin):
    list_display = ["kpi", "at", "value", "source"]
    list_filter = ["source"]
    raw_id_fields = ["kpi"]


class InitiativeGoalInline(admin.TabularInline):
    model = InitiativeGoal
    extra = 0
    raw_id_fields = ["goal"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class SpendEntryInline(admin.TabularInline):
    model = SpendEntry
    extra = 0


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["title", "client", "status", "capex", "opex_per_year", "start_quarter"]
    list_filter = ["status", "mandatory", "client"]
    search_fields = ["title", "description", "category"]
    list_select_related = ["client"]
    raw_id_fields = ["owner", "approved_by", "requires"]
    readonly_fields = ["created_at", "updated_at", "approved_at"]
    inlines = [InitiativeGoalInline, MilestoneInline, SpendEntryInline]


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["title", "client", "risk", "status", "due_date", "source_app"]
    list_filter = ["status", "risk", "source_app", "client"]
    search_fields = ["title", "key"]
    list_select_related = ["client"]
    raw_id_fields = ["dismissed_by", "initiative"]
    readonly_fields = ["key", "first_generated_at", "last_generated_at"]


@admin.register(ScoringWeights)
class ScoringWeightsAdmin(admin.ModelAdmin):
    list_display = ["client", "alignment", "risk", "urgency", "benefit", "cost", "effort"]
    list_select_related = ["client"]


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ["name", "client", "horizon", "created_by", "created_at"]
    list_filter = ["client"]
    list_select_related = ["client", "created_by"]
    raw_id_fields = ["created_by"]
