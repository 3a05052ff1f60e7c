"""One row of every help-desk model for a client, for core's isolation and no-500 walkers."""

from __future__ import annotations

import datetime

from django.utils import timezone

from vcio.assets.models import Asset
from vcio.core.models import Client
from vcio.helpdesk.models import (
    HelpdeskPolicy,
    Priority,
    SlaTarget,
    Ticket,
    Topic,
    TopicKind,
    TopicModel,
)


def helpdesk_rows_for(client: Client, marker: str) -> Ticket:
    """A learned and a discovered topic, a ticket under each (the first on an asset, the
    second waiting for review), the client's policy, an SLA target and a client-own topic
    model, each carrying ``marker``. Returns the first ticket."""
    now = timezone.now().replace(microsecond=0)
    learned = Topic.objects.create(
        client=client, kind=TopicKind.LEARNED, key=f"{marker} printers", name=f"{marker} printers"
    )
    found = Topic.objects.create(
        client=client, kind=TopicKind.DISCOVERED, key="d0", name=f"{marker} vpn · token",
        terms=[marker, "vpn"], centroid={"vpn": 0.5},
    )  # fmt: skip
    asset = Asset.objects.create(client=client, name=f"{marker} printer")
    ticket = Ticket.objects.create(
        client=client, asset=asset, source="test", external_id=f"{marker}-1",
        subject=f"{marker} printer jam", body=f"{marker} body", requester=f"{marker} requester",
        opened_at=now - datetime.timedelta(days=2), first_response_at=now,
        resolved_at=now, priority=Priority.HIGH, status="resolved", topic=learned,
        topic_confidence=0.9, topic_set_by="model", satisfaction=4,
    )  # fmt: skip
    Ticket.objects.create(
        client=client, source="test", external_id=f"{marker}-2", subject=f"{marker} vpn down",
        opened_at=now - datetime.timedelta(days=1), topic=found, topic_confidence=0.3,
        topic_set_by="discovered", topic_needs_review=True,
    )  # fmt: skip
    HelpdeskPolicy.objects.create(client=client)
    SlaTarget.objects.create(
        client=client, priority=Priority.HIGH, first_response_hours=2, resolve_hours=8
    )
    TopicModel.objects.create(
        client=client, version=1, trained_at=now, method=f"{marker} model",
        labels=[f"{marker} printers"], blob=b"",
    )  # fmt: skip
    return ticket
