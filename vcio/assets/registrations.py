"""Everything the assets app contributes through core's registries."""

from __future__ import annotations

from vcio.core.registry import register_parts


def register() -> None:
    """Called once from AppConfig.ready(); each module registers its own pieces."""
    register_parts(
        "vcio.assets",
        (
            "figures",
            "demo",
            "importing",
            "tabs",
            "recommendations",
            "costs",
            "review",
            "dashboard",
            "evidence",
            "coverage",
        ),
    )
