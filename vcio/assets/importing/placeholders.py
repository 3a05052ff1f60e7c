"""Placeholder serials, tags and names: the stand-ins firmware and tools write for "unknown".

The list is data (``vcio/assets/data/placeholders.json``), not code, so a
value met in the field is added without touching a parser. Every importer
reads a placeholder as an empty cell: an empty key matches nothing, where
"Default string" or ``SYS_CHASSIS_ASSET_TAG_NUM_1`` would merge every
machine that carries it into one asset.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

PLACEHOLDERS_FILE = Path(__file__).resolve().parent.parent / "data" / "placeholders.json"


def _fold(value: str) -> str:
    return " ".join(value.split()).casefold()


@cache
def _load() -> tuple[frozenset[str], re.Pattern[str] | None]:
    data = json.loads(PLACEHOLDERS_FILE.read_text(encoding="utf-8"))
    values = frozenset(_fold(v) for v in data.get("values", []))
    patterns = [f"(?:{p})" for p in data.get("patterns", [])]
    pattern = re.compile("|".join(patterns), re.IGNORECASE) if patterns else None
    return values, pattern


def is_placeholder(value: str) -> bool:
    """True when ``value`` is empty or a stand-in for "no serial / tag / name", not a value."""
    folded = _fold(value)
    if not folded:
        return True
    values, pattern = _load()
    return folded in values or bool(pattern and pattern.fullmatch(folded))
