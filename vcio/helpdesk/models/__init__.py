"""The help-desk app's models: tickets, topics and topic models, a client's help-desk policy."""

from vcio.helpdesk.models.policy import DEFAULT_SLA_HOURS, HelpdeskPolicy, SlaTarget
from vcio.helpdesk.models.tickets import (
    DONE_STATUSES,
    OPEN_STATUSES,
    PRIORITY_ORDER,
    AssetMatch,
    Priority,
    Status,
    Ticket,
    TopicSetBy,
)
from vcio.helpdesk.models.topics import Topic, TopicKind, TopicModel

__all__ = [
    "DEFAULT_SLA_HOURS",
    "DONE_STATUSES",
    "OPEN_STATUSES",
    "PRIORITY_ORDER",
    "AssetMatch",
    "HelpdeskPolicy",
    "Priority",
    "SlaTarget",
    "Status",
    "Ticket",
    "Topic",
    "TopicKind",
    "TopicModel",
    "TopicSetBy",
]
