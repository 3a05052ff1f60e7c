"""The asset app's sections of the client pages."""

from __future__ import annotations

from vcio.core.registry import ClientTab, client_tabs


def register() -> None:
    client_tabs.register(ClientTab("assets", "Assets", "assets:asset_list", order=30))
    client_tabs.register(ClientTab("lifecycle", "Lifecycle", "assets:lifecycle", order=35))
    client_tabs.register(ClientTab("licences", "Licences", "assets:licence_list", order=40))
