"""``vcio topics``: learned and discovered ticket topics.

vcio topics train    [--client SLUG] [--trust-categories] [--file CSV --text-col C --label-col C]
                     [--threshold 0.5]
vcio topics evaluate [same sources as train]       accuracy, macro-F1, per-class report
vcio topics assign   [--client SLUG] [--all]        assign the active model's topics
vcio topics discover [--client SLUG] [--k N]        discover topics from the text
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vcio.core.models import Client
from vcio.helpdesk.models import Ticket
from vcio.helpdesk.topics import assign, labelled, store
from vcio.helpdesk.topics.learned import format_report, train_and_evaluate
from vcio.helpdesk.topics.runs import discover_for_client


def _threshold(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise CommandError(f"--threshold: {raw!r} is not a number from 0 to 1.") from None
    if not 0 <= value <= 1:
        raise CommandError(f"--threshold: {raw!r} is not a number from 0 to 1.")
    return value


class Command(BaseCommand):
    help = "Train, evaluate and apply ticket topic models; discover topics from ticket text."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{train,evaluate,assign,discover}"
        )
        for name, text in (
            ("train", "Fit a model on trusted tickets (or a labelled CSV) and store it."),
            ("evaluate", "Fit on development rows, report on held-out rows (index % 5 == 0)."),
        ):  # fmt: skip
            p = sub.add_parser(name, help=text)
            p.add_argument("--client", help="The client's own model (default: practice-wide).")
            p.add_argument(
                "--trust-categories", action="store_true",
                help="Use the source's categories as labels, not only topics set by a person.",
            )  # fmt: skip
            p.add_argument("--file", help="A labelled CSV export instead of the database.")
            p.add_argument("--text-col", default=labelled.DEFAULT_TEXT_COL)
            p.add_argument("--label-col", default=labelled.DEFAULT_LABEL_COL)
            p.add_argument(
                "--threshold",
                default=str(store.DEFAULT_THRESHOLD),
                help="Assignments less confident than this wait for a person.",
            )
        a = sub.add_parser("assign", help="Assign topics to tickets with the active model.")
        a.add_argument("--client", help="Only this client (default: every client).")
        a.add_argument(
            "--all", action="store_true", help="Re-assign every ticket not set by a person."
        )
        d = sub.add_parser("discover", help="Discover topics from the tickets' text.")
        d.add_argument("--client", help="Only this client (default: every client).")
        d.add_argument(
            "--k", type=int, help="Number of topics (default: 16, fewer for few tickets)."
        )

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, f"do_{action}")(**options)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc

    def _client(self, slug: str | None) -> Client | None:
        if not slug:
            return None
        client = Client.objects.filter(slug=slug).first()
        if client is None:
            raise CommandError(f"--client: no client with the slug {slug!r}.")
        return client

    def _clients(self, slug: str | None) -> list[Client]:
        return [self._client(slug)] if slug else list(Client.objects.order_by("slug"))

    def _data(self, options: dict, client: Client | None) -> tuple[list[str], list[str]]:
        if options.get("file"):
            return labelled.read_labelled_csv(
                options["file"], options["text_col"], options["label_col"]
            )
        tickets = Ticket.objects.all() if client is None else Ticket.objects.filter(client=client)
        return assign.training_rows(tickets, trust_categories=options["trust_categories"])

    def do_train(self, **options) -> None:
        client = self._client(options.get("client"))
        threshold = _threshold(options["threshold"])
        texts, labels = self._data(options, client)
        if len(texts) < 10:
            raise CommandError(
                f"Only {len(texts)} tickets carry a trusted topic; training needs at least 10 "
                "(set topics by hand, or pass --trust-categories)."
            )
        result = train_and_evaluate(texts, labels)
        row = store.save_model(result, client=client, threshold=threshold)
        self.stdout.write(
            self.style.SUCCESS(
                f"Stored {row}: {len(row.labels)} topics, {row.n_train} training tickets, "
                f"{row.train_seconds:.1f} s; "
                f"held-out macro-F1 {row.metrics.get('macro_f1', 0):.3f}."
            )
        )

    def do_evaluate(self, **options) -> None:
        client = self._client(options.get("client"))
        texts, labels = self._data(options, client)
        if len(texts) < 10:
            raise CommandError(f"Only {len(texts)} labelled tickets; evaluating needs at least 10.")
        result = train_and_evaluate(texts, labels)
        self.stdout.write(f"trained on {result.n_train} tickets in {result.train_seconds:.1f} s")
        self.stdout.write(format_report(result.metrics))

    def do_assign(self, **options) -> None:
        for client in self._clients(options.get("client")):
            counts = assign.assign_topics(client, only_new=not options["all"])
            self.stdout.write(
                f"{client.slug}: {counts['assigned']} tickets assigned, "
                f"{counts['flagged']} waiting for a person."
            )

    def do_discover(self, **options) -> None:
        k = options.get("k")
        if k is not None and not 2 <= k <= 200:
            raise CommandError(f"--k: {k} is not a number of topics from 2 to 200.")
        for client in self._clients(options.get("client")):
            counts = discover_for_client(client, k)
            self.stdout.write(
                f"{client.slug}: {counts['tickets']} tickets in {counts['topics']} topics "
                f"({counts['new_topics']} new)."
            )
