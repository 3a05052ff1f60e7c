"""core's own sections of the client pages, and the groups they share the bar in."""

from __future__ import annotations

from vcio.core.registry import ClientTab, ClientTabGroup, client_tab_groups, client_tabs

ORGANISATION = ClientTabGroup("organisation", "Organisation", order=10)
# What the client's systems do: availability, capacity (and, as apps arrive, the help desk).
PERFORMANCE = ClientTabGroup("performance", "Performance", order=45)
RECORDS = ClientTabGroup("records", "Records", order=800)


def register() -> None:
    client_tab_groups.register(ORGANISATION)
    client_tab_groups.register(PERFORMANCE)
    client_tab_groups.register(RECORDS)
    client_tabs.register(ClientTab("overview", "Overview", "core:client_detail", order=0))
    client_tabs.register(
        ClientTab("departments", "Departments", "core:department_list", 10, "organisation")
    )
    client_tabs.register(ClientTab("contacts", "Contacts", "core:contact_list", 20, "organisation"))
    client_tabs.register(ClientTab("members", "Members", "core:member_list", 30, "organisation"))
    client_tabs.register(ClientTab("imports", "Imports", "core:import_list", 800, "records"))
    client_tabs.register(ClientTab("audit", "Audit log", "core:client_audit", 950, "records"))
