"""Template filters for the asset pages: ages and status badges (money comes from core)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from vcio.core.numbers import format_number
from vcio.core.templatetags.vcio_format import money, money_cents

register = template.Library()

# Money is formatted the same on every app's pages: core's filters, re-registered here so
# asset templates need one ``load``.
register.filter("money", money)
register.filter("money_cents", money_cents)


@register.filter
def years(value: float | None) -> str:
    """An age in years with one decimal (``3.4 y``); ``—`` when unknown."""
    if value is None:
        return "—"
    return f"{format_number(value, 1)} y"


# Badge tone per computed status: the same colours on every page.
TONES = {
    "active": "good",
    "supported": "good",
    "ending": "warn",
    "expired": "bad",
    "unsupported": "bad",
    "unknown": "neutral",
}
SHORT = {
    "warranty": {
        "active": "Active",
        "ending": "Ends soon",
        "expired": "Expired",
        "unknown": "Unknown",
    },
    "os": {
        "supported": "Supported",
        "ending": "Ends soon",
        "unsupported": "Unsupported",
        "unknown": "Unknown",
    },
}


@register.simple_tag
def status_badge(status: str, kind: str = "warranty", date: object = None) -> str:
    """A coloured badge for a warranty (``kind="warranty"``) or OS (``"os"``) status.

    The long description (and the date, when given) is the badge's tooltip.
    """
    from vcio.assets.services import OS_STATUSES, WARRANTY_STATUSES

    long = dict(OS_STATUSES if kind == "os" else WARRANTY_STATUSES).get(status, status)
    title = f"{long} ({date})" if date else long
    return format_html(
        '<span class="badge badge-{}" title="{}">{}</span>',
        TONES.get(status, "neutral"),
        title,
        SHORT.get(kind, {}).get(status, status),
    )
