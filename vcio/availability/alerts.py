"""Alerts when a service goes down and when it recovers: email and webhook, with retries.

The engine only *queues* alerts (:func:`queue_alerts`, a few quick
queries), so a slow SMTP server or webhook never delays a check. The
periodic job ``availability.deliver_alerts`` (:func:`deliver_due`) sends
them: it claims each due delivery with a conditional UPDATE that pushes
``next_attempt_at`` forward by a lease, so two workers never send the same
alert, and one that crashes mid-send leaves the alert to be retried when
the lease ends. A failed send is retried with backoff (30 s, 2 min,
10 min, 30 min, 2 h) and given up after :data:`MAX_ATTEMPTS` attempts.
"""

from __future__ import annotations

import logging
import smtplib
import zoneinfo
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from vcio.availability.models.alerts import AlertChannel, AlertDelivery
from vcio.availability.models.monitors import Outage
from vcio.core.links import absolute_url
from vcio.core.registry import PeriodicJob, periodic_jobs

log = logging.getLogger("vcio.availability.alerts")

# Seconds to wait after the 1st, 2nd... failed attempt; one more failure gives up.
BACKOFF_S = (30, 120, 600, 1800, 7200)
MAX_ATTEMPTS = len(BACKOFF_S) + 1
# A claimed delivery is ours for this long; longer than any one send can take
# (webhook timeout, SMTP timeout), so it is never sent twice while in hand.
CLAIM_LEASE_S = 300
WEBHOOK_TIMEOUT_S = 10.0
SMTP_TIMEOUT_S = 30.0
DELIVER_INTERVAL_S = 15
WEBHOOK_HEADERS = {"User-Agent": "vcio-alerts"}

PENDING = AlertDelivery.Status.PENDING


class SendFailed(Exception):
    """A send that failed; ``permanent`` ones (a bad address, a refused URL) are not retried."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


# Queueing ----------------------------------------------------------------------


def queue_alerts(outage: Outage, event: str) -> int:
    """Queue a ``"down"`` or ``"up"`` alert of ``outage`` to each enabled channel of its service.

    Returns how many deliveries were queued; 0 when called again for the same
    outage and event (one alert per state change, whoever calls twice).
    """
    if event not in AlertDelivery.Event.values:
        raise ValueError(f"alert event must be 'down' or 'up', not {event!r}")
    channel_ids = set(
        AlertChannel.objects.filter(service_id=outage.service_id, enabled=True).values_list(
            "id", flat=True
        )
    )
    already = set(
        AlertDelivery.objects.filter(
            outage=outage, event=event, channel_id__in=channel_ids
        ).values_list("channel_id", flat=True)
    )
    now = timezone.now()
    new = [
        AlertDelivery(channel_id=cid, outage=outage, event=event, next_attempt_at=now)
        for cid in sorted(channel_ids - already)
    ]
    # ignore_conflicts: a concurrent call that inserted the same row first wins quietly.
    AlertDelivery.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# Delivering --------------------------------------------------------------------


def due_deliveries(now: datetime) -> QuerySet[AlertDelivery]:
    """Pending deliveries whose time has come, oldest first.

    A recovery waits while the same channel's "down" alert of that outage is
    still pending, so a receiver never hears "up" before "down".
    """
    down_pending = AlertDelivery.objects.filter(
        channel_id=OuterRef("channel_id"),
        outage_id=OuterRef("outage_id"),
        event=AlertDelivery.Event.DOWN,
        status=PENDING,
    )
    return (
        AlertDelivery.objects.filter(status=PENDING, next_attempt_at__lte=now)
        .exclude(Q(event=AlertDelivery.Event.UP) & Exists(down_pending))
        .order_by("next_attempt_at", "id")
    )


def claim(delivery_id: int, now: datetime) -> bool:
    """Take one due delivery for :data:`CLAIM_LEASE_S` seconds; True when this caller got it."""
    taken = AlertDelivery.objects.filter(
        id=delivery_id, status=PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + timedelta(seconds=CLAIM_LEASE_S))
    return taken == 1


def deliver_due(now: datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Send up to ``limit`` due alerts; returns counts ``{"sent", "retrying", "failed"}``.

    ``now`` fixes the clock (tests); by default each delivery reads the real
    time, since one run may spend a while on slow receivers. ``failed``
    counts the deliveries given up in this run.
    """
    clock: Callable[[], datetime] = (lambda: now) if now is not None else timezone.now
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    ids = list(due_deliveries(clock()).values_list("id", flat=True)[:limit])
    for delivery_id in ids:
        if not claim(delivery_id, clock()):
            continue  # another worker took it
        counts[deliver_one(delivery_id, clock)] += 1
    return counts


