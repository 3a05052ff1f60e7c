"""Review reminders: an email to the client's people some days before a review is due.

``send_due_reminders`` is a periodic job of ``vcio worker`` (hourly). It is
safe to run twice or in two workers at once: a reminder is recorded
(``ReviewReminder``, unique per client, kind and due day) in the same
transaction that sends it, so the unique constraint lets one through and a
failed send leaves nothing recorded, to be tried again next hour.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse

from vcio.core.links import absolute_url
from vcio.core.models import Client, Membership
from vcio.core.registry import PeriodicJob, periodic_jobs
from vcio.core.roles import Role
from vcio.reviews import cadence
from vcio.reviews.models import Review, ReviewCadence, ReviewReminder, ReviewStatus
from vcio.reviews.services import client_today
from vcio.reviews.snapshot import period_label

log = logging.getLogger(__name__)

# Who at the client is reminded besides the cadence's attendees: its leaders and its consultants.
REMINDED_ROLES = (Role.CONSULTANT, Role.EXECUTIVE)


def member_emails(client_ids: list[int]) -> dict[int, set[str]]:
    """The email addresses of each client's consultants and executives (active users). One query."""
    found: dict[int, set[str]] = defaultdict(set)
    for client_id, email in (
        Membership.objects.filter(
            client_id__in=client_ids, role__in=REMINDED_ROLES, user__is_active=True
        )
        .exclude(user__email="")
        .order_by()
        .values_list("client_id", "user__email")
    ):
        found[client_id].add(email)
    return found


def attendee_emails(client_ids: list[int]) -> dict[int, set[str]]:
    """The email addresses of each client's review attendees (its cadence's contacts). One query."""
    through = ReviewCadence.attendees.through
    found: dict[int, set[str]] = defaultdict(set)
    for client_id, email in (
        through.objects.filter(reviewcadence__client_id__in=client_ids)
        .exclude(contact__email="")
        .order_by()
        .values_list("reviewcadence__client_id", "contact__email")
    ):
        found[client_id].add(email)
    return found


def due_soon(
    clients: list[Client], today: datetime.date | None = None
) -> list[tuple[Client, cadence.DueReview]]:
    """Each client's next review if it is due within its cadence's reminder days.

    "Today" is each client's own day (its time zone) unless ``today`` is
    given (tests and demos go back in time). One query (the cadences).
    """
    cadences = cadence.cadences_for(clients)
    found = []
    for client in clients:
        days = cadences[client.pk].reminder_days
        if not days:
            continue  # the practice turned reminders off for this client
        day = today or client_today(client)
        due = cadence.next_due(cadences[client.pk], client.fiscal_year_start_month, day)
        if due is not None and (due.due_on - day).days <= days:
            found.append((client, due))
    return found


def review_link(client: Client) -> str:
    """The full address of the client's reviews (an e-mail is read away from vcio)."""
    try:
        path = reverse("reviews:review_list", kwargs={"client": client.slug})
    except NoReverseMatch:
        path = client.get_absolute_url()
    return absolute_url(path)


def message_for(client: Client, due: cadence.DueReview, to: list[str]) -> EmailMessage:
    """The reminder email: which client, which review, when, over which period, and where."""
    kind = due.kind_label.lower()
    label = period_label(due.kind, due.period_start, due.period_end, client.fiscal_year_start_month)
    subject = f"{client.name}: {kind} due on {due.due_on:%d %b %Y}"
    body = (
        f"The {kind} of {client.name} is due on {due.due_on:%A %d %B %Y}.\n\n"
        f"It looks back at {label} ({due.period_start:%d %b %Y} – {due.period_end:%d %b %Y}).\n\n"
        f"Prepare and open it here: {review_link(client)}\n"
    )
    return EmailMessage(subject, body, to=to)


def send_due_reminders(today: datetime.date | None = None) -> int:
    """Email a reminder for every review due soon that has none yet; returns how many were sent.

    Runs in the worker for every active client (no user: it is the
    practice's own job). Six queries, plus one insert per reminder sent.
    """
    clients = list(Client.objects.filter(is_active=True).order_by("pk"))
    due = due_soon(clients, today)
    if not due:
        return 0
    ids = [client.pk for client, _ in due]
    sent_before = set(
        ReviewReminder.objects.filter(client_id__in=ids)
        .order_by()
        .values_list("client_id", "kind", "due_on")
    )
    held = set(
        Review.objects.filter(client_id__in=ids, status=ReviewStatus.FINALISED)
        .order_by()
        .values_list("client_id", "kind", "period_start")
    )
    members, attendees = member_emails(ids), attendee_emails(ids)
    sent = 0
    for client, review in due:
        if (client.pk, review.kind, review.due_on) in sent_before:
            continue
        if (client.pk, review.kind, review.period_start) in held:
            continue  # already held and finalised ahead of its day
        to = sorted(members[client.pk] | attendees[client.pk])
        if not to:
            continue  # nobody to tell; a contact added later still gets it
        sent += _send(client, review, to)
    return sent


def _send(client: Client, due: cadence.DueReview, to: list[str]) -> int:
    """Record and send one reminder atomically; 0 when another worker recorded it first."""
    try:
        with transaction.atomic():
            ReviewReminder.objects.create(
                client=client, kind=due.kind, due_on=due.due_on, recipients=to
            )
            message_for(client, due, to).send()
    except IntegrityError:
        return 0
    log.info("Reminded %d people of the %s of %s", len(to), due.kind, client.slug)
    return 1


def register() -> None:
    periodic_jobs.register(
        PeriodicJob(
            "reviews.reminders",
            send_due_reminders,
            interval=3600,
            description="Email the client's people a reminder some days before a review is due.",
        )
    )
