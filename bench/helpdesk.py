#!/usr/bin/env python3
"""Help-desk bench: ticket import beside its ceiling, learned and discovered topics beside peers.

Runs ``bench/helpdesk_import.py`` (import ``--rows`` generated tickets
through the product's import engine, beside csv + ``bulk_create`` of the
same rows in the same run, each in a fresh process on a fresh database)
and ``bench/helpdesk_topics.py`` (the learned classifier and discovery on
the Kaggle IT-ticket export, split index % 5 == 0 held out, beside plain
TF-IDF + LinearSVC and k-means at k=8). Each part's docstring says exactly
what it measures.

Data for the topics: ``--data PATH``, else ``$VCIO_TICKETS_KAGGLE``, else
``../shared/data/it-service-tickets-kaggle/all_tickets_processed_improved_v3.csv``
beside the repository. Nothing is copied into the repository.

    python bench/helpdesk.py [--rows 200000] [--data PATH] [--json]

``--json`` prints one object with ``import_rows_per_s``, ``ceiling_rows_per_s``,
``ratio``, ``peak_mb``, ``macro_f1``, ``train_s``, ``assign_per_s``,
``discovered_nmi``, ``discovered_ari`` (and the peers' figures beside them).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import helpdesk_import  # noqa: E402
import helpdesk_topics  # noqa: E402

DEFAULT_DATA = (
    HERE.parent.parent
    / "shared/data/it-service-tickets-kaggle/all_tickets_processed_improved_v3.csv"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="tickets to import")
    parser.add_argument(
        "--data", default=os.environ.get("VCIO_TICKETS_KAGGLE", str(DEFAULT_DATA)),
        help="the Kaggle IT-ticket CSV (Document, Topic_group)",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    imported = helpdesk_import.measure(args.rows)
    topics = helpdesk_topics.measure(args.data)
    if args.json:
        print(json.dumps({**imported, **topics}))
        return
    i, t = imported, topics
    print(f"import {i['rows']:,} tickets: vcio {i['import_rows_per_s']:,} rows/s "
          f"(peak {i['peak_mb']} MB) | ceiling csv + bulk_create {i['ceiling_rows_per_s']:,} "
          f"rows/s (peak {i['ceiling_peak_mb']} MB) | ratio {i['ratio']} (aim >= 0.5)")  # fmt: skip
    print(f"learned topics ({t['n_train']:,} development, {t['n_test']:,} evaluation tickets):")
    print(f"  vcio  macro-F1 {t['macro_f1']:.4f}  accuracy {t['accuracy']:.4f}  "
          f"train {t['train_s']:.1f} s  assign {t['assign_per_s']:,}/s")  # fmt: skip
    print(f"  peer  macro-F1 {t['peer_macro_f1']:.4f}  accuracy {t['peer_accuracy']:.4f}  "
          f"train {t['peer_train_s']:.1f} s  assign {t['peer_assign_per_s']:,}/s "
          "(plain TF-IDF + LinearSVC)")  # fmt: skip
    print(f"discovered topics (no labels; k={t['discovered_k']}):")
    seeds = t["discovered_nmi_seeds"]
    print(f"  vcio  NMI {t['discovered_nmi']:.4f}  ARI {t['discovered_ari']:.4f}  "
          f"(NMI over seeds 0-{len(seeds) - 1}: {min(seeds):.4f}-{max(seeds):.4f}, "
          f"mean {sum(seeds) / len(seeds):.4f}; {t['discovered_s']} s a run)")  # fmt: skip
    print(f"  peer  NMI {t['peer_discovered_nmi']:.4f}  ARI {t['peer_discovered_ari']:.4f} "
          "(k-means, k=8, same TF-IDF)")  # fmt: skip


if __name__ == "__main__":
    main()
