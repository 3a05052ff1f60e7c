"""Discovered topics: clusters of tickets found without labels, named from their top terms.

Method: boilerplate removed (:mod:`.text`), TF-IDF over words (sublinear,
terms in fewer than 3 tickets or more than 30 % of them dropped, English
and help-desk stop words dropped), non-negative matrix factorisation with
``k`` components; a ticket belongs to its strongest component. ``k`` is not
chosen by looking at labels: 16 by default (fewer for small sets, one per
~8 tickets), a size a person can still read through on one page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

DEFAULT_K = 16
TERMS_KEPT = 30  # centroid terms stored per topic, to match the next run's clusters
NAME_TERMS = 3
# Words every ticket may carry whatever it is about.
HELPDESK_STOP_WORDS = frozenset(
    (  # noqa: SIM905 (one string reads better than 45 quoted words)
        "hi hello dear thanks thank regards kind best please pls kindly help need needed issue "
        "issues problem ticket request requested team sent received attached attachment email "
        "mail morning afternoon cheers sincerely ok yes know let could would like just also get got"
    ).split()
)
STOP_WORDS = sorted(ENGLISH_STOP_WORDS | HELPDESK_STOP_WORDS)


@dataclass
class Cluster:
    """One discovered topic of a run: its top terms, centre (term → weight) and size."""

    terms: list[str]
    centroid: dict[str, float]
    size: int


@dataclass
class Discovery:
    """A run's result: a cluster index per text (−1: nothing to go on) and the clusters."""

    assignments: np.ndarray
    clusters: list[Cluster]
    vectorizer: TfidfVectorizer
    weights: np.ndarray  # (n_texts, k) strength of each component per text


def choose_k(n_texts: int, k: int | None = None) -> int:
    """``k`` if given, else ``DEFAULT_K`` capped at one cluster per ~8 texts (at least 2)."""
    if k is not None:
        return max(2, k)
    return max(2, min(DEFAULT_K, n_texts // 8))


def topic_name(terms: Sequence[str]) -> str:
    """A readable name from the top terms, e.g. "printer · toner · jam"."""
    return " · ".join(terms[:NAME_TERMS]) or "(no terms)"


def vectorizer_for(n_texts: int) -> TfidfVectorizer:
    # Small sets keep every term; large ones drop typos and names seen in 1–2 tickets.
    min_df = 3 if n_texts >= 500 else 1
    return TfidfVectorizer(
        sublinear_tf=True,
        min_df=min_df,
        max_df=0.3 if n_texts >= 50 else 1.0,
        stop_words=STOP_WORDS,
        token_pattern=r"(?u)\b[a-z][a-z0-9]+\b",
        dtype=np.float32,
    )


def discover(texts: Sequence[str], k: int | None = None, *, seed: int = 0) -> Discovery:
    """Cluster cleaned ticket texts into ``choose_k`` topics (see the module's method)."""
    k = choose_k(len(texts), k)
    vectorizer = vectorizer_for(len(texts))
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # no term survived (empty or stop-word-only texts)
        return Discovery(np.full(len(texts), -1), [], vectorizer, np.zeros((len(texts), 0)))
    k = min(k, matrix.shape[1], matrix.shape[0])
    nmf = NMF(n_components=k, init="nndsvda", max_iter=300, random_state=seed)
    weights = nmf.fit_transform(matrix)
    assignments = np.where(weights.max(axis=1) > 0, weights.argmax(axis=1), -1)
    vocab = vectorizer.get_feature_names_out()
    clusters = []
    for i, component in enumerate(nmf.components_):
        top = np.argsort(-component)[:TERMS_KEPT]
        norm = float(np.linalg.norm(component[top])) or 1.0
        centroid = {
            str(vocab[j]): round(float(component[j]) / norm, 5) for j in top if component[j] > 0
        }
        clusters.append(Cluster(list(centroid)[:10], centroid, int((assignments == i).sum())))
    return Discovery(assignments, clusters, vectorizer, weights)


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine similarity of two sparse term → weight vectors (0 when either is empty)."""
    if not a or not b:
        return 0.0
    dot = sum(w * b.get(t, 0.0) for t, w in a.items())
    na = sum(w * w for w in a.values()) ** 0.5
    nb = sum(w * w for w in b.values()) ** 0.5
    return dot / (na * nb) if na and nb else 0.0


def match_clusters(
    clusters: Sequence[Cluster], previous: dict[int, dict[str, float]], minimum: float = 0.3
) -> dict[int, int]:
    """{cluster index: previous topic id}, greedily by centroid cosine, each used once.

    A cluster less similar than ``minimum`` to every unused previous topic is new.
    """
    pairs = sorted(
        (
            (cosine(c.centroid, centroid), i, topic_id)
            for i, c in enumerate(clusters)
            for topic_id, centroid in previous.items()
        ),
        reverse=True,
    )
    matched: dict[int, int] = {}
    used: set[int] = set()
    for similarity, i, topic_id in pairs:
        if similarity < minimum:
            break
        if i not in matched and topic_id not in used:
            matched[i] = topic_id
            used.add(topic_id)
    return matched
