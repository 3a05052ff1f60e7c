"""A review's life: created for a period, held, finalised once and never changed again.

Views, the API, the demo and the CLI call these functions; each raises
``ValidationError`` with a message naming the review, the period or the
decision at fault, and changes nothing when it refuses.
"""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from vcio.core import audit
from vcio.core.models import Client
from vcio.core.registry import ReviewPeriod
from vcio.reviews import cadence, changes, decisions, snapshot
from vcio.reviews.models import (
    ActionItem,
    ActionItemStatus,
    Decision,
    Review,
    ReviewKind,
    ReviewStatus,
)


def client_today(client: Client) -> datetime.date:
    """Today in the client's time zone: a review's month is the client's month."""
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(client.time_zone))


def check_period(
    client: Client,
    kind: str,
    start: datetime.date,
    end: datetime.date,
    exclude_pk: int | None = None,
) -> None:
    """Refuse a period that is upside down or overlaps another review of the same kind."""
    if kind not in ReviewKind.values:
        raise ValidationError({"kind": f"{kind!r} is not a kind of review."})
    if end < start:
        raise ValidationError({"period_end": "The period ends before it starts."})
    clash = (
        Review.objects.filter(client=client, kind=kind)
        .filter(Q(period_start__lte=end) & Q(period_end__gte=start))
        .exclude(pk=exclude_pk)
        .order_by("period_start")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "period_start": f"This period overlaps the {clash.get_kind_display().lower()} "
                f"of {clash.period_start:%d %b %Y} – {clash.period_end:%d %b %Y}."
            }
        )


def create_review(
    client: Client,
    kind: str,
    start: datetime.date,
    end: datetime.date,
    user: Any,
    meeting_date: datetime.date | None = None,
    summary: str = "",
) -> Review:
    """A new draft review of ``client`` over ``start``–``end`` (audited)."""
    check_period(client, kind, start, end)
    try:
        with transaction.atomic():
            review = Review.objects.create(
                client=client,
                kind=kind,
                period_start=start,
                period_end=end,
                meeting_date=meeting_date,
                summary=summary,
                created_by=user,
            )
            audit.record_create(user, review)
    except IntegrityError:  # the same period created meanwhile by someone else
        check_period(client, kind, start, end)
        raise
    return review


def create_due_review(client: Client, due: cadence.DueReview, user: Any) -> Review:
    """The review a cadence asked for (period and meeting day from the schedule)."""
    return create_review(
        client, due.kind, due.period_start, due.period_end, user, meeting_date=due.due_on
    )


def guard_editable(review: Review) -> None:
    """Refuse any change to a finalised review."""
    if review.is_final:
        who = review.finalised_by.get_username() if review.finalised_by else "someone"
        when = timezone.localtime(review.finalised_at).strftime("%d %b %Y %H:%M")
        raise ValidationError(
            f"The {review.get_kind_display().lower()} of {review.period_label} was finalised on "
            f"{when} by {who}; it can no longer be changed."
        )


def review_day(review: Review, today: datetime.date | None = None) -> datetime.date:
    """The day a review's figures are as of: its meeting day, once that day has come.

    ``today`` (the demo replaying the past, a test) wins. A review finalised a
    few days after its meeting shows the situation discussed at the meeting;
    a meeting still ahead cannot be reported on yet, so today is used.
    """
    if today is not None:
        return today
    now = client_today(review.client)
    if review.meeting_date and review.meeting_date < now:
        return review.meeting_date
    return now


def period_of(review: Review, today: datetime.date | None = None) -> ReviewPeriod:
    """What the review covers as of its day, and when the review after it is due."""
    client = review.client
    today = review_day(review, today)
    after = (review.meeting_date or today) + datetime.timedelta(days=1)
    following = cadence.next_due(
        cadence.cadences_for([client])[client.pk], client.fiscal_year_start_month, after
    )
    return ReviewPeriod(
        client_id=client.pk,
        kind=review.kind,
        start=review.period_start,
        end=review.period_end,
        today=today,
        next_review=following.due_on if following else None,
    )


def previous_final(review: Review) -> Review | None:
    """The finalised review before this one (of any kind): what "changed since" compares to."""
    return (
        Review.objects.filter(
            client_id=review.client_id,
            status=ReviewStatus.FINALISED,
            period_end__lte=review.period_end,
        )
        .exclude(pk=review.pk)
        .order_by("-period_end", "-finalised_at", "-id")
        .first()
    )


