"""The capacity section of a review, what changed between two reviews, and the capacity score.

Two reviews of Acme, on 31 Oct (``BEFORE``) and 30 Nov 2026 (``AS_OF``), of
constructed machines whose last 30 days differ from the 30 before:

* SQL01: CPU p95 40 % until 31 Oct, 95 % since → newly saturated.
* APP02: CPU p95 95 % until 31 Oct, 40 % since → no longer saturated.
* FS01: D: at 50 % until 31 Oct, 60 % since → 10 points fuller (≥ 5).
* NEW01: reports only since 15 Nov → a new machine in the second review.
* FS02: D: on a line from 70.2 % growing 0.1 point a day → full (90 %) in
  ceil(19.8 / 0.1) = 198 days, a date both reviews agree on.
"""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from vcio.assets.models import AssetKind
from vcio.assets.tests.factories import AssetFactory
from vcio.capacity import review
from vcio.capacity.tests.test_figures import AS_OF, TB, constructed, linear, machine, rollups
from vcio.core.registry import ReviewPeriod

pytestmark = pytest.mark.django_db
D = datetime.date
BEFORE = AS_OF - timedelta(days=30)  # 31 Oct 2026


def period(client, today=AS_OF) -> ReviewPeriod:
    start = today.replace(day=1)
    return ReviewPeriod(client.pk, "monthly", start, today, today)


def world(client):
    sql = AssetFactory(client=client, name="SQL01", kind=AssetKind.SERVER)
    rollups(sql, "cpu", p95=lambda i: 0.95 if i >= 60 else 0.4)
    rollups(sql, "mem", p95=0.5)
    app = AssetFactory(client=client, name="APP02", kind=AssetKind.SERVER)
    rollups(app, "cpu", p95=lambda i: 0.4 if i >= 60 else 0.95)
    rollups(app, "mem", p95=0.5)
    machine(client, "FS01", disks=[("D:", lambda i: 0.6 if i >= 60 else 0.5, 4 * TB)])
    new = AssetFactory(client=client, name="NEW01", kind=AssetKind.VIRTUAL_MACHINE)
    rollups(new, "cpu", days=16, p95=0.03)
    rollups(new, "mem", days=16, p95=0.2)
    machine(client, "FS02", disks=[("D:", linear(0.702, 0.001), 4 * TB)])


def test_collect_stores_each_machine_with_its_class_p95s_and_soonest_forecast(acme):
    world(acme)
    data = review.collect(period(acme))
    rows = {r["name"]: r for r in data["machines"]}
    assert list(rows) == ["FS02", "SQL01", "APP02", "FS01", "NEW01"]  # soonest full, saturated
    assert rows["SQL01"]["class"] == "saturated" and rows["SQL01"]["cpu_p95"] == 95.0
    assert rows["APP02"]["class"] == "right-sized" and rows["APP02"]["cpu_text"] == "40 %"
    assert rows["FS01"]["disks"] == {"Disk D:": 60.0}
    assert rows["FS02"]["soonest"] == {
        "resource": "Disk D:",
        "crossing": (AS_OF + timedelta(days=198)).isoformat(),
        "days_left": 198,
        "text": "Disk D: full in ~198 days (16 Jun 2027)",
    }
    assert data["saturated"] == 1 and data["filling"] == 0
    assert data["as_of"] == "2026-11-30"


def test_collect_is_empty_without_metrics_and_runs_two_queries(acme):
    assert review.collect(period(acme)) == {}
    world(acme)
    with CaptureQueriesContext(connection) as queries:
        review.collect(period(acme))
    assert len(queries) == 2


def test_changes_between_two_reviews(acme):
    world(acme)
    before = review.collect(period(acme, BEFORE))
    assert "NEW01" not in {r["name"] for r in before["machines"]}  # not reporting yet
    now = review.collect(period(acme))
    found = {(c.kind, c.direction): c.text for c in review.changes(before, now, period(acme))}
    assert found == {
        ("capacity.saturated", "worse"): "SQL01 is now saturated "
        "(CPU p95 95% and memory p95 50% over 30 days): it needs an upgrade.",
        ("capacity.unsaturated", "better"): "APP02 is no longer saturated "
        "(CPU p95 40% and memory p95 50% over 30 days).",
        ("capacity.disk_fuller", "worse"): "Disk D: of FS01 got fuller: 50 % → 60 % "
        "at its busiest.",
        ("capacity.new_machine", "neutral"): "NEW01 now reports its capacity (idle).",
    }


