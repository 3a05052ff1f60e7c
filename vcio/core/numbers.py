"""Rounding every displayed figure the way people round: half up, away from zero.

Python's ``round()`` and ``format(x, ".1f")`` round half to even (87.25 →
87.2) and work on the binary float (2.675 → 2.67), so a health score that
a CFO recomputes by hand would not match. Every figure a page, report,
e-mail or export shows goes through :func:`round_half_up` (or
:func:`format_number`, which uses it), so a number reads the same wherever
it appears.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

Numeric = Decimal | float | int


def as_decimal(value: Numeric) -> Decimal:
    """``value`` as the decimal it reads as: ``87.25`` (a float) → ``Decimal("87.25")``.

    Through ``str`` so a float keeps the digits it prints with, not its
    binary expansion (87.25 is exact, 2.675 is 2.67499999...).
    """
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None


def round_half_up(value: Numeric, places: int = 0) -> Decimal:
    """``value`` rounded to ``places`` decimals, halves away from zero (87.25 → 87.3).

    Returns a Decimal so the result prints exactly; ``-0`` comes back as ``0``.
    """
    quantum = Decimal(1).scaleb(-places)
    rounded = as_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    return rounded + 0 if rounded.is_zero() else rounded  # drop the sign of -0


def round_float(value: Numeric | None, places: int = 0) -> float | None:
    """:func:`round_half_up` as a float (for JSON snapshots and API values); ``None`` stays."""
    if value is None:
        return None
    return float(round_half_up(value, places))


def format_number(value: Numeric, places: int = 0, grouping: bool = True) -> str:
    """``1234.25`` → ``"1,234.3"`` (places=1): rounded half up, thousands separated."""
    rounded = round_half_up(value, places)
    return f"{rounded:,.{places}f}" if grouping else f"{rounded:.{places}f}"
