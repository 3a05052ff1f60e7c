"""Typed readers for settings that come from the environment.

``settings.py`` calls these instead of poking at ``os.environ`` so that every
setting is parsed in one tested place and a bad value stops the process at
start-up with a message that names the variable and the value, instead of
surfacing later as a confusing error deep inside Django.

Conventions shared by every reader:

* ``NAME`` holds the value; ``NAME_FILE`` may instead hold the path of a file
  whose (stripped) content is the value. That is how Docker and systemd hand
  out secrets without putting them in the process environment.
* Setting both ``NAME`` and ``NAME_FILE`` is an error: silently preferring one
  would hide a deployment mistake.
* An empty (or all-blank) ``NAME`` counts as unset, because ``NAME=`` in an
  env file or ``-e NAME=`` in Docker usually means "not configured".
* ``environ`` can be passed explicitly (tests); it defaults to ``os.environ``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email

__all__ = [
    "ConfigError",
    "env_bool",
    "env_choice",
    "env_email",
    "env_int",
    "env_list",
    "env_path",
    "env_str",
    "env_url",
]

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class ConfigError(ImproperlyConfigured):
    """A setting read from the environment is missing or malformed.

    Subclasses ImproperlyConfigured so Django (and anyone catching that) treats
    it as the configuration problem it is.
    """


@dataclass(frozen=True)
class _Raw:
    """A value found in the environment, with enough context to blame it."""

    name: str
    value: str
    file: str | None = None  # the NAME_FILE path when the value came from a file

    def describe(self) -> str:
        """Return ``NAME='value'`` (plus the file it came from) for error messages."""
        where = f" (read from {self.name}_FILE={self.file})" if self.file else ""
        return f"{self.name}={self.value!r}{where}"


def _read(name: str, environ: Mapping[str, str] | None) -> _Raw | None:
    """Return the raw value of ``name`` (or ``name_FILE``), or None when unset.

    Raises ConfigError when both are set, or the file cannot be read or is empty.
    """
    env = os.environ if environ is None else environ
    file_name = f"{name}_FILE"
    value = env.get(name, "")
    path = env.get(file_name, "")
    # Blank values count as unset (see module docstring).
    value = "" if not value.strip() else value
    path = path.strip()
    if value and path:
        raise ConfigError(f"{name} and {file_name} are both set: set only one of them")
    if not path:
        return _Raw(name, value) if value else None
    try:
        content = Path(path).expanduser().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ConfigError(f"{file_name}={path}: cannot read the file: {reason}") from exc
    if not content:
        # An empty secret file is almost always an unmounted secret; falling back
        # to the default (possibly an insecure development value) would hide it.
        raise ConfigError(f"{file_name}={path}: the file is empty")
    return _Raw(name, content, file=path)


def env_str(
    name: str,
    default: str | None = None,
    *,
    required: bool = False,
    environ: Mapping[str, str] | None = None,
) -> str | None:
    """Return the string value of ``name``, or ``default`` when unset.

    With ``required=True`` an unset variable is a ConfigError instead.
    The value is returned as given (values from ``NAME_FILE`` are stripped).
    """
    raw = _read(name, environ)
    if raw is not None:
        return raw.value
    if required:
        raise ConfigError(f"{name} is required: set {name}, or {name}_FILE to a file holding it")
    return default


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    """Return ``name`` as a boolean (1/0, true/false, yes/no, on/off), or ``default``."""
    raw = _read(name, environ)
    if raw is None:
        return default
    word = raw.value.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ConfigError(
        f"{raw.describe()} is not a boolean: use one of 1/0, true/false, yes/no, on/off"
    )


def _describe_range(minimum: int | None, maximum: int | None) -> str:
    """Return the allowed range in words, for error messages."""
    if minimum is not None and maximum is not None:
        return f"from {minimum} to {maximum}"
    if minimum is not None:
        return f"{minimum} or more"
    if maximum is not None:
        return f"{maximum} or less"
    return "any whole number"


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Return ``name`` as an integer within [minimum, maximum], or ``default``.

    The default is returned as is (not range-checked): it is code, not input.
    """
    raw = _read(name, environ)
    if raw is None:
        return default
    allowed = _describe_range(minimum, maximum)
    try:
        number = int(raw.value.strip())
    except ValueError:
        raise ConfigError(f"{raw.describe()} is not a whole number (allowed: {allowed})") from None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise ConfigError(f"{raw.describe()} is out of range (allowed: {allowed})")
    return number


