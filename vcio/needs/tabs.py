"""The needs app's sections of the client pages: needs, surveys, IT satisfaction, coverage.

Both sit in core's "Organisation" group, beside the departments they are
about, so the bar keeps its entries (see vcio/core/tests/test_tab_bar.py).
"""

from __future__ import annotations

from vcio.core.registry import ClientTab, client_tabs

TABS = (
    ClientTab("needs", "Needs", "needs:need_list", 12, "organisation"),
    ClientTab("surveys", "Surveys", "needs:round_list", 13, "organisation"),
    ClientTab("satisfaction", "IT satisfaction", "needs:satisfaction", 14, "organisation"),
    ClientTab("coverage", "Coverage", "needs:coverage", 16, "organisation"),
)


def register() -> None:
    for tab in TABS:
        client_tabs.register(tab)
