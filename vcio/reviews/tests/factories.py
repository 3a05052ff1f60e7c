"""Review rows for tests: one of every reviews model for a client."""

from __future__ import annotations

import datetime

from django.utils import timezone

from vcio.reviews import services
from vcio.reviews.models import ActionItem, Decision, ReviewCadence, ReviewReminder


def review_rows_for(client, marker: str, user=None) -> dict:
    """One row of every reviews model for ``client``, each carrying ``marker``.

    A finalised QBR (with its snapshot and stored report) and a draft monthly
    review after it, a decision, an action item, a cadence and a reminder.
    Used by the isolation walk and the no-500 walk.
    """
    cadence = ReviewCadence.objects.create(client=client)
    final = services.create_review(
        client,
        "qbr",
        datetime.date(2026, 4, 1),
        datetime.date(2026, 6, 30),
        user,
        summary=f"{marker} QBR summary",
    )
    final.internal_notes = f"{marker} internal review note"
    final.save()
    final = services.finalise(final, user, today=datetime.date(2026, 7, 15))
    draft = services.create_review(
        client,
        "monthly",
        datetime.date(2026, 7, 1),
        datetime.date(2026, 7, 31),
        user,
        summary=f"{marker} monthly summary",
    )
    decision = Decision.objects.create(
        client=client,
        review=draft,
        kind="note",
        note=f"{marker} decision",
        decided_by=user,
        decided_at=timezone.now(),
    )
    item = ActionItem.objects.create(
        client=client, review=draft, title=f"{marker} action", owner=f"{marker} owner"
    )
    reminder = ReviewReminder.objects.create(
        client=client, kind="monthly", due_on=datetime.date(2026, 8, 10), recipients=["x@y.test"]
    )
    return {
        "cadence": cadence,
        "final": final,
        "draft": draft,
        "decision": decision,
        "action_item": item,
        "reminder": reminder,
    }
