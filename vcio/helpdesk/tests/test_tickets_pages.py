"""The tickets list and the ticket page, as the people of the practice and the client see them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from vcio.assets.tests.factories import AssetFactory
from vcio.core.models import AuditEvent, Department
from vcio.core.tests.factories import DepartmentFactory
from vcio.helpdesk.models import Status, Ticket, TopicSetBy
from vcio.helpdesk.tests.factories import make_ticket, make_topic

pytestmark = pytest.mark.django_db


def list_url(client, **params) -> str:
    url = reverse("helpdesk:tickets", kwargs={"client": client.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def ticket_url(ticket) -> str:
    return reverse("helpdesk:ticket", kwargs={"client": ticket.client.slug, "pk": ticket.pk})


@pytest.fixture
def world(acme, globex):
    """Acme's tickets of two topics, two departments, one printer; one Globex ticket."""
    printers = make_topic(acme, "Printers")
    email = make_topic(acme, "Email")
    finance = Department.objects.get(client=acme)
    sales = DepartmentFactory(client=acme, name="Sales")
    printer = AssetFactory(client=acme, name="ACME-PRN-07")
    t0 = dt.datetime(2026, 3, 2, 15, tzinfo=dt.UTC)
    rows = {
        "jam": make_ticket(acme, subject="Paper jam on ACME-PRN-07", topic=printers,
                           department=finance, asset=printer, opened_at=t0,
                           status=Status.OPEN, priority="high", requester="Nia Patel"),
        "toner": make_ticket(acme, subject="Toner streaks", topic=printers, department=sales,
                             opened_at=t0 + dt.timedelta(days=1), status=Status.CLOSED,
                             resolved_at=t0 + dt.timedelta(days=1, hours=5),
                             topic_needs_review=True, requester="Omar Khan"),
        "mail": make_ticket(acme, subject="Outlook keeps asking for a login", topic=email,
                            department=sales, opened_at=t0 + dt.timedelta(days=10),
                            status=Status.RESOLVED, requester="Nia Patel"),
        "globex": make_ticket(globex, subject="GLOBEX printer on fire", opened_at=t0),
    }  # fmt: skip
    return rows


def subjects(response) -> set[str]:
    return {t.subject for t, _ in response.context["rows"]}


def test_each_filter_narrows_what_bob_sees(login, bob, world, acme):
    http = login(bob)
    everything = subjects(http.get(list_url(acme)))
    assert everything == {"Paper jam on ACME-PRN-07", "Toner streaks",
                          "Outlook keeps asking for a login"}  # fmt: skip
    jam, toner, mail = world["jam"], world["toner"], world["mail"]
    cases = {
        "topic": (jam.topic_id, {jam.subject, toner.subject}),
        "department": (mail.department_id, {toner.subject, mail.subject}),
        "asset": (jam.asset_id, {jam.subject}),
        "status": ("closed", {toner.subject}),
        "priority": ("high", {jam.subject}),
        "requester": ("nia", {jam.subject, mail.subject}),
        "q": ("outlook", {mail.subject}),
        "needs_review": ("true", {toner.subject}),
        "opened_after": ("2026-03-03", {toner.subject, mail.subject}),
        "opened_before": ("2026-03-02", {jam.subject}),
    }
    for name, (value, expected) in cases.items():
        response = http.get(list_url(acme, **{name: value}))
        assert response.status_code == 200
        assert subjects(response) == expected, name


def test_dates_are_days_in_the_clients_calendar(login, bob, acme):
    acme.time_zone = "America/Chicago"
    acme.save()
    # 23:30 on 1 March in Chicago is already 2 March in UTC.
    late = dt.datetime(2026, 3, 1, 23, 30, tzinfo=ZoneInfo("America/Chicago"))
    make_ticket(acme, subject="Late-evening ticket", opened_at=late)
    http = login(bob)
    assert subjects(http.get(list_url(acme, opened_before="2026-03-01"))) == {"Late-evening ticket"}
    assert subjects(http.get(list_url(acme, opened_after="2026-03-02"))) == set()
    assert "2026-03-01 23:30" in http.get(list_url(acme)).content.decode()


def test_the_list_shows_a_technicians_columns(login, tess, world, acme):
    page = login(tess).get(list_url(acme)).content.decode()
    shown = ["Paper jam on ACME-PRN-07", "Nia Patel", "ACME-PRN-07", "Printers", "needs review"]
    shown += ["High", "Open", "2026-03-02", "5.0 h", "Time to resolve"]
    for text in shown:
        assert text in page
    asset_link = reverse("assets:asset_detail", args=[acme.slug, world["jam"].asset_id])
    assert asset_link in page
    assert "GLOBEX" not in page


