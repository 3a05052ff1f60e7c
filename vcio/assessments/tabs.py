"""The assessments app's sections of the client pages: Assessments and Risks, grouped."""

from __future__ import annotations

from vcio.core.registry import ClientTab, ClientTabGroup, client_tab_groups, client_tabs

GROUP = ClientTabGroup("standards", "Standards", order=75)
TABS = (
    ClientTab("assessments", "Assessments", "assessments:assessment_list", 75, GROUP.key),
    ClientTab("risks", "Risk register", "assessments:risk_list", 77, GROUP.key),
)


def register() -> None:
    client_tab_groups.register(GROUP)
    for tab in TABS:
        client_tabs.register(tab)
