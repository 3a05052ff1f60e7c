"""The ``vcio`` console script: every Django management command, one front door."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vcio.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "vcio"
    try:
        execute_from_command_line(argv)
    except ImproperlyConfigured as exc:
        # A bad setting is the operator's mistake: say which, no traceback.
        print(f"vcio: configuration error: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
