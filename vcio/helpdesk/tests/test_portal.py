"""A client executive reads help-desk trends in the portal, never a ticket's text nor a name."""

from __future__ import annotations

import datetime as dt

from vcio.helpdesk.models import Status
from vcio.helpdesk.tests.factories import make_ticket, make_topic

D = dt.date


def u(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_executive_sees_trends_but_no_ticket_text_and_other_clients_see_nothing(
    login, bob, carol, dave, acme, globex
):
    from vcio.reviews import services

    printers = make_topic(acme, "Printers")
    for i in range(6):
        make_ticket(acme, opened_at=u(2026, 4, 1 + i, 9), topic=printers,
                    subject="ACME-ONLY subject", body="ACME-ONLY body", requester="Zed Requester",
                    requester_email="zed@acme.test", resolved_at=u(2026, 4, 1 + i, 11),
                    status=Status.RESOLVED)  # fmt: skip
    review = services.create_review(acme, "qbr", D(2026, 4, 1), D(2026, 6, 30), bob)
    services.finalise(review, bob, today=D(2026, 6, 30))
    url = f"/portal/acme/reviews/{review.pk}/report/"
    page = login(carol).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Help desk: ticket trends and service levels" in html
    assert "Printers" in html
    for secret in ("ACME-ONLY subject", "ACME-ONLY body", "Zed Requester", "zed@acme.test"):
        assert secret not in html
    assert login(dave).get(url).status_code == 404
    # The executive's own Help desk tab shows trends without ticket text either.
    tab = login(carol).get("/clients/acme/helpdesk/?period=quarter&on=2026-05-01")
    assert tab.status_code == 200
    for secret in ("ACME-ONLY subject", "ACME-ONLY body", "Zed Requester"):
        assert secret not in tab.content.decode()
    api = login(carol).get("/api/helpdesk/analytics/?client=acme&period=quarter&on=2026-05-01")
    assert api.json()["volume"]["by_requester"] == []
    assert (
        "Zed Requester"
        in login(bob).get("/clients/acme/helpdesk/?period=quarter&on=2026-05-01").content.decode()
    )  # the consultant sees who asks most
