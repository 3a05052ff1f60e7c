"""Which addresses the server may connect to on a user's behalf (monitors, webhooks, …).

Anything that makes the server open a connection to an address a user
typed is a request-forgery tool unless the address is checked: a monitor
aimed at 169.254.169.254 reads the host's cloud credentials, one aimed at
``127.0.0.1:22`` or ``localhost:8200/api/me/`` scans the vcio host itself
and reports status, latency and keyword matches. The rule, for every app:

* refused: addresses in ``VCIO_MONITOR_DENIED_NETWORKS`` (link-local and the
  clouds' metadata endpoints by default), and unless ``VCIO_MONITOR_ALLOW_LOCAL``
  is set, this server itself: loopback, the unspecified address (which
  reaches the host too) and every address of the server's own interfaces;
* allowed: everything else inside ``VCIO_MONITOR_ALLOWED_NETWORKS`` (all by
  default): private ranges stay allowed, as a client's internal systems are
  what a CIO monitors;
* exempt: the ``address:port`` pairs (or bare addresses) in
  ``VCIO_MONITOR_ALLOWED_TARGETS``, such as the demo target ``127.0.0.1:8790``.

An IPv6 address that carries an IPv4 address (``::ffff:a.b.c.d``,
``::a.b.c.d``, NAT64 ``64:ff9b::a.b.c.d``, 6to4, Teredo) is judged as the
IPv4 address too, so ``[::a9fe:a9fe]`` cannot slip past a deny list that
names ``169.254.0.0/16``.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
from functools import lru_cache

from django.conf import settings

from vcio.conf import ConfigError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# The well-known NAT64 prefix (RFC 6052) and the local-use one (RFC 8215).
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
# Deprecated IPv4-compatible addresses (::a.b.c.d); :: and ::1 are IPv6's own.
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
# Addresses that reach this host whatever its interfaces are.
_THIS_HOST = tuple(
    ipaddress.ip_network(n) for n in ("127.0.0.0/8", "0.0.0.0/8", "::1/128", "::/128")
)


class AddressRefused(ValueError):
    """An address the outbound policy forbids; the message names it and why."""


def embedded_ipv4(ip: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo)."""
    if ip.version == 4:
        return []
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped:
        found.append(ip.ipv4_mapped)
    if ip in _IPV4_COMPATIBLE and int(ip) > 1:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if any(ip in prefix for prefix in _NAT64):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour:
        found.append(ip.sixtofour)
    if ip.teredo:
        found.extend(ip.teredo)
    return found


def candidates(address: IPAddress | str) -> list[IPAddress]:
    """``address`` and every IPv4 address it carries, each judged by the policy."""
    ip = ipaddress.ip_address(str(address).strip("[]"))
    return [ip, *embedded_ipv4(ip)]


def is_this_host(ip: IPAddress) -> bool:
    """Whether connecting to ``ip`` reaches this server: loopback, unspecified or its own.

    "Its own" is asked of the kernel rather than listed: binding a socket to
    an address succeeds only when the address belongs to one of this host's
    interfaces, whatever they are now (DHCP, containers, added IPv6).
    """
    if any(ip.version == n.version and ip in n for n in _THIS_HOST):
        return True
    family = socket.AF_INET if ip.version == 4 else socket.AF_INET6
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((str(ip), 0))
    except OSError as exc:
        # Any other error (EACCES...) still means the address is ours.
        return exc.errno not in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT, errno.EINVAL)
    return True


@lru_cache(maxsize=8)
def _networks(specs: tuple[str, ...], variable: str) -> tuple[IPNetwork, ...]:
    try:
        return tuple(ipaddress.ip_network(s.strip(), strict=False) for s in specs if s.strip())
    except ValueError as exc:
        raise ConfigError(f"{variable}: {exc}") from None


@lru_cache(maxsize=8)
def _exempt(specs: tuple[str, ...]) -> frozenset[tuple[IPAddress, int | None]]:
    """``VCIO_MONITOR_ALLOWED_TARGETS`` as (address, port or None for any port)."""
    pairs: set[tuple[IPAddress, int | None]] = set()
    for spec in (s.strip() for s in specs if s.strip()):
        host, port = spec, None
        if spec.startswith("["):
            host, _, rest = spec[1:].partition("]")
            port = rest.removeprefix(":") or None
        elif spec.count(":") == 1:
            host, port = spec.split(":")
        try:
            ip = ipaddress.ip_address(host)
            number = int(port) if port is not None else None
        except ValueError:
            raise ConfigError(
                f"VCIO_MONITOR_ALLOWED_TARGETS: {spec!r} is not an address or address:port "
                "(e.g. 127.0.0.1:8790 or [::1]:8790)"
            ) from None
        pairs.add((ip, number))
    return frozenset(pairs)


def is_exempt(ip: IPAddress, port: int | None) -> bool:
    """Whether ``ip`` (on ``port``) is listed in ``VCIO_MONITOR_ALLOWED_TARGETS``."""
    exempt = _exempt(tuple(getattr(settings, "VCIO_MONITOR_ALLOWED_TARGETS", ())))
    return (ip, None) in exempt or (port is not None and (ip, port) in exempt)


def refusal_reason(address: IPAddress | str, host: str = "", port: int | None = None) -> str | None:
    """Why the server may not connect to ``address`` (on ``port``), or None when it may."""
    ips = candidates(address)
    ip = ips[0]
    named = f"{host} resolves to {ip}" if host and host != str(ip) else f"address {ip}"
    if is_exempt(ip, port):
        return None
    denied = _networks(tuple(settings.VCIO_MONITOR_DENIED_NETWORKS), "VCIO_MONITOR_DENIED_NETWORKS")
    for candidate in ips:
        for network in denied:
            if candidate.version == network.version and candidate in network:
                return f"{named}, in the denied network {network}: monitors may not target it"
    if not getattr(settings, "VCIO_MONITOR_ALLOW_LOCAL", False):
        for candidate in ips:
            if is_this_host(candidate):
                return (
                    f"{named}, which is this vcio server itself: monitors may not target it "
                    "(an administrator can allow one address:port in VCIO_MONITOR_ALLOWED_TARGETS)"
                )
    allowed = _networks(
        tuple(settings.VCIO_MONITOR_ALLOWED_NETWORKS), "VCIO_MONITOR_ALLOWED_NETWORKS"
    )
    if not any(c.version == n.version and c in n for c in ips for n in allowed):
        return f"{named}, outside the networks monitors may target"
    return None


def check_address(address: IPAddress | str, host: str = "", port: int | None = None) -> None:
    """Raise :class:`AddressRefused` when the server may not connect to ``address``."""
    reason = refusal_reason(address, host, port)
    if reason:
        raise AddressRefused(reason)


def check_url(url: str) -> tuple[str, str, int]:
    """Check that the server may fetch the http(s) ``url``; returns (scheme, host, port).

    Every address the host resolves to must be allowed (a name with one good
    and one forbidden address is refused: the resolver may hand out either).
    Raises :class:`AddressRefused` for a forbidden address and ValueError,
    saying why, for a malformed URL or a name that does not resolve.
    """
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"“{url}”: the URL must start with http:// or https://")
    try:
        host, port = parts.hostname, parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise ValueError(f"“{url}”: invalid port or address ({exc})") from None
    if not host:
        raise ValueError(f"“{url}”: the URL has no host name")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValueError(f"{host}: the name does not resolve ({exc})") from None
    for info in infos:
        check_address(info[4][0], host, port)
    return scheme, host, port
