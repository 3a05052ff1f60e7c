"""Moving an initiative on the roadmap saves it, locks it and warns what it breaks."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from vcio.core.models import AuditEvent
from vcio.strategy.models import InitiativeStatus as S
from vcio.strategy.models import Scenario
from vcio.strategy.moves import move
from vcio.strategy.tests.factories import InitiativeFactory

Q1, Q2, Q3 = datetime.date(2027, 1, 1), datetime.date(2027, 4, 1), datetime.date(2027, 7, 1)


def item(client, title: str, **kw):
    return InitiativeFactory(client=client, title=title, **kw)


def applied(client, **caps) -> Scenario:
    """A scenario with caps, applied, over FY2027 (Acme's fiscal year is the calendar year)."""
    starts = [datetime.date(2027, m, 1).isoformat() for m in (1, 4, 7, 10)]
    return Scenario.objects.create(
        client=client,
        name="Base",
        horizon=4,
        caps={k: str(v) for k, v in caps.items()},
        plan={"quarter_starts": starts, "labels": [], "items": []},
        applied_at=timezone.now(),
    )


@pytest.mark.django_db
class TestMove:
    def test_a_move_keeps_the_duration_locks_and_is_audited(self, acme, bob):
        it = item(acme, "Long", start_quarter=Q1, end_quarter=Q2)
        assert move(it, datetime.date(2027, 8, 15), bob) == []
        it.refresh_from_db()
        assert (it.start_quarter, it.end_quarter, it.locked) == (
            Q3,
            datetime.date(2027, 10, 1),
            True,
        )
        assert AuditEvent.objects.filter(object_id=str(it.pk), action="update").exists()

    def test_taking_an_item_off_the_roadmap_unlocks_it(self, acme, bob):
        it = item(acme, "Pinned", start_quarter=Q1, end_quarter=Q1, locked=True)
        move(it, None, bob)
        it.refresh_from_db()
        assert (it.start_quarter, it.end_quarter, it.locked) == (None, None, False)

    def test_done_work_cannot_be_moved(self, acme, bob):
        it = item(acme, "Finished", status=S.DONE, start_quarter=Q1)
        with pytest.raises(ValidationError, match="only open initiatives can be moved"):
            move(it, Q2, bob)
        it.refresh_from_db()
        assert it.start_quarter == Q1


@pytest.mark.django_db
class TestWarnings:
    def test_a_requirement_not_finished_before_is_named(self, acme, bob):
        switches = item(acme, "Core switches", start_quarter=Q2, end_quarter=Q2)
        segment = item(acme, "Segment the network", start_quarter=Q3)
        segment.requires.add(switches)
        (warning,) = move(segment, Q1, bob)
        assert warning == (
            "“Segment the network” requires “Core switches”, which ends in FY2027 Q2: "
            "it should start in FY2027 Q3 or later, not FY2027 Q1."
        )

    def test_a_dependent_left_too_early_is_named(self, acme, bob):
        switches = item(acme, "Core switches", start_quarter=Q1, end_quarter=Q1)
        segment = item(acme, "Segment the network", start_quarter=Q2)
        segment.requires.add(switches)
        (warning,) = move(switches, Q2, bob)
        assert "“Segment the network” requires “Core switches” and starts in FY2027 Q2" in warning

    def test_an_unscheduled_requirement_is_named(self, acme, bob):
        assessment = item(acme, "Assessment")
        project = item(acme, "Project")
        project.requires.add(assessment)
        assert move(project, Q2, bob) == [
            "“Project” requires “Assessment”, which is not on the roadmap."
        ]

    def test_an_alternative_already_on_the_roadmap_is_named(self, acme, bob):
        item(acme, "FortiGate pair", alternative_group="firewall", start_quarter=Q1)
        sase = item(acme, "SASE", alternative_group="firewall")
        (warning,) = move(sase, Q2, bob)
        assert "“SASE” and “FortiGate pair” are alternatives (group “firewall”)" in warning

    def test_a_missed_due_date_is_named(self, acme, bob):
        it = item(acme, "Retire Windows 10", due_date=datetime.date(2027, 3, 31))
        (warning,) = move(it, Q2, bob)
        assert warning == (
            "“Retire Windows 10” is due by 2027-03-31 (FY2027 Q1) but would end in FY2027 Q2."
        )

    def test_caps_of_the_applied_scenario_are_checked_by_quarter_and_year(self, acme, bob):
        applied(acme, capex_per_quarter=10000, capex_per_year=15000, effort_per_quarter=10)
        item(acme, "Already there", capex=Decimal("8000"), start_quarter=Q2, effort_days=6)
        item(acme, "Later", capex=Decimal("6000"), start_quarter=Q3)
        it = item(acme, "Moved in", capex=Decimal("4000"), effort_days=5)
        warnings = move(it, Q2, bob)
        assert warnings == [
            "FY2027 Q2 capex would be 12,000 against the cap of 10,000 of scenario “Base”.",
            "FY2027 Q2 effort (person-days) would be 11 against the cap of 10 of scenario “Base”.",
            "FY2027 capex would be 18,000 against the yearly cap of 15,000 of scenario “Base”.",
        ]

    def test_no_caps_are_checked_before_a_scenario_is_applied(self, acme, bob):
        item(acme, "Already there", capex=Decimal("80000"), start_quarter=Q2)
        it = item(acme, "Moved in", capex=Decimal("40000"))
        assert move(it, Q2, bob) == []
