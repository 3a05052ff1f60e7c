"""Helpers every app's evidence rules share: grading a share, listing rows, plain sentences.

The rules themselves live in their apps (``vcio/<app>/evidence.py``) and
register through ``vcio.core.registry.evidence_rules``; these helpers keep
their sentences and thresholds alike, so "31 of 33 devices ..." reads the
same whichever app wrote it.
"""

from __future__ import annotations

from collections.abc import Iterable

from vcio.core.registry import EvidenceResult, EvidenceRow

MAX_ROWS = 50  # rows kept per result: the failing ones first
NAMED_IN_SENTENCE = 5


def grade(ok: int, total: int, aligned: float, partly: float) -> str:
    """ "aligned" when ``ok / total`` reaches ``aligned``, "partly" from ``partly``, else
    "not_aligned"; shares are 0..1 and compared exactly (no rounding)."""
    if ok * 1.0 >= aligned * total:
        return "aligned"
    if ok * 1.0 >= partly * total:
        return "partly"
    return "not_aligned"


def rows_of(failing: list[EvidenceRow], passing: list[EvidenceRow]) -> tuple[EvidenceRow, ...]:
    """The failing rows first, then passing ones, ``MAX_ROWS`` in all."""
    return tuple(failing[:MAX_ROWS] + passing[: max(0, MAX_ROWS - len(failing))])


def named(rows: Iterable[EvidenceRow], count: int | None = None) -> str:
    """ "PC-017 (Windows 10, …), PC-022 (…)" for the first few rows, "and 3 more" after.

    ``count`` is how many there are in all when ``rows`` lists only some.
    """
    rows = list(rows)
    shown = [f"{r.label} ({r.detail})" if r.detail else r.label for r in rows[:NAMED_IN_SENTENCE]]
    more = (len(rows) if count is None else count) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")


def verb(n: int, one: str, many: str) -> str:
    """``one`` for a single thing ("does"), else ``many`` ("do")."""
    return one if n == 1 else many


def plural(n: int, one: str, many: str | None = None) -> str:
    """ "1 device", "3 devices" (``many`` when the plural is not ``one`` + s)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def share_result(
    good: list[EvidenceRow],
    bad: list[EvidenceRow],
    head: str,
    negation: tuple[str, str],
    aligned: float,
    partly: float,
) -> EvidenceResult:
    """The result of a rule that judges records one by one.

    ``head`` states the share that meets it ("31 of 33 devices run a supported
    OS"); the failing ones are named after it with ``negation``'s verb for one
    or many ("does", "do"); graded by ``grade`` against ``aligned``/``partly``
    (shares 0..1), with ``{"ok", "total"}`` counts and the failing rows first.
    """
    sentence = head
    if bad:
        sentence += f"; {len(bad)} {verb(len(bad), *negation)} not: {named(bad)}"
    total = len(good) + len(bad)
    return EvidenceResult(
        grade(len(good), total, aligned, partly),
        sentence + ".",
        rows_of(bad, good),
        {"ok": len(good), "total": total},
    )
