"""From initiatives to an optimised roadmap: statuses, windows, scenarios, applying, comparing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from vcio.core.models import AuditEvent
from vcio.strategy.models import InitiativeStatus as S
from vcio.strategy.models import Scenario
from vcio.strategy.planning import (
    PlanSettings,
    apply_scenario,
    compare,
    compute_plan,
    plan_input,
    save_scenario,
)
from vcio.strategy.tests.factories import InitiativeFactory

# Acme's fiscal year starts in January: FY2027 Q1 is January–March 2027.
TODAY = datetime.date(2027, 2, 10)
Q1, Q2, Q3 = datetime.date(2027, 1, 1), datetime.date(2027, 4, 1), datetime.date(2027, 7, 1)


def item(client, title: str, **kw):
    kw.setdefault("capex", Decimal("1000"))
    kw.setdefault("effort_days", Decimal("2"))
    return InitiativeFactory(client=client, title=title, **kw)


def by_title(plan: dict) -> dict[str, dict]:
    return {row["title"]: row for row in plan["items"]}


@pytest.mark.django_db
class TestWhatTheOptimiserIsGiven:
    def test_statuses_decide_candidates_mandatory_and_locks(self, acme):
        item(acme, "Proposed")
        item(acme, "Approved", status=S.APPROVED)
        item(acme, "Under way", status=S.IN_PROGRESS, start_quarter=datetime.date(2026, 7, 1))
        item(acme, "Finished", status=S.DONE)
        item(acme, "Turned down", status=S.DECLINED)
        inp = plan_input(acme, PlanSettings(horizon=4), TODAY)
        items = {it.title: it for it in inp.items}
        assert set(items) == {"Proposed", "Approved", "Under way"}
        assert not items["Proposed"].mandatory
        assert items["Approved"].mandatory
        # Started before the horizon: held in its first quarter.
        assert items["Under way"].locked_quarter == 0 and items["Under way"].mandatory
        assert inp.labels == ["FY2027 Q1", "FY2027 Q2", "FY2027 Q3", "FY2027 Q4"]

    def test_a_requirement_that_is_done_is_met_and_one_declined_keeps_dependents_out(self, acme):
        done = item(acme, "Assessment", status=S.DONE)
        declined = item(acme, "Old idea", status=S.DECLINED)
        a = item(acme, "Builds on assessment")
        a.requires.add(done)
        b = item(acme, "Builds on old idea")
        b.requires.add(declined)
        c = item(acme, "Builds on that")
        c.requires.add(b)
        plan = compute_plan(acme, PlanSettings(horizon=4), TODAY)
        assert by_title(plan)["Builds on assessment"]["quarter"] == 0
        excluded = {row["title"]: row["reason"] for row in plan["excluded"]}
        assert excluded == {
            "Builds on old idea": "requires “Old idea”, which is declined",
            "Builds on that": "requires “Builds on old idea”, which cannot be planned",
        }

    def test_a_due_date_sets_the_latest_start_so_work_ends_by_then(self, acme):
        item(acme, "Replace before end of support", due_date=datetime.date(2027, 5, 15))
        item(acme, "Two quarters long", start_quarter=Q1, end_quarter=Q2, due_date=Q3)
        items = {it.title: it for it in plan_input(acme, PlanSettings(horizon=8), TODAY).items}
        assert items["Replace before end of support"].latest == 1  # FY2027 Q2
        assert items["Two quarters long"].duration_quarters == 2
        assert items["Two quarters long"].latest == 1  # starts Q2 at the latest, ends Q3

    def test_an_overdue_item_must_start_now(self, acme):
        item(acme, "Overdue", due_date=datetime.date(2026, 6, 30))
        (it,) = plan_input(acme, PlanSettings(horizon=4), TODAY).items
        assert it.latest == 0


@pytest.mark.django_db
class TestComputePlan:
    def test_every_item_left_out_has_a_reason_naming_the_binding_cap(self, acme):
        item(acme, "Big", capex=Decimal("9000"))
        item(acme, "Small", capex=Decimal("4000"))
        item(acme, "Smaller", capex=Decimal("3000"))
        plan = compute_plan(acme, PlanSettings(horizon=1, capex_per_quarter=Decimal("8000")), TODAY)
        rows = by_title(plan)
        out = [r for r in plan["items"] if r["quarter"] is None]
        assert out and all(r["reason"] for r in out)
        assert "capex" in rows["Big"]["reason"] and "FY2027 Q1" in rows["Big"]["reason"]
        assert plan["optimal"] is True
        assert plan["score"] >= plan["greedy_score"]

    def test_a_locked_item_outside_the_horizon_is_refused_by_name(self, acme):
        item(acme, "Pinned late", locked=True, start_quarter=datetime.date(2029, 1, 1))
        with pytest.raises(ValidationError) as exc:
            compute_plan(acme, PlanSettings(horizon=4), TODAY)
        text = " ".join(exc.value.messages)
        assert "'Pinned late' is locked to FY2029 Q1" in text
        assert "FY2027 Q1–FY2027 Q4" in text

    def test_caps_too_small_for_mandatory_items_name_the_items_and_the_quarter(self, acme):
        item(acme, "Must do A", mandatory=True, capex=Decimal("6000"), due_date=Q1)
        item(acme, "Must do B", mandatory=True, capex=Decimal("6000"), due_date=Q1)
        with pytest.raises(ValidationError) as exc:
            compute_plan(acme, PlanSettings(horizon=4, capex_per_quarter=Decimal("10000")), TODAY)
        text = " ".join(exc.value.messages)
        assert "Must do A" in text and "Must do B" in text and "FY2027 Q1" in text

    def test_per_year_caps_apply_to_each_fiscal_year(self, acme):
        for n in range(4):
            item(acme, f"Project {n}", capex=Decimal("5000"))
        settings = PlanSettings(horizon=8, capex_per_year=Decimal("10000"))
        plan = compute_plan(acme, settings, TODAY)
        years = {}
        for row in plan["items"]:
            if row["quarter"] is not None:
                fy = plan["labels"][row["quarter"]][:6]
                years[fy] = years.get(fy, 0) + row["capex"]
        assert years == {"FY2027": 10000, "FY2028": 10000}


@pytest.mark.django_db
class TestScenarios:
    def test_saving_keeps_caps_plan_and_author_and_is_audited(self, acme, bob):
        item(acme, "Firewall")
        settings = PlanSettings(horizon=4, capex_per_quarter=Decimal("5000"))
        scenario = save_scenario(acme, "Base", settings, bob, TODAY)
        assert scenario.caps["capex_per_quarter"] == "5000"
        assert scenario.created_by == bob
        assert by_title(scenario.plan)["Firewall"]["quarter"] == 0
        assert AuditEvent.objects.filter(object_id=str(scenario.pk), action="create").exists()

    def test_a_taken_name_or_an_impossible_plan_saves_nothing(self, acme, bob):
        item(acme, "Mandatory", mandatory=True, capex=Decimal("9000"), due_date=Q1)
        save_scenario(acme, "Base", PlanSettings(horizon=4), bob, TODAY)
        with pytest.raises(ValidationError, match="already has a scenario named “Base”"):
            save_scenario(acme, "Base", PlanSettings(horizon=4), bob, TODAY)
        with pytest.raises(ValidationError, match="Mandatory"):
            save_scenario(
                acme, "Tight", PlanSettings(horizon=4, capex_per_quarter=Decimal("100")), bob, TODAY
            )
        assert list(Scenario.objects.values_list("name", flat=True)) == ["Base"]

    def test_a_budget_variant_scales_money_caps_not_effort(self):
        base = PlanSettings(
            horizon=8,
            capex_per_quarter=Decimal("10000"),
            opex_per_year=Decimal("5000"),
            effort_per_quarter=Decimal("30"),
        )
        more = base.scaled(Decimal("1.2"))
        assert more.capex_per_quarter == Decimal("12000.0")
        assert more.opex_per_year == Decimal("6000.0")
        assert more.effort_per_quarter == Decimal("30")
        assert more.capex_per_year is None

    def test_bad_stored_caps_are_refused_by_field(self):
        with pytest.raises(ValidationError) as exc:
            PlanSettings.from_caps({"capex_per_quarter": "-5"})
        assert "capex_per_quarter" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            PlanSettings.from_caps({}, horizon=0)
        assert "horizon" in exc.value.message_dict

    def test_comparing_shows_scores_spend_and_what_moved(self, acme, bob):
        item(acme, "A", capex=Decimal("5000"))
        item(acme, "B", capex=Decimal("5000"))
        tight = PlanSettings(horizon=2, capex_per_quarter=Decimal("5000"))
        one = save_scenario(acme, "Tight", tight, bob, TODAY)
        two = save_scenario(acme, "Loose", tight.scaled(Decimal("2")), bob, TODAY)
        c = compare(one, two)
        assert c["chosen"] == (2, 2)
        assert c["total"] == (10000, 10000)
        assert c["quarters"] == [("FY2027 Q1", 5000, 10000), ("FY2027 Q2", 5000, 0)]
        assert len(c["moves"]) == 1
        assert c["moves"][0]["before"] == "FY2027 Q2" and c["moves"][0]["after"] == "FY2027 Q1"


@pytest.mark.django_db
class TestApplyingAScenario:
    def test_quarters_are_written_and_left_out_items_lose_theirs(self, acme, bob):
        approved = item(acme, "Approved", status=S.APPROVED, capex=Decimal("4000"))
        left_out = item(acme, "Too big", capex=Decimal("20000"), start_quarter=Q3)
        locked = item(
            acme, "Locked", capex=Decimal("9000"), locked=True, start_quarter=Q3, end_quarter=Q3
        )
        long = item(acme, "Long", capex=Decimal("0"), start_quarter=Q1, end_quarter=Q2)
        deferred = item(acme, "Deferred once", capex=Decimal("0"), status=S.DEFERRED)
        settings = PlanSettings(horizon=4, capex_per_quarter=Decimal("9000"))
        scenario = save_scenario(acme, "Base", settings, bob, TODAY)
        changed = apply_scenario(scenario, bob)
        for obj in (approved, left_out, locked, long, deferred):
            obj.refresh_from_db()
        assert approved.start_quarter == Q1 and approved.status == S.SCHEDULED
        assert left_out.start_quarter is None
        assert locked.start_quarter == Q3
        assert (long.start_quarter, long.end_quarter) == (Q1, Q2)
        assert deferred.status == S.PROPOSED and deferred.start_quarter == Q1
        assert changed == 3
        scenario.refresh_from_db()
        assert scenario.applied_by == bob and scenario.applied_at is not None
        assert AuditEvent.objects.filter(action="update", object_id=str(approved.pk)).exists()
