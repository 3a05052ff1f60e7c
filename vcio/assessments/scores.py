"""Alignment scores: how much of a framework a client meets, by weight, per section and overall.

An aligned item counts its whole weight, a partly aligned one half of it, a
not aligned one nothing. Not applicable items leave the sum. Unknown items
stay in the denominator and count nothing: an assessment left half
unanswered must not look better than one answered honestly, and the share
of weight still unknown is reported beside the score so a reader sees why
it is low.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

CREDIT = {"aligned": 1.0, "partly": 0.5, "not_aligned": 0.0, "unknown": 0.0}
RANK = {"not_aligned": 0, "partly": 1, "aligned": 2}


@dataclass
class Score:
    """Weights of one section (or the whole) by status; ``percent`` is the alignment, 0–100."""

    aligned: int = 0
    partly: int = 0
    not_aligned: int = 0
    unknown: int = 0
    not_applicable: int = 0
    items: int = 0

    def add(self, status: str, weight: int) -> None:
        self.items += 1
        if status == "na":
            self.not_applicable += weight
        else:
            setattr(self, status, getattr(self, status) + weight)

    @property
    def applicable(self) -> int:
        """Weight of the items that count (everything but not applicable)."""
        return self.aligned + self.partly + self.not_aligned + self.unknown

    @property
    def percent(self) -> float | None:
        """Alignment in %, or None when no item applies."""
        if not self.applicable:
            return None
        return 100.0 * (self.aligned + 0.5 * self.partly) / self.applicable

    @property
    def unknown_percent(self) -> float | None:
        """Share of the applicable weight not yet known, in %."""
        return 100.0 * self.unknown / self.applicable if self.applicable else None

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "percent": None if self.percent is None else round(self.percent, 1),
            "unknown_percent": None
            if self.unknown_percent is None
            else round(self.unknown_percent, 1),
            "aligned": self.aligned,
            "partly": self.partly,
            "not_aligned": self.not_aligned,
            "unknown": self.unknown,
            "not_applicable": self.not_applicable,
            "items": self.items,
        }


@dataclass
class Scorecard:
    """The overall score and one per top-level section, in the framework's order."""

    overall: Score = field(default_factory=Score)
    sections: dict[str, Score] = field(default_factory=dict)


def score(rows: Iterable[tuple[str, int, str]]) -> Scorecard:
    """A scorecard from ``(section_ref, weight, status)`` rows, one per answered item."""
    card = Scorecard()
    per: dict[str, Score] = defaultdict(Score)
    for section, weight, status in rows:
        card.overall.add(status, weight)
        per[section].add(status, weight)
    card.sections = dict(per)
    return card


def scorecards(assessment_ids: Iterable[int]) -> dict[int, Scorecard]:
    """Scorecards of many assessments in two queries, keyed by assessment id.

    Sections are the framework's top level (CSF functions): an item's
    section is walked up to its root.
    """
    from vcio.assessments.models import Answer, Section

    ids = list(assessment_ids)
    rows = list(
        Answer.objects.filter(assessment_id__in=ids).values_list(
            "assessment_id",
            "item__section_id",
            "item__section__version_id",
            "item__weight",
            "status",
        )  # fmt: skip
    )
    versions = {r[2] for r in rows}
    root = root_refs(Section.objects.filter(version_id__in=versions))
    by_assessment: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
    for assessment_id, section_id, _, weight, status in rows:
        by_assessment[assessment_id].append((root[section_id], weight, status))
    return {aid: score(by_assessment.get(aid, [])) for aid in ids}


def root_refs(sections: Iterable) -> dict[int, str]:
    """``{section id: ref of its top-level section}`` from the sections of some versions."""
    rows = {s.id: (s.parent_id, s.ref) for s in sections.only("id", "parent_id", "ref")}
    roots: dict[int, str] = {}
    for sid in rows:
        cur = sid
        while rows[cur][0] is not None and rows[cur][0] in rows:
            cur = rows[cur][0]
        roots[sid] = rows[cur][1]
    return roots


@dataclass(frozen=True)
class ItemChange:
    ref: str
    text: str
    before: str | None  # None: the item is new in the later assessment
    after: str | None  # None: the item is gone from the later one
    change: str  # improved, regressed, new, removed, answered, unchanged


def compare(
    before: dict[str, tuple[str, str]], after: dict[str, tuple[str, str]]
) -> list[ItemChange]:
    """Item by item, how an assessment differs from an earlier one.

    Both arguments map an item's ref to ``(status, text)``. Items are matched
    by ref, so two versions of a framework compare where their refs agree.
    "answered" is an item that was unknown or not applicable before and is
    judged now; "unknown" after a judgement counts as regressed (the client
    lost the evidence).
    """
    changes = []
    for ref in list(dict.fromkeys([*after, *before])):
        old = before.get(ref)
        new = after.get(ref)
        text = (new or old)[1]
        if old is None:
            kind = "new"
        elif new is None:
            kind = "removed"
        else:
            kind = _direction(old[0], new[0])
        changes.append(ItemChange(ref, text, old and old[0], new and new[0], kind))
    return changes


def _direction(old: str, new: str) -> str:
    if old == new:
        return "unchanged"
    if old in RANK and new in RANK:
        return "improved" if RANK[new] > RANK[old] else "regressed"
    if old in RANK:  # judged before, not judged now
        return "regressed" if new == "unknown" else "answered"
    return "answered"
