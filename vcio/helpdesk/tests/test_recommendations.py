"""Recommendations from tickets: replace old assets behind a rising topic, remedies, root causes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from vcio.assets.models import Asset, AssetKind, LifecyclePolicy
from vcio.assets.tests.factories import AssetFactory
from vcio.helpdesk import recommendations as recs
from vcio.helpdesk.models import HelpdeskPolicy
from vcio.helpdesk.tests.factories import make_ticket, make_topic

NOW = timezone.now()


def ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


@pytest.fixture
def printers(acme):
    """Printer tickets: 3 in the 90 days before, 15 in the last 90, on three printers.

    PRN-OLD1 and PRN-OLD2 were bought 7 years ago (over Acme's 6-year policy at 1,200 each);
    PRN-NEW was bought last year.
    """
    LifecyclePolicy.objects.create(client=acme, kind=AssetKind.PRINTER,
                                   replace_after_years=Decimal("6"),
                                   replacement_cost=Decimal("1200"))  # fmt: skip
    today = timezone.localdate()
    old1 = AssetFactory(client=acme, name="PRN-OLD1", kind=AssetKind.PRINTER,
                        purchase_date=today - dt.timedelta(days=7 * 366))  # fmt: skip
    old2 = AssetFactory(client=acme, name="PRN-OLD2", kind=AssetKind.PRINTER,
                        purchase_date=today - dt.timedelta(days=7 * 366))  # fmt: skip
    new = AssetFactory(client=acme, name="PRN-NEW", kind=AssetKind.PRINTER,
                       purchase_date=today - dt.timedelta(days=300))  # fmt: skip
    topic = make_topic(acme, "Printers")
    for i in range(3):
        make_ticket(acme, opened_at=ago(100 + 10 * i), topic=topic, asset=new)
    for i, asset in enumerate([old1, old2, new] * 5):
        make_ticket(acme, opened_at=ago(2 + 5 * i), topic=topic, asset=asset,
                    subject="SECRET jam")  # fmt: skip
    return topic


def test_rising_topic_on_old_assets_recommends_replacing_them(
    acme, globex, printers, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        (draft,) = recs.replace_old_assets([acme.pk, globex.pk])
    assert draft.key == f"helpdesk.replace.{printers.pk}"
    assert draft.title == "Replace 2 old printers behind rising Printers tickets"
    assert draft.one_time_cost == Decimal("2400")
    assert draft.category == "lifecycle"
    assert draft.why.startswith("15 Printers tickets in the last 90 days against 3 before (+400 %")
    assert "2 of the printers they hit are over 6 years old: replace them, ~2,400 USD." in draft.why
    assert sorted(a["name"] for a in draft.evidence["assets"]) == ["PRN-OLD1", "PRN-OLD2"]
    assert len(draft.evidence["ticket_ids"]) == 15
    assert "SECRET" not in str(draft.evidence)
    assert f"topic={printers.pk}" in draft.evidence_url


def test_password_resets_taking_a_large_share_propose_self_service(acme, settings):
    settings.VCIO_HELPDESK_HOURLY_RATE = 100
    resets, other = make_topic(acme, "Password resets"), make_topic(acme, "Email")
    for i in range(18):
        make_ticket(acme, opened_at=ago(1 + 4 * i), topic=resets)
    for i in range(12):
        make_ticket(acme, opened_at=ago(1 + 5 * i), topic=other)
    (draft,) = recs.known_remedies([acme.pk])
    # 18 in 90 days = 73 a year; × 15 min ÷ 60 × 100 = 1,825 a year saved;
    # the tool costs 24 a year × 120 employees = 2,880: no net saving, still shown.
    per_year = Decimal(18) * 365 / 90
    saving = (per_year * 15 / 60 * 100).quantize(Decimal("1"))
    assert draft.evidence["saving_per_year"] == str(saving) == "1825"
    assert draft.evidence["tool_per_year"] == "2880"
    assert draft.title == "Self-service password reset: Password resets is 60 % of tickets"
    assert draft.recurring_cost_per_year == 0
    acme.employee_count = 20
    acme.save()
    (draft,) = recs.known_remedies([acme.pk])
    assert draft.recurring_cost_per_year == -(saving - 480)  # a net saving is a negative cost
    assert draft.key == f"helpdesk.remedy.sspr.{resets.pk}"


def test_recurring_problem_on_a_server_proposes_a_root_cause_review(acme):
    HelpdeskPolicy.objects.create(client=acme, recurring_count=3, recurring_days=30)
    backup = make_topic(acme, "Backup failures")
    server = AssetFactory(client=acme, name="SRV-FILE", kind=AssetKind.SERVER)
    for day in (3, 10, 20, 25):
        make_ticket(acme, opened_at=ago(day), topic=backup, asset=server)
    (draft,) = recs.root_causes([acme.pk])
    assert draft.title == "Find the root cause of Backup failures on SRV-FILE"
    assert draft.key == f"helpdesk.rootcause.{backup.pk}.{server.pk}"
    assert draft.evidence["most_in_window"] == 4 and draft.effort_days == 1


def test_noise_makes_no_recommendation(acme):
    topic = make_topic(acme, "Printers")
    old = AssetFactory(client=acme, name="PRN-OLD", kind=AssetKind.PRINTER,
                       purchase_date=timezone.localdate() - dt.timedelta(days=3000))  # fmt: skip
    for d in (100, 120, 10, 30):  # 2 before, 2 now: nothing rising
        make_ticket(acme, opened_at=ago(d), topic=topic, asset=old)
    assert recs.replace_old_assets([acme.pk]) == []
    assert recs.known_remedies([acme.pk]) == []


def test_a_recurring_problem_on_an_asset_due_for_replacement_is_not_a_root_cause_review(
    acme, printers
):
    # Five tickets on each printer in the last 90 days, 15 days apart: 3 within 40 days on
    # each. The two old printers are argued for replacement, not for a root-cause review.
    HelpdeskPolicy.objects.create(client=acme, recurring_count=3, recurring_days=40)
    replaced = {a["name"] for d in recs.replace_old_assets([acme.pk]) for a in d.evidence["assets"]}
    assert replaced == {"PRN-OLD1", "PRN-OLD2"}
    reviewed = {d.evidence["asset"] for d in recs.root_causes([acme.pk])}
    assert reviewed == {"PRN-NEW"}
    # Bought last year, the same two printers' repeats would call for a review.
    Asset.objects.filter(client=acme, name__startswith="PRN-OLD").update(
        purchase_date=timezone.localdate() - dt.timedelta(days=300)
    )
    reviewed = {d.evidence["asset"] for d in recs.root_causes([acme.pk])}
    assert {"PRN-OLD1", "PRN-OLD2"} <= reviewed
