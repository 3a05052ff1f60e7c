"""KPIs: entered or bound to a live figure, recorded day by day."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from vcio.core.registry import Figure, figures, periodic_jobs
from vcio.strategy.kpis import current_value, progress, record_value, refresh_kpis
from vcio.strategy.models import KpiValue
from vcio.strategy.tests.factories import GoalFactory, KpiFactory

DAY = datetime.date(2026, 11, 28)


@pytest.fixture
def counted(monkeypatch):
    """A figure that counts its calls and gives each client its id × 10."""
    calls: list[list[int]] = []

    def compute(client_ids: list[int], at=None) -> dict[int, float | None]:
        calls.append(list(client_ids))
        return {cid: cid * 10.0 for cid in client_ids}

    monkeypatch.setattr(figures, "_items", dict(figures._items))
    figures.register(Figure("test.counted", "Counted", compute, unit="%"))
    return calls


def test_current_value_reads_the_bound_figure_for_the_kpis_client(acme, globex, counted):
    bound = KpiFactory(goal=GoalFactory(client=acme), figure_key="test.counted")
    entered = KpiFactory(goal=GoalFactory(client=acme), entered_value=Decimal("42"))
    values = {"test.counted": {acme.pk: 87.5, globex.pk: 12.0}}

    assert current_value(bound, values) == Decimal("87.5")
    assert current_value(entered, values) == Decimal("42")
    assert current_value(bound, {"test.counted": {globex.pk: 12.0}}) is None


def test_refresh_records_todays_value_computing_each_figure_once(acme, globex, counted):
    a = KpiFactory(goal=GoalFactory(client=acme), figure_key="test.counted")
    b = KpiFactory(goal=GoalFactory(client=acme), figure_key="test.counted")
    g = KpiFactory(goal=GoalFactory(client=globex), figure_key="test.counted")
    KpiFactory(goal=GoalFactory(client=acme), entered_value=Decimal("1"))  # not bound

    assert refresh_kpis([acme.pk, globex.pk], today=DAY) == 3
    assert counted == [[acme.pk, globex.pk]]
    values = dict(KpiValue.objects.values_list("kpi_id", "value"))
    assert values == {a.pk: acme.pk * 10, b.pk: acme.pk * 10, g.pk: globex.pk * 10}
    assert set(KpiValue.objects.values_list("source", flat=True)) == {"figure"}

    # Re-running the same day overwrites that day's value instead of adding one.
    refresh_kpis([acme.pk], today=DAY)
    assert KpiValue.objects.filter(at=DAY).count() == 3
    refresh_kpis([acme.pk], today=DAY + datetime.timedelta(days=1))
    assert KpiValue.objects.filter(kpi=a).count() == 2


def test_a_kpi_bound_to_a_figure_no_longer_registered_is_skipped(acme):
    KpiFactory(goal=GoalFactory(client=acme), figure_key="gone.figure")
    assert refresh_kpis([acme.pk], today=DAY) == 0


def test_entered_values_are_kept_over_time_and_the_latest_is_current(acme):
    kpi = KpiFactory(goal=GoalFactory(client=acme))
    record_value(kpi, Decimal("10"), DAY)
    record_value(kpi, Decimal("5"), DAY - datetime.timedelta(days=30))  # a late entry
    record_value(kpi, Decimal("12"), DAY)  # a correction of the same day

    assert list(KpiValue.objects.filter(kpi=kpi).values_list("value", flat=True)) == [5, 12]
    kpi.refresh_from_db()
    assert kpi.entered_value == Decimal("12")


def test_progress_from_baseline_to_target(acme):
    kpi = KpiFactory.build(baseline=Decimal("60"), target=Decimal("100"))
    assert progress(kpi, Decimal("90")) == pytest.approx(0.75)
    assert progress(kpi, Decimal("120")) == 1.0
    lower = KpiFactory.build(baseline=Decimal("20"), target=Decimal("10"), direction="lower")
    assert progress(lower, Decimal("15")) == pytest.approx(0.5)
    assert progress(kpi, None) is None


def test_live_asset_figure_and_daily_job(acme):
    from vcio.assets.tests.factories import AssetFactory

    AssetFactory(client=acme, kind="laptop")
    kpi = KpiFactory(goal=GoalFactory(client=acme), figure_key="assets.count")
    job = periodic_jobs.get("strategy.refresh_kpis")
    assert job.interval == 24 * 3600
    assert job.run() == 1
    assert KpiValue.objects.get(kpi=kpi).value == 1
