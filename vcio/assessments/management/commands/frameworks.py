"""``vcio frameworks``: the practice's library of standards.

vcio frameworks import FILE        load a version (vcio JSON, an OSCAL catalog, CISA CPG headings)
vcio frameworks export KEY VERSION [--out FILE]
vcio frameworks list
vcio frameworks shipped            load vcio's own frameworks (the SMB baseline) if missing
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from vcio.assessments.frameworks import library
from vcio.assessments.frameworks.document import FrameworkFileError
from vcio.assessments.models import FrameworkVersion


class Command(BaseCommand):
    help = "Import, export and list the frameworks assessments are answered against."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{import,export,list,shipped}"
        )
        imp = sub.add_parser("import", help="Load a framework version from a file.")
        imp.add_argument("file", help="vcio framework JSON, an OSCAL catalog, or CISA CPG JSON")
        exp = sub.add_parser("export", help="Write a version as vcio framework JSON.")
        exp.add_argument("key", help="the framework's key, e.g. smb-baseline")
        exp.add_argument("version", help="e.g. 2026.1")
        exp.add_argument("--out", help="file to write (default: standard output)")
        sub.add_parser("list", help="List frameworks and versions.")
        sub.add_parser("shipped", help="Load vcio's own frameworks that are not loaded yet.")

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, f"do_{action}")(**options)

    def do_import(self, file: str, **options) -> None:
        try:
            doc, published = library.read_file(file)
            version = library.load(doc, frozen=published)
        except FileNotFoundError:
            raise CommandError(f"{file}: no such file") from None
        except FrameworkFileError as exc:
            raise CommandError(f"{file}: nothing loaded: {exc}") from None
        items = version.items.count()
        self.stdout.write(self.style.SUCCESS(
            f"Loaded {version.framework.name} {version.version}: "
            f"{version.sections.count()} sections, {items} items."
        ))  # fmt: skip
        if version.framework.licence:
            self.stdout.write(f"Licence: {version.framework.licence}")

    def do_export(self, key: str, version: str, out: str | None = None, **options) -> None:
        found = FrameworkVersion.objects.filter(framework__key=key, version=version).first()
        if found is None:
            raise CommandError(
                f"no framework {key!r} version {version!r} (see `vcio frameworks list`)"
            )
        text = json.dumps(library.export(found), indent=1, ensure_ascii=False)
        if out:
            with open(out, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            self.stdout.write(f"Wrote {out}.")
        else:
            sys.stdout.write(text + "\n")

    def do_list(self, **options) -> None:
        versions = (
            FrameworkVersion.objects.select_related("framework")
            .annotate(item_count=Count("items"))
            .order_by("framework__name", "version")
        )
        for v in versions:
            state = "frozen" if v.frozen else "editable"
            self.stdout.write(
                f"{v.framework.key:<20} {v.version:<22} {v.item_count:>4} items  {state:<8} "
                f"{v.framework.licence}"
            )

    def do_shipped(self, **options) -> None:
        loaded = library.load_shipped()
        self.stdout.write(f"Loaded {len(loaded)} shipped framework version(s).")
