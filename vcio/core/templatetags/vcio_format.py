"""Template filters every app's pages share: money as executives read it.

``{% load vcio_format %}`` then ``{{ cost|money:client.currency }}``.
"""

from __future__ import annotations

from decimal import Decimal

from django import template

from vcio.core.numbers import format_number

register = template.Library()

# Symbols for the currencies SMB clients are most often billed in; others show their code.
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$", "NZD": "NZ$"}


def format_money(value: Decimal | float | int | None, currency: str = "", decimals: int = 0) -> str:
    """``12400`` → ``"$12,400"``; unknown currencies as ``"12,400 CHF"``; ``None`` → ``"—"``."""
    if value is None:
        return "—"
    amount = format_number(abs(value), decimals)
    sign = "-" if value < 0 and amount.strip("0.,") else ""
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
def count(value: int | None) -> str:
    """A count with a thousands separator (``60000`` → ``"60,000"``), as the figures read."""
    return "—" if value is None else format_number(value, 0)
