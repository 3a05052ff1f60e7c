"""Everything the reviews app contributes through core's registries."""

from __future__ import annotations

from vcio.core.registry import register_parts


def register() -> None:
    """Called once from AppConfig.ready(); each module registers its own pieces."""
    register_parts(
        "vcio.reviews", ("reminders", "demo", "tabs", "figures", "dashboard", "workload")
    )
