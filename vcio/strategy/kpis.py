"""KPI values: entered by hand or read from a live client figure, kept over time.

A KPI bound to a figure (``figure_key``) reads what an app publishes through
``core.registry.figures`` (e.g. "assets.supported_os_pct"); ``refresh_kpis``
records one value a day per bound KPI so the goal page can chart it against
the target. Figures are computed once for all clients, never per KPI.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from vcio.core.registry import Number, PeriodicJob, compute_figures, figures, periodic_jobs
from vcio.strategy.models import Kpi, KpiValue

FigureValues = Mapping[str, Mapping[int, Number | None]]
_PLACES = Decimal("0.0001")


def _decimal(value: Number | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value)).quantize(_PLACES)
    except (InvalidOperation, ValueError):
        return None  # a figure that is not a number has no place on a chart


def current_value(kpi: Kpi, figure_values: FigureValues) -> Decimal | None:
    """The KPI's value now: the bound figure's value for its client, else the entered one.

    ``figure_values`` is ``compute_figures(...)``'s result (``{key: {client_id:
    value}}``); select the KPI with ``goal`` so reading its client costs no query.
    ``None`` when the figure has no data for the client (or nothing was entered).
    """
    if not kpi.figure_key:
        return kpi.entered_value
    return _decimal(figure_values.get(kpi.figure_key, {}).get(kpi.goal.client_id))


# A goal without a target date is expected to be half way there.
EXPECTED_WITHOUT_DATE = 0.5


def share_of_way(value: float | Decimal | None, baseline, target) -> float | None:
    """Signed share of the way from baseline to target (0 at the baseline, 1 at the
    target, below 0 when the value moved away from the target); ``None`` without all
    three or when baseline equals target. Not clamped: callers need to see "worse"."""
    if value is None or baseline is None or target is None or target == baseline:
        return None
    return (float(value) - float(baseline)) / (float(target) - float(baseline))


def clamp_share(share: float | None) -> float | None:
    return None if share is None else max(0.0, min(1.0, share))


def progress(kpi: Kpi, value: Decimal | None) -> float | None:
    """Share (0–1) of the way from baseline to target; ``None`` without all three."""
    return clamp_share(share_of_way(value, kpi.baseline, kpi.target))


def expected_progress(
    start: datetime.date, target_date: datetime.date | None, today: datetime.date
) -> float:
    """Share (0–1) of the way a goal's KPIs should have come by ``today``.

    A goal's time line runs from the day it was set (its creation) to its target
    date, and progress is expected to be linear along it; one half when the goal
    has no target date, all of it once the date has passed.
    """
    if target_date is None:
        return EXPECTED_WITHOUT_DATE
    if target_date <= start:
        return 1.0
    return max(0.0, min(1.0, (today - start).days / (target_date - start).days))


@dataclass(frozen=True)
class Standing:
    """Where a KPI stands on its goal's time line."""

    progress: float | None  # 0–1 of the way from baseline to target
    expected: float  # 0–1 of the way it should have come by now
    on_track: bool | None  # None when progress cannot be measured
    why: str  # why it is off track, in words; "" otherwise


def _number_text(value: float, unit: str) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {unit}".strip()


def standing(
    value: float | Decimal | None,
    baseline,
    target,
    unit: str,
    start: datetime.date,
    target_date: datetime.date | None,
    today: datetime.date,
) -> Standing:
    """Is a KPI on track? The rule: **off track when it is worse than its baseline**
    (moving away from the target, whatever the time line says) **or behind the time
    line** (less of the way done than the time passed since the goal was set,
    toward its target date, asks for). A value at its baseline on the day the goal
    is set is on track; one that has reached its target is on track for good.
    """
    expected = expected_progress(start, target_date, today)
    share = share_of_way(value, baseline, target)
    if share is None:
        return Standing(None, expected, None, "")
    done = clamp_share(share)
    if share < 0:
        why = (
            f"moving away from the target: {_number_text(float(value), unit)} against a "
            f"baseline of {_number_text(float(baseline), unit)} and a target of "
            f"{_number_text(float(target), unit)}"
        )
        return Standing(done, expected, False, why)
    if done < expected - 1e-9:
        why = f"behind: {round(100 * done)} % of the way, {round(100 * expected)} % expected by now"
        return Standing(done, expected, False, why)
    return Standing(done, expected, True, "")


def bound_kpis(client_ids: Iterable[int]) -> list[Kpi]:
    """The KPIs of these clients bound to a figure that is (still) registered; one query."""
    rows = Kpi.objects.filter(goal__client_id__in=list(client_ids)).exclude(figure_key="")
    return [k for k in rows.select_related("goal") if k.figure_key in figures]


def refresh_kpis(client_ids: Iterable[int], today: datetime.date | None = None) -> int:
    """Record today's value of every bound KPI of ``client_ids``; returns how many.

    Each needed figure is computed once for all the clients; re-running on
    the same day overwrites that day's value (one value per KPI a day).
    """
    ids = list(client_ids)
    # A day given (the demo replaying the past) computes the figures as of it;
    # otherwise each client's own today.
    at, today = today, today or timezone.localdate()
    kpis = bound_kpis(ids)
    if not kpis:
        return 0
    values = compute_figures(ids, sorted({k.figure_key for k in kpis}), at=at)
    rows = []
    for kpi in kpis:
        value = current_value(kpi, values)
        if value is not None:
            rows.append(KpiValue(kpi=kpi, at=today, value=value, source=KpiValue.Source.FIGURE))
    KpiValue.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["kpi", "at"], update_fields=["value", "source"]
    )
    return len(rows)


def record_value(kpi: Kpi, value: Decimal, at: datetime.date | None = None) -> KpiValue:
    """Enter a hand-measured value for ``at`` (default today); it becomes the current value."""
    at = at or timezone.localdate()
    with transaction.atomic():
        row, _ = KpiValue.objects.update_or_create(
            kpi=kpi, at=at, defaults={"value": value, "source": KpiValue.Source.ENTERED}
        )
        latest = KpiValue.objects.filter(kpi=kpi).order_by("-at").values_list("at", flat=True)[0]
        if latest == at:
            kpi.entered_value = value
            kpi.save(update_fields=["entered_value", "updated_at"])
    return row


def refresh_all_clients() -> int:
    """The daily job: every active client's bound KPIs."""
    from vcio.core.models import Client

    return refresh_kpis(Client.objects.filter(is_active=True).values_list("id", flat=True))


def register() -> None:
    periodic_jobs.register(
        PeriodicJob(
            "strategy.refresh_kpis",
            refresh_all_clients,
            interval=24 * 3600,
            description="Record today's value of every KPI bound to a live figure.",
        )
    )
