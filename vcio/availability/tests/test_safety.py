"""Monitor targets: their syntax, and the networks monitors may not reach.

A monitor aimed at the cloud metadata address would read the server's
credentials, so forms refuse such targets and checks refuse to connect.
"""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from vcio.availability.checks import CheckSession, CheckSpec, run_check
from vcio.availability.safety import (
    TargetRefused,
    check_target_allowed,
    split_host_port,
    validate_target,
)


def test_well_formed_targets_come_back_normalised() -> None:
    assert validate_target("http", " HTTPS://localhost:8443/health?x=1 ") == (
        "https://localhost:8443/health?x=1"
    )
    assert validate_target("tcp", "LocalHost:22") == "localhost:22"
    assert validate_target("tcp", "[::1]:5432") == "[::1]:5432"
    assert validate_target("tls", "localhost") == "localhost:443"
    assert validate_target("dns", "LocalHost.") == "localhost"


@pytest.mark.parametrize(
    ("kind", "target", "words"),
    [
        ("http", "", "is not a URL"),
        ("http", "localhost/health", "must start with http:// or https://"),
        ("http", "ftp://localhost/", "must start with http:// or https://"),
        ("http", "http:///path", "has no host name"),
        ("http", "http://local host/", "contains spaces"),
        ("http", "http://localhost:99999/", "invalid port"),
        ("http", "http://exa_mple..com/", "not a valid host name"),
        ("tcp", "localhost", "a port is required"),
        ("tcp", "localhost:ssh", "port must be a number from 1 to 65535"),
        ("tcp", "localhost:0", "port must be a number from 1 to 65535"),
        ("tcp", "::1:22", "IPv6 addresses in brackets"),
        ("tcp", "[::1:22", "[2001:db8::1]:443"),
        ("tls", "-bad-.example:443", "not a valid host name"),
        ("dns", "localhost:53", "without a port"),
        ("ping", "localhost", "unknown monitor kind"),
    ],
)
def test_malformed_targets_are_refused_with_the_reason(kind: str, target: str, words: str) -> None:
    with pytest.raises(ValueError, match=words.replace("[", r"\[").replace("?", r"\?")):
        validate_target(kind, target)


def test_a_name_that_does_not_resolve_is_refused_by_the_form() -> None:
    with pytest.raises(ValueError, match="no-such-host.invalid: DNS: name not found"):
        validate_target("http", "http://no-such-host.invalid/")


@pytest.mark.parametrize(
    ("kind", "target", "network"),
    [
        ("http", "http://169.254.169.254/latest/meta-data/", "169.254.0.0/16"),
        ("tcp", "169.254.169.254:80", "169.254.0.0/16"),
        ("tcp", "[fd00:ec2::254]:80", "fd00:ec2::254/128"),
        ("tls", "[fe80::1]:443", "fe80::/10"),
        # The IPv4-mapped form reaches the same IPv4 host.
        ("tcp", "[::ffff:169.254.169.254]:80", "169.254.0.0/16"),
    ],
)
def test_metadata_and_link_local_addresses_are_refused(
    kind: str, target: str, network: str
) -> None:
    with pytest.raises(TargetRefused, match=f"in the denied network {network}"):
        validate_target(kind, target)


def test_the_refusal_names_the_host_and_the_address(settings) -> None:
    settings.VCIO_MONITOR_DENIED_NETWORKS = ["127.0.0.0/8"]
    with pytest.raises(TargetRefused) as refused:
        check_target_allowed("localhost")
    assert str(refused.value) == (
        "localhost resolves to 127.0.0.1, in the denied network 127.0.0.0/8: "
        "monitors may not target it"
    )


def test_only_the_allowed_networks_may_be_targeted(settings) -> None:
    settings.VCIO_MONITOR_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    with pytest.raises(TargetRefused, match="outside the networks monitors may target"):
        validate_target("tcp", "127.0.0.1:22")
    assert validate_target("tcp", "10.1.2.3:22") == "10.1.2.3:22"


def test_split_host_port_keeps_ipv6_apart_from_the_port() -> None:
    assert split_host_port("[2001:db8::1]:8443") == ("2001:db8::1", 8443)
    assert split_host_port("[2001:db8::1]", default_port=443) == ("2001:db8::1", 443)


# --- The checks refuse too: a refused target is a failed check --------------


def run(spec: CheckSpec) -> tuple[bool, str]:
    async def scenario() -> tuple[bool, str]:
        async with CheckSession(concurrency=5) as session:
            outcome = await run_check(spec, session)
        return outcome.ok, outcome.cause

    return asyncio.run(scenario())


def test_checks_refuse_the_metadata_address_without_connecting() -> None:
    for kind, target in [
        ("http", "http://169.254.169.254/latest/meta-data/"),
        ("tcp", "169.254.169.254:80"),
        ("tls", "169.254.169.254:443"),
    ]:
        ok, cause = run(CheckSpec(monitor_id=1, kind=kind, target=target, timeout_s=2))
        assert not ok
        assert cause == (
            "address 169.254.169.254, in the denied network 169.254.0.0/16: "
            "monitors may not target it"
        )


def test_a_redirect_to_the_metadata_address_is_refused() -> None:
    async def to_metadata(request: web.Request) -> web.Response:
        raise web.HTTPFound("http://169.254.169.254/latest/meta-data/")

    async def scenario() -> tuple[bool, str]:
        app = web.Application()
        app.router.add_get("/", to_metadata)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        try:
            async with CheckSession(concurrency=5) as session:
                spec = CheckSpec(monitor_id=1, kind="http", target=f"http://127.0.0.1:{port}/")
                outcome = await run_check(spec, session)
        finally:
            await runner.cleanup()
        return outcome.ok, outcome.cause

    ok, cause = asyncio.run(scenario())
    assert not ok and "169.254.169.254, in the denied network 169.254.0.0/16" in cause


def test_names_are_checked_at_connection_time(settings) -> None:
    # The name is resolved by the HTTP client itself, so the policy applies there.
    settings.VCIO_MONITOR_DENIED_NETWORKS = ["127.0.0.0/8"]
    for kind, target in [("http", "http://localhost:1/"), ("tcp", "localhost:1")]:
        ok, cause = run(CheckSpec(monitor_id=1, kind=kind, target=target, timeout_s=2))
        assert not ok
        assert cause.startswith("localhost resolves to 127.0.0.1, in the denied network")
