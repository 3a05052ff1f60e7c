"""The help-desk report of a quarter, checked against figures worked out by hand."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from vcio.assets.tests.factories import AssetFactory
from vcio.helpdesk.analytics.data import Period, period_of
from vcio.helpdesk.analytics.report import build_report
from vcio.helpdesk.analytics.trends import bh_adjust, rate_test
from vcio.helpdesk.models import HelpdeskPolicy, SlaTarget, Status
from vcio.helpdesk.tests.factories import make_ticket, make_topic

UTC = dt.UTC
Q2 = Period(dt.date(2026, 4, 1), dt.date(2026, 6, 30), "UTC", "FY2026 Q2")
AFTER = dt.datetime(2026, 7, 15, tzinfo=UTC)


def u(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.fixture
def quarter(acme):
    """Seven tickets of Acme (UTC, 120 employees) around FY2026 Q2, hours worked out by hand."""
    printers = make_topic(acme, "Printers")
    passwords = make_topic(acme, "Password resets")
    t = {}
    # Monday 09:00, answered 10:00, resolved 13:00: 1 h and 4 h, medium (4 h / 24 h): met.
    t[1] = make_ticket(acme, opened_at=u(2026, 4, 6, 9), first_response_at=u(2026, 4, 6, 10),
                       resolved_at=u(2026, 4, 6, 13), topic=printers, status=Status.RESOLVED,
                       satisfaction=5)  # fmt: skip
    # Friday 17:00 → Monday 09:00 and 15:00: 2 h and 8 h, high (2 h / 8 h): met, just.
    t[2] = make_ticket(acme, opened_at=u(2026, 4, 10, 17), first_response_at=u(2026, 4, 13, 9),
                       resolved_at=u(2026, 4, 13, 15), topic=printers, priority="high",
                       status=Status.RESOLVED)  # fmt: skip
    # Wednesday 6 May 08:00 → Thursday 14 May 08:00 unanswered: 6 days × 10 h = 60 h; low: missed.
    t[3] = make_ticket(acme, opened_at=u(2026, 5, 6, 8), resolved_at=u(2026, 5, 14, 8),
                       topic=passwords, priority="low", status=Status.CLOSED, reopen_count=1,
                       satisfaction=2)  # fmt: skip
    # Critical, opened Monday 29 June 09:00 and still open at the quarter's end: 19 h > 4 h: missed.
    t[4] = make_ticket(acme, opened_at=u(2026, 6, 29, 9), topic=passwords, priority="critical",
                       status=Status.OPEN)  # fmt: skip
    t[5] = make_ticket(acme, opened_at=u(2026, 5, 20, 9), status=Status.CANCELLED)
    # Opened before the quarter, resolved in it: 2 h and 20 h, medium: met.
    t[6] = make_ticket(acme, opened_at=u(2026, 3, 30, 8), first_response_at=u(2026, 3, 30, 10),
                       resolved_at=u(2026, 4, 1, 8), status=Status.RESOLVED)  # fmt: skip
    # Opened Tuesday 30 June 10:00, resolved after the quarter: open 8 h at its end (< 24 h).
    t[7] = make_ticket(acme, opened_at=u(2026, 6, 30, 10), resolved_at=u(2026, 7, 2, 9),
                       topic=printers, status=Status.RESOLVED)  # fmt: skip
    # Long after the quarter: never in it.
    make_ticket(acme, opened_at=u(2026, 7, 10, 9), topic=printers)
    return t


def test_kpis_of_a_closed_quarter(acme, quarter):
    r = build_report(acme, Q2, AFTER)
    k = r["kpis"]
    assert (k["opened"], k["resolved"], k["backlog"]) == (6, 4, 2)
    assert k["per_employee_month"] == pytest.approx(6 / 120 / (91 * 12 / 365.25))
    assert k["top_topic"] == "Printers" and k["top_topic_share"] == pytest.approx(50)
    assert k["sla_pct"] == pytest.approx(100 * 3 / 5)


def test_times_are_business_hours_median_and_p90(acme, quarter):
    r = build_report(acme, Q2, AFTER)
    overall = r["times"]["overall"]
    # Responses 1, 2, 60, 2 h; resolutions 4, 8, 60, 20 h. p90 by linear interpolation by hand:
    # rank 0.9 × 3 = 2.7 between the 3rd and 4th sorted values.
    assert overall["response"]["median"] == pytest.approx(2)
    assert overall["response"]["p90"] == pytest.approx(2 + 0.7 * (60 - 2))
    assert overall["resolve"]["median"] == pytest.approx(14)
    assert overall["resolve"]["p90"] == pytest.approx(20 + 0.7 * (60 - 20))
    low = next(p for p in r["times"]["by_priority"] if p["priority"] == "low")
    assert low["resolve"] == {"count": 1, "median": 60, "p90": 60}


def test_sla_by_priority_counts_an_open_ticket_past_its_target_as_missed(acme, quarter):
    rows = {p["priority"]: p for p in build_report(acme, Q2, AFTER)["sla"]["by_priority"]}
    assert (rows["critical"]["met"], rows["critical"]["total"]) == (0, 1)
    assert (rows["high"]["met"], rows["high"]["total"]) == (1, 1)
    assert (rows["medium"]["met"], rows["medium"]["total"]) == (2, 2)  # the open one is in time
    assert (rows["low"]["met"], rows["low"]["total"]) == (0, 1)


def test_the_clients_own_targets_replace_the_defaults(acme, quarter):
    SlaTarget.objects.create(client=acme, priority="high", first_response_hours=1, resolve_hours=8)
    rows = {p["priority"]: p for p in build_report(acme, Q2, AFTER)["sla"]["by_priority"]}
    assert rows["high"]["met"] == 0 and rows["high"]["respond_hours"] == 1


def test_backlog_reopen_and_satisfaction(acme, quarter):
    r = build_report(acme, Q2, AFTER)
    bands = {b["label"]: b["count"] for b in r["backlog"]["bands"]}
    # Ages at 1 July 00:00: 1 day 15 h and 14 h.
    assert bands == {"under a day": 1, "1–7 days": 1, "7–30 days": 0, "30 days or more": 0}
    assert r["reopen"] == {"pct": 25.0, "reopened": 1, "resolved": 4}
    assert r["satisfaction"] == {"count": 2, "mean": 3.5, "satisfied_pct": 50.0}


def test_as_of_a_day_inside_the_quarter_ignores_what_came_later(acme, quarter):
    r = build_report(acme, Q2, u(2026, 4, 8, 12))
    assert (r["kpis"]["opened"], r["kpis"]["resolved"], r["kpis"]["backlog"]) == (1, 2, 0)
    assert r["period"]["days"] == 8 and not r["period"]["complete"]


def test_volume_by_priority_asset_and_weekly_series(acme):
    printers = make_topic(acme, "Printers")
    asset = AssetFactory(client=acme, name="PRN-01")
    for day in (1, 2, 8):
        make_ticket(acme, opened_at=u(2026, 6, day, 9), topic=printers, asset=asset)
    r = build_report(acme, period_of("month", dt.date(2026, 6, 5), "UTC"), AFTER)
    assert r["volume"]["unit"] == "week"
    assert (
        r["volume"]["by_asset"][0]["name"] == "PRN-01" and r["volume"]["by_asset"][0]["count"] == 3
    )
    series = r["volume"]["series"]
    assert series["buckets"][0] == dt.date(2026, 6, 1)
    assert series["topics"][0]["counts"][:2] == [2, 1]


def test_recurring_topic_on_one_asset(acme):
    HelpdeskPolicy.objects.create(client=acme, recurring_count=3, recurring_days=10)
    vpn = make_topic(acme, "VPN")
    server = AssetFactory(client=acme, name="SRV-01")
    for day in (1, 5, 10, 25):  # 1, 5 and 10 June fall within 10 days: 3
        make_ticket(acme, opened_at=u(2026, 6, day, 9), topic=vpn, asset=server)
    groups = build_report(acme, Q2, AFTER)["recurring"]["groups"]
    assert [(g["kind"], g["where"], g["count"], len(g["tickets"])) for g in groups] == [
        ("asset", "SRV-01", 3, 4)
    ]


def test_recurring_in_a_department_only_where_it_files_more_than_its_share(acme):
    """Sales files most tickets of every topic: only Finance's password resets are news."""
    HelpdeskPolicy.objects.create(client=acme, recurring_count=3, recurring_days=30)
    passwords, printers = make_topic(acme, "Password resets"), make_topic(acme, "Printers")
    filed = {("Finance", passwords): 8, ("Finance", printers): 2,
             ("Sales", passwords): 4, ("Sales", printers): 30}  # fmt: skip
    for (dept, topic), n in filed.items():
        for i in range(n):
            make_ticket(acme, opened_at=u(2026, 6, 1 + i % 28, 9 + i // 28), topic=topic,
                        source_department=dept)  # fmt: skip
    groups = build_report(acme, Q2, AFTER)["recurring"]["groups"]
    # Finance files 10 of 44 tickets but 8 of the 12 password resets: 2.9 times its share,
    # and 8 or more of 12 at that share happens by chance about once in 700 (p 0.0014).
    share = 10 / 44
    tail = sum(math.comb(12, i) * share**i * (1 - share) ** (12 - i) for i in range(8, 13))
    assert 0.001 < tail < 0.002
    # Sales' 30 printer tickets are 94 % of printers against its 77 % of all tickets (x1.2),
    # and its 4 password resets are fewer than its share: neither is listed.
    assert [(g["kind"], g["where"], g["topic"], g["count"]) for g in groups] == [
        ("department", "Finance", "Password resets", 8)
    ]


def exact_two_sided(k: int, n: int, p: float) -> float:
    """The exact binomial test by summing the probabilities no likelier than k's (independent)."""
    probs = [math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(n + 1)]
    return min(1.0, sum(q for q in probs if q <= probs[k] * (1 + 1e-7)))


def test_rising_topic_with_its_p_value_and_noise_that_is_not_news(acme):
    printers, vpn = make_topic(acme, "Printers"), make_topic(acme, "VPN")
    for i in range(6):  # the 91 days before the quarter: 6 printer tickets
        make_ticket(acme, opened_at=u(2026, 1, 10 + i, 9), topic=printers)
    for i in range(20):  # this quarter: 20
        make_ticket(acme, opened_at=u(2026, 4, 2 + i, 9), topic=printers)
    make_ticket(acme, opened_at=u(2026, 2, 3, 9), topic=vpn)
    make_ticket(acme, opened_at=u(2026, 5, 3, 9), topic=vpn)
    make_ticket(acme, opened_at=u(2026, 5, 4, 9), topic=vpn)
    rows = {r["name"]: r for r in build_report(acme, Q2, AFTER)["trends"]["previous"]}
    p_printers = exact_two_sided(20, 26, 91 / (91 + 91))
    p_vpn = exact_two_sided(2, 3, 0.5)
    q = bh_adjust([p_printers, p_vpn])
    assert rows["Printers"]["p"] == pytest.approx(p_printers, rel=1e-6)
    assert rows["Printers"]["q"] == pytest.approx(q[0], rel=1e-6)
    assert rows["Printers"]["news"] and rows["Printers"]["direction"] == "rising"
    assert rows["Printers"]["change_pct"] == pytest.approx(100 * (20 - 6) / 6)
    assert rows["Printers"]["words"].startswith("+233 %, unlikely to be chance (p ")
    assert not rows["VPN"]["news"] and "could be chance" in rows["VPN"]["words"]


def test_benjamini_hochberg_against_the_textbook_example():
    # Step-up by hand: sorted p × m / rank, then the running minimum from the top.
    p = [0.01, 0.04, 0.03, 0.20]
    assert bh_adjust(p) == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.2])
    assert rate_test(0, 0, 10, 10) == 1.0
    assert np.isclose(rate_test(5, 5, 10, 10), 1.0)