def deliver_one(delivery_id: int, clock: Callable[[], datetime] = timezone.now) -> str:
    """Send one claimed delivery and record the outcome: "sent", "retrying" or "failed"."""
    delivery = AlertDelivery.objects.select_related(
        "channel__service__client", "outage__monitor", "outage__service__client"
    ).get(id=delivery_id)
    try:
        send(delivery)
    except SendFailed as exc:
        return record_failure(delivery, str(exc), exc.permanent, clock())
    except Exception as exc:  # a bug in a sender must not stop the other alerts
        log.exception("alert delivery %s crashed", delivery_id)
        return record_failure(delivery, f"internal error: {exc!r}", False, clock())
    AlertDelivery.objects.filter(id=delivery_id).update(
        status=AlertDelivery.Status.SENT,
        sent_at=clock(),
        attempts=delivery.attempts + 1,
        last_error="",
        next_attempt_at=None,
    )
    return "sent"


def record_failure(delivery: AlertDelivery, error: str, permanent: bool, now: datetime) -> str:
    """Count a failed attempt; schedule the next one or give up. Returns "retrying" or "failed"."""
    attempts = delivery.attempts + 1
    gave_up = permanent or attempts >= MAX_ATTEMPTS
    AlertDelivery.objects.filter(id=delivery.id).update(
        attempts=attempts,
        last_error=error[:500],
        status=AlertDelivery.Status.FAILED if gave_up else PENDING,
        next_attempt_at=None if gave_up else now + timedelta(seconds=BACKOFF_S[attempts - 1]),
    )
    log.warning(
        "alert %s to %s failed (attempt %s%s): %s",
        delivery.id,
        delivery.channel,
        attempts,
        ", giving up" if gave_up else "",
        error,
    )
    return "failed" if gave_up else "retrying"


def send(delivery: AlertDelivery) -> None:
    """Send a delivery through its channel; raises :class:`SendFailed` with a readable cause."""
    if not delivery.channel.enabled:
        # Disabling a channel also stops its retries, rather than sending stale alerts later.
        raise SendFailed("the channel was disabled before this alert went out", permanent=True)
    if delivery.channel.kind == AlertChannel.Kind.WEBHOOK:
        send_webhook(delivery.channel.target, webhook_payload(delivery))
    else:
        send_email(
            email_addresses(delivery.channel.target),
            email_subject(delivery),
            email_body(delivery),
        )


def email_addresses(target: str) -> list[str]:
    """The addresses of an email channel (commas, semicolons or spaces between them)."""
    addresses = [a for a in target.replace(";", ",").replace(" ", ",").split(",") if a]
    if not addresses:
        raise SendFailed("the channel has no email address", permanent=True)
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            raise SendFailed(f"{address!r} is not an email address", permanent=True) from None
    return addresses


def send_email(to: list[str], subject: str, body: str) -> None:
    """Send one plain-text email through Django's configured backend."""
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or SMTP_TIMEOUT_S
    host = f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    try:
        connection = get_connection(timeout=timeout)
        EmailMessage(subject, body, to=to, connection=connection).send()
    except smtplib.SMTPRecipientsRefused as exc:
        refused = ", ".join(exc.recipients)
        raise SendFailed(f"the mail server {host} refused {refused}") from None
    except smtplib.SMTPException as exc:
        raise SendFailed(f"the mail server {host} failed: {exc}") from None
    except ConnectionRefusedError:
        raise SendFailed(f"connection refused by the mail server {host}") from None
    except TimeoutError:
        raise SendFailed(f"no answer from the mail server {host} within {timeout:g} s") from None
    except OSError as exc:
        raise SendFailed(f"cannot reach the mail server {host}: {exc}") from None