def test_a_forecast_that_moved_two_weeks_or_more(acme):
    world(acme)
    before = review.collect(period(acme, BEFORE))
    now = review.collect(period(acme))
    fs02 = next(r for r in before["machines"] if r["name"] == "FS02")
    crossing = D.fromisoformat(fs02["forecasts"]["Disk D:"])
    assert crossing == AS_OF + timedelta(days=198)  # the same line seen a month earlier
    fs02["forecasts"]["Disk D:"] = (crossing + timedelta(days=20)).isoformat()
    (moved,) = [c for c in review.changes(before, now, period(acme)) if "FS02" in c.text]
    assert moved.kind == "capacity.forecast_moved" and moved.direction == "worse"
    assert moved.text == (
        "Disk D: of FS02 will be full 20 days earlier than forecast last time: "
        "16 Jun 2027 instead of 06 Jul 2027."
    )
    fs02["forecasts"]["Disk D:"] = (crossing + timedelta(days=13)).isoformat()
    assert not [c for c in review.changes(before, now, period(acme)) if "FS02" in c.text]
    fs02["forecasts"] = {}
    (new,) = [c for c in review.changes(before, now, period(acme)) if "FS02" in c.text]
    assert new.kind == "capacity.forecast_new"


def test_a_first_review_reports_saturation_only(acme):
    world(acme)
    now = review.collect(period(acme))
    kinds = [(c.kind, c.text.split()[0]) for c in review.changes(None, now, period(acme))]
    assert kinds == [("capacity.forecast_new", "Disk"), ("capacity.saturated", "SQL01")]


def test_the_template_renders_the_machines(acme):
    world(acme)
    data = review.collect(period(acme))
    html = render_to_string(
        "capacity/report_section.html", {"data": data, "period": period(acme), "client": acme}
    )
    for text in ("SQL01", "Saturated", "95 %", "Disk D: full in ~198 days (16 Jun 2027)", "NEW01"):
        assert text in html
    assert "1 machine is saturated" in html
    empty = render_to_string("capacity/report_section.html", {"data": {}, "client": acme})
    assert "No data yet" in empty


def test_a_finalised_review_shows_the_section_and_what_changed(acme, bob):
    from vcio.reviews import services

    world(acme)
    october = services.create_review(acme, "monthly", D(2026, 10, 1), BEFORE, bob)
    services.finalise(october, bob, today=BEFORE)
    november = services.create_review(acme, "monthly", D(2026, 11, 1), AS_OF, bob)
    services.finalise(november, bob, today=AS_OF)
    november.refresh_from_db()
    html = november.report_html
    assert "Capacity: servers, disks and memory" in html
    assert "SQL01 is now saturated" in html
    assert "APP02 is no longer saturated" in html
    assert "NEW01 now reports its capacity" in html


# Health ---------------------------------------------------------------------------------


def test_health_scores_saturation_and_disks_near_full(acme, globex):
    constructed(acme)
    scores = review.health([acme.pk, globex.pk], AS_OF)
    # FS01 disk in 20 days: 50; SQL01 saturated and C: full: 0; IDLE1, IDLE2, APP01: 100.
    assert scores[acme.pk].score == (50 + 0 + 100 + 100 + 100) / 5 == 70.0
    assert scores[acme.pk].explanation == (
        "Of 5 servers, 1 is saturated (SQL01); 2 have a disk full within 30 days (FS01, SQL01)."
    )
    assert scores[globex.pk].score is None


def test_health_of_servers_with_headroom(acme):
    machine(acme, "APP01")
    (sub,) = review.health([acme.pk], AS_OF).values()
    assert sub.score == 100.0
    assert sub.explanation.startswith("APP01 has headroom")
    machine(acme, "APP02")
    (sub,) = review.health([acme.pk], AS_OF).values()
    assert sub.explanation.startswith("All 2 servers have headroom")


def test_a_resource_full_at_both_reviews_has_not_moved():
    import datetime as dt

    from vcio.capacity.review import changes
    from vcio.core.registry import ReviewPeriod

    def snapshot(full_on: str) -> dict:
        return {
            "machines": [
                {"id": 1, "name": "SQL01", "class": "saturated", "class_label": "Saturated",
                 "disks": {}, "forecasts": {"Memory": full_on}}
            ]
        }  # fmt: skip

    period = ReviewPeriod(
        1, "monthly", dt.date(2026, 10, 1), dt.date(2026, 10, 31), dt.date(2026, 10, 31)
    )
    found = changes(snapshot("2026-09-07"), snapshot("2026-10-12"), period)
    assert not [c for c in found if c.kind == "capacity.forecast_moved"]
    # A forecast still ahead that moves is news.
    found = changes(snapshot("2026-12-20"), snapshot("2026-11-20"), period)
    assert [c.direction for c in found if c.kind == "capacity.forecast_moved"] == ["worse"]
