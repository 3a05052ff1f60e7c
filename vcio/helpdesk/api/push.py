"""``POST /api/helpdesk/push/<client>/``: tickets from a PSA webhook or a script.

Authenticated like the rest of the API (the user's API token or session);
the user needs EDIT on the client. The parsing and the upsert are the ticket
import's own (:mod:`vcio.helpdesk.importing.push`), so a pushed ticket and an
imported one are the same ticket when source and external id agree.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vcio.core import audit
from vcio.core.models import AuditEvent, Client
from vcio.core.roles import Perm
from vcio.core.scoping import get_for_user_or_404, require
from vcio.helpdesk.importing.push import MAX_TICKETS, PushError, push_tickets
from vcio.helpdesk.importing.target import FIELDS


def _field(spec) -> serializers.Field:
    text = spec.help or spec.label
    return serializers.CharField(required=spec.required, allow_null=not spec.required,
                                 help_text=text)  # fmt: skip


# One ticket; the keys are the generic import template's field names (built from them,
# so the schema cannot drift from what the import parses). Component names come from
# the class names, prefixed "HelpdeskPush" to stay unique across apps.
HelpdeskPushTicketSerializer = type(
    "HelpdeskPushTicketSerializer",
    (serializers.Serializer,),
    {
        **{spec.name: _field(spec) for spec in FIELDS},
        "__doc__": "One ticket; keys are the generic import template's field names.",
    },
)


class HelpdeskPushBatchSerializer(serializers.Serializer):
    tickets = HelpdeskPushTicketSerializer(
        many=True, help_text=f"1 to {MAX_TICKETS} tickets, written all or nothing."
    )


class HelpdeskPushResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField(help_text="Sent again without a change (a replay).")
    ids = serializers.ListField(
        child=serializers.IntegerField(), help_text="vcio's ticket ids, in the order sent."
    )


_BODY = PolymorphicProxySerializer(
    component_name="HelpdeskPushBody",
    serializers=[HelpdeskPushTicketSerializer, HelpdeskPushBatchSerializer],
    resource_type_field_name=None,
)


class TicketPushView(APIView):
    """Create or update tickets of one client by (source, external id)."""

    # JSON only: a webhook's body is JSON, and a form would flatten the batch.
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="helpdesk_push_tickets",
        request=_BODY,
        responses={
            200: HelpdeskPushResultSerializer,
            400: OpenApiResponse(
                description='`{"tickets[3].opened_at": [message]}`; nothing was written.'
            ),  # fmt: skip
        },
        examples=[
            OpenApiExample(
                "One ticket",
                request_only=True,
                value={
                    "external_id": "4711",
                    "subject": "VPN drops",
                    "opened_at": "2024-03-01T09:12:00Z",
                    "priority": "P2",
                    "status": "open",
                    "source": "halopsa",
                },
            ),  # fmt: skip
        ],
        tags=["helpdesk"],
    )
    def post(self, request: Request, client: str) -> Response:
        """Upsert the tickets in the body; 400 names each bad value, and nothing is written."""
        obj = get_for_user_or_404(Client, request.user, Perm.VIEW, slug=client)
        try:
            require(request.user, Perm.EDIT, obj)
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        try:
            result = push_tickets(obj, request.data)
        except PushError as exc:
            raise exceptions.ValidationError(exc.errors) from None
        audit.record(request.user, obj, AuditEvent.Action.UPDATE, {
            "helpdesk_tickets_pushed": [None, f"created {result.created}, updated "
                                              f"{result.updated}, unchanged {result.unchanged}"],
        })  # fmt: skip
        data = HelpdeskPushResultSerializer(result).data
        return Response(data, status=status.HTTP_200_OK)
