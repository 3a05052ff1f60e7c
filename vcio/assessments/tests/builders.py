"""Small frameworks and finished assessments for tests, built through the real functions."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from vcio.assessments import workflow
from vcio.assessments.frameworks import library
from vcio.assessments.models import Answer, Assessment, FrameworkVersion


def framework(key: str = "mini", version: str = "1", items: list[dict] | None = None,
              **extra: Any) -> FrameworkVersion:  # fmt: skip
    """A framework version with two sections (PR, DE) and the items given (default four)."""
    items = items or [
        {"ref": "M-1", "section": "PR", "text": "MFA on email", "weight": 3, "risk": "high",
         "remediation": "Turn on MFA for every mailbox", "one_time_cost": 800,
         "recurring_cost": 1200, "effort_days": 2},
        {"ref": "M-2", "section": "PR", "text": "Backups tested", "weight": 2,
         "remediation": "Quarterly restore test", "one_time_cost": 400, "effort_days": 1},
        {"ref": "M-3", "section": "DE", "text": "Logs reviewed", "weight": 1},
        {"ref": "M-4", "section": "DE", "text": "Endpoints protected", "weight": 4,
         "risk": "critical", "remediation": "EDR everywhere", "one_time_cost": 1000,
         "recurring_cost": 3000, "effort_days": 3},
    ]  # fmt: skip
    return library.load(
        {
            "framework": {"key": key, "name": f"{key.title()} framework", **extra},
            "version": version,
            "sections": [{"ref": "PR", "title": "Protect"}, {"ref": "DE", "title": "Detect"}],
            "items": items,
        }
    )


def finished(
    client,
    version: FrameworkVersion,
    statuses: dict[str, str],
    as_of: datetime.date,
    user=None,
) -> Assessment:
    """A signed-off assessment of ``client`` with the given status per item ref."""
    assessment = workflow.start(client, version, user, as_of=as_of)
    for answer in Answer.objects.filter(assessment=assessment).select_related("item"):
        if answer.item.ref in statuses:
            answer.status = statuses[answer.item.ref]
            answer.answered_at = timezone.now()
            answer.save()
    workflow.sign_off(assessment, user)
    return assessment
