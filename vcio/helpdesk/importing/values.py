"""Cell text → ticket values: priorities, statuses, satisfaction and bodies of every source.

Each help desk words these its own way; they are mapped onto vcio's scales
here, once, for the import target, the event-log readers and the push API.
The source's own words are kept beside the mapped value
(``source_priority`` / ``source_status``) so a mapping can be checked and redone.

- **Priority.** A word decides first (critical, emergency, urgent, high,
  medium, normal, moderate, low, planning …: "1 - Critical", "Urgent",
  "3 normal", ConnectWise's "Priority 1 - Emergency Response" and Autotask's
  "Critical" all name it). Failing a word, a number alone ("1", "P2", "Priority 3")
  is read the ITIL way, 1 the most urgent: 1 critical, 2 high, 3 medium, 4 and
  5 low. Freshdesk's API numbers run the other way (1 = Low), but its export
  writes words, which decide first.
- **Status.** New; open, assigned, in progress, accepted, active → open;
  waiting, pending, on hold, awaiting … → pending; resolved, solved, completed,
  done, fixed → resolved; closed → closed; cancelled, rejected, duplicate,
  invalid, spam, merged → cancelled.
- **Satisfaction** becomes 1 (very unhappy) … 5 (very happy): 1–5 as given;
  a score out of 10 (``7/10``) or a bare 6–10 as ``round(score / 2)`` (0 → 1);
  a percentage as ``1 + round(p / 25)``; words: Zammad's and Zendesk's "good"/"bad"
  → 5/1, Freshdesk's scale (extremely happy … extremely unhappy), "neutral" → 3.
- **Bodies** in HTML become plain text (tags dropped, block ends as line breaks,
  entities decoded, scripts and styles left out). Text in any language is kept
  as it is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser

from vcio.helpdesk.models import Priority, Status

__all__ = [
    "Mapped",
    "html_to_text",
    "parse_body",
    "parse_priority",
    "parse_satisfaction",
    "parse_status",
]

_WORD = re.compile(r"[a-z]+")
_NUMBER = re.compile(r"^(?:p|priority|prio|sev|severity|level)?\s*[-:]?\s*(\d)\b")

_PRIORITY_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ("critical", "emergency", "urgent", "blocker", "highest", "major", "immediate", "sev1"),
        Priority.CRITICAL,
    ),
    **dict.fromkeys(("high", "important", "quick", "severe"), Priority.HIGH),
    **dict.fromkeys(("medium", "normal", "moderate", "standard", "default"), Priority.MEDIUM),
    **dict.fromkeys(("low", "lowest", "minor", "trivial", "planning", "planned"), Priority.LOW),
}
_PRIORITY_NUMBERS = {
    1: Priority.CRITICAL,
    2: Priority.HIGH,
    3: Priority.MEDIUM,
    4: Priority.LOW,
    5: Priority.LOW,
}

# Phrases first (their words would otherwise match a shorter rule: "in progress").
_STATUS_PHRASES: list[tuple[str, str]] = [
    ("on hold", Status.PENDING),
    ("in progress", Status.OPEN),
    ("work in progress", Status.OPEN),
    ("awaiting assignment", Status.OPEN),
    ("waiting for", Status.PENDING),
    ("not started", Status.NEW),
]
_STATUS_WORDS: dict[str, str] = {
    **dict.fromkeys(("new", "unassigned", "created", "submitted", "logged"), Status.NEW),
    **dict.fromkeys(
        (
            "open",
            "opened",
            "assigned",
            "accepted",
            "active",
            "reopened",
            "queued",
            "processing",
            "scheduled",
            "acknowledged",
            "escalated",
            "dispatched",
            "working",
        ),
        Status.OPEN,
    ),  # fmt: skip
    **dict.fromkeys(
        ("pending", "waiting", "wait", "hold", "awaiting", "paused", "suspended", "deferred"),
        Status.PENDING,
    ),
    **dict.fromkeys(
        ("resolved", "solved", "completed", "complete", "done", "fixed", "answered"),
        Status.RESOLVED,
    ),
    **dict.fromkeys(("closed", "close"), Status.CLOSED),
    **dict.fromkeys(
        (
            "cancelled",
            "canceled",
            "rejected",
            "duplicate",
            "invalid",
            "spam",
            "merged",
            "withdrawn",
            "deleted",
            "declined",
        ),
        Status.CANCELLED,
    ),  # fmt: skip
}

_SATISFACTION_WORDS = {
    "good": 5, "bad": 1, "satisfied": 4, "dissatisfied": 2, "unsatisfied": 2, "neutral": 3,
    "extremely happy": 5, "very happy": 5, "happy": 4, "unhappy": 2, "very unhappy": 1,
    "extremely unhappy": 1, "very satisfied": 5, "very dissatisfied": 1, "awesome": 5,
    "great": 5, "ok": 3, "okay": 3, "poor": 1, "excellent": 5,
}  # fmt: skip
_SCORE = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(?:(/)\s*(\d+)|(%))?$")


class Mapped(str):
    """vcio's value (the string itself) remembering the source's own words in ``raw``.

    Shown as ``high (P2)`` on the import preview; written as ``high`` plus ``raw``
    in the ``source_*`` column.
    """

    raw: str

    def __new__(cls, value: str, raw: str) -> Mapped:
        obj = super().__new__(cls, value)
        obj.raw = raw
        return obj

    @property
    def value(self) -> str:
        return str.__str__(self)

    def __str__(self) -> str:
        return self.value if self.raw.casefold() == self.value else f"{self.value} ({self.raw})"

    def __reduce__(self):
        return (Mapped, (self.value, self.raw))


def parse_priority(text: str) -> Mapped:
    """vcio's priority, remembering the source's text; ``ValueError`` for a word no scale uses."""
    folded = text.strip().casefold()
    for word in _WORD.findall(folded):
        if word in _PRIORITY_WORDS:
            return Mapped(_PRIORITY_WORDS[word], text.strip())
    if m := _NUMBER.match(folded):
        number = int(m[1])
        if number in _PRIORITY_NUMBERS:
            return Mapped(_PRIORITY_NUMBERS[number], text.strip())
    raise ValueError(
        f"'{text.strip()}' is not a priority vcio knows "
        "(use critical, high, medium or low, or 1–5 with 1 the most urgent)"
    )


def parse_status(text: str) -> Mapped:
    """vcio's status, remembering the source's text; ``ValueError`` for a status no rule places."""
    folded = " ".join(_WORD.findall(text.casefold()))
    for phrase, status in _STATUS_PHRASES:
        if phrase in folded:
            return Mapped(status, text.strip())
    for word in folded.split():
        if word in _STATUS_WORDS:
            return Mapped(_STATUS_WORDS[word], text.strip())
    raise ValueError(
        f"'{text.strip()}' is not a status vcio knows "
        "(use new, open, pending, resolved, closed or cancelled)"
    )


def parse_satisfaction(text: str) -> int:
    """The requester's rating on vcio's 1–5 scale (see the module docstring for the rules)."""
    folded = " ".join(text.casefold().replace("_", " ").split())
    if folded in _SATISFACTION_WORDS:
        return _SATISFACTION_WORDS[folded]
    m = _SCORE.match(folded)
    if m:
        value = float(m[1].replace(",", "."))
        if m[4]:  # a percentage
            if 0 <= value <= 100:
                return 1 + round(value / 25)
        elif m[2]:  # "7/10"
            top = int(m[3])
            if top > 0 and 0 <= value <= top:
                return max(1, min(5, round(value / top * 5)))
        elif 1 <= value <= 5 and value == int(value):
            return int(value)
        elif 0 <= value <= 10 and value == int(value):
            return max(1, round(value / 2))
    raise ValueError(
        f"'{text.strip()}' is not a satisfaction rating "
        "(use 1–5, a score like 8/10, a percentage, or good/bad)"
    )


class _TextOf(HTMLParser):
    """Collects the text of an HTML fragment, with line breaks where blocks end."""

    BLOCKS = frozenset(
        ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
         "pre", "table", "ul", "ol", "hr")
    )  # fmt: skip
    SKIP = frozenset(("script", "style", "head", "title"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


_TAG = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*\b[^>]*|/[a-zA-Z][a-zA-Z0-9]*\s*)>")
_BLANK_RUN = re.compile(r"\n\s*\n(\s*\n)+")


def html_to_text(text: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, at most one blank line."""
    parser = _TextOf()
    parser.feed(text)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    return _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip()


def parse_body(text: str) -> str:
    """A ticket's body as plain text: HTML (a tag seen) converted, other text kept as it is."""
    if "<" in text and _TAG.search(text):
        return html_to_text(text)
    if "&" in text:
        return html.unescape(text) if re.search(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+);", text) else text
    return text.strip()


def limited(parse: Callable[[str], str], max_length: int) -> Callable[[str], str]:
    """``parse`` whose result is cut at ``max_length`` characters, with "…" to show it was cut."""

    def cut(text: str) -> str:
        value = parse(text)
        return value if len(value) <= max_length else value[: max_length - 1] + "…"

    return cut
