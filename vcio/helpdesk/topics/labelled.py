"""Labelled ticket exports (CSV) to train or evaluate from, e.g. the Kaggle IT-tickets file."""

from __future__ import annotations

import csv
from pathlib import Path

from vcio.helpdesk.topics.text import ticket_text

DEFAULT_TEXT_COL = "Document"
DEFAULT_LABEL_COL = "Topic_group"


def read_labelled_csv(
    path: str | Path, text_col: str = DEFAULT_TEXT_COL, label_col: str = DEFAULT_LABEL_COL
) -> tuple[list[str], list[str]]:
    """(cleaned texts, labels) of every row, in file order; ValueError naming file/row/column."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read ({exc.strerror}).") from None
    with handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        for col in (text_col, label_col):
            if col not in columns:
                raise ValueError(
                    f"{path}: no column `{col}` (columns: {', '.join(columns) or 'none'})."
                )
        texts: list[str] = []
        labels: list[str] = []
        try:
            for row_no, row in enumerate(reader, start=2):
                label = (row.get(label_col) or "").strip()
                if not label:
                    raise ValueError(f"{path}: row {row_no}, column `{label_col}` is empty.")
                texts.append(ticket_text("", row.get(text_col) or ""))
                labels.append(label)
        except UnicodeDecodeError:
            raise ValueError(f"{path}: row {len(texts) + 2} is not UTF-8 text.") from None
    if len(set(labels)) < 2:
        raise ValueError(f"{path}: needs rows of at least two labels (found {len(set(labels))}).")
    return texts, labels
