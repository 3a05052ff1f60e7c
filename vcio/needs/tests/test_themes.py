"""Needs are grouped into themes named from their top terms; typed themes stay."""

from __future__ import annotations

from vcio.needs.models import Need, NeedStatus
from vcio.needs.tests.flow import need
from vcio.needs.themes import MIN_TEXTS, assign_themes, choose_k, themes_for

TEXTS = [
    "The CRM is slow when quoting",
    "Quotes take ages in the CRM",
    "New laptops for the new hires",
    "Hiring five reps who need laptops",
    "VPN drops at the Toledo plant",
    "VPN disconnects every hour",
    "Printer jams in finance",
    "CRM quotes pipeline broken",
]


def test_similar_needs_share_a_theme_named_from_their_terms():
    themes = themes_for(TEXTS, [""] * len(TEXTS))
    assert themes[0] == themes[1] == themes[7]
    assert themes[2] == themes[3]
    assert themes[4] == themes[5]
    assert len({themes[0], themes[2], themes[4]}) == 3
    assert "crm" in themes[0] and "vpn" in themes[4] and "laptops" in themes[2]


def test_grouping_is_deterministic():
    assert themes_for(TEXTS, [""] * 8) == themes_for(TEXTS, [""] * 8)


def test_a_typed_theme_is_kept_and_its_group_joins_it():
    current = ["Sales tools"] + [""] * 7
    themes = themes_for(TEXTS, current)
    assert themes[0] == "Sales tools"
    assert themes[1] == themes[7] == "Sales tools"


def test_too_few_needs_are_left_alone():
    assert themes_for(TEXTS[: MIN_TEXTS - 1], ["", "x", ""]) == ["", "x", ""]
    assert choose_k(8) == 4 and choose_k(500) == 8 and choose_k(4) == 3


def test_assign_themes_fills_blank_ones_only(acme, globex, django_assert_max_num_queries):
    typed = need(acme, TEXTS[0], theme="Sales tools")
    for text in TEXTS[1:]:
        need(acme, text)
    gone = need(acme, "Dismissed CRM complaint", status=NeedStatus.DISMISSED)
    need(globex, "VPN slow")  # one need: nothing to group
    with django_assert_max_num_queries(3):
        changed = assign_themes([acme.pk, globex.pk])
    assert changed == 7
    typed.refresh_from_db()
    assert typed.theme == "Sales tools"
    assert Need.objects.get(client=acme, text=TEXTS[7]).theme == "Sales tools"
    assert Need.objects.get(pk=gone.pk).theme == ""
    assert Need.objects.get(client=globex).theme == ""
    assert assign_themes([acme.pk]) == 0  # nothing blank left
