"""The strategy app's models: goals and KPIs, recommendations, initiatives, planning."""

from vcio.strategy.models.goals import BusinessGoal, GoalStatus, Kpi, KpiValue, Priority
from vcio.strategy.models.initiatives import (
    Initiative,
    InitiativeGoal,
    InitiativeStatus,
    Milestone,
    SpendEntry,
)
from vcio.strategy.models.planning import Scenario, ScoringWeights
from vcio.strategy.models.recommendations import Recommendation, RecommendationStatus, Risk

__all__ = [
    "BusinessGoal",
    "GoalStatus",
    "Initiative",
    "InitiativeGoal",
    "InitiativeStatus",
    "Kpi",
    "KpiValue",
    "Milestone",
    "Priority",
    "Recommendation",
    "RecommendationStatus",
    "Risk",
    "Scenario",
    "ScoringWeights",
    "SpendEntry",
]
