"""``POST /api/helpdesk/push/<client>/``: a PSA webhook or a script sends tickets.

One ticket or ``{"tickets": [...]}``; upsert by (source, external id), all
or nothing, each problem named ``tickets[i].field``.
"""

from __future__ import annotations

import datetime as dt

from vcio.core.importer import engine
from vcio.core.models import AuditEvent
from vcio.core.tests.factories import make_token
from vcio.helpdesk.models import Ticket

URL = "/api/helpdesk/push/acme/"
UTC = dt.UTC


def ticket(n: int, **kw) -> dict:
    return {"external_id": f"H-{n}", "subject": f"Ticket {n}", "opened_at": "2024-03-01T09:00:00Z",
            "priority": "P2", "status": "open", "source": "halopsa", **kw}  # fmt: skip


def test_one_ticket_is_created_then_updated_then_unchanged(api, bob, acme):
    http = api(bob)
    r = http.post(URL, ticket(1), format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    t = Ticket.objects.get(client=acme)
    assert body == {"created": 1, "updated": 0, "unchanged": 0, "ids": [t.pk]}
    assert (t.source, t.priority, t.source_priority, t.status) == ("halopsa", "high", "P2", "open")
    assert t.opened_at == dt.datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    r = http.post(URL, ticket(1, status="Resolved", resolved_at="2024-03-01T12:00:00Z"),
                  format="json")  # fmt: skip
    assert r.json() == {"created": 0, "updated": 1, "unchanged": 0, "ids": [t.pk]}
    t.refresh_from_db()
    assert (t.status, t.resolved_at) == ("resolved", dt.datetime(2024, 3, 1, 12, tzinfo=UTC))
    r = http.post(URL, ticket(1, status="Resolved", resolved_at="2024-03-01T12:00:00Z"),
                  format="json")  # fmt: skip
    assert r.json()["unchanged"] == 1 and Ticket.objects.count() == 1
    assert AuditEvent.objects.filter(client=acme, actor=bob).count() == 3


def test_a_batch_with_a_token(api, bob, acme):
    _, key = make_token(bob)
    r = api(token=key).post(URL, {"tickets": [ticket(1), ticket(2, priority="Low")]},
                            format="json")  # fmt: skip
    assert r.status_code == 200, r.content
    assert r.json()["created"] == 2 and len(r.json()["ids"]) == 2
    assert Ticket.objects.get(external_id="H-2").priority == "low"


def test_a_pushed_ticket_is_the_imported_one(api, bob, acme, tmp_path):
    path = tmp_path / "halo.csv"
    path.write_text("Ticket ID,Summary,Status,Priority,Date Logged\n"
                    "1,VPN drops,New,P3,2024-03-01 09:00\n")  # fmt: skip
    assert engine.run("tickets", acme, [path]).committed
    r = api(bob).post(URL, {"external_id": "1", "opened_at": "2024-03-01 09:00",
                            "status": "Closed", "source": "halopsa"}, format="json")  # fmt: skip
    assert r.json()["updated"] == 1 and Ticket.objects.get().status == "closed"


def test_bad_values_are_named_and_nothing_is_written(api, bob, acme):
    batch = {"tickets": [ticket(1), ticket(2, opened_at="soon"), ticket(2, colour="red"),
                         ticket(1), ticket(5, resolved_at="2024-02-01T00:00:00Z"),
                         ticket(6, subject="", opened_at=None)]}  # fmt: skip
    r = api(bob).post(URL, batch, format="json")
    assert r.status_code == 400
    errors = r.json()
    assert errors["tickets[1].opened_at"] == ["'soon' is not a date and time"]
    assert errors["tickets[2].colour"][0].startswith("not a ticket field (fields: external_id,")
    assert errors["tickets[5].opened_at"] == ["Created is required"]
    assert not Ticket.objects.exists()
    r = api(bob).post(URL, {"tickets": [ticket(1), ticket(1),
                                        ticket(5, resolved_at="2024-02-01T00:00:00Z")]},
                      format="json")  # fmt: skip
    assert r.json() == {
        "tickets[1].external_id": ["ticket H-1 also appears at tickets[0]"],
        "tickets[2].resolved_at": ["Resolved 2024-02-01 00:00 is before the ticket was created "
                                   "(2024-03-01 09:00)"],
    }  # fmt: skip
    assert not Ticket.objects.exists()


def test_wrong_shapes_are_400s(api, bob, acme):
    http = api(bob)
    assert http.post(URL, {"tickets": []}, format="json").json() == {
        "tickets": ["must be a non-empty list of ticket objects"]}  # fmt: skip
    assert http.post(URL, [1, 2], format="json").status_code == 400
    r = http.post(URL, {"tickets": ["x"]}, format="json")
    assert r.json() == {"tickets[0]": ["must be a ticket object"]}
    r = http.post(URL, ticket(1, subject={"a": 1}), format="json")
    assert r.json() == {"subject": ["must be a string or a number, not dict"]}


def test_only_editors_of_the_client_may_push(api, carol, dave, acme, globex):
    assert api(carol).post(URL, ticket(1), format="json").status_code == 403  # executive reads
    assert api(dave).post(URL, ticket(1), format="json").status_code == 404  # another client's
    assert not Ticket.objects.exists()
    from rest_framework.test import APIClient

    assert APIClient().post(URL, ticket(1), format="json").status_code in (401, 403)


def test_the_schema_documents_the_push(api, alice):
    schema = api(alice).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/helpdesk/push/{client}/"]["post"]
    assert operation["operationId"] == "helpdesk_push_tickets"
    components = schema["components"]["schemas"]
    names = {"HelpdeskPushTicketRequest", "HelpdeskPushBatchRequest", "HelpdeskPushResult"}
    assert names <= set(components)
    assert components["HelpdeskPushTicketRequest"]["required"] == ["external_id", "opened_at"]
    assert list(operation["requestBody"]["content"]) == ["application/json"]
