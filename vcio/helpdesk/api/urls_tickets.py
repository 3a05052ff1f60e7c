"""API routes: tickets, help-desk policies and SLA targets (joined in helpdesk/api/urls.py).

- ``/api/helpdesk/tickets/``: list (filters as the tickets page), detail, PATCH to correct.
- ``/api/helpdesk/policies/``, ``/api/helpdesk/sla-targets/``: a client's terms, CRUD.
"""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from vcio.helpdesk.api import tickets

router = SimpleRouter()
router.register("helpdesk/tickets", tickets.TicketViewSet, basename="ticket")
router.register("helpdesk/policies", tickets.HelpdeskPolicyViewSet, basename="policy")
router.register("helpdesk/sla-targets", tickets.SlaTargetViewSet, basename="slatarget")

urlpatterns = router.urls
