"""Discovered topics: boilerplate removed, names from terms, a person's edits survive a rerun."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import call_command
from sklearn.metrics import normalized_mutual_info_score
from sklearn.preprocessing import normalize

from vcio.helpdesk.models import Ticket, Topic, TopicKind, TopicSetBy
from vcio.helpdesk.tests import topic_samples as samples
from vcio.helpdesk.tests.factories import make_topic
from vcio.helpdesk.topics import edits
from vcio.helpdesk.topics.discovered import (
    choose_k,
    cosine,
    discover,
    match_clusters,
    neighbour_smoothed,
    topic_name,
    vectorizer_for,
    word_vectors,
)
from vcio.helpdesk.topics.runs import discover_for_client
from vcio.helpdesk.topics.text import clean_subject, strip_boilerplate, ticket_text


@pytest.mark.parametrize(
    "body, kept, dropped",
    [
        ("Hi team,\n\nThe printer jams.\n\nThanks,\nJane", "printer jams", "Jane"),
        ("VPN drops.\n-- \nMark Smith | Sales | +44 20", "VPN drops", "Mark Smith"),
        ("Outlook is slow.\n\nSent from my iPhone", "Outlook is slow", "iPhone"),
        (
            "Laptop hot.\nRegards\n\nThis e-mail and any attachments are confidential.",
            "Laptop hot",
            "confidential",
        ),
        (
            "Still broken.\n\nOn Mon, 3 Mar 2025 at 09:12, Desk <h@x.com> wrote:\n> fixed?",
            "Still broken",
            "fixed?",
        ),
        ("Printer offline\n> earlier quoted line\nstill offline", "still offline", "quoted"),
        ("## Reply above this line ##\nScanner fails", "Scanner fails", "Reply above"),
        ("Mouse broken\n-----Original Message-----\nFrom: x\nold text", "Mouse", "old text"),
    ],
)
def test_boilerplate_is_removed_and_the_problem_kept(body, kept, dropped):
    cleaned = strip_boilerplate(body)
    assert kept in cleaned
    assert dropped not in cleaned


def test_subject_prefixes_and_ticket_tags_are_dropped():
    assert clean_subject("RE: FW: [Ticket#4711] Printer jams") == "Printer jams"
    assert ticket_text("Re: VPN", "see https://x.example/a or mail bob@x.com") == "vpn see or mail"


def _sample_texts():
    rows = samples.sample_tickets()
    return [ticket_text(s, b) for s, b, _ in rows], [label for _, _, label in rows]


def test_discovery_finds_the_sample_topics_and_names_them_from_terms():
    texts, labels = _sample_texts()
    run = discover(texts, k=5)
    assert len(run.clusters) == 5
    assert sum(c.size for c in run.clusters) == 100
    # Agreement with the hidden labels, computed by sklearn rather than by the code under test.
    assert normalized_mutual_info_score(labels, run.assignments) > 0.6
    names = [topic_name(c.terms) for c in run.clusters]
    assert any("printer" in name for name in names)
    assert all(" · " in name for name in names)
    # Boilerplate words never name a topic.
    for word in ("regards", "thanks", "iphone", "confidential", "hi"):
        assert not any(word in c.terms[:3] for c in run.clusters)


@pytest.mark.parametrize(
    "n, expected",
    # round(sqrt(n / 10)), at least 2, at most 40 and one per 8 tickets; worked out by hand.
    [(10, 2), (40, 2), (100, 3), (1_000, 10), (5_000, 22), (9_568, 31), (50_000, 40)],
)
def test_the_number_of_topics_follows_a_fixed_rule_not_the_labels(n, expected):
    assert choose_k(n) == expected
    assert choose_k(n, k=7) == 7


def test_words_seen_in_the_same_tickets_get_close_vectors():
    # "toner" and "cartridge" never share a ticket but share their neighbours.
    texts = (
        ["printer toner smudge"] * 6
        + ["printer cartridge smudge"] * 6
        + ["vpn tunnel token"] * 6
        + ["vpn tunnel timeout"] * 6
    )
    vectorizer = vectorizer_for(len(texts))
    matrix = vectorizer.fit_transform(texts)
    vectors = dict(zip(vectorizer.get_feature_names_out(), word_vectors(matrix, 3), strict=True))
    assert vectors["toner"] @ vectors["cartridge"] > 0.9
    assert vectors["toner"] @ vectors["token"] < 0.5


def test_a_stray_ticket_is_pulled_towards_the_tickets_most_like_it():
    rng = np.random.default_rng(0)
    # Two tight groups of 40 unit vectors around axes 0 and 1, plus one stray between
    # them that leans to group 0: smoothing moves it closer to group 0's direction.
    groups = [np.eye(8)[axis] + 0.1 * rng.standard_normal((40, 8)) for axis in (0, 1)]
    stray = np.array([[0.6, 0.5, 0.4, 0, 0, 0, 0, 0]])
    points = normalize(np.vstack([*groups, stray]))
    smoothed = neighbour_smoothed(points, k=2)
    assert np.linalg.norm(smoothed, axis=1) == pytest.approx(1)
    assert smoothed[-1, 0] > points[-1, 0]
    assert smoothed[-1, 2] < points[-1, 2]
    # Too few points per topic to have neighbours worth averaging: left as they are.
    assert np.array_equal(neighbour_smoothed(points[:10], k=2), points[:10])


def test_texts_without_terms_get_no_topic_and_the_rest_are_clustered():
    texts, _ = _sample_texts()
    run = discover([*texts, "", "thanks regards"], k=5)
    assert list(run.assignments[-2:]) == [-1, -1]
    assert (run.assignments[:-2] >= 0).all()
    assert run.weights.shape == (102, 5)
    assert all(sum(w * w for w in c.centroid.values()) == pytest.approx(1, abs=1e-3)
               for c in run.clusters)  # fmt: skip


def test_matching_uses_centroid_cosine_and_leaves_dissimilar_clusters_new():
    a = {"printer": 0.8, "jam": 0.6}
    assert cosine(a, a) == pytest.approx(1.0)
    assert cosine(a, {"vpn": 1.0}) == 0
    from vcio.helpdesk.topics.discovered import Cluster

    clusters = [Cluster(["vpn"], {"vpn": 1.0}, 3), Cluster(["printer"], {"printer": 1.0}, 3)]
    assert match_clusters(clusters, {7: a}) == {1: 7}


@pytest.mark.django_db
def test_discover_stores_topics_with_terms_size_and_keys(acme):
    samples.load_tickets(acme, with_categories=False)
    counts = discover_for_client(acme, k=5)
    assert counts == {"tickets": 100, "topics": 5, "new_topics": 5}
    topics = Topic.objects.filter(client=acme, kind=TopicKind.DISCOVERED)
    assert sorted(t.key for t in topics) == ["d1", "d2", "d3", "d4", "d5"]
    assert all(t.terms and t.centroid and t.name == topic_name(t.terms) for t in topics)
    assert Ticket.objects.filter(client=acme, topic_set_by=TopicSetBy.DISCOVERED).count() == 100


@pytest.mark.django_db
def test_rename_merge_and_split_survive_the_next_run(acme, alice):
    samples.load_tickets(acme, with_categories=False)
    discover_for_client(acme, k=5)
    by_term = {t.terms[0]: t for t in Topic.objects.filter(client=acme, kind=TopicKind.DISCOVERED)}
    topics = list(by_term.values())
    renamed, merged, target, to_split = topics[0], topics[1], topics[2], topics[3]
    edits.rename(renamed, "Our own name", alice)
    edits.merge(merged, target, alice)
    parts = edits.split(to_split, alice)
    split_ids = {t.pk for t in Ticket.objects.filter(topic__in=parts)}
    assert len(parts) == 2 and len(split_ids) == to_split.tickets.count() + len(split_ids)

    counts = discover_for_client(acme, k=5)

    assert counts["new_topics"] == 0
    renamed.refresh_from_db()
    assert renamed.name == "Our own name" and not renamed.retired
    assert renamed.tickets.count() > 0
    assert merged.tickets.count() == 0
    assert target.tickets.count() >= 30  # its own tickets and the merged topic's
    # The split topic's cluster is shared among its parts, none left on the retired parent.
    to_split.refresh_from_db()
    assert to_split.retired and to_split.tickets.count() == 0
    assert all(p.tickets.count() > 0 for p in parts)


@pytest.mark.django_db
def test_discovery_never_moves_a_ticket_a_person_or_model_set(acme, alice):
    tickets = samples.load_tickets(acme, with_categories=False)
    mine = make_topic(acme, "Printing")
    edits.set_ticket_topic(tickets[3], mine, alice)
    discover_for_client(acme, k=5)
    tickets[3].refresh_from_db()
    assert tickets[3].topic == mine and tickets[3].topic_set_by == TopicSetBy.PERSON


@pytest.mark.django_db
def test_split_refuses_learned_topics_and_merge_refuses_other_clients(acme, globex, alice):
    learned = make_topic(acme, "Printing")
    foreign = make_topic(globex, "Printing")
    with pytest.raises(edits.TopicEditError, match="learned topic"):
        edits.split(learned, alice)
    with pytest.raises(edits.TopicEditError, match="same client"):
        edits.merge(learned, foreign, alice)
    with pytest.raises(edits.TopicEditError, match="already merged|this topic"):
        edits.merge(learned, learned, alice)


@pytest.mark.django_db
def test_cli_discover_reports_per_client(acme, capsys):
    samples.load_tickets(acme, with_categories=False)
    call_command("topics", "discover", "--client", acme.slug, "--k", "5")
    assert "acme: 100 tickets in 5 topics (5 new)" in capsys.readouterr().out
