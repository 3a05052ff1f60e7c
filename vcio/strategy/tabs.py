"""The strategy app's sections of the client pages, in the order a CIO works."""

from __future__ import annotations

from vcio.core.registry import ClientTab, client_tabs

TABS = (
    ClientTab("goals", "Goals", "strategy:goal_list", order=50),
    ClientTab("recommendations", "Recommendations", "strategy:recommendation_list", order=55),
    ClientTab("initiatives", "Initiatives", "strategy:initiative_list", order=60),
    ClientTab("roadmap", "Roadmap", "strategy:roadmap", order=65),
    ClientTab("budget", "Budget", "strategy:budget", order=70),
)


def register() -> None:
    for tab in TABS:
        client_tabs.register(tab)