def test_report_runs_a_fixed_number_of_queries(acme, django_assert_max_num_queries):
    topic = make_topic(acme, "Printers")
    for i in range(40):
        make_ticket(
            acme, opened_at=u(2026, 4, 1 + i % 28, 9), topic=topic, resolved_at=u(2026, 5, 1)
        )
    # 8: the tickets, topics, targets, hours, policy, trends' counts and names, first ticket.
    with django_assert_max_num_queries(8):
        build_report(acme, Q2, AFTER)


def test_a_period_before_the_tickets_were_recorded_is_not_compared(acme):
    # Records start on 20 March: Q1 (1 Jan – 31 Mar) is recorded for 12 of its 90 days, so
    # "nothing before" would be missing data, and every topic would look new.
    printers = make_topic(acme, "Printers")
    make_ticket(acme, opened_at=u(2026, 3, 20, 9), topic=printers)
    for i in range(20):
        make_ticket(acme, opened_at=u(2026, 4, 2 + i, 9), topic=printers)
    found = build_report(acme, Q2, AFTER)["trends"]
    assert found["previous_covered"] is False and found["previous"] == []
    assert found["last_year_covered"] is False and found["last_year"] == []
    # Recorded from 14 February on (46 of Q1's 90 days): compared, and Printers is news.
    make_ticket(acme, opened_at=u(2026, 2, 14, 9), topic=printers)
    found = build_report(acme, Q2, AFTER)["trends"]
    assert found["previous_covered"] is True
    assert [r["name"] for r in found["previous"] if r["news"]] == ["Printers"]
