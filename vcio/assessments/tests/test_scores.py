"""Alignment scores, comparisons, and live evidence answering (and being overridden on) items.

Every expected score is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.assessments import live, scores, workflow
from vcio.assessments.frameworks import library
from vcio.assessments.models import Answer, AnswerSource, Assessment
from vcio.core.registry import EvidenceResult, EvidenceRow, EvidenceRule, evidence_rules

DATA = Path(__file__).parent / "data"
RULE = "tests.fake"  # the rule item T-01 of the practice fixture names


# score() on hand-made rows -----------------------------------------------------------------------

ROWS = [
    ("GV", 1, "aligned"),
    ("GV", 2, "partly"),
    ("GV", 3, "not_aligned"),
    ("PR", 4, "unknown"),
    ("PR", 5, "na"),
    ("PR", 4, "aligned"),
    ("RC", 2, "na"),
]


def test_score_counts_whole_half_and_nothing_and_leaves_out_not_applicable():
    card = scores.score(ROWS)

    # GV: (1 + 2/2) / (1 + 2 + 3) = 2/6
    assert card.sections["GV"].percent == pytest.approx(100 * 2 / 6)
    assert card.sections["GV"].unknown_percent == 0
    # PR: 4 aligned of 4 + 4 applicable (unknown counts as 0, na is out)
    assert card.sections["PR"].percent == pytest.approx(50.0)
    assert card.sections["PR"].unknown_percent == pytest.approx(50.0)
    # RC: nothing applies
    assert card.sections["RC"].percent is None
    assert card.sections["RC"].unknown_percent is None
    # Overall: (1 + 4 + 2/2) / (1 + 2 + 3 + 4 + 4) = 6/14; unknown 4/14
    assert card.overall.percent == pytest.approx(100 * 6 / 14)
    assert card.overall.unknown_percent == pytest.approx(100 * 4 / 14)
    assert card.overall.as_dict() == {
        "percent": 42.9,
        "unknown_percent": 28.6,
        "aligned": 5,
        "partly": 2,
        "not_aligned": 3,
        "unknown": 4,
        "not_applicable": 7,
        "items": 7,
    }


def test_leaving_items_unknown_never_raises_the_score():
    honest = scores.score([("GV", 1, "aligned"), ("GV", 1, "not_aligned")])
    unanswered = scores.score([("GV", 1, "aligned"), ("GV", 1, "unknown")])

    assert honest.overall.percent == unanswered.overall.percent == 50.0
    assert unanswered.overall.unknown_percent == 50.0


# scorecards() over saved answers -----------------------------------------------------------------


@pytest.fixture
def practice_version(db):
    return library.load(json.loads((DATA / "practice-mini.framework.json").read_text()))


def answered(client, version, user, statuses: dict[str, str]) -> Assessment:
    """An assessment with the given statuses set directly (no workflow rules)."""
    assessment = workflow.start(client, version, user)
    for ref, status in statuses.items():
        Answer.objects.filter(assessment=assessment, item__ref=ref).update(status=status)
    return assessment


def test_scorecards_walk_items_up_to_their_top_section(acme, alice, practice_version):
    # T-01 (weight 2) in GV.X under GV, T-02 (1) in GV, T-03 (3) in PR.
    assessment = answered(
        acme, practice_version, alice, {"T-01": "aligned", "T-02": "partly", "T-03": "unknown"}
    )

    card = scores.scorecards([assessment.id])[assessment.id]

    assert set(card.sections) == {"GV", "PR"}
    assert card.sections["GV"].percent == pytest.approx(100 * (2 + 0.5) / 3)
    assert card.sections["PR"].percent == 0.0
    assert card.sections["PR"].unknown_percent == 100.0
    assert card.overall.percent == pytest.approx(100 * 2.5 / 6)


@pytest.mark.parametrize("how_many", [1, 10])
def test_scorecards_take_two_queries_however_many_assessments(
    acme, globex, alice, practice_version, django_assert_num_queries, how_many
):
    ids = [
        answered(
            acme if n % 2 else globex,
            practice_version,
            alice,
            {"T-01": "aligned" if n % 3 else "not_aligned", "T-03": "partly"},
        ).id
        for n in range(how_many)
    ]

    with django_assert_num_queries(2):
        cards = scores.scorecards(ids)

    for n, aid in enumerate(ids):
        t01 = 2 if n % 3 else 0
        # (T-01 weight 2 if aligned) + (T-03 weight 3, half) over 2 + 1 + 3 (T-02 unknown)
        assert cards[aid].overall.percent == pytest.approx(100 * (t01 + 1.5) / 6)


def test_scorecards_of_an_assessment_without_answers_is_empty(db):
    assert scores.scorecards([999]) == {999: scores.Scorecard()}


# compare() ---------------------------------------------------------------------------------------


def test_compare_names_each_items_change():
    before = {
        "A": ("aligned", "a"),
        "B": ("not_aligned", "b"),
        "C": ("unknown", "c"),
        "D": ("partly", "d"),
        "E": ("aligned", "e"),
        "G": ("partly", "g"),
        "H": ("na", "h"),
    }
    after = {
        "A": ("partly", "a"),
        "B": ("aligned", "b"),
        "C": ("not_aligned", "c"),
        "D": ("partly", "d"),
        "F": ("aligned", "f"),
        "G": ("unknown", "g"),
        "H": ("aligned", "h"),
    }

    changes = {c.ref: (c.before, c.after, c.change) for c in scores.compare(before, after)}

    assert changes == {
        "A": ("aligned", "partly", "regressed"),
        "B": ("not_aligned", "aligned", "improved"),
        "C": ("unknown", "not_aligned", "answered"),
        "D": ("partly", "partly", "unchanged"),
        "E": ("aligned", None, "removed"),
        "F": (None, "aligned", "new"),
        "G": ("partly", "unknown", "regressed"),
        "H": ("na", "aligned", "answered"),
    }


# Live evidence and overrides ---------------------------------------------------------------------


class FakeRule:
    """A test-only evidence rule whose status the test sets per client."""

    def __init__(self) -> None:
        self.status: dict[int, str] = {}

    def evaluate(self, client_ids: list[int], at) -> dict[int, EvidenceResult]:
        return {
            cid: EvidenceResult(
                status=self.status.get(cid, "no_data"),
                sentence=f"test says {self.status.get(cid, 'no_data')}",
                rows=(EvidenceRow(label="PC-001", detail="test row", ok=False),),
                counts={"ok": 0, "total": 1},
            )
            for cid in client_ids
        }


@pytest.fixture
def rule():
    fake = FakeRule()
    evidence_rules.register(EvidenceRule(key=RULE, label="Test rule", evaluate=fake.evaluate))
    yield fake
    evidence_rules.unregister(RULE)


def t01(assessment: Assessment) -> Answer:
    return Answer.objects.select_related("item", "assessment").get(
        assessment=assessment, item__ref="T-01"
    )


def test_a_never_answered_item_follows_its_rule(acme, alice, practice_version, rule):
    rule.status[acme.id] = "not_aligned"
    assessment = workflow.start(acme, practice_version, alice)

    answer = t01(assessment)
    assert (answer.status, answer.source) == ("not_aligned", AnswerSource.LIVE)
    assert answer.live_sentence == "test says not_aligned"
    assert answer.live_rows == [{"label": "PC-001", "detail": "test row", "url": "", "ok": False}]
    assert answer.live_counts == {"ok": 0.0, "total": 1.0}

    rule.status[acme.id] = "aligned"
    assert live.refresh([assessment]) == 1
    assert t01(assessment).status == "aligned"

    rule.status[acme.id] = "no_data"
    live.refresh([assessment])
    assert t01(assessment).status == "unknown"


def test_answering_against_the_evidence_without_a_reason_is_refused(
    acme, alice, practice_version, rule
):
    rule.status[acme.id] = "not_aligned"
    assessment = workflow.start(acme, practice_version, alice)

    with pytest.raises(workflow.AssessmentError) as raised:
        workflow.answer(t01(assessment), alice, status="aligned", note="looks fine", reason=" ")

    assert str(raised.value).startswith("T-01: the live evidence says not aligned")
    assert "give a reason to override it" in str(raised.value)
    answer = t01(assessment)
    assert (answer.status, answer.source, answer.note) == ("not_aligned", "live", "")
    assert answer.answered_by is None


def test_an_override_is_kept_across_refreshes_and_flagged_while_evidence_disagrees(
    acme, alice, practice_version, rule
):
    rule.status[acme.id] = "not_aligned"
    assessment = workflow.start(acme, practice_version, alice)

    workflow.answer(t01(assessment), alice, status="aligned", reason="Agent misreports AV")

    answer = t01(assessment)
    assert (answer.status, answer.source) == ("aligned", AnswerSource.OVERRIDE)
    assert answer.override_reason == "Agent misreports AV"
    assert answer.disagrees

    rule.status[acme.id] = "partly"
    live.refresh([assessment])
    answer = t01(assessment)
    assert (answer.status, answer.source, answer.live_status) == ("aligned", "override", "partly")
    assert answer.disagrees

    rule.status[acme.id] = "aligned"
    live.refresh([assessment])
    answer = t01(assessment)
    assert (answer.status, answer.source, answer.live_status) == ("aligned", "override", "aligned")
    assert answer.override_reason == "Agent misreports AV"
    assert not answer.disagrees


def test_answering_with_the_evidence_needs_no_reason_and_stays_live(
    acme, alice, practice_version, rule
):
    rule.status[acme.id] = "partly"
    assessment = workflow.start(acme, practice_version, alice)

    workflow.answer(t01(assessment), alice, status="partly", note="checked by hand")

    answer = t01(assessment)
    assert (answer.status, answer.source, answer.note) == ("partly", "live", "checked by hand")
    assert not answer.disagrees


def test_a_persons_answer_outlives_their_user_account(acme, alice, bob, practice_version, rule):
    rule.status[acme.id] = "no_data"
    assessment = workflow.start(acme, practice_version, alice)
    workflow.answer(t01(assessment), bob, status="partly", note="seen on site")

    bob.delete()
    rule.status[acme.id] = "aligned"
    live.refresh([assessment])

    answer = t01(assessment)
    assert answer.answered_by is None
    assert (answer.status, answer.source, answer.live_status) == ("partly", "person", "aligned")


def test_a_signed_off_assessment_keeps_the_evidence_it_was_signed_with(
    acme, alice, practice_version, rule
):
    rule.status[acme.id] = "not_aligned"
    assessment = workflow.start(acme, practice_version, alice)
    workflow.sign_off(assessment, alice)

    rule.status[acme.id] = "aligned"
    assert live.refresh([assessment]) == 0
    assert live.refresh_all() == 0

    answer = t01(assessment)
    assert (answer.status, answer.live_status) == ("not_aligned", "not_aligned")


def test_each_client_gets_its_own_result(acme, globex, alice, practice_version, rule):
    rule.status.update({acme.id: "aligned", globex.id: "not_aligned"})

    a = workflow.start(acme, practice_version, alice)
    g = workflow.start(globex, practice_version, alice)
    live.refresh([a, g])

    assert (t01(a).status, t01(g).status) == ("aligned", "not_aligned")


def test_refresh_queries_do_not_grow_with_assessments_or_clients(
    acme, globex, alice, practice_version, rule
):
    def refresh_count(assessments: list[Assessment], status: str) -> int:
        rule.status.update({acme.id: status, globex.id: status})
        with CaptureQueriesContext(connection) as ctx:
            assert live.refresh(assessments) == len(assessments)
        return len(ctx.captured_queries)

    one = [workflow.start(acme, practice_version, alice)]
    six = [workflow.start(c, practice_version, alice) for c in (acme, globex) * 3]

    assert refresh_count(one, "aligned") == refresh_count(six, "aligned")
