"""A person's changes to topics: rename, merge, split, and choosing a ticket's topic.

Each is kept on the rows (``named_by_person``, ``merged_into``,
``split_from``, ``topic_set_by="person"``) so the next discovery or
assignment run keeps it, and each writes the audit log.
"""

from __future__ import annotations

import numpy as np
from django.db import transaction
from sklearn.cluster import KMeans

from vcio.core import audit
from vcio.core.models import AuditEvent
from vcio.helpdesk.models import Ticket, Topic, TopicKind, TopicSetBy
from vcio.helpdesk.topics.discovered import TERMS_KEPT, topic_name, vectorizer_for
from vcio.helpdesk.topics.text import ticket_text


class TopicEditError(ValueError):
    """A change a person asked for that cannot be made; the message says why."""


def final_topic(topic: Topic) -> Topic:
    """Where ``topic``'s tickets go: itself, or the end of its chain of merges."""
    seen = {topic.pk}
    while topic.merged_into_id is not None and topic.merged_into_id not in seen:
        seen.add(topic.merged_into_id)
        topic = Topic.objects.get(pk=topic.merged_into_id)
    return topic


def rename(topic: Topic, name: str, user) -> Topic:
    """Give the topic a person's name; discovery never renames it afterwards."""
    name = (name or "").strip()
    if not name:
        raise TopicEditError("name: give the topic a name.")
    if len(name) > 120:
        raise TopicEditError(f"name: at most 120 characters (this one has {len(name)}).")
    before = audit.snapshot(topic)
    with transaction.atomic():
        topic.name = name
        topic.named_by_person = True
        topic.save(update_fields=["name", "named_by_person", "updated_at"])
        audit.record_update(user, topic, before)
    return topic


def merge(topic: Topic, into: Topic, user) -> Topic:
    """Fold ``topic`` into ``into`` (same client): its tickets, now and in later runs, go there."""
    if into.client_id != topic.client_id:
        raise TopicEditError("into: choose a topic of the same client.")
    if final_topic(into).pk == topic.pk:
        raise TopicEditError(f"into: “{into.name}” is this topic or already merged into it.")
    target = final_topic(into)
    with transaction.atomic():
        Ticket.objects.filter(topic=topic).update(topic=target)
        Topic.objects.filter(merged_into=topic).update(merged_into=target)
        topic.merged_into = target
        topic.retired = True
        topic.save(update_fields=["merged_into", "retired", "updated_at"])
        audit.record(user, topic, AuditEvent.Action.UPDATE, {"merged_into": [None, target.name]})
    return target


def _next_keys(topic: Topic, n: int) -> list[str]:
    existing = set(
        Topic.objects.filter(client_id=topic.client_id, kind=topic.kind).values_list(
            "key", flat=True
        )
    )
    keys, i = [], 1
    while len(keys) < n:
        key = f"{topic.key}.{i}"[:120]
        if key not in existing:
            keys.append(key)
        i += 1
    return keys


def split(topic: Topic, user, parts: int = 2) -> list[Topic]:
    """Split a discovered topic into ``parts`` by clustering its tickets; returns the parts.

    Later discovery runs share the clusters matched to ``topic`` among the parts
    (by each ticket's closeness to a part's centre).
    """
    if topic.kind != TopicKind.DISCOVERED:
        raise TopicEditError("A learned topic is a label of the model; correct tickets instead.")
    if topic.merged_into_id or topic.retired:
        raise TopicEditError(f"“{topic.name}” is no longer in use; split a current topic.")
    tickets = list(Ticket.objects.filter(topic=topic).only("id", "subject", "body", "topic_set_by"))
    if len(tickets) < 2 * parts:
        raise TopicEditError(
            f"“{topic.name}” has {len(tickets)} tickets; splitting in {parts} needs {2 * parts}."
        )
    vectorizer = vectorizer_for(len(tickets))
    try:
        matrix = vectorizer.fit_transform([ticket_text(t.subject, t.body) for t in tickets])
    except ValueError:  # nothing but stop words, numbers or greetings
        raise TopicEditError(
            f"“{topic.name}”: its tickets have too few words to tell parts apart."
        ) from None
    km = KMeans(n_clusters=parts, n_init=5, random_state=0).fit(matrix)
    vocab = vectorizer.get_feature_names_out()
    with transaction.atomic():
        new = []
        for i, key in enumerate(_next_keys(topic, parts)):
            centre = km.cluster_centers_[i]
            top = [j for j in np.argsort(-centre)[:TERMS_KEPT] if centre[j] > 0]
            norm = float(np.linalg.norm(centre[top])) or 1.0
            centroid = {str(vocab[j]): round(float(centre[j]) / norm, 5) for j in top}
            terms = list(centroid)[:10]
            new.append(
                Topic.objects.create(
                    client_id=topic.client_id,
                    kind=topic.kind,
                    key=key,
                    name=f"{topic_name(terms)}"[:120],
                    terms=terms,
                    centroid=centroid,
                    split_from=topic,
                )
            )
        for part, label in zip(new, range(parts), strict=True):
            ids = [t.id for t, lab in zip(tickets, km.labels_, strict=True) if lab == label]
            Ticket.objects.filter(id__in=ids).exclude(topic_set_by=TopicSetBy.PERSON).update(
                topic=part
            )
        topic.retired = True
        topic.save(update_fields=["retired", "updated_at"])
        audit.record(
            user, topic, AuditEvent.Action.UPDATE, {"split_into": [None, [p.name for p in new]]}
        )
    return new


def set_ticket_topic(ticket: Ticket, topic: Topic, user) -> Ticket:
    """A person's topic for a ticket: kept by every later run and used in the next training."""
    if topic.client_id != ticket.client_id:
        raise TopicEditError("topic: choose a topic of the ticket's client.")
    topic = final_topic(topic)
    before = audit.snapshot(ticket)
    with transaction.atomic():
        ticket.topic = topic
        ticket.topic_set_by = TopicSetBy.PERSON
        ticket.topic_set_by_user = user if getattr(user, "is_authenticated", False) else None
        ticket.topic_confidence = 1.0
        ticket.topic_needs_review = False
        ticket.save(
            update_fields=[
                "topic", "topic_set_by", "topic_set_by_user", "topic_confidence",
                "topic_needs_review", "updated_at",
            ]
        )  # fmt: skip
        audit.record_update(user, ticket, before)
    return ticket