def agenda_items(review: Review) -> list[ActionItem]:
    """Action items on this review's agenda: raised in it, or still open from earlier ones."""
    qs = ActionItem.objects.filter(client_id=review.client_id).select_related("review")
    if review.is_final:
        ids = [row["id"] for row in (review.snapshot or {}).get("action_items", [])]
        return list(qs.filter(pk__in=ids))
    return list(
        qs.filter(Q(review=review) | Q(status=ActionItemStatus.OPEN)).order_by(
            "status", "due_date", "id"
        )
    )


def live_snapshot(review: Review, today: datetime.date | None = None) -> dict[str, Any]:
    """What the review would store if finalised now (the stored one once finalised)."""
    if review.is_final and review.snapshot:
        return review.snapshot
    return snapshot.take(review.client, period_of(review, today))


def review_changes(
    review: Review, current: dict[str, Any], today: datetime.date | None = None
) -> list[dict[str, str]]:
    """What changed since the previous finalised review, as rows (stored ones once final)."""
    if review.is_final and review.snapshot:
        return review.snapshot.get("changes", [])
    previous = previous_final(review)
    prev_snapshot = previous.snapshot if previous else None
    found = changes.what_changed(prev_snapshot, current, period_of(review, today))
    return changes.as_rows(found)


def start_meeting(review: Review, user: Any) -> Review:
    guard_editable(review)
    if review.status != ReviewStatus.DRAFT:
        raise ValidationError("The meeting has already started.")
    before = audit.snapshot(review)
    review.status = ReviewStatus.IN_MEETING
    review.meeting_date = review.meeting_date or client_today(review.client)
    review.save(update_fields=["status", "meeting_date", "updated_at"])
    audit.record_update(user, review, before)
    return review


def _frozen_decisions(review: Review) -> list[dict[str, Any]]:
    return [
        {
            "id": d.pk,
            "kind": d.kind,
            "kind_label": d.get_kind_display(),
            "initiative": d.initiative.title if d.initiative_id else "",
            "note": d.note,
            "decision_maker": d.decision_maker,
            "outcome": d.outcome,
        }
        for d in review.decisions.select_related("initiative").order_by("decided_at", "id")
    ]


def _frozen_items(items: list[ActionItem]) -> list[dict[str, Any]]:
    return [
        {
            "id": item.pk,
            "title": item.title,
            "owner": item.owner,
            "due_date": item.due_date,
            "status": item.status,
            "status_label": item.get_status_display(),
        }
        for item in items
    ]


def report_snapshot(review: Review, today: datetime.date | None = None) -> dict[str, Any]:
    """Everything a report shows: the snapshot plus changes, decisions, agenda and summary."""
    if review.is_final and review.snapshot:
        return review.snapshot
    data = live_snapshot(review, today)
    data["changes"] = review_changes(review, data, today)
    data["decisions"] = _frozen_decisions(review)
    data["action_items"] = snapshot.jsonable(_frozen_items(agenda_items(review)))
    data["summary"] = review.summary
    return data


def finalise(review: Review, user: Any, today: datetime.date | None = None) -> Review:
    """Apply the review's decisions and store its snapshot and report, once and for all.

    All or nothing: a decision that cannot be applied (an initiative already
    done, a budget no plan fits) refuses the whole finalisation, naming it.
    """
    from vcio.reviews.reports import render_report  # reports render through the registry

    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        guard_editable(locked)
        before = audit.snapshot(locked)
        label = f"the {locked.get_kind_display().lower()} of {locked.period_label}"
        decisions.apply_all(
            list(locked.decisions.select_related("initiative", "client")), user, label
        )
        data = report_snapshot(locked, today)
        locked.snapshot = data
        locked.health_score = data["health"]["score"]
        locked.as_of = datetime.date.fromisoformat(data["period"]["today"])
        locked.status = ReviewStatus.FINALISED
        locked.finalised_at = timezone.now()
        locked.finalised_by = user
        locked.meeting_date = locked.meeting_date or today or client_today(locked.client)
        locked.report_html = render_report(locked)
        locked.report_html_without_fee = render_report(locked, shows_fee=False)
        locked.save()
        audit.record_update(user, locked, before)
    return locked


