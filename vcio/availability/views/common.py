"""What the pages and the API both show of a service: its state now, durations in words.

A service's state is read from its monitors' rows (the engine keeps each
monitor's state and last result there), so it costs no query beyond the
monitors themselves; prefetch them for a list.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.urls import reverse

from vcio.availability.models import BusinessService, Monitor, MonitorState

UP, DOWN, DEGRADED, UNKNOWN = "up", "down", "degraded", "unknown"
STATE_LABELS = {
    UP: "Up",
    DOWN: "Down",
    DEGRADED: "Degraded",
    UNKNOWN: "Unknown",
}


def monitor_state(monitor: Monitor) -> str:
    """One monitor now: down (counted down), degraded (failing or slow, not yet down), up, unknown.

    A monitor failing fewer times than ``failures_to_down`` is not down yet
    (no flapping), but the board must still say something is wrong.
    """
    if not monitor.enabled or monitor.state == MonitorState.UNKNOWN:
        return UNKNOWN
    if monitor.state == MonitorState.DOWN:
        return DOWN
    if monitor.last_ok is False or (monitor.last_ok and monitor.last_cause):
        return DEGRADED  # failing but under the threshold, or slow / certificate expiring
    return UP


def service_state(monitors: Iterable[Monitor]) -> str:
    """A service now, from its monitors: any down → down; any degraded → degraded; else up.

    A service with no enabled monitor, or none checked yet, is unknown.
    """
    states = [monitor_state(m) for m in monitors]
    known = [s for s in states if s != UNKNOWN]
    if not known:
        return UNKNOWN
    if DOWN in known:
        return DOWN
    if DEGRADED in known:
        return DEGRADED
    return UP


def duration_text(seconds: float | None) -> str:
    """``3725`` → ``"1 h 2 min"``; ``90000`` → ``"1 d 1 h"``; under a minute in seconds."""
    if seconds is None:
        return "—"
    negative = seconds < 0
    s = int(round(abs(seconds)))
    if s < 60:
        text = f"{s} s"
    elif s < 3600:
        text = f"{s // 60} min"
    elif s < 86400:
        text = f"{s // 3600} h {s % 3600 // 60} min"
    else:
        text = f"{s // 86400} d {s % 86400 // 3600} h"
    return f"−{text}" if negative else text


def since_text(start: datetime.datetime, now: datetime.datetime) -> str:
    """How long ago ``start`` was, in words ("2 h 5 min")."""
    return duration_text((now - start).total_seconds())


def pct_text(pct: float | None) -> str:
    """An availability in %, with enough decimals to tell 99.9 from 99.95; None → "—"."""
    if pct is None:
        return "—"
    if pct >= 100:
        return "100 %"
    return f"{min(pct, 99.999):.3f}".rstrip("0").rstrip(".") + " %"


def target_text(target) -> str:
    """An SLA target as typed: ``Decimal("99.900")`` → ``"99.9 %"``."""
    return f"{target.normalize():f} %"


def service_url(service: BusinessService, client_slug: str) -> str:
    return reverse("availability:service_detail", kwargs={"client": client_slug, "pk": service.pk})


class InAvailabilityTab:
    """Pages outside ``availability/`` (a service, its monitors) still mark the Availability tab."""

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        board = reverse("availability:status_board", kwargs={"client": self.client.slug})
        for link in ctx.get("client_tabs", []):
            link["current"] = link["url"] == board
        return ctx


def error_text(exc: Exception) -> str:
    """The readable message of a refusal (ValidationError or ValueError)."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def validate_target(kind: str, target: str) -> str:
    """``target`` normalised; ValidationError unless its syntax and the network policy allow it."""
    from vcio.availability import safety

    try:
        return safety.validate_target(kind, target)
    except (ValueError, ValidationError) as exc:
        raise ValidationError(error_text(exc)) from None


def validate_status_spec(spec: str) -> None:
    """Raise ValidationError unless ``spec`` reads as status codes ("200", "200-299,301")."""
    from vcio.availability import checks

    parse = getattr(checks, "parse_status_spec", None)
    if parse is None:
        return
    try:
        parse(spec)
    except (ValueError, ValidationError) as exc:
        raise ValidationError(error_text(exc)) from None
