"""The standards section of a review: alignment, what changed since the previous assessment, risks.

It stores plain JSON as of the end of the review's period: the latest
signed-off assessment (as of that day), its scores by section, the items
newly aligned or regressed against the previous signed-off assessment of
the same framework, and the risk register's accepted risks (accepted in the
period, or due for review by its end). Read by client executives: it holds
item texts and statuses, never the practice's internal notes.
"""

from __future__ import annotations

from typing import Any

from vcio.assessments.latest import latest_two
from vcio.assessments.models import Answer, Risk, Section, Treatment
from vcio.assessments.scores import compare, scorecards
from vcio.core.numbers import format_number, round_float
from vcio.core.registry import Change, ReportSection, ReviewPeriod, report_sections

SECTION = "standards"
LISTED = 15  # items listed per kind of change
SCORE_MOVE_POINTS = 1.0  # a change of alignment smaller than this is not news


def _items(assessment_id: int) -> dict[str, tuple[str, str]]:
    rows = Answer.objects.filter(assessment_id=assessment_id).values_list(
        "item__ref", "status", "item__text"
    )
    return {ref: (status, text) for ref, status, text in rows}


def collect(period: ReviewPeriod) -> dict[str, Any]:
    """The section's data as of the end of the period; {} when the client has no signed-off one."""
    pair = latest_two([period.client_id], period.end).get(period.client_id)
    risks = _risks(period)
    if pair is None and not risks["accepted"] and not risks["due"]:
        return {}
    data: dict[str, Any] = {"risks": risks}
    if pair is None:
        return data
    latest, previous = pair
    cards = scorecards([a.pk for a in pair if a is not None])
    card = cards[latest.pk]
    titles = dict(
        Section.objects.filter(version_id=latest.version_id, parent=None).values_list(
            "ref", "title"
        )
    )
    data.update(
        {
            "framework": latest.version.framework.key,
            "framework_name": str(latest.version),
            "as_of": latest.as_of.isoformat(),
            "summary": latest.summary,
            "overall": card.overall.as_dict(),
            "sections": [
                {"ref": ref, "title": titles.get(ref, ""), **s.as_dict()}
                for ref, s in card.sections.items()
            ],
        }
    )
    if previous is not None:
        changes_ = compare(_items(previous.pk), _items(latest.pk))
        data["previous"] = {
            "as_of": previous.as_of.isoformat(),
            "overall": cards[previous.pk].overall.as_dict(),
        }
        for kind in ("improved", "regressed", "new"):
            data[kind] = [
                {"ref": c.ref, "text": c.text, "before": c.before, "after": c.after}
                for c in changes_
                if c.change == kind
            ][:LISTED]
    return data


def _risks(period: ReviewPeriod) -> dict[str, list[dict[str, Any]]]:
    accepted = Risk.objects.filter(
        client_id=period.client_id, treatment=Treatment.ACCEPT, closed=False
    ).order_by("review_date", "id")
    rows = []
    for risk in accepted:
        rows.append(
            {
                "title": risk.title,
                "score": risk.score,
                "reason": risk.accept_reason,
                "accepted_on": risk.accepted_on.isoformat() if risk.accepted_on else "",
                "review_date": risk.review_date.isoformat() if risk.review_date else "",
            }
        )
    start, end = period.start.isoformat(), period.end.isoformat()
    return {
        "accepted": [r for r in rows if r["accepted_on"] and start <= r["accepted_on"] <= end],
        "due": [r for r in rows if r["review_date"] and r["review_date"] <= end],
    }


def _change(kind: str, text: str, direction: str) -> Change:
    return Change(section=SECTION, kind=kind, text=text, direction=direction)  # type: ignore[arg-type]


def changes(
    previous: dict[str, Any] | None, current: dict[str, Any], period: ReviewPeriod
) -> list[Change]:
    """Alignment moved, items newly aligned or regressed, risks accepted or due for review."""
    found: list[Change] = []
    now = (current.get("overall") or {}).get("percent")
    before = ((previous or {}).get("overall") or {}).get("percent")
    same_framework = (previous or {}).get("framework") == current.get("framework")
    if now is not None and before is not None and same_framework:
        move = round_float(now - before, 1)
        if abs(move) >= SCORE_MOVE_POINTS:
            found.append(_change(
                "standards.score",
                f"Alignment with {current['framework_name']} "
                f"{'rose' if move > 0 else 'fell'} from {format_number(before, 1)} % "
                f"to {format_number(now, 1)} %.",
                "better" if move > 0 else "worse",
            ))  # fmt: skip
    if previous is None or previous.get("as_of") != current.get("as_of"):
        for item in current.get("improved", []):
            found.append(_change("standards.improved", f"Now aligned: {item['ref']} "
                                 f"{item['text'][:120]} (was {_word(item['before'])}).",
                                 "better"))  # fmt: skip
        for item in current.get("regressed", []):
            found.append(_change("standards.regressed", f"Slipped: {item['ref']} "
                                 f"{item['text'][:120]} (now {_word(item['after'])}).",
                                 "worse"))  # fmt: skip
    for risk in current.get("risks", {}).get("accepted", []):
        found.append(_change("standards.risk_accepted", f"Risk accepted: {risk['title']} "
                             f"(score {risk['score']}, review by {risk['review_date']}).",
                             "neutral"))  # fmt: skip
    for risk in current.get("risks", {}).get("due", []):
        found.append(_change("standards.risk_due", f"Accepted risk due for review: "
                             f"{risk['title']} (review date {risk['review_date']}).",
                             "worse"))  # fmt: skip
    return found


WORDS = {"aligned": "aligned", "partly": "partly aligned", "not_aligned": "not aligned",
         "unknown": "unknown", "na": "not applicable"}  # fmt: skip


def _word(status: str | None) -> str:
    return WORDS.get(status or "", "not assessed")


def register() -> None:
    report_sections.register(
        ReportSection(
            key=SECTION,
            title="Standards and risks",
            collect=collect,
            template="assessments/report_section.html",
            changes=changes,
            order=55,
            app="assessments",
        )
    )
