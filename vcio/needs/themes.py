"""Themes: a client's need texts grouped by what they are about, named from their top terms.

The grouping is the help-desk's topic discovery
(:func:`vcio.helpdesk.topics.discovered.discover`: TF-IDF, LSA and corpus
word vectors, seeded k-means), a pure function over texts that works on a
client's few dozen needs as well as on thousands of tickets. Only ``k``
differs: a client has far fewer needs than tickets, each about one thing, so
``k = round(√(2n))`` (2 to :data:`MAX_THEMES`) rather than √(n/10): 8 needs
give 4 themes, 32 or more give 8. Fewer than
:data:`MIN_TEXTS` needs are not grouped: there is nothing to compare.
Seeded, so the same texts always give the same themes.

A theme the practice typed stays: :func:`assign_themes` only fills blank
themes. A new need joins the theme most of its cluster already carries
(typed or filled earlier), so a later survey's needs land in the themes
the practice knows; a cluster with no theme yet is named from its terms
("crm · quotes · pipeline"). To regroup a need, blank its theme.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from vcio.helpdesk.topics.discovered import discover, topic_name
from vcio.needs.models import Need, NeedStatus

MIN_TEXTS = 4
MAX_THEMES = 8
SEED = 0
THEME_MAX = 120


def choose_k(n_texts: int) -> int:
    """Themes for ``n_texts`` needs: ``round(√(2n))`` within 2 and :data:`MAX_THEMES`."""
    return max(2, min(MAX_THEMES, round((2 * n_texts) ** 0.5)))


def group_texts(texts: Sequence[str], seed: int = SEED) -> list[int]:
    """A group index per text (−1: not grouped: too few texts, or no usable word)."""
    if len(texts) < MIN_TEXTS:
        return [-1] * len(texts)
    found = discover(list(texts), choose_k(len(texts)), seed=seed)
    return [int(a) for a in found.assignments]


def themes_for(texts: Sequence[str], current: Sequence[str], seed: int = SEED) -> list[str]:
    """The theme of each text: its own when set, else its group's (see the module docstring).

    ``current`` holds each text's present theme ("" when blank). Returns a
    theme per text ("" for texts left ungrouped).
    """
    if len(texts) < MIN_TEXTS:
        return list(current)
    found = discover(list(texts), choose_k(len(texts)), seed=seed)
    names = {i: topic_name(c.terms)[:THEME_MAX] for i, c in enumerate(found.clusters)}
    kept: dict[int, Counter] = {}
    for group, theme in zip(found.assignments, current, strict=True):
        if theme and group >= 0:
            kept.setdefault(int(group), Counter())[theme] += 1
    chosen = {}
    for group, counts in kept.items():
        # Most members first, then alphabetical: the same rows always give the same theme.
        chosen[group] = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    result = []
    for group, theme in zip(found.assignments, current, strict=True):
        if theme or group < 0:
            result.append(theme)
        else:
            result.append(chosen.get(int(group), names.get(int(group), "")))
    return result


def assign_themes(client_ids: Iterable[int]) -> int:
    """Fill the blank themes of the clients' needs (dismissed ones left out); returns how many.

    Two queries for any number of clients (read, bulk update); the grouping
    runs once per client over all its needs.
    """
    by_client: dict[int, list[Need]] = {}
    rows = Need.objects.filter(client_id__in=list(client_ids)).exclude(status=NeedStatus.DISMISSED)
    for need in rows.only("id", "client_id", "text", "theme").order_by("client_id", "id"):
        by_client.setdefault(need.client_id, []).append(need)
    changed = []
    for needs in by_client.values():
        themes = themes_for([n.text for n in needs], [n.theme for n in needs])
        for need, theme in zip(needs, themes, strict=True):
            if theme != need.theme:
                need.theme = theme
                changed.append(need)
    Need.objects.bulk_update(changed, ["theme"], batch_size=500)
    return len(changed)
