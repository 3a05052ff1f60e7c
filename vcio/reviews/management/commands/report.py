"""``vcio report``: write the latest finalised review's report to a file.

vcio report qbr --client acme --out acme-qbr.pdf
vcio report monthly --client acme --out acme-june.html --html

The report written is the one stored when the review was finalised, so it
reads exactly as the client's leaders read it that day.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vcio.core.models import Client
from vcio.reviews import reports
from vcio.reviews.models import Review, ReviewKind, ReviewStatus


def latest_final(client: Client, kind: str) -> Review | None:
    """The client's most recent finalised review of ``kind`` (by period), if any."""
    return (
        Review.objects.filter(client=client, kind=kind, status=ReviewStatus.FINALISED)
        .select_related("client")
        .order_by("-period_end", "-finalised_at", "-id")
        .first()
    )


class Command(BaseCommand):
    help = "Write the latest finalised QBR or monthly review of a client as PDF (or HTML)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=ReviewKind.values, help="qbr or monthly")
        parser.add_argument("--client", required=True, help="the client's slug, e.g. acme")
        parser.add_argument("--out", required=True, help="the file to write")
        parser.add_argument(
            "--html", action="store_true", help="write the HTML document instead of a PDF"
        )

    def handle(self, *args, kind: str, client: str, out: str, html: bool, **options) -> None:
        found = Client.objects.filter(slug=client).first()
        if found is None:
            raise CommandError(f"No client with slug '{client}'.")
        review = latest_final(found, kind)
        if review is None:
            label = ReviewKind(kind).label.lower()
            raise CommandError(f"{found.slug} has no finalised {label} yet.")
        document = reports.render_report(review)
        path = Path(out)
        try:
            if html:
                path.write_text(document, encoding="utf-8")
            else:
                path.write_bytes(reports.pdf_bytes(document))
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}.") from exc
        self.stdout.write(
            self.style.SUCCESS(f"{review.get_kind_display()} {review.period_label} of {found} ")
            + f"written to {path}."
        )
