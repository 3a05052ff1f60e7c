"""Which addresses a monitor may target, and the syntax of monitor targets.

A monitor makes the server open connections on a client's behalf, so an
unchecked target is a request forgery tool: a monitor aimed at
169.254.169.254 would read the host's cloud credentials. Every address a
check connects to must lie inside ``VCIO_MONITOR_ALLOWED_NETWORKS`` and
outside ``VCIO_MONITOR_DENIED_NETWORKS``.

Two entry points: :func:`validate_target` for forms and the API (syntax,
then resolution and the network policy), and :func:`allowed_addresses` for
the checks, which resolves asynchronously and returns the addresses that
were checked, so the check connects to exactly those (no DNS rebinding
between the check and the connection).
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from functools import lru_cache
from urllib.parse import urlsplit

from vcio.core import netguard
from vcio.core.netguard import AddressRefused, IPAddress

# RFC 1123 labels; underscores are tolerated because real internal names use them.
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$", re.IGNORECASE)
DEFAULT_TLS_PORT = 443


# The network policy itself lives in core, for every app that connects on a user's behalf.
TargetRefused = AddressRefused


def refusal_reason(address: IPAddress | str, host: str = "", port: int | None = None) -> str | None:
    """Why monitors may not connect to ``address`` (on ``port``), or None when they may."""
    return netguard.refusal_reason(address, host, port)


def check_address_allowed(
    address: IPAddress | str, host: str = "", port: int | None = None
) -> None:
    """Raise :class:`TargetRefused` when monitors may not connect to ``address``."""
    netguard.check_address(address, host, port)


def parse_ip(host: str) -> IPAddress | None:
    """``host`` as an IP address (brackets allowed), or None when it is a name."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def check_target_allowed(host: str, port: int | None = None) -> None:
    """Resolve ``host`` (blocking) and raise unless every address is allowed (on ``port``).

    Raises :class:`TargetRefused` naming the address and the network, or a
    plain ValueError when the name does not resolve.
    """
    ip = parse_ip(host)
    if ip is not None:
        check_address_allowed(ip, port=port)
        return
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ValueError(f"{host}: {describe_gaierror(exc)}") from exc
    for info in infos:
        check_address_allowed(info[4][0], host, port)


async def allowed_addresses(host: str, port: int) -> list[tuple[IPAddress, int]]:
    """Resolve ``host`` on the event loop; return its (address, port) pairs, all allowed.

    Raises TargetRefused when any address is forbidden (a name with one good
    and one forbidden address is refused: the resolver may hand out either),
    and socket.gaierror when the name does not resolve.
    """
    ip = parse_ip(host)
    if ip is not None:
        check_address_allowed(ip, port=port)
        return [(ip, port)]
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[tuple[IPAddress, int]] = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        check_address_allowed(address, host, port)
        if (address, port) not in found:
            found.append((address, port))
    return found


def describe_gaierror(exc: socket.gaierror) -> str:
    """A resolution failure in words: 'DNS: name not found', 'DNS: temporary failure'..."""
    if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", None)):
        return "DNS: name not found"
    if exc.errno == socket.EAI_AGAIN:
        return "DNS: temporary failure (no answer from the resolver)"
    return f"DNS: {exc.strerror or exc}"


# --- Syntax ---------------------------------------------------------------


def validate_hostname(host: str) -> str:
    """Return ``host`` lower-cased without a trailing dot; ValueError when malformed."""
    name = host.strip().lower().rstrip(".")
    if parse_ip(name) is not None:
        return name
    if not name or len(name) > 253 or not all(_LABEL.match(label) for label in name.split(".")):
        raise ValueError(f"“{host}” is not a valid host name")
    return name


def split_host_port(target: str, default_port: int | None = None) -> tuple[str, int]:
    """Split "host:port" or "[v6]:port" into (host, port); ValueError when malformed.

    ``default_port`` applies when the target has none; without it a port is required.
    """
    text = target.strip()
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (parse_ip(host) is None) or (rest and not rest.startswith(":")):
            raise ValueError(f"“{target}”: write IPv6 addresses as [2001:db8::1]:443")
        port_text = rest[1:]
    elif text.count(":") > 1:
        raise ValueError(f"“{target}”: write IPv6 addresses in brackets, e.g. [2001:db8::1]:443")
    else:
        host, _, port_text = text.partition(":")
    if not port_text:
        if default_port is None:
            raise ValueError(f"“{target}”: a port is required, e.g. {host or 'host'}:22")
        return validate_hostname(host), default_port
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ValueError(f"“{target}”: the port must be a number from 1 to 65535")
    return validate_hostname(host), int(port_text)


def join_host_port(host: str, port: int) -> str:
    """ "host:port", with IPv6 addresses in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@lru_cache(maxsize=8192)
def split_url(url: str) -> tuple[str, str, int]:
    """Return (scheme, host, port) of an http(s) URL; ValueError when it is not one.

    Cached: every check of a monitor splits the same URL, and parsing it
    cost more CPU than the rest of an HTTP check against a fast server.
    """
    text = url.strip()
    if not text or any(ch.isspace() for ch in text):
        raise ValueError(f"“{url}” is not a URL (it is empty or contains spaces)")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"“{url}”: the URL must start with http:// or https://")
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise ValueError(f"“{url}”: invalid port or address ({exc})") from None
    if not host:
        raise ValueError(f"“{url}”: the URL has no host name")
    validate_hostname(host)
    return scheme, host, port or (443 if scheme == "https" else 80)


def validate_target(kind: str, target: str) -> str:
    """Return ``target`` normalised for a monitor of ``kind``; ValueError when unusable.

    Checks the syntax, then (for kinds that connect) that the host resolves
    to allowed addresses; a forbidden network raises TargetRefused.
    """
    if kind == "http":
        text = target.strip()
        scheme, host, port = split_url(text)
        check_target_allowed(host, port)
        return scheme + text[len(scheme) :]
    if kind in ("tcp", "tls"):
        host, port = split_host_port(target, DEFAULT_TLS_PORT if kind == "tls" else None)
        check_target_allowed(host, port)
        return join_host_port(host, port)
    if kind == "dns":
        if ":" in target.strip() and parse_ip(target.strip()) is None:
            raise ValueError(f"“{target}”: a DNS monitor takes a host name, without a port")
        return validate_hostname(target)
    raise ValueError(f"unknown monitor kind “{kind}”")
