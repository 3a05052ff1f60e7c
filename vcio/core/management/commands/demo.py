"""``vcio demo``: load every app's demo data (idempotent) and print the logins."""

from __future__ import annotations

from django.contrib.auth import get_user_model
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
        parser.add_argument("--quiet", action="store_true", help="Print nothing but errors.")
        parser.add_argument("--logins", action="store_true", help="Only print the demo logins.")

    def handle(self, *args, if_empty: bool = False, quiet: bool = False, **options) -> None:
        if options["logins"]:
            self.print_logins()
            return
        say = (lambda msg: None) if quiet else self.stdout.write
        if if_empty and Client.objects.exists():
            say("The database already has clients: demo data not loaded.")
        else:
            ctx: dict = {}
            for loader in sorted(demo_loaders, key=lambda d: (d.order, d.name)):
                say(f"Loading demo data: {loader.name}")
                loader.load(ctx, lambda msg: say(f"  {msg}"))
            say(self.style.SUCCESS("Demo data loaded."))
        if not quiet:
            self.print_logins()

    def print_logins(self) -> None:
        if not get_user_model().objects.filter(username=LOGINS[0][0]).exists():
            self.stdout.write("No demo logins here: this database has its own users.")
            return
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, what in LOGINS:
            self.stdout.write(f"  {username:<6} {what}")
