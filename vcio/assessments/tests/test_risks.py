"""The risk register's functions: raising risks from items, treating them, summaries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.assessments import risks
from vcio.assessments.models import Answer, Risk, Treatment
from vcio.assessments.risks import RiskError
from vcio.assessments.tests.isolation import small_framework
from vcio.assessments.workflow import start
from vcio.core.models import AuditEvent
from vcio.core.tests.factories import ClientFactory
from vcio.strategy.tests.factories import InitiativeFactory

TODAY = datetime.date(2026, 12, 3)


@pytest.fixture
def assessment(acme, bob):
    return start(acme, small_framework(), bob)


def answer_of(assessment, ref: str, status: str) -> Answer:
    answer = Answer.objects.select_related("item", "assessment").get(
        assessment=assessment, item__ref=ref
    )
    answer.status = status
    answer.save()
    return answer


def test_a_not_aligned_high_item_becomes_a_high_risk_once(assessment, bob):
    answer = answer_of(assessment, "T-01", "not_aligned")  # item risk: high
    risk, created = risks.risk_from_item(answer, bob)
    assert created
    assert (risk.likelihood, risk.impact, risk.score) == (4, 4, 16)
    assert risk.title == "T-01 not aligned: Put control 1 in place"
    assert "Without control 1 the business is exposed" in risk.description
    assert (risk.client_id, risk.assessment_id, risk.item_ref) == (
        assessment.client_id,
        assessment.pk,
        "T-01",
    )
    again, created_again = risks.risk_from_item(answer, bob)
    assert (again.pk, created_again) == (risk.pk, False)
    assert Risk.objects.count() == 1
    assert AuditEvent.objects.filter(action="create", object_id=str(risk.pk)).count() == 1


def test_a_partly_aligned_item_is_one_step_less_likely(assessment, bob):
    risk, _ = risks.risk_from_item(answer_of(assessment, "T-02", "partly"), bob)  # medium
    assert (risk.likelihood, risk.impact) == (2, 3)
    assert risk.title.startswith("T-02 partly aligned:")


@pytest.mark.parametrize(
    ("level", "status", "expected"),
    [
        ("low", "not_aligned", (2, 2)),
        ("medium", "not_aligned", (3, 3)),
        ("high", "not_aligned", (4, 4)),
        ("critical", "not_aligned", (4, 5)),
        ("critical", "partly", (3, 5)),
        ("low", "partly", (1, 2)),
    ],
)
def test_the_documented_mapping_of_risk_levels(level, status, expected):
    assert risks.likelihood_impact(level, status) == expected


def test_an_aligned_item_raises_no_risk(assessment, bob):
    with pytest.raises(RiskError) as err:
        risks.risk_from_item(answer_of(assessment, "T-01", "aligned"), bob)
    assert err.value.field == "answer" and "T-01 is aligned" in err.value.message
    assert not Risk.objects.exists()


@pytest.fixture
def risk(acme):
    return Risk.objects.create(client=acme, title="Backups untested", likelihood=4, impact=5)


def unchanged(risk: Risk) -> None:
    fresh = Risk.objects.get(pk=risk.pk)
    assert (fresh.treatment, fresh.accept_reason, fresh.review_date, fresh.initiative_id) == (
        "open",
        "",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("options", "field", "words"),
    [
        ({"review_date": TODAY + datetime.timedelta(days=30)}, "accept_reason", "say why"),
        ({"reason": "cost"}, "review_date", "give the date"),
        ({"reason": "cost", "review_date": TODAY}, "review_date", "not in the future"),
        ({"reason": " ", "review_date": TODAY.replace(year=2027)}, "accept_reason", "say why"),
    ],
)
def test_accepting_needs_a_reason_and_a_future_review_date(risk, carol, options, field, words):
    with pytest.raises(RiskError) as err:
        risks.treat(risk, carol, "accept", today=TODAY, **options)
    assert err.value.field == field and words in err.value.message
    unchanged(risk)
    assert not AuditEvent.objects.filter(object_id=str(risk.pk)).exists()


def test_an_accepted_risk_records_who_and_when_and_comes_back_for_review(risk, carol):
    review = TODAY + datetime.timedelta(days=90)
    risks.treat(risk, carol, "accept", reason="Insurer covers it", review_date=review, today=TODAY)
    fresh = Risk.objects.get(pk=risk.pk)
    assert (fresh.treatment, fresh.accept_reason, fresh.review_date) == (
        "accept",
        "Insurer covers it",
        review,
    )
    assert (fresh.accepted_by, fresh.accepted_on) == (carol, TODAY)
    event = AuditEvent.objects.get(object_id=str(risk.pk), action="update")
    assert event.changes["treatment"] == ["open", "accept"]
    assert risks.due_for_review([fresh], TODAY) == []
    assert risks.due_for_review([fresh], review) == [fresh]


def test_mitigating_needs_an_initiative_of_the_same_client(risk, bob, acme, globex):
    with pytest.raises(RiskError) as err:
        risks.treat(risk, bob, "mitigate")
    assert err.value.field == "initiative"
    foreign = InitiativeFactory(client=globex, title="Globex MFA")
    with pytest.raises(RiskError) as err:
        risks.treat(risk, bob, "mitigate", initiative=foreign)
    assert err.value.field == "initiative" and "another client's" in err.value.message
    unchanged(risk)
    own = InitiativeFactory(client=acme, title="Backup testing")
    risks.treat(risk, bob, "mitigate", initiative=own, residual_likelihood=2, residual_impact=5)
    fresh = Risk.objects.get(pk=risk.pk)
    assert (fresh.treatment, fresh.initiative, fresh.residual_score) == ("mitigate", own, 10)


def test_transferring_needs_to_whom_and_clears_the_other_treatments(risk, bob, carol):
    with pytest.raises(RiskError) as err:
        risks.treat(risk, bob, "transfer", transferred_to="  ")
    assert err.value.field == "transferred_to"
    unchanged(risk)
    risks.treat(
        risk, carol, "accept", reason="x", review_date=TODAY.replace(year=2027), today=TODAY
    )
    risks.treat(risk, bob, "transfer", transferred_to="Cyber insurer")
    fresh = Risk.objects.get(pk=risk.pk)
    assert (fresh.treatment, fresh.transferred_to, fresh.accept_reason, fresh.review_date) == (
        "transfer",
        "Cyber insurer",
        "",
        None,
    )
    assert fresh.accepted_by is None


@pytest.mark.parametrize(("name", "value"), [("residual_likelihood", 6), ("residual_impact", 0)])
def test_residual_figures_are_one_to_five(risk, bob, name, value):
    with pytest.raises(RiskError) as err:
        risks.treat(risk, bob, "transfer", transferred_to="x", **{name: value})
    assert err.value.field == name
    unchanged(risk)


def test_an_unknown_treatment_is_named(risk, bob):
    with pytest.raises(RiskError) as err:
        risks.treat(risk, bob, "ignore")
    assert err.value.field == "treatment" and "'ignore'" in err.value.message


def test_who_may_treat(risk, alice, bob, tess, carol, erin, dave):
    may = {
        u.username: (risks.may_treat(u, risk, "accept"), risks.may_treat(u, risk, "mitigate"))
        for u in (alice, bob, tess, carol, erin, dave)
    }
    assert may == {
        "alice": (True, True),
        "bob": (True, True),  # the CIO (PLAN) accepts and mitigates
        "tess": (False, True),  # a technician edits but does not decide
        "carol": (True, False),  # the client's executive decides, does not edit
        "erin": (False, False),  # a client editor is not the practice
        "dave": (False, False),  # another client's executive
    }


def test_register_summary_counts_each_client_in_one_query(acme, globex):
    due_day = TODAY - datetime.timedelta(days=1)
    later = TODAY + datetime.timedelta(days=1)
    rows = [
        (acme, 5, 4, Treatment.UNDECIDED, None, False),  # open high (20)
        (acme, 3, 5, Treatment.UNDECIDED, None, False),  # open high (15)
        (acme, 2, 2, Treatment.UNDECIDED, None, False),
        (acme, 5, 5, Treatment.UNDECIDED, None, True),  # closed: not counted
        (acme, 4, 4, Treatment.ACCEPT, due_day, False),  # review due
        (acme, 4, 4, Treatment.ACCEPT, TODAY, False),  # due today
        (acme, 4, 4, Treatment.ACCEPT, later, False),
        (acme, 5, 5, Treatment.MITIGATE, None, False),  # high but decided
        (globex, 1, 1, Treatment.TRANSFER, None, False),
    ]
    made = [
        Risk.objects.create(
            client=c, title=f"r{n}", likelihood=lk, impact=im, treatment=t, review_date=d, closed=x
        )
        for n, (c, lk, im, t, d, x) in enumerate(rows)
    ]
    empty = ClientFactory(name="Initech", slug="initech")
    with CaptureQueriesContext(connection) as queries:
        summary = risks.register_summary([acme.pk, globex.pk, empty.pk], TODAY)
    assert len(queries) == 1
    mine = summary[acme.pk]
    # Counted again by hand from the rows made above.
    live = [r for r in made if r.client == acme and not r.closed]
    assert mine.by_treatment == {
        t: sum(1 for r in live if r.treatment == t) for t in Treatment.values
    }
    assert mine.by_treatment == {"open": 3, "mitigate": 1, "accept": 3, "transfer": 0}
    assert mine.open_high == 2 and mine.review_due == 2 and mine.total == 7
    assert summary[globex.pk].by_treatment["transfer"] == 1
    assert summary[empty.pk].total == 0 and summary[empty.pk].open_high == 0
    assert [r.title for r in risks.due_for_review(made, TODAY)] == ["r4", "r5"]


def test_the_matrix_counts_by_likelihood_and_impact(acme):
    made = [Risk(client=acme, title="a", likelihood=5, impact=1) for _ in range(2)]
    made.append(Risk(client=acme, title="b", likelihood=1, impact=5))
    grid = risks.matrix(made)
    assert grid[0][4] == 2 and grid[4][0] == 1 and sum(map(sum, grid)) == 3