# Edits while the review is open: every one guarded, validated and audited ------------------

# The fields of a review a consultant may change while it is open.
EDITABLE_FIELDS = ("summary", "internal_notes", "meeting_date")


def update_review(review: Review, user: Any, **fields: Any) -> Review:
    """Change the summary, internal notes or meeting date of an open review (audited)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"{', '.join(sorted(unknown))} cannot be changed here.")
    with transaction.atomic():
        locked = (
            Review.objects.select_for_update(of=("self",))
            .select_related("finalised_by")
            .get(pk=review.pk)
        )
        guard_editable(locked)
        before = audit.snapshot(locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*fields, "updated_at"])
        # The audit pages and API hide internal notes from the client's own people.
        audit.record_update(user, locked, before)
    for name in fields:
        setattr(review, name, getattr(locked, name))
    return locked


def add_decision(review: Review, user: Any, **fields: Any) -> Decision:
    """Record a decision taken in ``review``; applied to the roadmap when it is finalised."""
    guard_editable(review)
    decision = Decision(
        client=review.client,
        review=review,
        decided_by=user,
        decided_at=timezone.now(),
        **fields,
    )
    decision.full_clean()
    with transaction.atomic():
        decision.save()
        audit.record_create(user, decision)
    return decision


def guard_decision(decision: Decision) -> None:
    """Refuse changing a decision of a finalised review, or one already applied."""
    if decision.review_id:
        guard_editable(decision.review)
    if decision.applied_at:
        raise ValidationError(f"The decision “{decision}” was already applied: {decision.outcome}")


def delete_decision(decision: Decision, user: Any) -> None:
    """Remove a decision recorded by mistake in an open review (audited)."""
    guard_decision(decision)
    with transaction.atomic():
        audit.record_delete(user, decision)
        decision.delete()


def add_action_item(review: Review, user: Any, **fields: Any) -> ActionItem:
    """An action item raised in ``review``: on every agenda until done."""
    guard_editable(review)
    item = ActionItem(client=review.client, review=review, **fields)
    item.full_clean()
    with transaction.atomic():
        item.save()
        audit.record_create(user, item)
    return item


def complete_action_item(item: ActionItem, review: Review, user: Any) -> ActionItem:
    """Mark ``item`` done during ``review`` (an open review whose agenda holds it)."""
    guard_editable(review)
    if item.client_id != review.client_id:
        raise ValidationError("This action item belongs to another client.")
    if item.status == ActionItemStatus.DONE:
        raise ValidationError(f"“{item.title}” is already done.")
    before = audit.snapshot(item)
    with transaction.atomic():
        item.status = ActionItemStatus.DONE
        item.done_at = timezone.now()
        item.save(update_fields=["status", "done_at"])
        audit.record_update(user, item, before)
    return item


def update_decision(decision: Decision, user: Any, **fields: Any) -> Decision:
    """Change a decision not yet applied, of an open review (validated, audited)."""
    guard_decision(decision)
    before = audit.snapshot(decision)
    for name, value in fields.items():
        setattr(decision, name, value)
    decision.full_clean()
    with transaction.atomic():
        decision.save()
        audit.record_update(user, decision, before)
    return decision


def update_action_item(item: ActionItem, user: Any, **fields: Any) -> ActionItem:
    """Change an action item; once its review is finalised, only marking it done is allowed.

    An item raised in a finalised review stays on later agendas until done, so
    it can still be ticked off; its title, owner and due date are what that
    review recorded.
    """
    marking_done = set(fields) <= {"status"} and fields.get("status") == ActionItemStatus.DONE
    if item.review_id and not marking_done:
        guard_editable(item.review)
    before = audit.snapshot(item)
    for name, value in fields.items():
        setattr(item, name, value)
    if item.status == ActionItemStatus.DONE and item.done_at is None:
        item.done_at = timezone.now()
    elif item.status == ActionItemStatus.OPEN:
        item.done_at = None
    item.full_clean()
    with transaction.atomic():
        item.save()
        audit.record_update(user, item, before)
    return item


def delete_action_item(item: ActionItem, user: Any) -> None:
    """Remove an action item raised by mistake in an open review (audited)."""
    if item.review_id:
        guard_editable(item.review)
    with transaction.atomic():
        audit.record_delete(user, item)
        item.delete()