def test_a_foreign_id_in_a_filter_is_refused_and_shows_nothing(login, bob, world, acme, globex):
    foreign = make_topic(globex, "Globex topic")
    response = login(bob).get(list_url(acme, topic=foreign.pk))
    # The refusal is shown by the filter; the Globex topic's name never is.
    assert "Select a valid choice" in response.content.decode()
    assert "Globex topic" not in response.content.decode()
    response = login(bob).get(list_url(acme, topic="99999999999999999999"))
    assert "is not an id" in response.content.decode()
    response = login(bob).get(list_url(acme, opened_after="2026-02-31"))
    assert response.status_code == 200 and "Enter a valid date" in response.content.decode()


def test_the_list_runs_the_same_queries_for_5_or_50_tickets(
    login, bob, acme, django_assert_max_num_queries
):
    topic = make_topic(acme, "Printers")
    dept = Department.objects.get(client=acme)
    printer = AssetFactory(client=acme, name="PRN")

    def tickets(n: int) -> None:
        for _ in range(n):
            make_ticket(acme, topic=topic, department=dept, asset=printer)

    http = login(bob)
    tickets(5)
    with django_assert_max_num_queries(100) as small:
        http.get(list_url(acme))
    tickets(45)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        assert len(http.get(list_url(acme)).context["rows"]) == 50
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_ticket_page_escapes_the_body(login, bob, acme):
    ticket = make_ticket(acme, body='<script>alert("x")</script><b>bold</b>\nSecond line')
    page = login(bob).get(ticket_url(ticket)).content.decode()
    assert "<script>alert" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in page
    assert "Second line" in page


def test_the_ticket_page_shows_asset_topic_and_timeline(login, bob, world, acme):
    jam = world["jam"]
    jam.topic_set_by, jam.topic_confidence = TopicSetBy.MODEL, 0.82
    jam.first_response_at = jam.opened_at + dt.timedelta(minutes=45)
    jam.reopen_count = 2
    jam.save()
    page = login(bob).get(ticket_url(jam)).content.decode()
    assert reverse("assets:asset_detail", args=[acme.slug, jam.asset_id]) in page
    assert "Printers" in page and "confidence 82 %" in page and "learned model" in page
    assert "after 45 min" in page and "2 times" in page


def test_carol_reads_her_clients_tickets_but_not_the_requesters_words(login, carol, acme):
    ticket = make_ticket(acme, subject="Salary file locked", body="My payslip shows ACME-SECRET")
    http = login(carol)
    assert "Salary file locked" in http.get(list_url(acme)).content.decode()
    page = http.get(ticket_url(ticket)).content.decode()
    assert "Salary file locked" in page
    assert "ACME-SECRET" not in page and 'id="body-hidden"' in page
    assert "Save correction" not in page
    assert http.post(ticket_url(ticket), {"topic": ""}).status_code == 403


def test_dave_of_globex_gets_404_on_an_acme_ticket(login, dave, world, acme):
    http = login(dave)
    assert http.get(ticket_url(world["jam"])).status_code == 404
    assert http.get(list_url(acme)).status_code == 404


def test_an_editor_corrects_topic_department_and_asset_with_an_audit_record(
    login, tess, world, acme
):
    toner = world["toner"]
    email = world["mail"].topic
    printer = world["jam"].asset
    finance = world["jam"].department
    response = login(tess).post(
        ticket_url(toner), {"topic": email.pk, "department": finance.pk, "asset": printer.pk}
    )
    assert response.status_code == 302
    toner.refresh_from_db()
    assert (toner.topic, toner.department, toner.asset) == (email, finance, printer)
    assert toner.topic_set_by == TopicSetBy.PERSON and toner.topic_set_by_user == tess
    assert not toner.topic_needs_review and toner.asset_matched_by == "person"
    event = AuditEvent.objects.get(object_id=str(toner.pk), action="update")
    assert event.actor_name == "tess"
    page = login(tess).get(ticket_url(toner)).content.decode()
    assert "set by" in page and 'class="review-mark"' not in page


def test_a_correction_naming_another_clients_topic_is_refused(login, tess, world, globex):
    toner = world["toner"]
    foreign = make_topic(globex, "Globex topic")
    response = login(tess).post(ticket_url(toner), {"topic": foreign.pk})
    assert response.status_code == 400
    assert "not one of this client" in response.content.decode()
    assert Ticket.objects.get(pk=toner.pk).topic_id == world["jam"].topic_id


def test_topic_none_lists_the_tickets_without_a_topic_on_the_page_and_in_the_api(acme, bob, client):
    # The overview's "(none)" row links here with topic=none.
    client.force_login(bob)
    printers = make_topic(acme, "Printers")
    make_ticket(acme, subject="Jammed tray", topic=printers)
    make_ticket(acme, subject="Something odd")
    html = client.get("/clients/acme/helpdesk/tickets/?topic=none").content.decode()
    assert "Something odd" in html and "Jammed tray" not in html
    found = client.get("/api/helpdesk/tickets/?client=acme&topic=none").json()["results"]
    assert [t["subject"] for t in found] == ["Something odd"]
