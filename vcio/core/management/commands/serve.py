"""``vcio serve``: the web app on a production-grade WSGI server (waitress)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the web UI and API with waitress (static files through WhiteNoise)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host: str, port: int, threads: int, **options) -> None:
        from django.conf import settings

        from vcio.core.serving import create_server
        from vcio.wsgi import application

        if not 0 < port < 65536:
            raise CommandError(f"--port {port} is not a TCP port (1–65535)")
        server = create_server(application, host, port, threads)
        self.stdout.write(f"vcio serving on http://{host}:{port}/")
        if settings.VCIO_TRUSTED_PROXY:
            self.stdout.write(
                f"trusting {', '.join(sorted(settings.VCIO_TRUSTED_PROXY_HEADERS))} "
                f"from the proxy at {settings.VCIO_TRUSTED_PROXY}"
            )
        server.run()
