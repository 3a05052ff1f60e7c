"""The availability app's section of the client pages."""

from __future__ import annotations

from vcio.core.registry import ClientTab, client_tabs

TAB = ClientTab(
    "availability", "Availability", "availability:status_board", order=45, group="performance"
)


def register() -> None:
    client_tabs.register(TAB)
