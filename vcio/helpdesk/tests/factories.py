"""Small builders for help-desk rows in tests (shared by every help-desk test module)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from vcio.helpdesk.models import Ticket, Topic, TopicKind

_ids = itertools.count(1)


def make_topic(client, name: str, *, kind: str = TopicKind.LEARNED, **kw: Any) -> Topic:
    """A topic of ``client`` keyed by its name unless ``key`` is given."""
    kw.setdefault("key", name)
    return Topic.objects.create(client=client, kind=kind, name=name, **kw)


def make_ticket(client, *, opened_at: dt.datetime | None = None, **kw: Any) -> Ticket:
    """A ticket of ``client``; unique external id unless given; opened now unless given."""
    kw.setdefault("source", "test")
    kw.setdefault("external_id", f"T{next(_ids)}")
    kw.setdefault("subject", "Printer on 2nd floor jams")
    return Ticket.objects.create(client=client, opened_at=opened_at or timezone.now(), **kw)
