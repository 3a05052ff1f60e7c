"""core's own sections of the client pages."""

from __future__ import annotations

from vcio.core.registry import ClientTab, client_tabs


def register() -> None:
    client_tabs.register(ClientTab("overview", "Overview", "core:client_detail", order=0))
    client_tabs.register(ClientTab("departments", "Departments", "core:department_list", 10))
    client_tabs.register(ClientTab("contacts", "Contacts", "core:contact_list", 20))
    client_tabs.register(ClientTab("imports", "Imports", "core:import_list", 800))
    client_tabs.register(ClientTab("members", "Members", "core:member_list", 900))
    client_tabs.register(ClientTab("audit", "Audit log", "core:client_audit", 950))
