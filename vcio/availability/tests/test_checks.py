"""The checks against real servers on 127.0.0.1: what each failure reads like.

Every scenario runs in its own event loop (``asyncio.run``): the servers it
needs start inside it, on free ports, and stop with it.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest
import trustme
from aiohttp import web

from vcio.availability.checks import (
    MAX_BODY_BYTES,
    CheckOutcome,
    CheckSession,
    CheckSpec,
    parse_status_spec,
    run_check,
    spec_of,
)
from vcio.availability.models import Monitor


async def check(session_options: dict | None = None, **spec: object) -> CheckOutcome:
    async with CheckSession(concurrency=10, **(session_options or {})) as session:
        return await run_check(CheckSpec(monitor_id=1, **spec), session)


# --- A small web site with every misbehaviour ------------------------------


async def home(request: web.Request) -> web.Response:
    return web.Response(text="<h1>Welcome</h1> to Acme's intranet", content_type="text/html")


async def status(request: web.Request) -> web.Response:
    return web.Response(status=int(request.match_info["code"]), text="status page")


async def slow(request: web.Request) -> web.Response:
    await asyncio.sleep(int(request.match_info["ms"]) / 1000)
    return web.Response(text="Welcome, eventually")


async def loop_redirect(request: web.Request) -> web.Response:
    other = "b" if request.match_info["name"] == "a" else "a"
    raise web.HTTPFound(f"/loop/{other}")


async def endless_redirect(request: web.Request) -> web.Response:
    raise web.HTTPFound(f"/chain/{int(request.match_info['n']) + 1}")


async def moved(request: web.Request) -> web.Response:
    raise web.HTTPMovedPermanently("/")


async def huge(request: web.Request) -> web.StreamResponse:
    """5 MiB of filler, then the keyword: beyond what a check reads."""
    response = web.StreamResponse()
    await response.prepare(request)
    filler = b"x" * 65536
    for _ in range(80):
        await response.write(filler)
    await response.write(b"Welcome")
    return response


def make_site() -> web.Application:
    app = web.Application()
    app.router.add_get("/", home)
    app.router.add_get("/status/{code}", status)
    app.router.add_get("/slow/{ms}", slow)
    app.router.add_get("/loop/{name}", loop_redirect)
    app.router.add_get("/chain/{n}", endless_redirect)
    app.router.add_get("/huge", huge)
    app.router.add_get("/old", moved)
    return app


@asynccontextmanager
async def site(tls: ssl.SSLContext | None = None) -> AsyncIterator[str]:
    """Serve :func:`make_site` on a free port; yield its base URL."""
    # A short shutdown: handlers still sleeping for the timeout test are cut off.
    runner = web.AppRunner(make_site(), access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    server = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls)
    await server.start()
    port = server._server.sockets[0].getsockname()[1]
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def http(path: str, **spec: object) -> CheckOutcome:
    async def scenario() -> CheckOutcome:
        async with site() as base:
            return await check(kind="http", target=base + path, **spec)

    return asyncio.run(scenario())


def free_port() -> int:
    """A port nothing listens on (bound then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- HTTP -------------------------------------------------------------------


def test_a_page_answering_200_is_up_with_its_status_and_latency() -> None:
    outcome = http("/")
    assert outcome.ok and not outcome.degraded and outcome.cause == ""
    assert outcome.status_code == 200
    assert 0 < outcome.latency_ms < 5000


def test_an_unexpected_status_fails_naming_both() -> None:
    outcome = http("/status/503", expected_status="200-399")
    assert not outcome.ok
    assert outcome.status_code == 503
    assert outcome.cause == "HTTP 503, expected 200-399"
    assert outcome.latency_ms is not None


def test_expected_status_lists_and_ranges() -> None:
    assert http("/status/418", expected_status="200-299,418").ok
    assert http("/status/301", expected_status="301", follow_redirects=False).ok


def test_parse_status_spec_accepts_codes_and_ranges_and_names_bad_items() -> None:
    assert parse_status_spec("200") == ((200, 200),)
    assert parse_status_spec(" 200-299, 301 ") == ((200, 299), (301, 301))
    for bad, words in [
        ("", "no expected status codes"),
        ("ok", "“ok”"),
        ("200-", "“200-”"),
        ("299-200", "backwards"),
        ("200,,301", "“”"),
        ("700", "100 to 599"),
    ]:
        with pytest.raises(ValueError, match=words):
            parse_status_spec(bad)


def test_a_bad_status_spec_is_a_failed_check_not_a_crash() -> None:
    outcome = http("/", expected_status="two hundred")
    assert not outcome.ok and "two hundred" in outcome.cause


def test_keyword_present_and_absent() -> None:
    assert http("/", keyword="Welcome").ok
    missing = http("/", keyword="Dashboard")
    assert not missing.ok and missing.cause == "keyword “Dashboard” not found"
    assert missing.status_code == 200
    assert http("/", keyword="maintenance", keyword_absent=True).ok
    found = http("/", keyword="Welcome", keyword_absent=True)
    assert not found.ok and found.cause == "keyword “Welcome” found"


def test_a_keyword_beyond_the_first_mebibyte_of_a_huge_body_is_not_found() -> None:
    assert MAX_BODY_BYTES == 1024 * 1024
    outcome = http("/huge", keyword="Welcome")
    assert not outcome.ok and outcome.cause == "keyword “Welcome” not found"
    # Without a keyword the huge page is simply up.
    assert http("/huge").ok


def test_a_slow_response_is_up_but_degraded() -> None:
    outcome = http("/slow/300", slow_ms=100)
    assert outcome.ok and outcome.degraded
    assert outcome.cause.startswith("slow: ") and outcome.cause.endswith(" ms > 100 ms")
    assert outcome.latency_ms >= 300


def test_slow_thresholds_are_written_with_thousands_separators() -> None:
    outcome = http("/slow/1100", slow_ms=1000)
    assert outcome.degraded and outcome.cause.endswith(" ms > 1,000 ms")
    assert outcome.cause.startswith("slow: 1,")


def test_a_server_slower_than_the_timeout_fails() -> None:
    outcome = http("/slow/3000", timeout_s=1.0)
    assert not outcome.ok and outcome.cause == "timed out after 1 s"
    assert outcome.latency_ms is None


def test_many_checks_share_one_session_with_fewer_connections() -> None:
    async def scenario() -> list[CheckOutcome]:
        async with site() as base, CheckSession(concurrency=5) as session:
            spec = CheckSpec(monitor_id=1, kind="http", target=base + "/", keyword="Welcome")
            return await asyncio.gather(*(run_check(spec, session) for _ in range(60)))

    outcomes = asyncio.run(scenario())
    assert all(outcome.ok for outcome in outcomes)


def test_a_closed_port_is_connection_refused() -> None:
    outcome = asyncio.run(check(kind="http", target=f"http://127.0.0.1:{free_port()}/"))
    assert not outcome.ok and outcome.cause == "connection refused"


def test_redirects_are_followed_or_not() -> None:
    followed = http("/old")
    assert followed.ok and followed.status_code == 200
    not_followed = http("/old", follow_redirects=False, expected_status="200")
    assert not not_followed.ok and not_followed.cause == "HTTP 301, expected 200"


def test_a_redirect_loop_fails_readably() -> None:
    outcome = http("/loop/a")
    assert not outcome.ok
    assert outcome.cause.startswith("redirect loop: ") and "/loop/a" in outcome.cause


def test_an_endless_chain_of_redirects_stops_after_ten() -> None:
    outcome = http("/chain/1")
    assert not outcome.ok and outcome.cause == "more than 10 redirects"


def test_a_non_http_server_is_a_readable_failure() -> None:
    async def scenario() -> CheckOutcome:
        async def ssh_like(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                writer.write(b"SSH-2.0-OpenSSH_9.2p1 Debian\r\n\x00\x00\x01\x14\xff\r\n\r\n")
                await writer.drain()
                await reader.read(1000)
            finally:
                writer.close()

        server = await asyncio.start_server(ssh_like, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            return await check(kind="http", target=f"http://127.0.0.1:{port}/", timeout_s=3)

    outcome = asyncio.run(scenario())
    assert not outcome.ok
    assert outcome.cause.startswith("not an HTTP server (") and "SSH-2.0" in outcome.cause


def test_an_invalid_url_is_a_failed_check() -> None:
    outcome = asyncio.run(check(kind="http", target="ftp://files.example.com/"))
    assert not outcome.ok and "http://" in outcome.cause


def test_spec_of_copies_a_monitor_into_plain_values() -> None:
    monitor = Monitor(
        pk=7, kind="http", target="https://erp.acme.test/", timeout_s=Decimal("2.5"), slow_ms=800
    )
    spec = spec_of(monitor)
    assert spec.monitor_id == 7 and spec.target == "https://erp.acme.test/"
    assert spec.timeout_s == 2.5 and isinstance(spec.timeout_s, float)
    assert spec.slow_ms == 800 and spec.expected_status == "200-399"


# --- TCP --------------------------------------------------------------------


def test_tcp_connect_to_a_listening_port_is_up() -> None:
    async def scenario() -> CheckOutcome:
        server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            return await check(kind="tcp", target=f"localhost:{port}")

    outcome = asyncio.run(scenario())
    assert outcome.ok and outcome.latency_ms is not None and outcome.status_code is None


def test_tcp_connect_to_a_closed_port_is_refused() -> None:
    outcome = asyncio.run(check(kind="tcp", target=f"127.0.0.1:{free_port()}"))
    assert not outcome.ok and outcome.cause == "connection refused"


def test_tcp_target_without_port_is_a_failed_check() -> None:
    outcome = asyncio.run(check(kind="tcp", target="127.0.0.1"))
    assert not outcome.ok and "port is required" in outcome.cause


# --- TLS --------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def trusting(ca: trustme.CA) -> dict:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return {"ssl_context": context}


def server_context(cert: trustme.LeafCert) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return context


def tls(ca: trustme.CA, server_tls: ssl.SSLContext, **spec: object) -> CheckOutcome:
    async def scenario() -> CheckOutcome:
        async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.read(100)
            writer.close()

        server = await asyncio.start_server(hold, "127.0.0.1", 0, ssl=server_tls)
        port = server.sockets[0].getsockname()[1]
        async with server:
            return await check(trusting(ca), kind="tls", target=f"localhost:{port}", **spec)

    return asyncio.run(scenario())


def leaf(ca: trustme.CA, days_left: float) -> ssl.SSLContext:
    now = datetime.now(UTC)
    cert = ca.issue_cert(
        "localhost",
        "127.0.0.1",
        not_before=now - timedelta(days=60),
        not_after=now + timedelta(days=days_left),
    )
    return server_context(cert)


def test_a_valid_certificate_far_from_expiry_is_up(ca: trustme.CA) -> None:
    outcome = tls(ca, leaf(ca, 200), tls_warn_days=14)
    assert outcome.ok and not outcome.degraded and outcome.cause == ""


def test_a_certificate_expiring_within_the_warning_days_is_degraded(ca: trustme.CA) -> None:
    outcome = tls(ca, leaf(ca, 9.5), tls_warn_days=14)
    expiry = (datetime.now(UTC) + timedelta(days=9.5)).date()
    assert outcome.ok and outcome.degraded
    assert outcome.cause == f"certificate expires in 9 days ({expiry:%Y-%m-%d})"


def test_an_expired_certificate_fails(ca: trustme.CA) -> None:
    outcome = tls(ca, leaf(ca, -1))
    assert not outcome.ok and outcome.cause == "TLS: certificate has expired"


def test_a_self_signed_certificate_fails(ca: trustme.CA) -> None:
    stranger = trustme.CA()  # its own certificate is self-signed and nobody trusts it
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*_ca_files(stranger))
    outcome = tls(ca, context)
    assert not outcome.ok and outcome.cause == "TLS: self-signed certificate"


def _ca_files(stranger: trustme.CA) -> tuple[str, str]:
    import tempfile

    folder = tempfile.mkdtemp()
    cert, key = f"{folder}/ca.pem", f"{folder}/ca.key"
    stranger.cert_pem.write_to_path(cert)
    stranger.private_key_pem.write_to_path(key)
    return cert, key


def test_a_certificate_for_another_name_fails(ca: trustme.CA) -> None:
    outcome = tls(ca, server_context(ca.issue_cert("intranet.acme.test")))
    assert not outcome.ok
    assert outcome.cause.startswith("TLS: Hostname mismatch, certificate is not valid for")


def test_https_checks_verify_the_certificate(ca: trustme.CA) -> None:
    async def scenario(server_tls: ssl.SSLContext) -> CheckOutcome:
        async with site(server_tls) as base:
            url = base.replace("127.0.0.1", "localhost")
            return await check(trusting(ca), kind="http", target=url + "/", keyword="Welcome")

    assert asyncio.run(scenario(leaf(ca, 200))).ok
    expired = asyncio.run(scenario(leaf(ca, -1)))
    assert not expired.ok and expired.cause == "TLS: certificate has expired"


# --- DNS --------------------------------------------------------------------


def test_localhost_resolves_to_its_expected_address() -> None:
    assert asyncio.run(check(kind="dns", target="localhost")).ok
    assert asyncio.run(check(kind="dns", target="localhost", dns_expected="127.0.0.1")).ok


def test_an_answer_other_than_the_expected_one_fails() -> None:
    outcome = asyncio.run(check(kind="dns", target="localhost", dns_expected="10.0.0.1"))
    assert not outcome.ok
    assert outcome.cause == "DNS: localhost A is 127.0.0.1, expected 10.0.0.1"


def test_a_name_that_does_not_exist_fails() -> None:
    outcome = asyncio.run(check(kind="dns", target="no-such-host.invalid"))
    assert not outcome.ok and outcome.cause == "DNS: name not found"
    http_outcome = asyncio.run(check(kind="http", target="http://no-such-host.invalid/"))
    assert not http_outcome.ok and http_outcome.cause == "DNS: name not found"


ZONE = {
    ("example.test.", "MX"): ["10 mail.example.test."],
    ("example.test.", "TXT"): ['"v=spf1 -all"'],
    ("www.example.test.", "CNAME"): ["example.test."],
}


class TinyNameServer(asyncio.DatagramProtocol):
    """Answers from :data:`ZONE`; NXDOMAIN for names it does not know."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: tuple) -> None:
        query = dns.message.from_wire(data)
        response = dns.message.make_response(query)
        question = query.question[0]
        name, kind = question.name.to_text(), dns.rdatatype.to_text(question.rdtype)
        if (name, kind) in ZONE:
            response.answer.append(dns.rrset.from_text(name, 60, "IN", kind, *ZONE[name, kind]))
        elif all(known != name for known, _ in ZONE):
            response.set_rcode(dns.rcode.NXDOMAIN)
        self.transport.sendto(response.to_wire(), addr)


def dns_check(**spec: object) -> CheckOutcome:
    async def scenario() -> CheckOutcome:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            TinyNameServer, local_addr=("127.0.0.1", 0)
        )
        port = transport.get_extra_info("sockname")[1]
        try:
            return await check({"dns_nameserver": ("127.0.0.1", port)}, kind="dns", **spec)
        finally:
            transport.close()

    return asyncio.run(scenario())


def test_other_record_types_through_a_name_server() -> None:
    assert dns_check(target="example.test", dns_record_type="MX").ok
    assert dns_check(
        target="example.test", dns_record_type="MX", dns_expected="mail.example.test"
    ).ok
    assert dns_check(target="example.test", dns_record_type="TXT", dns_expected="v=spf1 -all").ok
    assert dns_check(
        target="www.example.test", dns_record_type="CNAME", dns_expected="example.test."
    ).ok
    wrong = dns_check(target="www.example.test", dns_record_type="CNAME", dns_expected="cdn.test")
    assert wrong.cause == "DNS: www.example.test CNAME is example.test, expected cdn.test"
    missing = dns_check(target="www.example.test", dns_record_type="MX")
    assert missing.cause == "DNS: www.example.test has no MX record"
    unknown = dns_check(target="nothing.example.test", dns_record_type="TXT")
    assert unknown.cause == "DNS: name not found"


def test_an_unsupported_record_type_is_a_failed_check() -> None:
    outcome = asyncio.run(check(kind="dns", target="localhost", dns_record_type="SRV"))
    assert not outcome.ok and "“SRV” is not one of A, AAAA" in outcome.cause


def test_an_unknown_kind_is_a_failed_check() -> None:
    outcome = asyncio.run(check(kind="ping", target="localhost"))
    assert not outcome.ok and outcome.cause == "unknown kind of check “ping”"
