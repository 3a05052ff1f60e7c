"""The "Coverage of departments" section of a review (QBR and monthly).

It stores the client's coverage matrix as of the end of the review's period
(:func:`vcio.needs.coverage_matrix.as_data`: columns, a row per department
with its values, whether it is left out and why, the totals) and says what
changed since the previous review: a department no longer left out (good
news) or newly left out (bad news). Departments are matched by id, so a
renamed department is still the same one; one that did not exist before
and is left out now counts as newly left out.
"""

from __future__ import annotations

from typing import Any

from vcio.core.models import Client
from vcio.core.registry import Change, ReportSection, ReviewPeriod, report_sections
from vcio.needs.coverage_matrix import as_data, coverage_matrix

SECTION = "coverage"


def collect(period: ReviewPeriod) -> dict[str, Any]:
    """The matrix as of the period's end; {} when the client has no department and no data."""
    client = Client.objects.get(pk=period.client_id)
    data = as_data(coverage_matrix(client, period.end))
    return data if data["rows"] else {}


def _left_out(data: dict[str, Any] | None) -> dict[int, str]:
    return {
        r["department_id"]: r["name"]
        for r in (data or {}).get("rows", [])
        if r.get("left_out") and r.get("department_id") is not None
    }


def changes(
    previous: dict[str, Any] | None, current: dict[str, Any], period: ReviewPeriod
) -> list[Change]:
    """Departments newly left out (worse) or no longer left out (better) since the last review."""
    if previous is None:
        return []
    before, now = _left_out(previous), _left_out(current)
    names = {r["department_id"]: r["name"] for r in current.get("rows", [])}
    found = [
        Change(
            section=SECTION,
            kind="coverage.served",
            text=f"{names.get(pk, name)} is no longer left out: a goal or an initiative now "
            "serves it.",
            direction="better",
        )
        for pk, name in sorted(before.items(), key=lambda item: item[1])
        if pk not in now
    ]
    whys = {r["department_id"]: r["why"] for r in current.get("rows", [])}
    found += [
        Change(
            section=SECTION,
            kind="coverage.left_out",
            text=f"{name} is now left out. {whys.get(pk, '')}".strip(),
            direction="worse",
        )
        for pk, name in sorted(now.items(), key=lambda item: item[1])
        if pk not in before
    ]
    return found


def register() -> None:
    report_sections.register(
        ReportSection(
            key=SECTION,
            title="Coverage of departments",
            collect=collect,
            template="needs/report_coverage.html",
            changes=changes,
            order=58,
            app="needs",
        )
    )