def send_webhook(url: str, payload: dict) -> None:
    """POST ``payload`` as JSON to ``url``; any answer but 2xx is a failure."""
    check_webhook_url(url)
    try:
        # No redirects: a redirect could lead the POST to an address the policy refuses.
        with (
            httpx.Client(timeout=WEBHOOK_TIMEOUT_S, follow_redirects=False) as client,
            client.stream("POST", url, json=payload, headers=WEBHOOK_HEADERS) as response,
        ):
            status = response.status_code  # the body is not read: it may be huge
    except httpx.TimeoutException:
        raise SendFailed(f"no answer from {url} within {WEBHOOK_TIMEOUT_S:g} s") from None
    except httpx.ConnectError as exc:
        raise SendFailed(connect_error_text(url, exc)) from None
    except httpx.HTTPError as exc:
        raise SendFailed(f"{url}: {exc or type(exc).__name__}") from None
    if not 200 <= status < 300:
        raise SendFailed(f"HTTP {status} from {url}")


def connect_error_text(url: str, exc: Exception) -> str:
    """A connection failure in words: refused, name not found, or the library's message."""
    text = str(exc)
    lowered = text.lower()
    if "refused" in lowered:
        return f"connection refused by {url}"
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return f"host name not found: {httpx.URL(url).host}"
    if "certificate" in lowered or "ssl" in lowered:
        return f"TLS error talking to {url}: {text}"
    return f"cannot connect to {url}: {text}"


def check_webhook_url(url: str) -> None:
    """Refuse URLs that are not http(s), or whose host the monitors' network policy forbids.

    A refused address or a malformed URL is permanent; a host name that does
    not resolve (yet) is retried like any other failure.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise SendFailed(f"{url!r} is not a URL", permanent=True) from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise SendFailed(f"{url!r} is not an http(s) URL", permanent=True)
    try:
        from vcio.availability.safety import TargetRefused, validate_target
    except ImportError:
        return  # the network policy is not available: nothing more to check
    try:
        validate_target("http", url)
    except TargetRefused as exc:
        raise SendFailed(f"webhook refused: {exc}", permanent=True) from None
    except ValueError as exc:
        raise SendFailed(f"cannot reach {url}: {exc}") from None


# What the alert says --------------------------------------------------------------


def email_subject(delivery: AlertDelivery) -> str:
    """e.g. "[vcio] DOWN: ERP (Acme)", "[vcio] RECOVERED: ERP (Acme) after 14 min"."""
    outage = delivery.outage
    named = f"{outage.service.name} ({outage.service.client.name})"
    if delivery.event == AlertDelivery.Event.DOWN:
        return f"[vcio] DOWN: {named}"
    took = f" after {duration_text(outage)}" if outage.ended_at else ""
    return f"[vcio] RECOVERED: {named}{took}"


def email_body(delivery: AlertDelivery) -> str:
    """The plain-text email, in words a business reader follows, times in the client's zone."""
    outage, service = delivery.outage, delivery.outage.service
    client = service.client
    recovered = delivery.event == AlertDelivery.Event.UP and outage.ended_at is not None
    if recovered:
        lead = f"{service.name} ({client.name}) is back up after {duration_text(outage)}."
    else:
        lead = f"{service.name} ({client.name}) is down."
    rows = [
        ("Service", service.name),
        ("Client", client.name),
        ("Monitor", outage.monitor.name),
        ("Down since", local_time(outage.started_at, client.time_zone)),
    ]
    if recovered:
        rows.append(("Back up at", local_time(outage.ended_at, client.time_zone)))
        rows.append(("Downtime", duration_text(outage)))
    rows.append(("Cause", outage.cause or "not recorded"))
    lines = [lead, ""] + [f"{label + ':':<12}{value}" for label, value in rows]
    sla = sla_line(service)
    if sla:
        lines += ["", sla]
    url = service_url(service)
    if url:
        lines += ["", f"Details: {url}"]
    lines += ["", "-- ", "Sent by vcio availability monitoring."]
    return "\n".join(lines) + "\n"


