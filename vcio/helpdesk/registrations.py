"""Everything the help-desk app contributes through core's registries."""

from __future__ import annotations

from vcio.core.registry import register_parts

# Each module named here has a ``register()``; helpers add theirs as they land.
PARTS: tuple[str, ...] = (
    "importing",
    "topics.jobs",
    "figures",
    "health",
    "recommendations",
    "review",
    "dashboard",
    "demo",
    "tabs",
    "evidence",
    "coverage",
)


def register() -> None:
    """Called once from AppConfig.ready(); each module registers its own pieces."""
    register_parts("vcio.helpdesk", PARTS)
