#!/usr/bin/env python3
"""Ticket topics on real labelled IT tickets: vcio's learned and discovered topics beside a peer.

Data: the Kaggle "IT Service Ticket Classification" export (47,837 tickets,
8 topic groups, CC0 per its Kaggle page), read from ``--data PATH``, else
``$VCIO_TICKETS_KAGGLE``, else
``../shared/data/it-service-tickets-kaggle/all_tickets_processed_improved_v3.csv``
beside the repository.
Nothing is copied into the repository.

Split (fixed by issue 13): evaluation rows are those whose 0-based index
% 5 == 0; the model is fitted on the other ~38,000 rows.

- **learned, vcio**: :func:`vcio.helpdesk.topics.learned.train_and_evaluate`
  (the product's own training: TF-IDF word 1–2-grams + LinearSVC, balanced
  class weights), macro-F1 on the evaluation rows, training seconds
  (fit only), assignment rate (tickets/s: vectorise + predict + confidence,
  in one batch);
- **learned, peer**: the same function with ``peer=True`` (plain TF-IDF + LinearSVC);
- **discovered, vcio**: :func:`vcio.helpdesk.topics.discovered.discover`
  fitted without labels on the evaluation tickets (default k, seed 0), NMI
  and ARI against their 8 labels, seconds per run, and the NMI range over
  seeds 0–4 (k-means and the randomised SVDs depend on the seed);
- **discovered, peer**: k-means (k=8) over the same TF-IDF matrix.

    python bench/helpdesk_topics.py [--data PATH] [--json]

Figures (2026-12-03, this 2-core machine, other jobs running):

    learned                 macro-F1  accuracy  train s  assign/s
    vcio                      0.8724    0.8684     11.3     10910
    peer TF-IDF+LinearSVC     0.8689    0.8660      7.6     11480
    discovered                   NMI       ARI
    vcio (k=31)               0.3402    0.1079
      NMI over seeds 0-4: 0.3402-0.3591 (mean 0.3482), 6.2 s a run
    peer k-means k=8          0.2024    0.0267

Learned topics are below the issue's macro-F1 aim of 0.88; discovered topics
reach its NMI aim of 0.35 at three seeds in five (LSA + PPMI word vectors,
neighbour smoothing, k-means; the method and what was tried are in
:mod:`vcio.helpdesk.topics.discovered`). Tried on a validation split of the
development rows and dropped for learned topics: char_wb 3-5-grams (+0.002,
10x the training time), a nearest-neighbour vote, SGD / Complement NB score
averaging, per-class score offsets (no gain on a second half).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sklearn.cluster import KMeans  # noqa: E402
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score  # noqa: E402

from vcio.helpdesk.topics.discovered import discover  # noqa: E402
from vcio.helpdesk.topics.labelled import read_labelled_csv  # noqa: E402
from vcio.helpdesk.topics.learned import held_out_mask, train_and_evaluate  # noqa: E402

SEEDS = range(5)  # discovery's spread over seeds, seed 0 first (the product's default)
DEFAULT_DATA = str(
    ROOT.parent / "shared/data/it-service-tickets-kaggle/all_tickets_processed_improved_v3.csv"
)


def assign_rate(model, texts: list[str]) -> float:
    """Tickets per second the model assigns (vectorise, predict, confidence), one batch."""
    started = time.perf_counter()
    model.predict(texts)
    return len(texts) / (time.perf_counter() - started)


def measure(path: str | Path) -> dict:
    """vcio's and the peer's figures on one labelled export (see the module docstring)."""
    texts, labels = read_labelled_csv(path)
    mask = held_out_mask(len(texts))
    test_x = [t for t, m in zip(texts, mask, strict=True) if m]
    test_y = [t for t, m in zip(labels, mask, strict=True) if m]

    ours = train_and_evaluate(texts, labels)
    peer = train_and_evaluate(texts, labels, peer=True)
    started = time.perf_counter()
    run = discover(test_x)
    discover_s = time.perf_counter() - started
    seed_nmis = [float(normalized_mutual_info_score(test_y, run.assignments))]
    seed_nmis += [
        float(normalized_mutual_info_score(test_y, discover(test_x, seed=seed).assignments))
        for seed in SEEDS[1:]
    ]
    peer_km = KMeans(n_clusters=8, n_init=3, random_state=0).fit_predict(
        run.vectorizer.transform(test_x)
    )
    return {
        "n_train": ours.n_train,
        "n_test": len(test_x),
        "macro_f1": ours.metrics["macro_f1"],
        "accuracy": ours.metrics["accuracy"],
        "train_s": round(ours.train_seconds, 2),
        "assign_per_s": round(assign_rate(ours.model, test_x)),
        "discovered_k": len(run.clusters),
        "discovered_nmi": round(float(normalized_mutual_info_score(test_y, run.assignments)), 4),
        "discovered_ari": round(float(adjusted_rand_score(test_y, run.assignments)), 4),
        "discovered_s": round(discover_s, 1),
        "discovered_nmi_seeds": [round(v, 4) for v in seed_nmis],
        "peer_macro_f1": peer.metrics["macro_f1"],
        "peer_accuracy": peer.metrics["accuracy"],
        "peer_train_s": round(peer.train_seconds, 2),
        "peer_assign_per_s": round(assign_rate(peer.model, test_x)),
        "peer_discovered_nmi": round(float(normalized_mutual_info_score(test_y, peer_km)), 4),
        "peer_discovered_ari": round(float(adjusted_rand_score(test_y, peer_km)), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("VCIO_TICKETS_KAGGLE", DEFAULT_DATA))
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = measure(args.data)
    if args.json:
        print(json.dumps(result))
        return
    r = result
    print(f"tickets: {r['n_train']} development, {r['n_test']} evaluation (index % 5 == 0)")
    print(f"{'learned':<22} {'macro-F1':>9} {'accuracy':>9} {'train s':>8} {'assign/s':>9}")
    print(f"{'vcio':<22} {r['macro_f1']:>9.4f} {r['accuracy']:>9.4f} {r['train_s']:>8.1f} "
          f"{r['assign_per_s']:>9}")  # fmt: skip
    print(f"{'peer TF-IDF+LinearSVC':<22} {r['peer_macro_f1']:>9.4f} {r['peer_accuracy']:>9.4f} "
          f"{r['peer_train_s']:>8.1f} {r['peer_assign_per_s']:>9}")  # fmt: skip
    print(f"ratio macro-F1 vcio/peer: {r['macro_f1'] / r['peer_macro_f1']:.4f}")
    print(f"{'discovered':<22} {'NMI':>9} {'ARI':>9}")
    print(f"{'vcio (k=' + str(r['discovered_k']) + ')':<22} {r['discovered_nmi']:>9.4f} "
          f"{r['discovered_ari']:>9.4f}")  # fmt: skip
    seeds = r["discovered_nmi_seeds"]
    print(f"  NMI over seeds 0-{len(seeds) - 1}: {min(seeds):.4f}-{max(seeds):.4f} "
          f"(mean {sum(seeds) / len(seeds):.4f}), {r['discovered_s']} s a run")  # fmt: skip
    print(f"{'peer k-means k=8':<22} {r['peer_discovered_nmi']:>9.4f} "
          f"{r['peer_discovered_ari']:>9.4f}")  # fmt: skip


if __name__ == "__main__":
    main()
