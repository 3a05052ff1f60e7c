"""Cell text → Python values, for ``Field.parse``.

Every parser takes the (already stripped, never empty) cell text and
returns a value, or raises ``ValueError`` whose message quotes the value and
says what is wrong with it; the engine adds the row and the column. The
``*_parser`` factories return one-argument parsers with limits baked in, so
they can be used as ``Field(parse=money_parser(minimum=0))``.

Exports from other tools are messy in known ways, handled here once:
US dates with two-digit years (Snipe-IT's ``1/23/23``), European dates and
amounts (``23.01.2024``, ``1.234,50 €``), accounting negatives
(``(12.00)``), and numbers a spreadsheet turned into scientific notation
(``6.37702E+15``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

__all__ = [
    "date_parser",
    "decimal_parser",
    "int_parser",
    "money_parser",
    "parse_bool",
    "parse_choice",
    "parse_date",
    "parse_datetime",
    "parse_decimal",
    "parse_email",
    "parse_int",
    "parse_money",
    "parse_text",
    "text_parser",
]

# --- dates ---------------------------------------------------------------------------------

_TIME = r"(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*([AaPp][Mm])?)?"
_ZONE = r"\s*(Z|[+-]\d{2}:?\d{2})?"
_YEAR_FIRST = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME + _ZONE)
_NUMERIC = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})" + _TIME + _ZONE)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
# Month-name dates may carry a time: Jira's CSV writes "01/Mar/24 9:05 AM".
_DAY_MONTH_NAME = re.compile(
    r"(\d{1,2})(?:st|nd|rd|th)?[-\s/.]+([A-Za-z]+)\.?[-\s/.,]+(\d{4}|\d{2})" + _TIME + _ZONE
)
_MONTH_NAME_DAY = re.compile(
    r"([A-Za-z]+)\.?[-\s/]+(\d{1,2})(?:st|nd|rd|th)?,?[-\s/]+(\d{4}|\d{2})" + _TIME + _ZONE
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}


def _year(text: str) -> int:
    """A 4-digit year, or a 2-digit one read the POSIX way (69–99 → 19xx, 00–68 → 20xx)."""
    year = int(text)
    if len(text) == 2:
        year += 1900 if year >= 69 else 2000
    return year


def _time(groups: tuple[str | None, ...]) -> dt.time | None:
    """The time of day from (hour, minute, second, am/pm) groups, ``None`` when absent."""
    hour, minute, second, ampm = groups
    if hour is None:
        return None
    h, m, s = int(hour), int(minute), int(second or 0)
    if ampm:
        if not 1 <= h <= 12:
            raise ValueError("hour")
        h = h % 12 + (12 if ampm.lower() == "pm" else 0)
    return dt.time(h, m, s)


def _zone(text: str | None) -> dt.tzinfo | None:
    if not text:
        return None
    if text == "Z":
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _parts(text: str, dayfirst: bool) -> tuple[dt.date, dt.time | None, dt.tzinfo | None]:
    """Split a date(-time) string into its parts; ``ValueError`` when it is not one."""
    if m := _YEAR_FIRST.fullmatch(text):
        date = dt.date(int(m[1]), int(m[2]), int(m[3]))
        return date, _time(m.groups()[3:7]), _zone(m[8])
    if m := _NUMERIC.fullmatch(text):
        first, second = int(m[1]), int(m[3])
        # A dotted date is European (day first) everywhere it is used.
        day_first = dayfirst or m[2] == "."
        if first > 12 >= second:
            day_first = True
        elif second > 12 >= first:
            day_first = False
        day, month = (first, second) if day_first else (second, first)
        date = dt.date(_year(m[4]), month, day)
        return date, _time(m.groups()[4:8]), _zone(m[9])
    if m := _COMPACT.fullmatch(text):
        return dt.date(int(m[1]), int(m[2]), int(m[3])), None, None
    if m := _DAY_MONTH_NAME.fullmatch(text):
        date = dt.date(_year(m[3]), _MONTHS[m[2].lower()], int(m[1]))
        return date, _time(m.groups()[3:7]), _zone(m[8])
    if m := _MONTH_NAME_DAY.fullmatch(text):
        date = dt.date(_year(m[3]), _MONTHS[m[1].lower()], int(m[2]))
        return date, _time(m.groups()[3:7]), _zone(m[8])
    raise ValueError("no pattern")


def parse_date(text: str, *, dayfirst: bool = False) -> dt.date:
    """The date written in ``text``; any time of day is dropped.

    Understands ISO dates and date-times (``2024-01-23``, ``2024-01-23
    10:00:00``, ``2024-01-23T10:00:00Z``), numeric dates with ``/``, ``-`` or
    ``.`` (``1/23/23``, ``23.01.2024``), ``20240123`` and month names (``23
    Jan 2024``, ``January 23, 2024``, Jira's ``01/Mar/24 9:05 AM``). When day
    and month are both 12 or less, ``dayfirst`` decides (default: month first,
    as in US exports); dotted dates are always day first. Two-digit years: 69–99 are 19xx,
    00–68 are 20xx.
    """
    text = text.strip()
    try:
        date, _, _ = _parts(text, dayfirst)
    except (ValueError, KeyError, OverflowError):
        raise ValueError(f"'{text}' is not a date") from None
    return date


def parse_datetime(text: str, *, dayfirst: bool = False) -> dt.datetime:
    """The moment written in ``text`` as an aware datetime.

    Accepts what :func:`parse_date` accepts; a date alone is midnight, and a
    value without a zone is taken in the installation's time zone.
    """
    text = text.strip()
    try:
        date, time, zone = _parts(text, dayfirst)
    except (ValueError, KeyError, OverflowError):
        raise ValueError(f"'{text}' is not a date and time") from None
    moment = dt.datetime.combine(date, time or dt.time())
    if zone is not None:
        return moment.replace(tzinfo=zone)
    return timezone.make_aware(moment)


def date_parser(*, dayfirst: bool = False) -> Callable[[str], dt.date]:
    """A one-argument :func:`parse_date` with the ``dayfirst`` hint fixed."""
    return lambda text: parse_date(text, dayfirst=dayfirst)


# --- numbers -------------------------------------------------------------------------------

_CURRENCY = r"(?:[A-Za-z]{3}|[A-Za-z]{0,2}[$€£¥₹₽₩₺₪฿¢]|kr\.?|zł|Fr\.)"
# Not part of a longer word: "12 apples" is not twelve of the currency "les".
_CURRENCY_START = re.compile(r"^" + _CURRENCY + r"(?![A-Za-z])\s*")
_CURRENCY_END = re.compile(r"\s*(?<![A-Za-z])" + _CURRENCY + r"$")
# Thousands separators seen in the wild: space, no-break spaces, apostrophes (Swiss).
_GROUPING = str.maketrans("", "", " \u00a0\u202f'’")
_PLAIN = re.compile(r"\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?")
# Beyond this nothing in an inventory is real (and the database could not store it).
_LIMIT = Decimal(10) ** 18


def _sign(text: str) -> tuple[str, bool]:
    """``text`` without its sign, and whether it was negative: -1, 1-, (1), −1."""
    text = text.strip().replace("−", "-")
    if text.startswith("(") and text.endswith(")"):
        return text[1:-1].strip(), True
    if text.startswith("-"):
        return text[1:].strip(), True
    if text.endswith("-"):
        return text[:-1].strip(), True
    if text.startswith("+"):
        return text[1:].strip(), False
    return text, False


def _ungroup(text: str, separator: str) -> str:
    """``1,234,567`` → ``1234567``; ``ValueError`` unless the groups are of three digits."""
    parts = text.split(separator)
    if len(parts) > 1 and (not 1 <= len(parts[0]) <= 3 or any(len(p) != 3 for p in parts[1:])):
        raise ValueError("misplaced separator")
    return "".join(parts)


def _number(text: str) -> Decimal:
    """Digits with any common grouping and decimal mark → Decimal; ``ValueError`` otherwise."""
    text = text.translate(_GROUPING)
    if "e" in text.lower():
        text = text.replace(",", "")
    elif "," in text and "." in text:
        # Whichever comes last is the decimal mark: 1,234.50 and 1.234,50.
        mark = "," if text.rfind(",") > text.rfind(".") else "."
        whole, _, fraction = text.rpartition(mark)
        text = _ungroup(whole, "." if mark == "," else ",") + "." + fraction
    elif "," in text:
        head, _, tail = text.rpartition(",")
        # One comma before exactly three digits groups thousands (1,234); else it is
        # a decimal comma (0,5 and 12,50).
        grouped = text.count(",") > 1 or (len(tail) == 3 and head not in ("", "0"))
        text = _ungroup(text, ",") if grouped else text.replace(",", ".")
    elif text.count(".") > 1:
        text = _ungroup(text, ".")
    if not _PLAIN.fullmatch(text):
        raise ValueError("not a number")
    value = Decimal(text)
    if not value.is_finite() or abs(value) >= _LIMIT:
        raise OverflowError("too large")
    return value


def _parse_number(text: str, what: str) -> Decimal:
    body, negative = _sign(text)
    try:
        value = _number(body)
    except OverflowError:
        raise ValueError(f"'{text}' is too large") from None
    except (ValueError, InvalidOperation):
        raise ValueError(f"'{text}' is not {what}") from None
    return -value if negative else value


def parse_decimal(text: str) -> Decimal:
    """The number in ``text`` as a Decimal: ``1,234.5``, ``1.234,5``, ``3.01043E+13``."""
    return _parse_number(text.strip(), "a number")


def parse_money(text: str) -> Decimal:
    """An amount of money as a Decimal, the currency dropped.

    ``$1,234.50``, ``1.234,50 €``, ``1 234,50``, ``EUR 12``, ``(12.00)``
    (negative). The currency is not converted: the client's currency is assumed.
    """
    text = text.strip()
    body, negative = _sign(text)
    body = _CURRENCY_END.sub("", _CURRENCY_START.sub("", body))
    # The sign may sit after the symbol: $-12.00, € (12,00); but only one sign.
    body, inner_negative = _sign(body)
    if negative and inner_negative:
        body = "--"
    try:
        value = _number(body)
    except OverflowError:
        raise ValueError(f"'{text}' is too large") from None
    except (ValueError, InvalidOperation):
        raise ValueError(
            f"'{text}' is not an amount of money (e.g. 1234.50 or $1,234.50)"
        ) from None
    return -value if negative or inner_negative else value


def parse_int(text: str) -> int:
    """A whole number; ``6.37702E+15`` and ``1,200`` are accepted, ``3.5`` is not."""
    text = text.strip()
    value = _parse_number(text, "a number")
    if value != value.to_integral_value():
        raise ValueError(f"'{text}' is not a whole number")
    return int(value)


def _bounded(
    parse: Callable[[str], Any], minimum: Any, maximum: Any, what: str
) -> Callable[[str], Any]:
    def parser(text: str) -> Any:
        value = parse(text)
        if minimum is not None and value < minimum:
            if minimum == 0:
                raise ValueError(f"'{text.strip()}' is negative: {what} cannot be below 0")
            raise ValueError(f"'{text.strip()}' is below the minimum of {minimum}")
        if maximum is not None and value > maximum:
            raise ValueError(f"'{text.strip()}' is above the maximum of {maximum}")
        return value

    return parser


def money_parser(
    *, minimum: Decimal | int | None = 0, maximum: Decimal | int | None = None, places: int = 2
) -> Callable[[str], Decimal]:
    """:func:`parse_money` rounded to ``places`` and kept within bounds (default: not negative)."""
    quantum = Decimal(1).scaleb(-places)

    def parse(text: str) -> Decimal:
        return parse_money(text).quantize(quantum, rounding=ROUND_HALF_UP)

    return _bounded(parse, minimum, maximum, "an amount")


def decimal_parser(
    *,
    minimum: Decimal | int | None = None,
    maximum: Decimal | int | None = None,
    places: int | None = None,
) -> Callable[[str], Decimal]:
    """:func:`parse_decimal` (rounded to ``places`` when given) within bounds."""

    def parse(text: str) -> Decimal:
        value = parse_decimal(text)
        if places is not None:
            value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        return value

    return _bounded(parse, minimum, maximum, "a number")


def int_parser(*, minimum: int | None = None, maximum: int | None = None) -> Callable[[str], int]:
    """:func:`parse_int` within bounds, e.g. ``int_parser(minimum=0)`` for counts."""
    return _bounded(parse_int, minimum, maximum, "a count")


# --- other kinds ---------------------------------------------------------------------------

_TRUE = frozenset({"yes", "y", "true", "t", "1", "on", "x", "✓", "✔"})
_FALSE = frozenset({"no", "n", "false", "f", "0", "off"})


def parse_bool(text: str) -> bool:
    """yes/no, y/n, true/false, t/f, 1/0, on/off (any case); ``x`` or ✓ mean yes."""
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(f"'{text.strip()}' is not yes or no (use yes/no, true/false or 1/0)")


def parse_choice(
    choices: Iterable[str | tuple[str, str]], aliases: Mapping[str, str] | None = None
) -> Callable[[str], str]:
    """A parser accepting a choice's value or label (any case), or one of ``aliases``.

    ``choices`` are values or ``(value, label)`` pairs (Django's ``choices``);
    ``aliases`` maps other spellings to values (``{"notebook": "laptop"}``).
    The parser returns the value.
    """
    lookup: dict[str, str] = {}
    values: list[str] = []
    for choice in choices:
        value, label = (choice, choice) if isinstance(choice, str) else choice
        values.append(value)
        lookup[_fold(value)] = value
        lookup.setdefault(_fold(str(label)), value)
    for alias, value in (aliases or {}).items():
        lookup.setdefault(_fold(alias), value)
    listed = ", ".join(values)

    def parse(text: str) -> str:
        try:
            return lookup[_fold(text)]
        except KeyError:
            raise ValueError(f"'{text.strip()}' is not one of: {listed}") from None

    return parse


def _fold(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").split()).casefold()


def parse_text(text: str) -> str:
    """The text with surrounding spaces removed and inner runs of blanks kept."""
    return text.strip()


def text_parser(max_length: int | None = None) -> Callable[[str], str]:
    """Text no longer than ``max_length`` characters (a column's size)."""

    def parse(text: str) -> str:
        text = text.strip()
        if max_length is not None and len(text) > max_length:
            raise ValueError(
                f"'{text[:40]}…' is too long: at most {max_length} characters, it has {len(text)}"
            )
        return text

    return parse


# The everyday address, accepted without Django's (slower, thorough) validator,
# which still decides everything this does not match (IDN domains, IP literals …).
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def parse_email(text: str) -> str:
    """An email address, with its domain in lower case (so keys compare equal)."""
    text = text.strip()
    if len(text) > 254 or not _PLAIN_EMAIL.fullmatch(text):
        try:
            validate_email(text)
        except ValidationError:
            raise ValueError(f"'{text}' is not an email address") from None
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"
