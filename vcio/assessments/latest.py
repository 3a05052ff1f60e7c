"""The signed-off assessments that speak for a client as of a day, for many clients at once.

Figures, health, recommendations, the review section and the dashboard all
read "the client's latest signed-off assessment whose as-of day is on or
before the day asked", per framework. Two queries whatever the number of
clients.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from vcio.assessments.models import Assessment, AssessmentStatus


def latest_signed_off(
    client_ids: Iterable[int], at: datetime.date | None = None, *, framework_key: str | None = None
) -> dict[int, Assessment]:
    """Per client, its most recent signed-off assessment (any framework, or the one named).

    ``at``: only assessments describing a day on or before it (None: all).
    Ties on the day go to the later signed-off one.
    """
    found: dict[int, Assessment] = {}
    for a in _signed_off(client_ids, at, framework_key):
        found.setdefault(a.client_id, a)
    return found


def latest_two(
    client_ids: Iterable[int], at: datetime.date | None = None
) -> dict[int, tuple[Assessment, Assessment | None]]:
    """Per client, its latest signed-off assessment and the one before it of the same framework."""
    found: dict[int, tuple[Assessment, Assessment | None]] = {}
    for a in _signed_off(client_ids, at, None):
        if a.client_id not in found:
            found[a.client_id] = (a, None)
        else:
            latest, previous = found[a.client_id]
            same = a.version.framework_id == latest.version.framework_id
            if previous is None and same:
                found[a.client_id] = (latest, a)
    return found


def _signed_off(
    client_ids: Iterable[int], at: datetime.date | None, framework_key: str | None
) -> list[Assessment]:
    qs = Assessment.objects.filter(
        client_id__in=list(client_ids), status=AssessmentStatus.SIGNED_OFF
    ).select_related("version__framework")
    if at is not None:
        qs = qs.filter(as_of__lte=at)
    if framework_key:
        qs = qs.filter(version__framework__key=framework_key)
    return list(qs.order_by("client_id", "-as_of", "-signed_off_at", "-id"))
