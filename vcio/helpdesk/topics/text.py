"""Ticket text as the topic models read it: subject and body with the boilerplate removed.

E-mail tickets carry much text that says nothing about the problem:
greetings, "thanks / regards", signatures, legal disclaimers, quoted earlier
replies and the help-desk system's own footers. Left in, clustering finds
"topics" such as "regards · thanks · kind" instead of printers and VPNs.
"""

from __future__ import annotations

import re

# A quoted earlier message starts at one of these lines; everything after it is history.
_QUOTE_HEADERS = re.compile(
    r"^(on .{0,200}wrote:\s*$"
    r"|-{2,}\s*original message\s*-{2,}"
    r"|-{2,}\s*forwarded message\s*-{2,}"
    r"|from:\s.+$"
    r"|_{10,}\s*$)",
    re.IGNORECASE | re.MULTILINE,
)
# A signature or a disclaimer ends the useful text.
_TAIL_MARKERS = re.compile(
    r"^(--\s*$"
    r"|sent from my \w+"
    r"|get outlook for \w+"
    r"|(this|the information in this) (e-?mail|message|communication)\b.{0,80}"
    r"(confidential|intended|privileged|attachments)"
    r"|(kind |best |warm )?regards,?\s*$"
    r"|(many )?thanks( in advance)?,?\s*$"
    r"|cheers,?\s*$"
    r"|sincerely,?\s*$)",
    re.IGNORECASE | re.MULTILINE,
)
# Help-desk systems' own lines, anywhere in the text.
_FOOTER_LINES = re.compile(
    r"^.*(reply above this line|please do not reply|do not edit the subject|"
    r"this ticket has been|view your ticket|ticket (status|link):).*$",
    re.IGNORECASE | re.MULTILINE,
)
_TICKET_TAGS = re.compile(r"\[(ticket|case|request|incident|sr)\s*#?\s*[\w-]+\]", re.IGNORECASE)
_SUBJECT_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|tr)\s*:\s*)+", re.IGNORECASE)
_GREETING = re.compile(
    r"^\s*(hi|hello|hey|dear|good (morning|afternoon|evening)|greetings)\b[^\n,!.]{0,40}[,!.]?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_QUOTED_LINE = re.compile(r"^\s*>.*$", re.MULTILINE)
_URL_OR_EMAIL = re.compile(r"(https?://\S+|www\.\S+|\S+@\S+\.\w+)")
_SPACE = re.compile(r"\s+")


def strip_boilerplate(body: str) -> str:
    """The body without quoted replies, signature, disclaimer, greeting and system footers."""
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    match = _QUOTE_HEADERS.search(text)
    if match:
        text = text[: match.start()]
    text = _QUOTED_LINE.sub("", text)
    text = _FOOTER_LINES.sub("", text)
    match = _TAIL_MARKERS.search(text)
    if match and match.start() > 0:
        text = text[: match.start()]
    text = _GREETING.sub("", text)
    return text


def clean_subject(subject: str) -> str:
    """The subject without "RE:/FW:" prefixes and "[Ticket#123]" tags."""
    return _SUBJECT_PREFIX.sub("", _TICKET_TAGS.sub(" ", subject)).strip()


def ticket_text(subject: str, body: str) -> str:
    """One lower-cased line of what the ticket is about: subject, then the cleaned body.

    URLs and e-mail addresses are dropped: they name people and hosts, not topics.
    """
    parts = [clean_subject(subject or ""), strip_boilerplate(body or "")]
    text = _URL_OR_EMAIL.sub(" ", " ".join(p for p in parts if p))
    text = _TICKET_TAGS.sub(" ", text)
    return _SPACE.sub(" ", text).strip().lower()
