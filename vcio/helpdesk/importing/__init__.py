"""Ticket import: the "tickets" target, presets for help-desk exports, event-log readers.

- :mod:`.target` — the target (fields, checks, upsert by source + external id).
- :mod:`.values` — priority, status, satisfaction and HTML mapping (the rules).
- :mod:`.assetlink` — linking a ticket to one of the client's assets.
- :mod:`.presets` — Zammad, osTicket, GLPI, Jira SM, Freshdesk, ConnectWise,
  Autotask and HaloPSA column sets, with where each came from.
- :mod:`.eventlogs` — ServiceNow, Volvo BPIC 2013 and Italian help-desk event
  logs folded into one row per ticket.

``vcio import tickets FILE --client SLUG [--preset NAME] [--dry-run]``, the web
import pages and ``POST /api/imports/`` all go through the registered target;
the push API (:mod:`vcio.helpdesk.api.push`) uses the same fields and apply.
"""

from __future__ import annotations

from vcio.helpdesk.importing.target import TicketTarget

__all__ = ["TicketTarget", "register", "ticket_target"]

ticket_target = TicketTarget()


def register() -> None:
    """Register the ticket target, its presets and the event-log formats with the importer."""
    from vcio.core.importer.base import formats, presets, targets
    from vcio.helpdesk.importing import eventlogs
    from vcio.helpdesk.importing import presets as export_presets

    targets.register(ticket_target)
    for preset in [*export_presets.presets(), *eventlogs.presets()]:
        presets.register(preset)
    for fmt in eventlogs.FORMATS:
        formats.register(fmt)
