"""One row of every help-desk model for a client, for core's isolation and no-500 walkers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from vcio.assets.models import Asset
from vcio.core.models import Client
from vcio.helpdesk.models import HelpdeskPolicy, SlaTarget, Ticket, Topic, TopicKind, TopicModel


def helpdesk_rows_for(client: Client, marker: str) -> Ticket:
    """A topic, a ticket on an asset with that topic, a policy, an SLA target and a topic
    model of ``client``, each carrying ``marker`` where it has text. Returns the ticket."""
    topic = Topic.objects.create(
        client=client, kind=TopicKind.LEARNED, key=f"{marker} printers", name=f"{marker} Printers"
    )
    asset = Asset.objects.create(client=client, name=f"{marker} printer")
    ticket = Ticket.objects.create(
        client=client, source="test", external_id=f"{marker}-1", subject=f"{marker} paper jam",
        body=f"{marker} the requester's words", requester=f"{marker} requester", asset=asset,
        topic=topic, opened_at=timezone.now() - dt.timedelta(days=2),
    )  # fmt: skip
    HelpdeskPolicy.objects.create(client=client)
    SlaTarget.objects.create(
        client=client, priority="high", first_response_hours=Decimal(2), resolve_hours=Decimal(8)
    )
    TopicModel.objects.create(
        client=client, version=1, trained_at=timezone.now(), method=f"{marker} model",
        labels=[f"{marker} Printers"], blob=b"",
    )  # fmt: skip
    return ticket