def env_float(
    name: str,
    default: float,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    environ: Mapping[str, str] | None = None,
) -> float:
    """Return ``name`` as a finite number within [minimum, maximum], or ``default``."""
    raw = _read(name, environ)
    if raw is None:
        return default
    allowed = _describe_range(minimum, maximum)
    try:
        number = float(raw.value.strip())
    except ValueError:
        raise ConfigError(f"{raw.describe()} is not a number (allowed: {allowed})") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ConfigError(f"{raw.describe()} is not a finite number (allowed: {allowed})")
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise ConfigError(f"{raw.describe()} is out of range (allowed: {allowed})")
    return number


def env_list(
    name: str, default: list[str], *, environ: Mapping[str, str] | None = None
) -> list[str]:
    """Return ``name`` split on commas, items stripped and empty items dropped.

    Returns a copy of ``default`` when unset, so callers may mutate the result.
    """
    raw = _read(name, environ)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.value.split(",") if item.strip()]


def env_path(name: str, default: Path, *, environ: Mapping[str, str] | None = None) -> Path:
    """Return ``name`` (or ``default``) as an absolute path with ``~`` expanded.

    Resolving here means relative paths are fixed against the start-up
    directory once, not reinterpreted by whatever later changes directory.
    """
    raw = _read(name, environ)
    path = Path(raw.value.strip()) if raw is not None else Path(default)
    return path.expanduser().resolve()


def env_choice(
    name: str,
    default: str,
    choices: Sequence[str],
    *,
    environ: Mapping[str, str] | None = None,
) -> str:
    """Return ``name`` if it is one of ``choices``, else ``default`` when unset.

    Matching ignores case and surrounding spaces, but the result is always the
    spelling in ``choices`` so settings can compare it with ``==``.
    """
    if default not in choices:
        # A programming error in settings.py, not a user's configuration error.
        raise ValueError(f"default {default!r} for {name} is not one of {list(choices)}")
    raw = _read(name, environ)
    if raw is None:
        return default
    wanted = raw.value.strip()
    if wanted in choices:
        return wanted
    folded = [choice for choice in choices if choice.casefold() == wanted.casefold()]
    if len(folded) == 1:
        return folded[0]
    raise ConfigError(f"{raw.describe()} is not one of: {', '.join(choices)}")


def env_url(
    name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None
) -> str | None:
    """Return ``name`` as an http(s) address with a host and no trailing slash, or ``default``.

    ``https://vcio.example.com`` or ``https://example.com/vcio``; a query or a
    fragment is refused (links are built by appending paths to it).
    """
    from urllib.parse import urlsplit

    raw = _read(name, environ)
    if raw is None:
        return default
    url = raw.value.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"{raw.describe()} is not an http(s) address: give e.g. https://vcio.example.com"
        )
    if parts.query or parts.fragment:
        raise ConfigError(f"{raw.describe()}: give the address without a query or fragment")
    return url.rstrip("/")


def env_email(
    name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None
) -> str | None:
    """Return ``name`` as a validated email address, or ``default`` when unset."""
    raw = _read(name, environ)
    if raw is None:
        return default
    address = raw.value.strip()
    try:
        validate_email(address)
    except ValidationError:
        raise ConfigError(f"{raw.describe()} is not a valid email address") from None
    return address
