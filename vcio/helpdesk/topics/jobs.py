"""The worker's periodic job: topics for tickets that arrived since the last run."""

from __future__ import annotations

from vcio.core.models import Client
from vcio.core.registry import PeriodicJob, periodic_jobs
from vcio.helpdesk.models import Ticket, TopicSetBy
from vcio.helpdesk.topics.assign import assign_topics
from vcio.helpdesk.topics.store import active_model_row


def assign_new_tickets() -> int:
    """Assign the active model's topic to every client's new tickets; returns how many."""
    waiting = (
        Ticket.objects.filter(topic__isnull=True)
        .exclude(topic_set_by=TopicSetBy.PERSON)
        .values_list("client_id", flat=True)
        .distinct()
    )
    total = 0
    for client in Client.objects.filter(pk__in=waiting):
        if active_model_row(client) is not None:
            total += assign_topics(client)["assigned"]
    return total


def register() -> None:
    periodic_jobs.register(
        PeriodicJob(
            "helpdesk.assign_topics",
            assign_new_tickets,
            interval=300,
            description="Assign learned topics to new tickets; unsure ones wait for a person.",
        )
    )
