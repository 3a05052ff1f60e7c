"""Topics for tickets that arrived since the last run: at import time for small batches,
else by the worker's periodic job.

A client with an active learned model (its own or the practice-wide one)
gets the model's topics; a client without one gets discovered topics (a
discovery run over its tickets, which keeps people's renames, merges and
splits). Imports and pushes of up to ``INLINE_LIMIT`` tickets get their
topics before they answer, so the help-desk page shows them at once; bigger
ones wait a few minutes for the worker instead of holding the import.
"""

from __future__ import annotations

from vcio.core.models import Client
from vcio.core.registry import PeriodicJob, periodic_jobs
from vcio.helpdesk.models import Ticket, TopicSetBy
from vcio.helpdesk.topics.assign import assign_topics
from vcio.helpdesk.topics.runs import discover_for_client
from vcio.helpdesk.topics.store import active_model_row

# Waiting tickets (and, for discovery, tickets in all) handled inside an import or push.
INLINE_LIMIT = 5_000
# Fewer tickets than this make no useful clusters: discovery waits for more.
DISCOVER_MIN_TICKETS = 20


def _waiting(client_ids=None):
    qs = Ticket.objects.filter(topic__isnull=True).exclude(topic_set_by=TopicSetBy.PERSON)
    return qs if client_ids is None else qs.filter(client_id__in=client_ids)


def topics_for(client: Client, *, limit: int | None = None) -> int:
    """Give the client's tickets without a topic one; returns how many tickets got one.

    With ``limit``, does nothing (returns 0) when more tickets than that would
    be read, leaving them to the periodic job.
    """
    waiting = _waiting([client.pk]).count()
    if waiting == 0 or (limit is not None and waiting > limit):
        return 0
    if active_model_row(client) is not None:
        return assign_topics(client)["assigned"]
    total = Ticket.objects.filter(client=client).count()
    if total < DISCOVER_MIN_TICKETS or (limit is not None and total > limit):
        return 0
    discover_for_client(client)
    return waiting - _waiting([client.pk]).count()


def topics_after_import(client: Client) -> int:
    """Called by the ticket import and push once they wrote: topics for a small batch at once."""
    return topics_for(client, limit=INLINE_LIMIT)


def assign_new_tickets() -> int:
    """Topics for every client's new tickets (learned, else discovered); returns how many."""
    waiting = _waiting().values_list("client_id", flat=True).distinct()
    return sum(topics_for(client) for client in Client.objects.filter(pk__in=waiting))


def register() -> None:
    periodic_jobs.register(
        PeriodicJob(
            "helpdesk.assign_topics",
            assign_new_tickets,
            interval=300,
            description="Topics for new tickets: the learned model's (unsure ones wait for a "
            "person), else a discovery run that keeps people's renames, merges and splits.",
        )
    )
