"""``vcio demo-target``: the local web server the demo monitors check (see ``make run``)."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from vcio.availability.demo_target import (
    FLAKY_DOWN_MINUTES,
    FLAKY_PERIOD_MIN,
    PORT_VARIABLE,
    demo_target_port,
    make_server,
    serve_until,
)


class Command(BaseCommand):
    help = (
        "Serve the demo clients' applications on 127.0.0.1 for the demo monitors "
        "(/erp/, /portal/, /mail/, ... and /flaky/, down now and then) until SIGTERM."
    )
    # It touches no database and no model: start at once, even before migrations.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--port",
            type=int,
            default=None,
            help=f"TCP port (default: {PORT_VARIABLE} or 8790; 0 picks a free one).",
        )

    def handle(self, *args, host: str, port: int | None, **options) -> None:
        try:
            port = demo_target_port() if port is None else port
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if not 0 <= port < 65536:
            raise CommandError(f"--port {port} is not a TCP port (0–65535)")
        try:
            server = make_server(host, port)
        except OSError as exc:
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        down = "–".join(str(m) for m in FLAKY_DOWN_MINUTES)
        self.stdout.write(
            f"demo target on http://{host}:{server.server_port}/ "
            f"(/flaky/ is down in minutes {down} of every {FLAKY_PERIOD_MIN})"
        )
        self.stdout.flush()
        serve_until(server, stop)
