"""Learned topics on the database: train from tickets, assign topics to tickets.

A topic a person set always counts as a training label; the source's own
category counts only when the practice says it trusts it. Assignment never
overwrites a person's choice; an assignment below the model's threshold is
flagged for a person to confirm or correct.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q, QuerySet

from vcio.helpdesk.models import Ticket, Topic, TopicKind, TopicModel, TopicSetBy
from vcio.helpdesk.topics import store
from vcio.helpdesk.topics.learned import TrainResult, train_and_evaluate
from vcio.helpdesk.topics.text import ticket_text

# Tickets read and written per batch while assigning (bounds memory, keeps batches fast).
BATCH = 2000


def training_rows(tickets: QuerySet, *, trust_categories: bool) -> tuple[list[str], list[str]]:
    """(texts, labels) of the tickets that carry a trusted topic, oldest first.

    A person's topic is always trusted (its name is the label: a learned
    topic's name is its label unless renamed); the source category only
    with ``trust_categories``.
    """
    trusted = Q(topic_set_by=TopicSetBy.PERSON, topic__isnull=False)
    if trust_categories:
        trusted |= ~Q(source_category="")
    texts: list[str] = []
    labels: list[str] = []
    rows = (
        tickets.filter(trusted)
        .order_by("opened_at", "id")
        .values_list("subject", "body", "topic_set_by", "topic__key", "topic__kind", "topic__name",
                     "source_category")
    )  # fmt: skip
    for subject, body, set_by, key, kind, name, category in rows.iterator(chunk_size=BATCH):
        if set_by == TopicSetBy.PERSON and key:
            label = key if kind == TopicKind.LEARNED else name
        else:
            label = category.strip()
        if label:
            texts.append(ticket_text(subject, body))
            labels.append(label)
    return texts, labels


def train_from_tickets(
    tickets: QuerySet, *, client=None, trust_categories: bool, user=None, threshold: float
) -> TopicModel:
    """Train on the trusted tickets, store the new model version and return its row."""
    texts, labels = training_rows(tickets, trust_categories=trust_categories)
    if len(texts) < 10:
        raise ValueError(
            f"Only {len(texts)} tickets carry a trusted topic; training needs at least 10 "
            "(set topics by hand, or pass --trust-categories to use the source categories)."
        )
    result: TrainResult = train_and_evaluate(texts, labels)
    return store.save_model(result, client=client, user=user, threshold=threshold)


def learned_topics(client, labels: Iterable[str]) -> dict[str, Topic]:
    """The client's learned topic per label, created for labels it has none of yet."""
    labels = set(labels)
    existing = {
        t.key: t
        for t in Topic.objects.filter(client=client, kind=TopicKind.LEARNED, key__in=labels)
    }
    missing = [
        Topic(client=client, kind=TopicKind.LEARNED, key=label, name=label[:120])
        for label in sorted(labels - existing.keys())
    ]
    for topic in Topic.objects.bulk_create(missing):
        existing[topic.key] = topic
    # A merged learned topic sends its tickets to the topic it was merged into.
    targets = {t.pk: t for t in Topic.objects.filter(merged_from__in=existing.values())}
    return {
        key: targets.get(topic.merged_into_id, topic) if topic.merged_into_id else topic
        for key, topic in existing.items()
    }


def assign_topics(client, *, only_new: bool = True) -> dict[str, int]:
    """Assign the active model's topic to the client's tickets; {"assigned", "flagged"}.

    ``only_new``: tickets without a topic yet; otherwise every ticket a person
    did not set (re-assignment after a new model). Person-set topics are never touched.
    """
    row = store.active_model_row(client)
    if row is None:
        return {"assigned": 0, "flagged": 0}
    model = store.from_bytes(row.blob)
    qs = Ticket.objects.filter(client=client).exclude(topic_set_by=TopicSetBy.PERSON)
    if only_new:
        qs = qs.filter(topic__isnull=True)
    topics = learned_topics(client, row.labels)
    assigned = flagged = 0
    ids = list(qs.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = list(
            Ticket.objects.filter(id__in=ids[start : start + BATCH]).only("id", "subject", "body")
        )
        labels, confidence = model.predict([ticket_text(t.subject, t.body) for t in batch])
        for ticket, label, conf in zip(batch, labels, confidence, strict=True):
            ticket.topic = topics[label]
            ticket.topic_confidence = round(float(conf), 4)
            ticket.topic_set_by = TopicSetBy.MODEL
            ticket.topic_needs_review = bool(conf < row.threshold)
            flagged += ticket.topic_needs_review
        with transaction.atomic():
            # Re-check inside the write: a person may have chosen meanwhile.
            person = set(
                Ticket.objects.filter(
                    id__in=[t.id for t in batch], topic_set_by=TopicSetBy.PERSON
                ).values_list("id", flat=True)
            )
            Ticket.objects.bulk_update(
                [t for t in batch if t.id not in person],
                ["topic", "topic_confidence", "topic_set_by", "topic_needs_review"],
            )
        assigned += len(batch) - len(person)
    return {"assigned": assigned, "flagged": flagged}
