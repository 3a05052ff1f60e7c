"""Everything the assets app contributes through core's registries."""

from __future__ import annotations


def register() -> None:
    """Called once from AppConfig.ready(); each module registers its own pieces."""
    from importlib import import_module

    for name in (
        "figures",
        "demo",
        "importing",
        "tabs",
        "recommendations",
        "costs",
        "review",
        "dashboard",
    ):
        try:
            module = import_module(f"vcio.assets.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"vcio.assets.{name}":
                raise
            continue  # that part is not written yet
        module.register()
