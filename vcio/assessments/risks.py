"""The risk register: risks raised from assessed items, their treatment, and a summary per client.

Plain functions called by the pages, the API and (later) the review report.
Each one that changes a risk checks everything first and raises
:class:`RiskError` naming the field before it saves anything.

Who may decide what (:func:`may_treat`): the practice's people with EDIT
(owners, admins, consultants, technicians) raise, edit, mitigate and
transfer risks. *Accepting* a risk is a decision for the client, so it needs
the client executive's APPROVE or the CIO's PLAN (consultants, admins,
owners): a technician or a client editor cannot accept one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from vcio.assessments.models import Answer, AnswerStatus, Risk, Treatment
from vcio.assessments.permissions import may_answer
from vcio.core import audit
from vcio.core.access import access_for
from vcio.core.roles import Perm

HIGH_SCORE = 15  # likelihood × impact from which a risk counts as high (of 25)

# How an item's risk level becomes a risk: impact is what the missing control
# would cost the business; likelihood is how likely that is to happen while it
# is missing. A not aligned item keeps the full likelihood; a partly aligned
# one (the control exists but has gaps) is one step less likely.
IMPACT_BY_LEVEL = {"low": 2, "medium": 3, "high": 4, "critical": 5}
LIKELIHOOD_BY_LEVEL = {"low": 2, "medium": 3, "high": 4, "critical": 4}
RAISABLE = (AnswerStatus.NOT_ALIGNED, AnswerStatus.PARTLY)


class RiskError(ValueError):
    """A change to a risk refused: ``field`` names the input at fault, ``message`` says why."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def likelihood_impact(level: str, status: str) -> tuple[int, int]:
    """``(likelihood, impact)``, each 1–5, for an item of risk ``level`` answered ``status``.

    low → 2 × 2, medium → 3 × 3, high → 4 × 4 (16, a high risk),
    critical → 4 × 5; partly aligned lowers the likelihood by one.
    """
    likelihood = LIKELIHOOD_BY_LEVEL.get(level, 3)
    if status == AnswerStatus.PARTLY:
        likelihood -= 1
    return max(1, likelihood), IMPACT_BY_LEVEL.get(level, 3)


def risk_from_item(answer: Answer, user) -> tuple[Risk, bool]:
    """The register's risk for a not aligned or partly aligned answer, and whether it is new.

    One risk per (client, assessment, item): a second call returns the one
    raised first, unchanged. ``RiskError("answer", …)`` for any other status.
    """
    item, assessment = answer.item, answer.assessment
    if answer.status not in RAISABLE:
        raise RiskError(
            "answer",
            f"{item.ref} is {answer.get_status_display().lower()}: only a not aligned or "
            "partly aligned item raises a risk",
        )
    key = {"client_id": assessment.client_id, "assessment": assessment, "item_ref": item.ref}
    existing = Risk.objects.filter(**key).first()
    if existing is not None:
        return existing, False
    likelihood, impact = likelihood_impact(item.risk, answer.status)
    what = item.remediation or item.text
    description = "\n\n".join(
        part
        for part in (
            item.text,
            item.why,
            f"Remediation: {item.remediation}" if item.remediation else "",
        )
        if part
    )
    with transaction.atomic():
        risk = Risk.objects.create(
            **key,
            title=f"{item.ref} {answer.get_status_display().lower()}: {what}"[:300],
            description=description,
            likelihood=likelihood,
            impact=impact,
        )
        audit.record_create(user, risk)
    return risk, True


def may_treat(user, risk: Risk, treatment: str) -> bool:
    """Whether ``user`` may give ``risk`` this treatment (see the module's docstring)."""
    if treatment == Treatment.ACCEPT:
        access = access_for(user)
        return access.can(Perm.APPROVE, risk.client_id) or access.can(Perm.PLAN, risk.client_id)
    return may_answer(user, risk.client_id)


