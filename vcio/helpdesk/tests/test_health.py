"""The help-desk health sub-score: SLA met, less recurring problems, no score on too little data."""

from __future__ import annotations

import datetime as dt

from vcio.assets.tests.factories import AssetFactory
from vcio.helpdesk.health import health
from vcio.helpdesk.models import Status
from vcio.helpdesk.tests.factories import make_ticket, make_topic

AT = dt.date(2026, 6, 30)


def u(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def resolved(client, day: int, hours: int, **kw):
    """A medium ticket opened on a June day at 08:00 and resolved ``hours`` later the same day."""
    opened = u(2026, 6, day, 8)
    return make_ticket(client, opened_at=opened, first_response_at=u(2026, 6, day, 9),
                       resolved_at=opened + dt.timedelta(hours=hours), status=Status.RESOLVED,
                       **kw)  # fmt: skip


def test_score_is_the_sla_share_less_recurring_problems(
    acme, globex, django_assert_max_num_queries
):
    vpn = make_topic(acme, "VPN")
    server = AssetFactory(client=acme, name="SRV-01")
    for day in (1, 2, 3):  # three VPN tickets on one server within 30 days: recurring
        resolved(acme, day, 2, topic=vpn, asset=server)
    for day in (8, 9, 10, 11, 12):
        resolved(acme, day, 2)
    # Two tickets over the 24 h medium target (3 business days each): missed.
    for day in (15, 16):
        make_ticket(acme, opened_at=u(2026, 6, day, 8), first_response_at=u(2026, 6, day, 9),
                    resolved_at=u(2026, 6, day + 3, 8), status=Status.RESOLVED)  # fmt: skip
    with django_assert_max_num_queries(6):
        scores = health([acme.pk, globex.pk], AT)
    # 8 of 10 in SLA = 80 %, less 5 points for the recurring VPN problem on SRV-01.
    assert scores[acme.pk].score == 75.0
    assert scores[acme.pk].explanation == (
        "80.0 % of 10 tickets of the last 90 days met their SLA; 1 recurring problem: VPN (SRV-01)."
    )
    assert scores[globex.pk].score is None


def test_too_few_tickets_is_not_scored(acme):
    for day in (1, 2):
        resolved(acme, day, 1)
    assert health([acme.pk], AT)[acme.pk].score is None
