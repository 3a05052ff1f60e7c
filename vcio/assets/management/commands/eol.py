"""``vcio eol``: the end-of-support table (shipped rows and the practice's own).

vcio eol sync                          reload the shipped file (practice rows kept)
vcio eol list [--product P] [--practice]
vcio eol add PRODUCT VERSION DATE [--edition E] [--source URL]
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import URLValidator
from django.utils import timezone

from vcio.assets import eol
from vcio.assets.lifecycle import support_of
from vcio.assets.models import EolRule


class Command(BaseCommand):
    help = "Show and maintain the end-of-support table used for OS support status."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{sync,list,add}")
        sub.add_parser("sync", help="Reload vcio's shipped end-of-support file.")
        listing = sub.add_parser("list", help="List the rules and today's status of each.")
        listing.add_argument("--product", help="Only this product (e.g. 'Windows 10').")
        listing.add_argument("--practice", action="store_true", help="Only the practice's rows.")
        add = sub.add_parser("add", help="Add or change a practice rule (kept across syncs).")
        add.add_argument("product", help="e.g. 'Windows 10', 'macOS', 'FortiOS'")
        add.add_argument("version", help="e.g. 22H2, 14, 7.0 ('' for every version)")
        add.add_argument("date", help="last day of support, YYYY-MM-DD")
        add.add_argument("--edition", default="", help="e.g. Enterprise, 'Enterprise LTSC'")
        add.add_argument("--source", default="", help="URL of the vendor's lifecycle page")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"do_{action}")(**options)

    def do_sync(self, **options) -> None:
        try:
            result = eol.sync_shipped()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"End-of-support table synced: {result}."))

    def do_list(self, product: str | None = None, practice: bool = False, **options) -> None:
        rules = EolRule.objects.order_by("product", "edition", "version")
        if product:
            rules = rules.filter(product__iexact=product)
        if practice:
            rules = rules.filter(shipped=False)
        today = timezone.localdate()
        count = 0
        for rule in rules:
            status = support_of(rule, today).status
            origin = "shipped" if rule.shipped else "practice"
            self.stdout.write(
                f"{rule.product:<26} {rule.version or '(any)':<10} {rule.edition or '-':<20} "
                f"{rule.end_of_support}  {status:<11} {origin}"
            )
            count += 1
        self.stdout.write(f"{count} rule{'s' if count != 1 else ''}.")

    def do_add(self, product: str, version: str, date: str, **options) -> None:
        try:
            end = datetime.date.fromisoformat(date)
        except ValueError:
            raise CommandError(f"DATE: {date!r} is not a date (expected YYYY-MM-DD).") from None
        source = options.get("source") or ""
        if source:
            try:
                URLValidator()(source)
            except ValidationError:
                raise CommandError(f"--source: {source!r} is not a URL.") from None
        try:
            rule, created = eol.add_practice_rule(
                product, version, end, edition=options.get("edition") or "", source_url=source
            )
        except ValueError as exc:
            raise CommandError(f"PRODUCT: {exc}.") from exc
        verb = "Added" if created else "Changed"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} practice rule: {rule} ends {rule.end_of_support}.")
        )
