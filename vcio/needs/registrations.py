"""Everything the needs app contributes through core's registries."""

from __future__ import annotations

from vcio.core.registry import register_parts

# Each module named here has a ``register()``; a part not written yet is skipped.
PARTS: tuple[str, ...] = (
    "jobs",
    "figures",
    "health",
    "recommendations",
    "review",
    "coverage",
    "review_coverage",
    "dashboard",
    "demo",
    "tabs",
)


def register() -> None:
    """Called once from AppConfig.ready(); each module registers its own pieces."""
    register_parts("vcio.needs", PARTS)
