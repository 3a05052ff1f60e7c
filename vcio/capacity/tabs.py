"""The capacity app's section of the client pages, in the Performance group, after Availability."""

from __future__ import annotations

from vcio.core.registry import ClientTab, client_tabs

TAB = ClientTab("capacity", "Capacity", "capacity:overview", order=46, group="performance")


def register() -> None:
    client_tabs.register(TAB)
