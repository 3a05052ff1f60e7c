"""The optimiser's explanations are printed whole, in the client's currency, once."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from vcio.strategy.planning import horizon_quarters
from vcio.strategy.tests.factories import InitiativeFactory
from vcio.strategy.views.roadmap import reason_parts

CAPS = {"name": "Base", "horizon": "2", "capex_per_quarter": "10000", "effort_per_quarter": ""}


@pytest.mark.django_db
def test_a_scenario_page_prints_each_reason_whole_with_the_currency(client, bob, acme):
    InitiativeFactory(client=acme, title="Firewall", capex=Decimal("6000"))
    InitiativeFactory(client=acme, title="Laptops", capex=Decimal("7000"))
    InitiativeFactory(client=acme, title="Data centre", capex=Decimal("50000"))
    client.force_login(bob)
    r = client.post(reverse("strategy:roadmap_optimise", args=["acme"]), CAPS, follow=True)
    text = html.unescape(r.content.decode())
    first, second = (q.label for q in horizon_quarters(acme, 2, timezone.localdate()))
    chosen = text.split('id="chosen"')[1].split("</table>")[0]
    # Laptops waits for the second quarter: the first holds Firewall's $6,000 of $10,000.
    assert (
        f"not in {first}: capex cap in {first} (cap $10,000, already planned $6,000, "
        "this needs $7,000)" in chosen
    )
    left_out = text.split('id="left-out"')[1].split("</table>")[0]
    assert (
        f"capex cap in {first} (cap $10,000, already planned $6,000, this needs $50,000)"
        in left_out
    )
    assert f"and no later quarter up to {second} fits either" in left_out
    figures = text.split('id="plan-figures"')[1].split('id="h-caps"')[0]
    assert figures.count("proven optimal") == 1


def test_a_stored_reason_splits_only_between_quarters_never_inside_a_bracket():
    # Plans stored before the fix put semicolons inside the bracket.
    old = (
        "not in FY2026 Q3: capex cap in FY2026 Q3 (cap 50,000; planned 30,000; this needs "
        "25,000); not in FY2026 Q4: capex cap in FY2026 Q4 (cap 50,000; planned 40,000; "
        "this needs 25,000)"
    )
    head, rest = reason_parts(old)
    assert (
        head == "not in FY2026 Q3: capex cap in FY2026 Q3 (cap 50,000; planned 30,000; "
        "this needs 25,000)"
    )
    assert rest == [
        "not in FY2026 Q4: capex cap in FY2026 Q4 (cap 50,000; planned 40,000; this needs 25,000)"
    ]
    whole = (
        "capex cap in Q1 (cap $1, already planned $0, this needs $2); it scores lower than the rest"
    )
    assert reason_parts(whole) == (whole, [])
