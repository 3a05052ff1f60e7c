"""Sending a survey round: invitations with private links, emails, revoking, reminders.

Only a link's hash is stored (vcio.needs.tokens), so vcio can never show or
email an old link again: every email that carries a link carries a *new*
one. A resend and a reminder therefore rotate the key (new key, new hash):
the link in earlier emails stops working, and the email says so. A link
expires at the end of the round's closing day (the client's time zone).
"""

from __future__ import annotations

import datetime
import logging
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from vcio.core.links import absolute_url
from vcio.core.models import Client, Contact, Department
from vcio.core.registry import PeriodicJob
from vcio.needs import questionnaires, tokens
from vcio.needs.models import Invitation, QuestionnaireVersion, SurveyRound

log = logging.getLogger(__name__)

TITLE_LENGTH = 200
NAME_LENGTH = 160


@dataclass
class Recipient:
    """Who receives one invitation: a department's head (a contact, or just a name and email)."""

    department: Department
    contact: Contact | None
    name: str
    email: str


class SurveyInputError(ValueError):
    """A round or invitation refused; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


def client_today(client: Client) -> datetime.date:
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(client.time_zone))


def link_expiry(client: Client, closes_on: datetime.date) -> datetime.datetime:
    """The end of ``closes_on`` in the client's time zone (the moment the link stops working)."""
    tz = zoneinfo.ZoneInfo(client.time_zone)
    next_day = datetime.datetime.combine(closes_on + datetime.timedelta(days=1), datetime.time())
    return next_day.replace(tzinfo=tz)


def default_closes_on(client: Client) -> datetime.date:
    return client_today(client) + datetime.timedelta(days=settings.VCIO_SURVEY_LINK_DAYS)


def default_recipients(client: Client) -> tuple[list[Recipient], list[Department]]:
    """Each department's head: its decision-maker with an email, else its first contact with one.

    Returns ``(recipients, departments without a head with an email)``. Two queries.
    """
    departments = list(client.departments.order_by("name", "id"))
    contacts = (
        client.contacts.exclude(email="")
        .filter(department__isnull=False)
        .order_by("-is_decision_maker", "last_name", "first_name", "id")
    )
    head: dict[int, Contact] = {}
    for contact in contacts:
        head.setdefault(contact.department_id, contact)
    found, missing = [], []
    for department in departments:
        contact = head.get(department.pk)
        if contact is None:
            missing.append(department)
        else:
            found.append(Recipient(department, contact, str(contact), contact.email))
    return found, missing


def answer_url(key: str) -> str:
    """The full address of an invitation's answer page (the key is the credential)."""
    return absolute_url(reverse("needs:answer", kwargs={"token": key}))


def check_round(
    client: Client, version: QuestionnaireVersion, title: str, closes_on, recipients: list
) -> dict[str, list[str]]:
    """Every problem of a round about to be started, by field (``recipients[2].email``)."""
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = ["Give the round a title, e.g. “Spring 2026”."]
    elif len(title) > TITLE_LENGTH:
        errors["title"] = [f"At most {TITLE_LENGTH} characters ({len(title)})."]
    today = client_today(client)
    if not isinstance(closes_on, datetime.date):
        errors["closes_on"] = ["Give the day the round closes (YYYY-MM-DD)."]
    elif closes_on < today:
        errors["closes_on"] = [f"{closes_on:%Y-%m-%d} is in the past (today is {today:%Y-%m-%d})."]
    elif closes_on > today + datetime.timedelta(days=365):
        errors["closes_on"] = ["A round closes within a year."]
    if not version.questions.exists():
        errors["version"] = [f"{version} has no questions."]
    if not recipients:
        errors["recipients"] = ["Add at least one department head with an email."]
    seen: set[str] = set()
    for n, r in enumerate(recipients, start=1):
        where = f"recipients[{n}]"
        if r.department.client_id != client.pk:
            errors[f"{where}.department"] = ["This department belongs to another client."]
        if r.contact is not None and r.contact.client_id != client.pk:
            errors[f"{where}.contact"] = ["This contact belongs to another client."]
        if not (r.name or "").strip() or len(r.name) > NAME_LENGTH:
            errors[f"{where}.name"] = [f"Give the head's name (at most {NAME_LENGTH} characters)."]
        try:
            validate_email(r.email or "")
        except ValidationError:
            errors[f"{where}.email"] = [f"“{(r.email or '')[:80]}” is not an email address."]
            continue
        if r.email.lower() in seen:
            errors[f"{where}.email"] = [f"{r.email} is listed twice."]
        seen.add(r.email.lower())
    return errors


def start_round(
    client: Client,
    version: QuestionnaireVersion,
    title: str,
    closes_on: datetime.date,
    recipients: list[Recipient],
    user=None,
) -> tuple[SurveyRound, list[tuple[Invitation, str]]]:
    """Create the round, one invitation per recipient, publish the version, email every head.

    All or nothing: a bad recipient or a failed email leaves no round. Returns
    the round and each invitation with its key (the only time a key is seen).
    """
    errors = check_round(client, version, title, closes_on, recipients)
    if errors:
        raise SurveyInputError(errors)
    now = timezone.now()
    with transaction.atomic():
        questionnaires.publish(version)
        round_ = SurveyRound.objects.create(
            client=client,
            version=version,
            title=title.strip(),
            opened_on=client_today(client),
            closes_on=closes_on,
            created_by=user,
        )
        sent = []
        for r in recipients:
            key, digest, prefix = tokens.new_key()
            invitation = Invitation.objects.create(
                client=client, round=round_, department=r.department, contact=r.contact,
                name=r.name.strip(), email=r.email.strip(), token_hash=digest, token_prefix=prefix,
                expires_at=link_expiry(client, closes_on), sent_at=now,
            )  # fmt: skip
            invitation.round = round_
            sent.append((invitation, key))
        for invitation, key in sent:
            invitation_message(invitation, key).send()
    log.info("Survey round %s of %s sent to %d heads", round_.pk, client.slug, len(sent))
    return round_, sent