def check_treatment(
    risk: Risk,
    treatment: str,
    *,
    reason: str = "",
    review_date: datetime.date | None = None,
    initiative=None,
    transferred_to: str = "",
    residual_likelihood: int | None = None,
    residual_impact: int | None = None,
    today: datetime.date | None = None,
) -> dict:
    """The fields ``treat`` would set, or ``RiskError`` naming the first field at fault."""
    today = today or timezone.localdate()
    if treatment not in Treatment.values:
        raise RiskError("treatment", f"{treatment!r} is not one of {', '.join(Treatment.values)}")
    for name, value in (
        ("residual_likelihood", residual_likelihood),
        ("residual_impact", residual_impact),
    ):
        if value is not None and (not isinstance(value, int) or not 1 <= value <= 5):
            raise RiskError(name, f"{value!r} is not a whole number from 1 to 5")
    reason, transferred_to = (reason or "").strip(), (transferred_to or "").strip()
    values = {
        "treatment": treatment,
        "accept_reason": "",
        "review_date": None,
        "initiative": None,
        "transferred_to": "",
        "residual_likelihood": residual_likelihood,
        "residual_impact": residual_impact,
    }
    if treatment == Treatment.ACCEPT:
        if not reason:
            raise RiskError("accept_reason", "say why the client accepts this risk")
        if review_date is None:
            raise RiskError("review_date", "give the date the acceptance is reviewed again")
        if review_date <= today:
            raise RiskError(
                "review_date", f"{review_date.isoformat()} is not in the future (today is "
                f"{today.isoformat()})"
            )  # fmt: skip
        values.update(accept_reason=reason, review_date=review_date)
    elif treatment == Treatment.MITIGATE:
        if initiative is None:
            raise RiskError("initiative", "name the initiative that mitigates this risk")
        if initiative.client_id != risk.client_id:
            raise RiskError("initiative", f"“{initiative}” is another client's initiative")
        values["initiative"] = initiative
    elif treatment == Treatment.TRANSFER:
        if not transferred_to:
            raise RiskError("transferred_to", "say to whom the risk is transferred")
        values["transferred_to"] = transferred_to[:200]
    return values


def treat(risk: Risk, user, treatment: str, **options) -> Risk:
    """Decide how ``risk`` is treated: open, mitigate, accept or transfer; audited.

    Options: ``reason`` and ``review_date`` (accept: both needed, the date in
    the future), ``initiative`` (mitigate: one of the same client),
    ``transferred_to`` (transfer), ``residual_likelihood`` /
    ``residual_impact`` (1–5, any treatment), ``today`` (default: today).
    Fields of other treatments are cleared. Refused: ``RiskError``, nothing saved.
    """
    today = options.get("today") or timezone.localdate()
    values = check_treatment(risk, treatment, **options)
    before = audit.snapshot(risk)
    for name, value in values.items():
        setattr(risk, name, value)
    if treatment == Treatment.ACCEPT:
        risk.accepted_by = user if getattr(user, "pk", None) else None
        risk.accepted_on = today
    else:
        risk.accepted_by, risk.accepted_on = None, None
    with transaction.atomic():
        risk.save()
        audit.record_update(user, risk, before)
    return risk


def due_for_review(risks: Iterable[Risk], today: datetime.date) -> list[Risk]:
    """The accepted, not closed risks whose review date is today or past, earliest first."""
    return sorted((r for r in risks if r.review_due(today)), key=lambda r: (r.review_date, r.pk))


@dataclass
class RegisterSummary:
    """One client's register at a glance."""

    by_treatment: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Treatment.values, 0))
    open_high: int = 0  # not closed, undecided, score ≥ HIGH_SCORE
    review_due: int = 0  # accepted, not closed, review date today or past

    @property
    def total(self) -> int:
        return sum(self.by_treatment.values())


def register_summary(client_ids: Iterable[int], today: datetime.date) -> dict[int, RegisterSummary]:
    """Per client id, its not closed risks counted by treatment, open high ones and reviews due.

    One query whatever the number of clients; a client without risks gets zeros.
    """
    ids = list(client_ids)
    summaries = {cid: RegisterSummary() for cid in ids}
    rows = (
        Risk.objects.filter(client_id__in=ids, closed=False)
        .annotate(product=F("likelihood") * F("impact"))
        .values("client_id", "treatment")
        .annotate(
            n=Count("pk"),
            high=Count("pk", filter=Q(product__gte=HIGH_SCORE)),
            due=Count("pk", filter=Q(review_date__lte=today)),
        )
        .order_by()
    )
    for row in rows:
        summary = summaries[row["client_id"]]
        summary.by_treatment[row["treatment"]] = row["n"]
        if row["treatment"] == Treatment.UNDECIDED:
            summary.open_high += row["high"]
        if row["treatment"] == Treatment.ACCEPT:
            summary.review_due += row["due"]
    return summaries


def matrix(risks: Iterable[Risk]) -> list[list[int]]:
    """Counts of risks in a 5 × 5 grid: ``grid[impact - 1][likelihood - 1]``."""
    grid = [[0] * 5 for _ in range(5)]
    for risk in risks:
        grid[risk.impact - 1][risk.likelihood - 1] += 1
    return grid
