"""Demo surveys: two rounds per client, rising and falling departments, needs, one planned."""

from __future__ import annotations

import pytest

from vcio.assets.demo import load_assets
from vcio.core.demo import load_core
from vcio.core.models import Client
from vcio.core.registry import demo_loaders
from vcio.needs.demo import TREND, load_needs
from vcio.needs.models import Answer, Invitation, Need, NeedStatus, SurveyRound
from vcio.needs.satisfaction import trends
from vcio.strategy.demo import load_strategy
from vcio.strategy.models import InitiativeGoal

MODELS = (SurveyRound, Invitation, Answer, Need)


@pytest.fixture
def loaded(db):
    ctx: dict = {}
    quiet = lambda msg: None  # noqa: E731
    load_core(ctx, quiet)
    load_assets(ctx, quiet)
    load_strategy(ctx, quiet)
    lines: list[str] = []
    load_needs(ctx, lines.append)
    return ctx, lines


def test_runs_after_assessments_and_before_reviews():
    loader = demo_loaders.get("needs")
    assert demo_loaders.get("assessments").order < loader.order < demo_loaders.get("reviews").order


def test_two_answered_rounds_a_quarter_apart_and_one_open_invitation(loaded):
    for client in Client.objects.filter(slug__in=list(TREND)):
        rounds = list(SurveyRound.objects.filter(client=client).order_by("opened_on"))
        assert len(rounds) == 3
        assert 80 <= (rounds[1].opened_on - rounds[0].opened_on).days <= 100
        depts = client.departments.count()
        for done in rounds[:2]:
            invitations = done.invitations.all()
            assert invitations.count() == depts
            assert all(i.state() == "submitted" for i in invitations)
        assert [i.state() for i in rounds[2].invitations.all()] == ["open"]
        assert rounds[0].version.questionnaire.key == "department-survey"


def test_satisfaction_rises_in_one_department_and_falls_in_another(loaded):
    for client in Client.objects.filter(slug__in=list(TREND)):
        rising, falling = TREND[client.slug]
        moves = {
            d["name"]: d["change"] for d in trends([client.pk])[client.pk].department_changes()
        }
        assert moves[rising] > 0 and moves[falling] < 0, client.slug


def test_needs_with_goals_and_one_planned_initiative_linked_to_its_goal(loaded):
    for client in Client.objects.filter(slug__in=list(TREND)):
        needs = Need.objects.filter(client=client)
        assert needs.filter(answer__isnull=False).count() >= 6
        assert needs.filter(goal__isnull=False).exists()
        assert needs.exclude(theme="").exists()
        planned = needs.filter(status=NeedStatus.PLANNED, initiative__isnull=False)
        assert planned.exists(), client.slug
        need = planned.filter(goal__isnull=False).first()
        assert need is not None
        assert InitiativeGoal.objects.filter(initiative=need.initiative, goal=need.goal).exists()


def test_loading_twice_adds_nothing(loaded):
    ctx, _ = loaded
    before = tuple(m.objects.count() for m in MODELS)
    lines: list[str] = []
    load_needs(ctx, lines.append)
    assert tuple(m.objects.count() for m in MODELS) == before
    assert all("already loaded" in line for line in lines)
