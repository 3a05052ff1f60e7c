"""The reviews app's tab on the client pages."""

from __future__ import annotations

from vcio.core.registry import ClientTab, client_tabs

TAB = ClientTab("reviews", "Reviews", "reviews:review_list", order=80)


def register() -> None:
    client_tabs.register(TAB)
