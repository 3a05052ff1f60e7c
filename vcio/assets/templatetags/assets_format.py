"""Template filters for the asset pages: money and ages as executives read them."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html

register = template.Library()

# Symbols for the currencies SMB clients are most often billed in; others show their code.
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$", "NZD": "NZ$"}


def format_money(value: Decimal | float | int | None, currency: str = "", decimals: int = 0) -> str:
    """``12400`` → ``"$12,400"``; unknown currencies as ``"12,400 CHF"``; ``None`` → ``"—"``."""
    if value is None:
        return "—"
    amount = f"{abs(float(value)):,.{decimals}f}"
    sign = "-" if value < 0 else ""
    symbol = SYMBOLS.get(currency)
    if symbol:
        return f"{sign}{symbol}{amount}"
    return f"{sign}{amount} {currency}".strip()


@register.filter
def money(value: Decimal | float | int | None, currency: str = "") -> str:
    """Whole units with a thousands separator, e.g. ``{{ cost|money:client.currency }}``."""
    return format_money(value, currency)


@register.filter
def money_cents(value: Decimal | float | int | None, currency: str = "") -> str:
    """Like :func:`money` with cents, for unit prices."""
    return format_money(value, currency, 2)


@register.filter
def years(value: float | None) -> str:
    """An age in years with one decimal (``3.4 y``); ``—`` when unknown."""
    if value is None:
        return "—"
    return f"{value:.1f} y"


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