def webhook_payload(delivery: AlertDelivery) -> dict:
    """The JSON a webhook receives; times in ISO 8601 UTC, ``duration_s`` None while down."""
    outage = delivery.outage
    up = delivery.event == AlertDelivery.Event.UP and outage.ended_at is not None
    return {
        "event": delivery.event,
        "client": outage.service.client.slug,
        "service": outage.service.name,
        "monitor": outage.monitor.name,
        "started_at": outage.started_at.isoformat(),
        "ended_at": outage.ended_at.isoformat() if up else None,
        "duration_s": round((outage.ended_at - outage.started_at).total_seconds()) if up else None,
        "cause": outage.cause,
        "url": service_url(outage.service),
    }


def duration_text(outage: Outage) -> str:
    """How long the outage lasted (so far, while open), in words: see :func:`seconds_text`."""
    return seconds_text(((outage.ended_at or timezone.now()) - outage.started_at).total_seconds())


def seconds_text(seconds: float) -> str:
    """A duration in words: "40 s", "14 min", "2 h 5 min", "3 d 4 h"."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def local_time(at: datetime, zone: str) -> str:
    """e.g. "Sat 28 Nov 2026, 07:12 (Europe/Paris)"; UTC when the zone is unknown."""
    try:
        tz = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz, zone = zoneinfo.ZoneInfo("UTC"), "UTC"
    return f"{at.astimezone(tz):%a %d %b %Y, %H:%M} ({zone})"


def service_url(service) -> str:
    """The service page's full address ("" if there is no such page), from VCIO_BASE_URL."""
    kwargs = {"client": service.client.slug, "pk": service.pk}
    try:
        path = reverse("availability:service_detail", kwargs=kwargs)
    except NoReverseMatch:
        return ""
    except ImportError:  # a broken URLconf must not silence the alert
        log.exception("reversing availability:service_detail for an alert")
        return ""
    return absolute_url(path)


def sla_line(service, now: datetime | None = None) -> str:
    """ "SLA this month so far: …" from ``vcio.availability.sla`` when it exists, else ""."""
    try:
        from vcio.availability.sla import month_period, service_sla
    except ImportError:
        return ""
    now = now or timezone.now()
    try:
        local = now.astimezone(zoneinfo.ZoneInfo(service.client.time_zone))
        start, end, _ = month_period(local.year, local.month, service.client.time_zone)
        report = service_sla(service, start, end, now)
    except Exception:  # an optional line must never stop an alert
        log.exception("SLA of service %s for an alert", service.pk)
        return ""
    if report.availability_pct is None:
        return ""
    verdict = "below" if report.breach else "within"
    left = report.budget_left_s
    budget = (
        f"{seconds_text(left)} of error budget left"
        if left >= 0
        else f"error budget exceeded by {seconds_text(-left)}"
    )
    return (
        f"SLA this month so far: {report.availability_pct:.2f} % "
        f"({verdict} the {report.target_pct:g} % target), "
        f"{seconds_text(report.downtime_s)} of downtime, {budget}."
    )


# For the UI --------------------------------------------------------------------


def failed_deliveries(client_ids: Iterable[int]) -> QuerySet[AlertDelivery]:
    """Deliveries of these clients that failed at least once and are not sent, newest first.

    Both those given up (status failed) and those still retrying; one query
    with channel, service, client, outage and monitor joined in.
    """
    return (
        AlertDelivery.objects.filter(channel__service__client_id__in=list(client_ids))
        .filter(Q(status=AlertDelivery.Status.FAILED) | Q(status=PENDING, attempts__gt=0))
        .select_related("channel__service__client", "outage__monitor")
        .order_by("-created_at", "-id")
    )


def register() -> None:
    periodic_jobs.register(
        PeriodicJob(
            "availability.deliver_alerts",
            deliver_due,
            interval=DELIVER_INTERVAL_S,
            description="Send queued down and recovery alerts (email, webhook), with retries.",
            lease=CLAIM_LEASE_S,
        )
    )
