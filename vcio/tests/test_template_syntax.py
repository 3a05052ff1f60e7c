"""Every template parses, and no broken tag fragment is left in its text.

Django prints a half-deleted tag such as ``% endfor %}`` as literal text
instead of failing, so a bad merge shows up on a page ("% endfor %}" above
the roadmap's optimise button) and not in any test. This scan finds those
fragments in every template of every app, and compiles each template so an
unclosed block fails here rather than on a page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import engines
from django.template.base import tag_re

import vcio

ROOT = Path(vcio.__file__).parent
TEMPLATES = sorted(
    p
    for p in ROOT.rglob("templates/**/*")
    if p.is_file() and p.suffix in {".html", ".txt", ".xml", ".svg"}
)

# Comments first (their content may mention tags), then whole tags and variables.
COMMENT_BLOCK = re.compile(r"{%\s*comment\b.*?%}.*?{%\s*endcomment\s*%}", re.S)
VERBATIM_BLOCK = re.compile(r"{%\s*verbatim\s*%}.*?{%\s*endverbatim\s*%}", re.S)
# Django's own tag pattern: a tag never spans lines (one that does is printed as text).
WHOLE = tag_re
FRAGMENTS = ("{%", "%}", "{{", "}}", "{#", "#}")


def broken_fragments(text: str) -> list[tuple[int, str]]:
    """(line number, line) of each line holding a tag fragment outside a whole tag."""
    stripped = COMMENT_BLOCK.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    stripped = VERBATIM_BLOCK.sub(lambda m: "\n" * m.group(0).count("\n"), stripped)
    stripped = WHOLE.sub(lambda m: "\n" * m.group(0).count("\n"), stripped)
    found = []
    for number, line in enumerate(stripped.splitlines(), start=1):
        if any(f in line for f in FRAGMENTS):
            found.append((number, line.strip()))
    return found


def test_the_scan_finds_the_fragment_that_reached_the_roadmap_page():
    text = "{% for f in form %}{{ f }}{% endfor %}\n% endfor %}\n<p>{% if x %}ok{% endif %}</p>\n"
    assert broken_fragments(text) == [(2, "% endfor %}")]
    assert broken_fragments("{# a {% note #}\n{% comment %}{% old %}{% endcomment %}") == []
    # A tag split over two lines is printed as text by Django: both halves are reported.
    assert broken_fragments("<p>{% url 'a'\n  b %}</p>") == [(1, "<p>{% url 'a'"), (2, "b %}</p>")]


def test_there_are_templates_to_scan():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_template_has_no_broken_tag_fragment(path: Path):
    assert broken_fragments(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "path", [p for p in TEMPLATES if p.suffix == ".html"], ids=lambda p: str(p.relative_to(ROOT))
)
def test_template_compiles(path: Path):
    engine = engines["django"]
    engine.from_string(path.read_text(encoding="utf-8"))
