"""Demo reviews: four past finalised reviews per demo client, replayed in date order.

Each review is created for the slot its cadence gave it, its decisions and
action items are recorded, the work between reviews happens (an action item
done, an initiative finished), and it is finalised "on" its meeting day. So
the decisions really moved the roadmap, and what changed from one review to
the next is computed from real differences, not typed. The next due review
is left as a draft to prepare.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from vcio.core.fiscal import add_months
from vcio.core.models import Client, Contact
from vcio.core.registry import DemoLoader, demo_loaders
from vcio.reviews import cadence, services
from vcio.reviews.models import ActionItem, ActionItemStatus, Decision, Review, ReviewCadence
from vcio.strategy import services as initiative_services
from vcio.strategy.models import Initiative, InitiativeStatus

S = InitiativeStatus
PAST_REVIEWS = 4

# consultant username, cadence: (monthly day, QBR month of the quarter, QBR day)
CLIENTS: dict[str, tuple[str, tuple[int, int, int]]] = {
    "acme": ("bob", (10, 1, 15)),
    "globex": ("alice", (12, 1, 20)),
    "initech": ("bob", (8, 2, 14)),
}

SUMMARIES = [
    "First review under the new cadence. We walked through the asset inventory and the "
    "services the business depends on, and agreed where the first money goes.",
    "Steady month. The approved work is being scoped; one proposal waits for next year's "
    "budget. Availability held except where noted below.",
    "Quarter in review: lifecycle risks are shrinking as replacements land. The leadership "
    "team asked for a clearer view of spend against plan, shown below.",
    "The first initiative of the roadmap is finished. Focus for the coming month: the next "
    "approval and the warranty renewals that fall before the next review.",
]
INTERNAL = "Practice only: check renewal pricing with the distributor before quoting."


def _maker(client: Client) -> str:
    contact = (
        Contact.objects.filter(client=client, is_decision_maker=True)
        .order_by("-is_primary", "last_name")
        .first()
    )
    return str(contact) if contact else "the client"


def _proposed(client: Client, skip: set[int]) -> Initiative | None:
    return (
        Initiative.objects.filter(client=client, status=S.PROPOSED)
        .exclude(pk__in=skip)
        .order_by("title")
        .first()
    )


def _decide(review: Review, kind: str, initiative: Initiative | None, user, maker: str, note: str):
    Decision.objects.create(
        client=review.client,
        review=review,
        kind=kind,
        initiative=initiative,
        note=note,
        decision_maker=maker,
        decided_by=user,
        decided_at=timezone.now(),
    )


def _item(review: Review, title: str, owner: str, due: datetime.date) -> ActionItem:
    return ActionItem.objects.create(
        client=review.client, review=review, title=title, owner=owner, due_date=due
    )


def _close_oldest_item(client: Client) -> None:
    item = (
        ActionItem.objects.filter(client=client, status=ActionItemStatus.OPEN)
        .order_by("created_at", "id")
        .first()
    )
    if item is not None:
        item.status, item.done_at = ActionItemStatus.DONE, timezone.now()
        item.save(update_fields=["status", "done_at"])


def _between(step: int, client: Client, user) -> None:
    """The work done since the previous review (before review ``step`` is held)."""
    if step >= 1:
        _close_oldest_item(client)
    running = Initiative.objects.filter(client=client, status=S.IN_PROGRESS).order_by("title")
    if step == 2:
        for initiative in running[:2]:
            initiative.percent_complete = min(90, initiative.percent_complete + 25)
            initiative.save(update_fields=["percent_complete", "updated_at"])
    if step == 3 and running.exists():
        initiative_services.transition(running.first(), S.DONE, user)


def _record(step: int, review: Review, user, maker: str, consultant: str) -> None:
    """What was decided and promised in review ``step``."""
    client, day = review.client, review.meeting_date
    used: set[int] = set()
    if step in (0, 3):
        chosen = _proposed(client, used)
        if chosen is not None:
            used.add(chosen.pk)
            _decide(review, "approve", chosen, user, maker, "Fits this year's budget.")
            _item(review, f"Get three quotes for “{chosen.title}”", consultant, day + _days(21))
    if step == 1:
        chosen = _proposed(client, used)
        if chosen is not None:
            _decide(review, "defer", chosen, user, maker, "Revisit with next fiscal year's budget.")
    if step == 2:
        _decide(review, "note", None, user, maker, "The finance lead joins every QBR from now on.")
        _item(review, "Send the plan-against-actual figures monthly", consultant, day + _days(30))
    if step == 0:
        _item(review, "Name a budget owner for IT projects", maker, day + _days(14))


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def load_client(client: Client, user, today: datetime.date) -> str:
    slug = client.slug
    monthly_day, qbr_month, qbr_day = CLIENTS[slug][1]
    cad, _ = ReviewCadence.objects.update_or_create(
        client=client,
        defaults={"monthly_day": monthly_day, "qbr_month": qbr_month, "qbr_day": qbr_day},
    )
    cad.attendees.set(Contact.objects.filter(client=client, is_decision_maker=True))
    month = client.fiscal_year_start_month
    past = cadence.due_in(cad, month, add_months(today, -7), today - _days(1))[-PAST_REVIEWS:]
    maker = _maker(client)
    consultant = user.get_full_name() or user.get_username()
    for step, due in enumerate(past):
        _between(step, client, user)
        review = services.create_due_review(client, due, user)
        review.summary = SUMMARIES[step % len(SUMMARIES)]
        review.internal_notes = INTERNAL
        review.save(update_fields=["summary", "internal_notes"])
        _record(step, review, user, maker, consultant)
        services.finalise(review, user, today=due.due_on)
    upcoming = cadence.next_due(cad, month, today)
    if upcoming is not None:
        services.create_due_review(client, upcoming, user)
    kinds = ", ".join(d.kind for d in past)
    following = f", next due {upcoming.due_on}" if upcoming else ""
    return f"{client.name}: {len(past)} finalised reviews ({kinds}){following}"


def load_reviews(ctx: dict[str, Any], log: Callable[[str], None]) -> None:
    today = timezone.localdate()
    users = {u.username: u for u in get_user_model().objects.all()}
    for client in Client.objects.filter(slug__in=list(CLIENTS)).order_by("name"):
        if Review.objects.filter(client=client).exists():
            log(f"{client.name}: reviews already loaded")
            continue
        user = users.get(CLIENTS[client.slug][0])
        with transaction.atomic():
            log(load_client(client, user, today))


def register() -> None:
    demo_loaders.register(DemoLoader("reviews", load_reviews, order=60))
