"""What an assessment gives the rest of vcio: figures, health, recommendations, review, dashboard.

The four-item framework of ``builders.framework`` weighs 3, 2, 1 and 4.
Aligned, partly, unknown and not aligned there is, by hand: (3 + 2 / 2) /
(3 + 2 + 1 + 4) = 40 % aligned, 1 / 10 = 10 % unknown, 4 not aligned.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from vcio.assessments import figures, health, review
from vcio.assessments.dashboard import standards_context
from vcio.assessments.models import Risk, Treatment
from vcio.assessments.tests.builders import finished, framework
from vcio.core.registry import ReviewPeriod, compute_figures
from vcio.strategy.models import Recommendation
from vcio.strategy.recommend import sync_recommendations

TODAY = datetime.date(2026, 12, 1)
FIRST = {"M-1": "aligned", "M-2": "partly", "M-3": "unknown", "M-4": "not_aligned"}
LATER = {"M-1": "aligned", "M-2": "aligned", "M-3": "not_aligned", "M-4": "partly"}


@pytest.fixture
def assessed(acme, globex, bob):
    version = framework()
    first = finished(acme, version, FIRST, TODAY - datetime.timedelta(days=100), bob)
    return version, first


def test_figures_read_the_latest_signed_off_assessment_as_of_the_day(assessed, acme, globex, bob):
    version, _ = assessed
    got = compute_figures([acme.pk, globex.pk], at=TODAY)
    assert got["assessments.alignment_pct"] == {acme.pk: 40.0, globex.pk: None}
    assert got["assessments.unknown_pct"][acme.pk] == 10.0
    assert got["assessments.not_aligned_weight"][acme.pk] == 4
    finished(acme, version, LATER, TODAY - datetime.timedelta(days=10), bob)
    # By hand: (3 + 2 + 4/2) / 10 = 70 %; the day before it, still the first one's 40 %.
    assert figures.alignment_pct([acme.pk], TODAY) == {acme.pk: 70.0}
    assert figures.alignment_pct([acme.pk], TODAY - datetime.timedelta(days=11)) == {acme.pk: 40.0}
    assert figures.not_aligned_weight([acme.pk], TODAY) == {acme.pk: 1}


def test_figures_take_a_fixed_number_of_queries(assessed, acme, django_assert_max_num_queries):
    from vcio.core.tests.factories import ClientFactory

    others = [ClientFactory().pk for _ in range(6)]
    with django_assert_max_num_queries(3):
        figures.alignment_pct([acme.pk, *others], TODAY)


def test_health_is_the_alignment_less_lapsed_risk_decisions(assessed, acme, globex):
    got = health.health([acme.pk, globex.pk], TODAY)
    assert got[acme.pk].score == 40.0
    assert "40.0 % aligned with Mini framework 1" in got[acme.pk].explanation
    assert got[globex.pk].score is None
    yesterday = TODAY - datetime.timedelta(days=1)
    Risk.objects.create(client=acme, title="Old firewall", treatment=Treatment.ACCEPT,
                        accept_reason="budget", review_date=yesterday)  # fmt: skip
    lapsed = health.health([acme.pk], TODAY)[acme.pk]
    assert lapsed.score == 40.0 - health.REVIEW_DUE_POINTS
    assert "1 accepted risk past its review date" in lapsed.explanation


def test_gaps_become_recommendations_with_the_items_remediation(assessed, acme):
    sync_recommendations([acme.pk])
    recs = {r.key: r for r in Recommendation.objects.filter(client=acme, status="open")}
    mfa_gap = recs["assessments.mini.M-4"]  # not aligned: the whole template
    assert mfa_gap.title == "EDR everywhere"
    assert (mfa_gap.one_time_cost, mfa_gap.recurring_cost_per_year) == (
        Decimal("1000"),
        Decimal("3000"),
    )
    assert mfa_gap.effort_days == Decimal("3") and mfa_gap.risk == "critical"
    assert mfa_gap.evidence["status"] == "not_aligned" and mfa_gap.evidence["weight"] == 4
    assert mfa_gap.evidence_url.endswith(f"/assessments/{assessed[1].pk}/")
    partly = recs["assessments.mini.M-2"]  # partly aligned: half the work is left
    assert (partly.one_time_cost, partly.effort_days) == (Decimal("200.00"), Decimal("0.5"))
    assert set(recs) == {"assessments.mini.M-4", "assessments.mini.M-2"}


def test_a_gap_closed_in_the_next_assessment_resolves_its_recommendation(assessed, acme, bob):
    version, _ = assessed
    sync_recommendations([acme.pk])
    finished(acme, version, LATER, TODAY - datetime.timedelta(days=10), bob)
    sync_recommendations([acme.pk])
    rows = dict(Recommendation.objects.filter(client=acme).values_list("key", "status"))
    assert rows["assessments.mini.M-2"] == "resolved"  # now aligned
    assert rows["assessments.mini.M-4"] == "open"  # partly now, still a gap
    assert rows["assessments.mini.M-3"] == "open"  # was unknown, now found not aligned


def period(client, start: datetime.date, end: datetime.date) -> ReviewPeriod:
    return ReviewPeriod(client_id=client.pk, kind="qbr", start=start, end=end, today=end)


def test_review_section_says_what_changed_since_the_previous_assessment(assessed, acme, bob):
    version, _ = assessed
    before = review.collect(period(acme, TODAY - datetime.timedelta(days=180),
                                   TODAY - datetime.timedelta(days=91)))  # fmt: skip
    finished(acme, version, LATER, TODAY - datetime.timedelta(days=10), bob)
    Risk.objects.create(client=acme, title="Legacy ERP unpatched", treatment=Treatment.ACCEPT,
                        likelihood=4, impact=3, accept_reason="vendor",
                        accepted_on=TODAY - datetime.timedelta(days=20),
                        review_date=TODAY + datetime.timedelta(days=60))  # fmt: skip
    now = review.collect(period(acme, TODAY - datetime.timedelta(days=90), TODAY))
    assert before["overall"]["percent"] == 40.0 and now["overall"]["percent"] == 70.0
    assert [i["ref"] for i in now["improved"]] == ["M-2", "M-4"]
    assert now["risks"]["accepted"][0]["score"] == 12
    texts = [c.text for c in review.changes(before, now, period(acme, TODAY, TODAY))]
    assert texts[0] == "Alignment with Mini framework 1 rose from 40.0 % to 70.0 %."
    assert any(t.startswith("Now aligned: M-2 Backups tested (was partly aligned)") for t in texts)
    assert any(t.startswith("Risk accepted: Legacy ERP unpatched (score 12") for t in texts)


def test_review_section_is_empty_without_an_assessment(acme):
    assert review.collect(period(acme, TODAY - datetime.timedelta(days=90), TODAY)) == {}


def test_dashboard_panel_lists_lowest_alignment_first(assessed, acme, globex, bob):
    version, _ = assessed
    finished(globex, version, {"M-1": "aligned", "M-2": "aligned", "M-3": "aligned",
                               "M-4": "aligned"}, TODAY - datetime.timedelta(days=5))  # fmt: skip
    ctx = standards_context([acme, globex], bob)
    assert [(r["client"].slug, round(r["percent"])) for r in ctx["rows"]] == [
        ("acme", 40), ("globex", 100)]  # fmt: skip


def test_portal_shows_the_finished_result_without_internal_notes(assessed, acme, carol, client):
    from vcio.assessments.models import Answer

    Answer.objects.filter(assessment=assessed[1], item__ref="M-4").update(
        note="INTERNAL: the owner refuses EDR on his laptop"
    )
    client.force_login(carol)
    page = client.get(f"/portal/{acme.slug}/standards/").content.decode()
    assert "40 % aligned" in page.replace("<small>", "").replace("</small>", "")
    assert "Endpoints protected" in page and "EDR everywhere" in page
    assert "INTERNAL" not in page
    assert timezone.now()  # the page rendered in the client's portal layout
    assert "Client portal" in page
