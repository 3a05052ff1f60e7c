"""``{% goal_changes client as changes %}``: the goal changes since the applied plan.

Used by the roadmap page to offer the re-optimised plan
(:mod:`vcio.strategy.replan`) without the roadmap view knowing of it; two
queries, and none of the optimiser's work (that runs on the re-plan page).
"""

from __future__ import annotations

from django import template

from vcio.strategy.replan import changes_since_plan

register = template.Library()


@register.simple_tag
def goal_changes(client) -> list:
    """The goals added, dropped or re-weighted since the applied scenario ([] when none)."""
    return changes_since_plan(client)[1]
