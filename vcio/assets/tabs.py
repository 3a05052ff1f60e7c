"""The asset app's sections of the client pages, under one "Inventory" entry of the bar."""

from __future__ import annotations

from vcio.core.registry import ClientTab, ClientTabGroup, client_tab_groups, client_tabs

GROUP = ClientTabGroup("inventory", "Inventory", order=30)


def register() -> None:
    client_tab_groups.register(GROUP)
    client_tabs.register(ClientTab("assets", "Assets", "assets:asset_list", 30, GROUP.key))
    client_tabs.register(ClientTab("lifecycle", "Lifecycle", "assets:lifecycle", 35, GROUP.key))
    client_tabs.register(ClientTab("licences", "Licences", "assets:licence_list", 40, GROUP.key))
