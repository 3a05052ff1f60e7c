"""Formatting registry figures the same way on every page."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from vcio.core.numbers import as_decimal, format_number
from vcio.core.registry import MONEY, Figure

register = template.Library()


def format_figure(value, unit: str, currency: str = "") -> str:
    """Text for a figure's value: "46.8 %", "USD 154,600", "322"; "" for no data."""
    if value is None:
        return ""
    if unit == "%":
        return f"{format_number(value, 1)} %".replace(".0 %", " %")
    if unit == MONEY:
        return f"{currency} {format_number(value)}".strip()
    number = format_number(value, 0 if as_decimal(value) % 1 == 0 else 1)
    return f"{number} {unit}".strip()


@register.simple_tag
def figure_value(value, figure: Figure, client=None) -> str:
    """A figure's value as HTML; a muted dash with a tooltip when there's no data."""
    if value is None:
        return mark_safe('<span class="muted" title="No data yet">—</span>')
    return format_figure(value, figure.unit, getattr(client, "currency", ""))
