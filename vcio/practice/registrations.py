"""Everything the practice app contributes through core's registries."""

from __future__ import annotations

from vcio.core.registry import register_parts

PARTS: tuple[str, ...] = (
    "demo",
    "tabs",
)


def register() -> None:
    """Called once from AppConfig.ready(); each module registers its own pieces."""
    register_parts("vcio.practice", PARTS)
