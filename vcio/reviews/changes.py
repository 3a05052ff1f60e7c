"""What changed since the previous review: computed from two snapshots, never typed.

The generic part compares every figure (with its "better" direction, so a
fall in open critical findings reads as good news); each report section adds
what only its app understands (new and resolved recommendations, SLA
breaches, assets whose support ends before the next review...).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from vcio.core.numbers import format_number
from vcio.core.registry import Change, ReviewPeriod, report_sections

FIGURES_SECTION = "figures"


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def format_value(value: Decimal, unit: str) -> str:
    """A figure as a leader reads it: "97.5 %", "12", "4,200 USD"."""
    places = 0 if value == value.to_integral_value() else 1
    text = format_number(value, places)
    if unit == "%":
        return f"{text} %"
    if unit and unit != "money":
        return f"{text} {unit}"
    return text


def figure_changes(previous: dict[str, Any] | None, current: dict[str, Any]) -> list[Change]:
    """One change per figure whose value moved, with its direction for the client."""
    if not previous:
        return []
    found = []
    before_figs = previous.get("figures", {})
    for key, now in current.get("figures", {}).items():
        before = before_figs.get(key)
        if before is None:
            continue
        old, new = _number(before.get("value")), _number(now.get("value"))
        if old is None or new is None or old == new:
            continue
        rose = new > old
        better = now.get("better", "neither")
        if better == "higher":
            direction = "better" if rose else "worse"
        elif better == "lower":
            direction = "worse" if rose else "better"
        else:
            direction = "neutral"
        unit = now.get("unit", "")
        verb = "rose" if rose else "fell"
        found.append(
            Change(
                section=FIGURES_SECTION,
                kind=f"figure.{key}",
                text=f"{now['label']} {verb} from {format_value(old, unit)} "
                f"to {format_value(new, unit)}.",
                direction=direction,
            )
        )
    return found


def health_change(previous: dict[str, Any] | None, current: dict[str, Any]) -> list[Change]:
    """The health score's move between two reviews, each scored as of its own day."""
    old = _number(((previous or {}).get("health") or {}).get("score"))
    new = _number((current.get("health") or {}).get("score"))
    if old is None or new is None or old == new:
        return []
    rose = new > old
    return [
        Change(
            section=FIGURES_SECTION,
            kind="health",
            text=f"Health score {'rose' if rose else 'fell'} from {format_value(old, '')} "
            f"to {format_value(new, '')}.",
            direction="better" if rose else "worse",
        )
    ]


def what_changed(
    previous: dict[str, Any] | None, current: dict[str, Any], period: ReviewPeriod
) -> list[Change]:
    """Every change between two snapshots: health and figures first, then each section's own."""
    found = health_change(previous, current) + figure_changes(previous, current)
    prev_sections = (previous or {}).get("sections", {})
    for section in sorted(report_sections, key=lambda s: (s.order, s.key)):
        if section.changes is None or section.key not in current.get("sections", {}):
            continue
        found += section.changes(
            prev_sections.get(section.key), current["sections"][section.key], period
        )
    return found


def as_rows(changes: list[Change]) -> list[dict[str, str]]:
    """Changes as JSON-able rows (what a finalised review stores beside its snapshot)."""
    return [
        {
            "section": c.section,
            "kind": c.kind,
            "text": c.text,
            "direction": c.direction,
            "url": c.url,
        }
        for c in changes
    ]
