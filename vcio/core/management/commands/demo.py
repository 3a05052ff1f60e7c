"""``vcio demo``: load every app's demo data (idempotent) and print the logins."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from vcio.core.demo import DEMO_PASSWORD, LOGINS
from vcio.core.models import Client
from vcio.core.registry import demo_loaders


class Command(BaseCommand):
    help = "Load the demo practice: clients, people and every app's demo data."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (but print the logins) when the database already has clients.",
        )
        parser.add_argument("--quiet", action="store_true", help="Print only the logins.")

    def handle(self, *args, if_empty: bool = False, quiet: bool = False, **options) -> None:
        if if_empty and Client.objects.exists():
            self.stdout.write("The database already has clients: demo data not loaded.")
        else:
            ctx: dict = {}
            log = (lambda msg: None) if quiet else (lambda msg: self.stdout.write(f"  {msg}"))
            for loader in sorted(demo_loaders, key=lambda d: (d.order, d.name)):
                if not quiet:
                    self.stdout.write(f"Loading demo data: {loader.name}")
                loader.load(ctx, log)
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, what in LOGINS:
            self.stdout.write(f"  {username:<6} {what}")
