"""A small local web server that plays the demo clients' applications.

``make run`` starts it (``vcio demo-target``) so the demo monitors have
something real to check: most paths are always up, ``/portal/`` is slow now
and then, and ``/flaky/`` is down for two minutes out of every fifteen.
What each path answers is a pure function of the path and the time
(:func:`reply_for`), so tests predict it without waiting for the clock.

The standard library's threading HTTP server is enough: a dozen monitors
check it once or twice a minute.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_PORT = 8790
PORT_VARIABLE = "VCIO_DEMO_TARGET_PORT"

# /flaky/ is down in these minutes of every FLAKY_PERIOD_MIN-minute cycle (UTC epoch minutes).
FLAKY_PERIOD_MIN = 15
FLAKY_DOWN_MINUTES = (0, 1)
# /portal/ answers after PORTAL_SLOW_S in these minutes of every 10 (above a 1 s threshold).
PORTAL_SLOW_MINUTES = (7,)
PORTAL_SLOW_S = 1.5


@dataclass(frozen=True)
class App:
    """One application the target plays: its page title and the word monitors look for."""

    title: str
    keyword: str


APPS: dict[str, App] = {
    "/erp/": App("Epicor Kinetic", "Welcome"),
    "/portal/": App("Customer portal", "Sign in"),
    "/mail/": App("Outlook on the web", "Outlook"),
    "/mes/": App("Plant-floor MES", "Line status"),
    "/ehr/": App("Electronic health record", "Welcome"),
    "/docs/": App("NetDocuments", "Workspaces"),
    "/billing/": App("Time and billing", "Timesheets"),
    "/flaky/": App("A flaky service", "Ready"),
}


@dataclass(frozen=True)
class Reply:
    """What the target answers: HTTP status, HTML body, and seconds to wait before answering."""

    status: int
    body: str
    delay_s: float = 0.0


def demo_target_port(environ: dict[str, str] | None = None) -> int:
    """The port the demo target listens on and the demo monitors aim at (default 8790).

    Raises ValueError naming the variable when it is not a TCP port.
    """
    raw = (os.environ if environ is None else environ).get(PORT_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_PORT
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ValueError(f"{PORT_VARIABLE}={raw!r} is not a TCP port (1–65535)")
    return int(raw)


def epoch_minute(at: float) -> int:
    """Whole minutes since the Unix epoch of ``at`` (seconds since the epoch)."""
    return int(at // 60)


def flaky_is_down(at: float) -> bool:
    """Whether /flaky/ is down at ``at`` (seconds since the epoch): 2 minutes of every 15."""
    return epoch_minute(at) % FLAKY_PERIOD_MIN in FLAKY_DOWN_MINUTES


def portal_is_slow(at: float) -> bool:
    """Whether /portal/ answers slowly at ``at`` (seconds since the epoch): 1 minute of every 10."""
    return epoch_minute(at) % 10 in PORTAL_SLOW_MINUTES


def _page(title: str, text: str) -> str:
    return (
        f"<!doctype html><html><head><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>{text}</p></body></html>\n"
    )


def reply_for(path: str, at: float) -> Reply:
    """What the target answers for ``path`` at ``at`` (seconds since the epoch)."""
    if path == "/health":
        return Reply(200, "ok\n")
    if path == "/":
        links = "".join(f'<li><a href="{p}">{a.title}</a></li>' for p, a in APPS.items())
        return Reply(200, _page("vcio demo target", f"Demo applications:<ul>{links}</ul>"))
    app = APPS.get(path)
    if app is None:
        return Reply(404, _page("Not found", f"No demo application at {path}."))
    if path == "/flaky/" and flaky_is_down(at):
        return Reply(503, _page("Service unavailable", "Back in a minute or two."))
    delay = PORTAL_SLOW_S if path == "/portal/" and portal_is_slow(at) else 0.0
    return Reply(200, _page(app.title, f"{app.keyword} to {app.title}."), delay)


class _Handler(BaseHTTPRequestHandler):
    server_version = "vcio-demo-target"

    def _answer(self, with_body: bool) -> None:
        reply = reply_for(self.path.split("?", 1)[0], time.time())
        if reply.delay_s:
            time.sleep(reply.delay_s)
        body = reply.body.encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (the name http.server dispatches to)
        self._answer(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(with_body=False)

    def log_message(self, format: str, *args: object) -> None:
        # A dozen monitors hit it every minute: a line each would drown `make run`'s output.
        pass


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 overflows when the worker's first round checks
    # every demo monitor at once, and the kernel's SYN retry adds a second to
    # each latency beyond it.
    request_queue_size = 128
    # Requests still sleeping in a slow /portal/ must not hold up shutdown.
    daemon_threads = True


def make_server(host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> ThreadingHTTPServer:
    """A bound (not yet serving) demo target; port 0 picks a free port (see ``server_port``)."""
    return _Server((host, port), _Handler)


def serve_until(server: ThreadingHTTPServer, stop: threading.Event) -> None:
    """Serve in a background thread until ``stop`` is set, then close the socket."""
    thread = threading.Thread(target=server.serve_forever, name="demo-target", daemon=True)
    thread.start()
    try:
        # Short waits, so a signal handler setting ``stop`` is seen promptly everywhere.
        while not stop.wait(0.5):
            pass
    finally:
        server.shutdown()  # returns once serve_forever's loop has ended
        server.server_close()
        thread.join()
