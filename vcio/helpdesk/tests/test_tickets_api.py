"""The tickets API: the page's filters, scoped rows, PATCH corrections that stay in one client."""

from __future__ import annotations

import datetime as dt

import pytest

from vcio.assets.tests.factories import AssetFactory
from vcio.core.models import AuditEvent, Department
from vcio.helpdesk.models import Ticket, TopicSetBy
from vcio.helpdesk.tests.factories import make_ticket, make_topic

pytestmark = pytest.mark.django_db
URL = "/api/helpdesk/tickets/"


@pytest.fixture
def tickets(acme, globex):
    printers = make_topic(acme, "Printers")
    t0 = dt.datetime(2026, 5, 4, 15, tzinfo=dt.UTC)
    return {
        "jam": make_ticket(acme, subject="Paper jam", topic=printers, opened_at=t0,
                           body="ACME-ONLY words of the requester"),
        "mail": make_ticket(acme, subject="Mailbox full", opened_at=t0 + dt.timedelta(days=3),
                            status="closed"),
        "globex": make_ticket(globex, subject="Globex ticket", opened_at=t0),
    }  # fmt: skip


def subjects(response) -> set[str]:
    assert response.status_code == 200, response.json()
    return {row["subject"] for row in response.json()["results"]}


def test_bob_lists_acmes_tickets_with_the_pages_filters(api, bob, tickets):
    http = api(bob)
    assert subjects(http.get(URL)) == {"Paper jam", "Mailbox full"}
    assert subjects(http.get(URL, {"client": "acme", "status": "closed"})) == {"Mailbox full"}
    assert subjects(http.get(URL, {"topic": tickets["jam"].topic_id})) == {"Paper jam"}
    assert subjects(http.get(URL, {"opened_after": "2026-05-05"})) == {"Mailbox full"}
    assert subjects(http.get(URL, {"q": "jam"})) == {"Paper jam"}
    row = http.get(f"{URL}{tickets['jam'].pk}/").json()
    assert row["topic_name"] == "Printers" and row["body"] == "ACME-ONLY words of the requester"


def test_the_api_refuses_a_bad_filter_with_a_400_naming_it(api, bob, tickets):
    response = api(bob).get(URL, {"opened_after": "2026-13-01"})
    assert response.status_code == 400 and "opened_after" in response.json()
    response = api(bob).get(URL, {"topic": "-1"})
    assert response.status_code == 400 and "topic" in response.json()


def test_carol_reads_the_tickets_but_not_the_bodies(api, carol, tickets):
    http = api(carol)
    assert subjects(http.get(URL)) == {"Paper jam", "Mailbox full"}
    assert http.get(f"{URL}{tickets['jam'].pk}/").json()["body"] is None
    assert (
        http.patch(f"{URL}{tickets['jam'].pk}/", {"topic": None}, format="json").status_code == 403
    )


def test_dave_sees_globex_only_and_gets_404_on_acme(api, dave, tickets):
    http = api(dave)
    assert subjects(http.get(URL)) == {"Globex ticket"}
    assert http.get(f"{URL}{tickets['jam'].pk}/").status_code == 404
    assert (
        http.patch(f"{URL}{tickets['jam'].pk}/", {"topic": None}, format="json").status_code == 404
    )


def test_patch_corrects_topic_department_and_asset_with_an_audit_record(api, tess, acme, tickets):
    mail = tickets["mail"]
    topic = make_topic(acme, "Email")
    dept = Department.objects.get(client=acme)
    laptop = AssetFactory(client=acme, name="ACME-LT-001")
    response = api(tess).patch(
        f"{URL}{mail.pk}/",
        {"topic": topic.pk, "department": dept.pk, "asset": laptop.pk, "subject": "changed"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    mail.refresh_from_db()
    assert (mail.topic, mail.department, mail.asset) == (topic, dept, laptop)
    assert mail.subject == "Mailbox full"  # read-only: the source's words stay
    assert mail.topic_set_by == TopicSetBy.PERSON and mail.asset_matched_by == "person"
    assert AuditEvent.objects.filter(object_id=str(mail.pk), actor_name="tess").exists()


def test_patch_with_another_clients_topic_is_a_400_naming_the_field(api, alice, globex, tickets):
    # Alice sees every client, so the Globex topic resolves: the ticket's client refuses it.
    foreign = make_topic(globex, "Globex topic")
    jam = tickets["jam"]
    response = api(alice).patch(f"{URL}{jam.pk}/", {"topic": foreign.pk}, format="json")
    assert response.status_code == 400
    assert "another client" in response.json()["topic"][0]
    assert Ticket.objects.get(pk=jam.pk).topic_id == jam.topic_id


def test_patch_with_a_topic_bob_cannot_see_is_a_400_too(api, bob, globex, tickets):
    foreign = make_topic(globex, "Globex topic")
    response = api(bob).patch(f"{URL}{tickets['jam'].pk}/", {"topic": foreign.pk}, format="json")
    assert response.status_code == 400 and "topic" in response.json()


def test_tickets_are_neither_created_nor_deleted_through_the_api(api, alice, tickets):
    http = api(alice)
    assert http.post(URL, {"client": "acme", "subject": "x"}).status_code == 405
    assert http.delete(f"{URL}{tickets['jam'].pk}/").status_code == 405


def test_the_list_runs_the_same_queries_for_5_or_50_tickets(
    api, bob, acme, django_assert_max_num_queries
):
    topic = make_topic(acme, "Printers")
    printer = AssetFactory(client=acme, name="PRN")
    dept = Department.objects.get(client=acme)
    http = api(bob)
    for _ in range(5):
        make_ticket(acme, topic=topic, asset=printer, department=dept)
    with django_assert_max_num_queries(100) as small:
        http.get(URL)
    for _ in range(45):
        make_ticket(acme, topic=topic, asset=printer, department=dept)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(http.get(URL, {"page_size": 50}).json()["results"]) == 50
