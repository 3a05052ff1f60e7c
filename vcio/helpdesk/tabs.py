"""The help-desk app's section of the client pages, in the Performance group, after Capacity."""

from __future__ import annotations

from vcio.core.registry import ClientTab, client_tabs

TAB = ClientTab("helpdesk", "Help desk", "helpdesk:overview", order=48, group="performance")


def register() -> None:
    client_tabs.register(TAB)