def invitation_message(invitation: Invitation, key: str, kind: str = "first") -> EmailMessage:
    """The email to a department head: who asks, why, until when, and the private link.

    ``kind``: "first", "resend" or "reminder"; the last two say the link replaces earlier ones.
    """
    round_ = invitation.round
    client = round_.client
    practice = settings.PRACTICE_NAME
    closes = round_.closes_on
    subject = {
        "first": f"{client.name}: a few questions about IT for {invitation.department.name}",
        "resend": f"{client.name}: your new link to the IT survey",
        "reminder": f"Reminder — {client.name}: a few questions about IT",
    }[kind]
    replaced = (
        "This is a new link: for your security the link in earlier emails no longer works.\n\n"
        if kind != "first"
        else ""
    )
    body = (
        f"Hello {invitation.name},\n\n"
        f"{practice} asks each department head of {client.name} a few short questions "
        f"about IT, so that next year's IT plan serves {invitation.department.name}. "
        f"It takes about five minutes; no account is needed.\n\n"
        f"Answer here (open until {closes:%A %d %B %Y}):\n{answer_url(key)}\n\n"
        f"{replaced}"
        "The link is personal: please do not forward it.\n"
    )
    return EmailMessage(subject, body, to=[invitation.email])


class InvitationStateError(ValueError):
    """An action an invitation's state does not allow (revoking a submitted one, …)."""


def revoke(invitation: Invitation, user=None) -> Invitation:
    """Stop the link from working (idempotent). A submitted invitation keeps its answers."""
    if invitation.submitted_at is not None:
        raise InvitationStateError(f"{invitation.name} has already answered: nothing to revoke.")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def rotate_key(invitation: Invitation) -> str:
    """Give the invitation a new key (the old link stops working); returns the new key."""
    key, digest, prefix = tokens.new_key()
    invitation.token_hash, invitation.token_prefix = digest, prefix
    return key


def resend(invitation: Invitation, user=None) -> str:
    """Email the head a NEW link (the old one stops working); returns the new key.

    An expired link is reopened until the round's closing day, or for
    ``VCIO_SURVEY_LINK_DAYS`` when that day has passed. Refused for a
    submitted or revoked invitation.
    """
    if invitation.submitted_at is not None:
        raise InvitationStateError(f"{invitation.name} has already answered: nothing to resend.")
    if invitation.revoked_at is not None:
        raise InvitationStateError(
            f"The link of {invitation.name} was revoked: it stays revoked (invite them in a "
            "new round)."
        )
    now = timezone.now()
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().select_related(
            "round__client", "department"
        )
        invitation = locked.get(pk=invitation.pk)
        key = rotate_key(invitation)
        client = invitation.round.client
        if invitation.expires_at <= now:
            invitation.expires_at = max(
                link_expiry(client, invitation.round.closes_on),
                now + datetime.timedelta(days=settings.VCIO_SURVEY_LINK_DAYS),
            )
        invitation.sent_at = now
        invitation.save(update_fields=["token_hash", "token_prefix", "expires_at", "sent_at"])
        invitation_message(invitation, key, "resend").send()
    return key


def reminders_due(now: datetime.datetime | None = None):
    """Invitations owed a reminder: open, unanswered, unexpired, the last email old enough."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=settings.VCIO_SURVEY_REMINDER_DAYS)
    return (
        Invitation.objects.filter(
            submitted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
            round__closed_at__isnull=True,
            reminders_sent__lt=settings.VCIO_SURVEY_MAX_REMINDERS,
        )
        .annotate(last_email=Coalesce("last_reminded_at", "sent_at"))
        .filter(Q(last_email__lte=since) | Q(last_email__isnull=True))
        .select_related("round__client", "department")
        .order_by("pk")
    )


def send_reminders(now: datetime.datetime | None = None) -> int:
    """Remind every head who has not answered yet; returns how many reminders were sent.

    Each reminder rotates the key (only hashes are stored) and emails the new
    link. Safe to run twice or in two workers: an invitation is claimed with a
    conditional UPDATE on its reminder count, in the transaction that sends.
    """
    now = now or timezone.now()
    sent = 0
    for invitation in reminders_due(now):
        key, digest, prefix = tokens.new_key()
        try:
            with transaction.atomic():
                claimed = Invitation.objects.filter(
                    pk=invitation.pk, reminders_sent=invitation.reminders_sent,
                    submitted_at__isnull=True, revoked_at__isnull=True,
                ).update(
                    reminders_sent=F("reminders_sent") + 1, last_reminded_at=now,
                    token_hash=digest, token_prefix=prefix,
                )  # fmt: skip
                if not claimed:
                    continue  # another worker reminded, or the head answered meanwhile
                invitation_message(invitation, key, "reminder").send()
        except OSError:
            log.exception("Survey reminder %s failed; tried again next run", invitation.pk)
            continue
        sent += 1
    return sent


def reminder_job() -> PeriodicJob:
    return PeriodicJob(
        "needs.survey_reminders",
        send_reminders,
        interval=3600,
        description="Remind department heads who have not answered a survey yet (a new link).",
    )
