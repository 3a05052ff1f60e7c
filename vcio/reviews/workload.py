"""The reviews each client is due per month, as scheduled work for the practice's capacity.

Hours are typical figures, not settings: a monthly review takes about
:data:`MONTHLY_REVIEW_HOURS` (preparing the figures, the meeting, the
write-up), a quarterly business review about :data:`QBR_HOURS`. The work is
the client's consultant's (the first consultant member by username); a client
without one has it unassigned.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from vcio.core.fiscal import add_months
from vcio.core.models import Client, Membership
from vcio.core.registry import ScheduledWork, ScheduledWorkSource, scheduled_work_sources
from vcio.core.roles import Role
from vcio.reviews import cadence
from vcio.reviews.models import ReviewKind

MONTHLY_REVIEW_HOURS = Decimal("2")
QBR_HOURS = Decimal("6")
HOURS = {ReviewKind.MONTHLY: MONTHLY_REVIEW_HOURS, ReviewKind.QBR: QBR_HOURS}


def consultants_of(client_ids: list[int]) -> dict[int, int]:
    """Each client's consultant (first by username), in one query."""
    found: dict[int, int] = {}
    rows = (
        Membership.objects.filter(client_id__in=client_ids, role=Role.CONSULTANT)
        .order_by("user__username")
        .values_list("client_id", "user_id")
    )
    for client_id, user_id in rows:
        found.setdefault(client_id, user_id)
    return found


def reviews_due(
    client_ids: list[int], first_month: datetime.date, months: int
) -> list[ScheduledWork]:
    """Each monthly review and QBR due from ``first_month`` for ``months`` months (3 queries)."""
    first = first_month.replace(day=1)
    end = add_months(first, months) - datetime.timedelta(days=1)
    clients = list(
        Client.objects.filter(pk__in=client_ids).only("pk", "fiscal_year_start_month").order_by()
    )
    cadences = cadence.cadences_for(clients)
    consultants = consultants_of([c.pk for c in clients])
    work = []
    for client in clients:
        due = cadence.due_in(cadences[client.pk], client.fiscal_year_start_month, first, end)
        for review in due:
            work.append(
                ScheduledWork(
                    client_id=client.pk,
                    month=review.due_on.replace(day=1),
                    label=review.kind_label,
                    hours=HOURS[ReviewKind(review.kind)],
                    user_id=consultants.get(client.pk),
                )
            )
    return work


REVIEWS = ScheduledWorkSource("reviews", "Reviews due", reviews_due)


def register() -> None:
    scheduled_work_sources.register(REVIEWS)
