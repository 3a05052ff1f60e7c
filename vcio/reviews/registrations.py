"""Everything the reviews app contributes through core's registries."""

from __future__ import annotations


def register() -> None:
    """Called once from AppConfig.ready(); each module registers its own pieces."""
    from importlib import import_module

    for name in ("reminders", "demo", "tabs", "figures", "dashboard"):
        try:
            module = import_module(f"vcio.reviews.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"vcio.reviews.{name}":
                raise
            continue  # that part is not written yet
        module.register()
