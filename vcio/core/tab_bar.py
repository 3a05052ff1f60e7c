"""The client tab bar: registered tabs, grouped so the bar fits one line.

Sixteen sections side by side wrap to two lines on a laptop. Tabs that name
a ``ClientTabGroup`` share one entry of the bar (a menu of its tabs); a group
with a single registered tab shows as that tab. The current group also
lists its tabs in a second row, so sibling pages stay one click away.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vcio.core.registry import client_tab_groups


@dataclass
class BarEntry:
    """One entry of the bar: a lone tab (``links`` of one) or a group's menu."""

    label: str
    order: int
    links: list[dict] = field(default_factory=list)
    is_group: bool = False

    @property
    def current(self) -> bool:
        # Read at render time: a page may mark its tab current after the bar is built.
        return any(link["current"] for link in self.links)

    @property
    def url(self) -> str:
        return self.links[0]["url"]


def tab_bar(links: list[dict]) -> list[BarEntry]:
    """The bar's entries in order, from ``client_tab_links``' links (which carry ``group``)."""
    entries: dict[str, BarEntry] = {}
    for link in links:
        key = link.get("group") or ""
        if key and key in client_tab_groups:
            group = client_tab_groups.get(key)
            entry = entries.setdefault(
                f"group:{key}", BarEntry(group.label, group.order, is_group=True)
            )
        else:
            entry = entries.setdefault(f"tab:{link['key']}", BarEntry(link["label"], link["order"]))
        entry.links.append(link)
    for entry in entries.values():
        if entry.is_group and len(entry.links) == 1:
            entry.is_group, entry.label = False, entry.links[0]["label"]
    return sorted(entries.values(), key=lambda e: (e.order, e.label))
