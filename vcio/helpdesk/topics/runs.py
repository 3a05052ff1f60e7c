"""A discovery run over one client's tickets, keeping what people did to earlier topics.

The run's clusters are matched to the client's current discovered topics by
centroid cosine: a matched topic keeps its key and (if a person named it)
its name; a topic merged by a person sends its matched cluster's tickets to
the topic it was merged into; a split topic's matched cluster is shared
among its parts, each ticket going to the part whose centre it is closest
to. Topics no cluster matched are retired. Tickets whose topic a person set,
or a learned model assigned, are not touched.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from vcio.helpdesk.models import Ticket, Topic, TopicKind, TopicSetBy
from vcio.helpdesk.topics.discovered import Cluster, cosine, discover, match_clusters, topic_name
from vcio.helpdesk.topics.edits import final_topic
from vcio.helpdesk.topics.text import ticket_text

# Tickets discovery may (re)assign: none yet, or a previous discovery's.
_OPEN_TO_DISCOVERY = Q(topic_set_by=TopicSetBy.NONE) | Q(topic_set_by=TopicSetBy.DISCOVERED)


def _previous_topics(client) -> dict[int, Topic]:
    """The client's discovered topics a new run may match: current, merged or split ones."""
    qs = Topic.objects.filter(client=client, kind=TopicKind.DISCOVERED, split_from__isnull=True)
    return {t.pk: t for t in qs if not t.retired or t.merged_into_id or t.split_into.exists()}


def _next_key(client) -> int:
    keys = Topic.objects.filter(client=client, kind=TopicKind.DISCOVERED).values_list(
        "key", flat=True
    )
    numbers = [int(k[1:]) for k in keys if k.startswith("d") and k[1:].isdigit()]
    return max(numbers, default=0) + 1


def _ticket_vector(row, terms) -> dict[str, float]:
    """A ticket's TF-IDF row (1 × vocabulary, sparse) as term → weight."""
    return {str(terms[j]): float(v) for j, v in zip(row.indices, row.data, strict=True)}


def _part_for(ticket_terms: dict[str, float], parts: list[Topic]) -> Topic:
    return max(parts, key=lambda p: cosine(ticket_terms, p.centroid))


def _topic_for_cluster(client, cluster: Cluster, matched: Topic | None, key_no: int) -> Topic:
    """The topic row a cluster lands in: the matched one refreshed, or a new one."""
    if matched is None:
        return Topic.objects.create(
            client=client,
            kind=TopicKind.DISCOVERED,
            key=f"d{key_no}",
            name=topic_name(cluster.terms)[:120],
            terms=cluster.terms,
            centroid=cluster.centroid,
        )
    matched.terms = cluster.terms
    matched.centroid = cluster.centroid
    if not matched.named_by_person:
        matched.name = topic_name(cluster.terms)[:120]
    if not matched.merged_into_id and not matched.split_into.exists():
        matched.retired = False
    matched.save(update_fields=["terms", "centroid", "name", "retired", "updated_at"])
    return matched


def discover_for_client(client, k: int | None = None) -> dict[str, int]:
    """Run discovery over the client's tickets; {"tickets", "topics", "new_topics"}."""
    tickets = list(
        Ticket.objects.filter(client=client)
        .filter(_OPEN_TO_DISCOVERY)
        .only("id", "subject", "body")
    )
    if len(tickets) < 4:
        return {"tickets": 0, "topics": 0, "new_topics": 0}
    texts = [ticket_text(t.subject, t.body) for t in tickets]
    run = discover(texts, k)
    previous = _previous_topics(client)
    matches = match_clusters(run.clusters, {pk: t.centroid for pk, t in previous.items()})
    has_parts = any(t.split_into.exists() for t in previous.values())
    matrix = run.vectorizer.transform(texts).tocsr() if has_parts else None
    terms = run.vectorizer.get_feature_names_out() if has_parts else None
    key_no = _next_key(client)
    new_topics = 0
    updates: dict[int, list[int]] = {}
    with transaction.atomic():
        used: set[int] = set()
        for i, cluster in enumerate(run.clusters):
            members = [n for n, a in enumerate(run.assignments) if a == i]
            if not members:
                continue
            matched = previous.get(matches[i]) if i in matches else None
            topic = _topic_for_cluster(client, cluster, matched, key_no)
            if matched is None:
                key_no += 1
                new_topics += 1
            used.add(topic.pk)
            parts = list(topic.split_into.filter(retired=False))
            for n in members:
                if parts and matrix is not None:
                    target = _part_for(_ticket_vector(matrix[n], terms), parts)
                else:
                    target = final_topic(topic)
                updates.setdefault(target.pk, []).append(tickets[n].id)
                used.add(target.pk)
        for topic_id, ids in updates.items():
            Ticket.objects.filter(id__in=ids).filter(_OPEN_TO_DISCOVERY).update(
                topic_id=topic_id, topic_set_by=TopicSetBy.DISCOVERED, topic_confidence=None,
                topic_needs_review=False,
            )  # fmt: skip
        stale = Topic.objects.filter(client=client, kind=TopicKind.DISCOVERED, retired=False)
        stale.exclude(pk__in=used).exclude(split_from__isnull=False).update(retired=True)
    return {"tickets": len(tickets), "topics": len(updates), "new_topics": new_topics}
