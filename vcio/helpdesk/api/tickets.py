"""API endpoints for tickets (read; PATCH corrects topic, department, asset), policies, SLAs.

Rows only through core's scoped viewsets: reads need VIEW on the client,
writes EDIT, every write audited. A ticket is not created or deleted here:
tickets come from imports and the help desk's webhook.
"""

from __future__ import annotations

from rest_framework import serializers

from vcio.core.api.base import ScopedModelViewSet
from vcio.helpdesk.api import serializers as s
from vcio.helpdesk.filters import TICKET_ORDERING, TicketFilter
from vcio.helpdesk.forms import CORRECTABLE, apply_correction
from vcio.helpdesk.models import HelpdeskPolicy, SlaTarget, Ticket


class TicketViewSet(ScopedModelViewSet):
    """A client's help-desk tickets, newest first.

    Filters are the tickets page's: ``q`` (subject), ``status``, ``priority``,
    ``topic``, ``department``, ``asset`` (ids), ``requester``,
    ``opened_after`` / ``opened_before`` (days in the client's calendar),
    ``needs_review``, ``client`` (slug). PATCH changes ``topic``,
    ``department`` or ``asset`` (a person's correction, recorded as such).
    """

    model = Ticket
    select_related = ("client", "department", "asset", "topic")
    serializer_class = s.HelpdeskTicketSerializer
    filterset_class = TicketFilter
    ordering_fields = TICKET_ORDERING
    ordering = ["-opened_at", "-id"]
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "patch", "head", "options"]

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        changes = {k: v for k, v in serializer.validated_data.items() if k in CORRECTABLE}
        apply_correction(serializer.instance, self.request.user, changes)


class HelpdeskPolicyViewSet(ScopedModelViewSet):
    """A client's business hours and recurring-problem rule (one per client)."""

    model = HelpdeskPolicy
    select_related = ("client",)
    serializer_class = s.HelpdeskPolicySerializer
    ordering_fields = ["client__name"]
    ordering = ["client__name", "id"]
    lookup_value_regex = r"\d+"


class SlaTargetViewSet(ScopedModelViewSet):
    """Business hours allowed to first respond to and to resolve a ticket, per priority."""

    model = SlaTarget
    select_related = ("client",)
    serializer_class = s.HelpdeskSlaTargetSerializer
    filterset_fields = ["priority"]
    ordering = ["client__name", "priority", "id"]
    ordering_fields = ["priority", "first_response_hours", "resolve_hours"]
    lookup_value_regex = r"\d+"
