"""The strategy app's sections of the client pages, in the order a CIO works.

They share one "Strategy" entry of the client tab bar.
"""

from __future__ import annotations

from vcio.core.registry import ClientTab, ClientTabGroup, client_tab_groups, client_tabs

GROUP = ClientTabGroup("strategy", "Strategy", order=50)

TABS = (
    ClientTab("goals", "Goals", "strategy:goal_list", 50, GROUP.key),
    ClientTab("recommendations", "Recommendations", "strategy:recommendation_list", 55, GROUP.key),
    ClientTab("initiatives", "Initiatives", "strategy:initiative_list", 60, GROUP.key),
    ClientTab("roadmap", "Roadmap", "strategy:roadmap", 65, GROUP.key),
    ClientTab("budget", "Budget", "strategy:budget", 70, GROUP.key),
)


def register() -> None:
    client_tab_groups.register(GROUP)
    for tab in TABS:
        client_tabs.register(tab)
