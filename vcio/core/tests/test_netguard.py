"""The outbound policy: monitors may not target the vcio server itself or metadata.

Loopback and the server's own addresses are refused by default (a monitor
on ``127.0.0.1:22`` or ``localhost:8200/api/me/`` made vcio a port and
content scanner of its own host); private ranges stay allowed; one
``address:port`` can be allowed explicitly, as the demo does for its
target. IPv4 carried inside IPv6 is judged as the IPv4 address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from pathlib import Path

import pytest

from vcio.availability.checks import CheckSession, CheckSpec, run_check
from vcio.availability.safety import TargetRefused, validate_target
from vcio.core.netguard import embedded_ipv4

THIS_SERVER = "which is this vcio server itself: monitors may not target it"


@pytest.fixture
def default_policy(settings):
    """The shipped policy (the test suite otherwise lets monitors reach its local servers)."""
    settings.VCIO_MONITOR_ALLOW_LOCAL = False
    settings.VCIO_MONITOR_ALLOWED_TARGETS = []
    return settings


def own_addresses() -> list[str]:
    """This host's global addresses, read from the kernel's tables (not from the guard)."""
    found = []
    trie = Path("/proc/net/fib_trie").read_text()
    for address in re.findall(r"\|-- (\d+\.\d+\.\d+\.\d+)\n\s+/32 host LOCAL", trie):
        if not address.startswith("127."):
            found.append(address)
    for line in Path("/proc/net/if_inet6").read_text().splitlines():
        hex_address, _index, _prefix, scope, *_ = line.split()
        if scope == "00":  # global scope (not loopback, not link-local)
            found.append(str(ipaddress.IPv6Address(int(hex_address, 16))))
    return sorted(set(found))


@pytest.mark.parametrize(
    ("kind", "target", "address"),
    [
        ("tcp", "127.0.0.1:22", "address 127.0.0.1"),
        ("http", "http://localhost:8200/api/me/", "localhost resolves to 127.0.0.1"),
        ("http", "http://127.8.9.10/", "address 127.8.9.10"),
        ("tcp", "[::1]:22", "address ::1"),
        ("tcp", "0.0.0.0:22", "address 0.0.0.0"),
        ("tcp", "[::]:22", "address ::"),
        ("tcp", "[::ffff:127.0.0.1]:22", "address ::ffff:7f00:1"),
        ("tcp", "[64:ff9b::7f00:1]:22", "address 64:ff9b::7f00:1"),
    ],
)
def test_this_server_is_refused_by_default(default_policy, kind, target, address) -> None:
    with pytest.raises(TargetRefused) as refused:
        validate_target(kind, target)
    assert str(refused.value).startswith(f"{address}, {THIS_SERVER}")


def test_the_servers_own_interface_addresses_are_refused(default_policy) -> None:
    addresses = own_addresses()
    assert addresses, "this host has no global address to try"
    for address in addresses:
        target = f"[{address}]:8000" if ":" in address else f"{address}:8000"
        with pytest.raises(TargetRefused, match=THIS_SERVER):
            validate_target("tcp", target)


@pytest.mark.parametrize(
    "target",
    ["10.1.2.3:22", "172.16.5.4:3389", "192.168.1.10:443", "[fd12:3456::10]:443", "8.8.8.8:53"],
)
def test_private_ranges_and_other_hosts_stay_allowed(default_policy, target) -> None:
    assert validate_target("tcp", target) == target


@pytest.mark.parametrize(
    "target",
    [
        "[::a9fe:a9fe]:80",  # IPv4-compatible
        "[64:ff9b::a9fe:a9fe]:80",  # NAT64, well-known prefix
        "[64:ff9b:1::a9fe:a9fe]:80",  # NAT64, local-use prefix
        "[::ffff:a9fe:a9fe]:80",  # IPv4-mapped
        "[2002:a9fe:a9fe::1]:80",  # 6to4
    ],
)
def test_ipv4_inside_ipv6_meets_the_ipv4_deny_list(default_policy, target) -> None:
    with pytest.raises(TargetRefused, match=r"in the denied network 169\.254\.0\.0/16"):
        validate_target("tcp", target)


def test_embedded_ipv4_is_found_in_every_form() -> None:
    metadata = ipaddress.IPv4Address("169.254.169.254")
    for text in ("::a9fe:a9fe", "64:ff9b::a9fe:a9fe", "::ffff:a9fe:a9fe", "2002:a9fe:a9fe::"):
        assert metadata in embedded_ipv4(ipaddress.IPv6Address(text)), text
    assert embedded_ipv4(ipaddress.IPv6Address("::1")) == []
    assert embedded_ipv4(ipaddress.IPv6Address("2001:db8::1")) == []


def test_one_address_and_port_can_be_allowed_explicitly(default_policy) -> None:
    default_policy.VCIO_MONITOR_ALLOWED_TARGETS = ["127.0.0.1:8790"]
    assert validate_target("http", "http://127.0.0.1:8790/erp/") == "http://127.0.0.1:8790/erp/"
    with pytest.raises(TargetRefused, match=THIS_SERVER):
        validate_target("tcp", "127.0.0.1:22")
    with pytest.raises(TargetRefused, match=THIS_SERVER):
        validate_target("http", "http://127.0.0.1:8200/api/me/")


def test_the_api_refuses_a_monitor_on_the_server_with_the_reason(
    default_policy, api, bob, acme
) -> None:
    from vcio.availability.models import BusinessService, Monitor

    service = BusinessService.objects.create(client=acme, name="ERP")
    r = api(bob).post(
        "/api/monitors/",
        {"service": service.pk, "name": "me", "target": "http://localhost:8200/api/me/"},
        format="json",
    )
    assert r.status_code == 400
    assert THIS_SERVER in str(r.json()["target"])
    assert not Monitor.objects.exists()


def test_a_check_of_this_server_fails_without_connecting(default_policy) -> None:
    connections = []

    async def scenario() -> list:
        server = await asyncio.start_server(
            lambda r, w: connections.append(w.close()), "127.0.0.1", 0
        )
        port = server.sockets[0].getsockname()[1]
        async with server, CheckSession(concurrency=2) as session:
            results = []
            for kind, target in [
                ("tcp", f"127.0.0.1:{port}"),
                ("http", f"http://127.0.0.1:{port}/"),
                ("http", f"http://localhost:{port}/"),
            ]:
                spec = CheckSpec(monitor_id=1, kind=kind, target=target, timeout_s=2)
                results.append(await run_check(spec, session))
        return results

    results = asyncio.run(scenario())
    assert [r.ok for r in results] == [False, False, False]
    assert all(THIS_SERVER in r.cause for r in results), [r.cause for r in results]
    assert connections == []
