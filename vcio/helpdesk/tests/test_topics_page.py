"""The topics page: what each role sees, the forms, the review queue, a constant query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vcio.helpdesk.models import Ticket, Topic, TopicKind, TopicSetBy
from vcio.helpdesk.tests.factories import make_ticket, make_topic

URL = "/clients/acme/helpdesk/topics/"


def _acme_topics(acme, n: int = 2) -> list[Topic]:
    now = timezone.now()
    topics = []
    for i in range(n):
        topic = make_topic(acme, f"Topic {i}", kind=TopicKind.DISCOVERED, key=f"d{i}",
                           terms=["printer", "toner", "jam"])  # fmt: skip
        for j in range(4):
            words = ("printer jam tray", "toner empty copier")[j % 2]
            make_ticket(acme, topic=topic, subject=f"Ticket {i}.{j} {words}",
                        opened_at=now - dt.timedelta(days=7 * j))  # fmt: skip
        topics.append(topic)
    return topics


def test_page_shows_topics_sizes_terms_examples_and_trend(login, acme, bob):
    _acme_topics(acme)
    make_ticket(acme, subject="Old one", topic=Topic.objects.first(),
                opened_at=timezone.now() - dt.timedelta(days=400))  # fmt: skip
    page = login(bob).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Topic 0" in html and "printer · toner · jam" in html
    assert "Ticket 0.0" in html  # newest example shown
    assert "Old one" not in html  # only the three newest tickets are examples
    assert "<svg" in html
    assert "Rename" in html and "Merge into" in html and "Split in two" in html


def test_executive_reads_without_forms_and_other_clients_get_404(login, acme, carol, dave):
    _acme_topics(acme)
    page = login(carol).get(URL)
    assert page.status_code == 200 and "Topic 0" in page.content.decode()
    assert "Rename" not in page.content.decode()
    assert login(dave).get(URL).status_code == 404


def test_query_count_does_not_grow_with_topics_or_tickets(login, acme, bob):
    _acme_topics(acme, 2)
    http = login(bob)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(URL).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    _more = [make_topic(acme, f"More {i}", key=f"m{i}") for i in range(10)]
    for topic in _more:
        make_ticket(acme, topic=topic, topic_needs_review=True, topic_confidence=0.2)
    assert queries() == few


def test_split_of_tickets_without_words_says_why(login, acme, bob):
    topic = make_topic(acme, "d9", kind=TopicKind.DISCOVERED)
    for i in range(4):
        make_ticket(acme, topic=topic, subject=f"Hi {i}", body="thanks")
    page = login(bob).post(f"/clients/acme/helpdesk/topics/{topic.pk}/split/", follow=True)
    assert "too few words to tell parts apart" in page.content.decode()
    assert not Topic.objects.filter(split_from=topic).exists()


def test_forms_rename_merge_split_and_confirm(login, acme, bob, carol):
    a, b = _acme_topics(acme)
    http = login(bob)
    http.post(f"/clients/acme/helpdesk/topics/{a.pk}/rename/", {"name": "Printers"})
    a.refresh_from_db()
    assert a.name == "Printers" and a.named_by_person
    assert (
        login(carol)
        .post(f"/clients/acme/helpdesk/topics/{a.pk}/rename/", {"name": "X"})
        .status_code
        == 403
    )
    http = login(bob)
    bad = http.post(f"/clients/acme/helpdesk/topics/{a.pk}/merge/", {"into": "abc"})
    assert bad.status_code == 303
    http.post(f"/clients/acme/helpdesk/topics/{b.pk}/merge/", {"into": a.pk})
    assert Ticket.objects.filter(topic=a).count() == 8
    parts = http.post(f"/clients/acme/helpdesk/topics/{a.pk}/split/")
    assert parts.status_code == 302
    assert Topic.objects.filter(split_from=a).count() == 2
    ticket = make_ticket(acme, topic=a, topic_needs_review=True, topic_confidence=0.2,
                         topic_set_by=TopicSetBy.MODEL)  # fmt: skip
    http.post(f"/clients/acme/helpdesk/tickets/{ticket.pk}/topic/", {"topic": b.pk})
    ticket.refresh_from_db()
    assert ticket.topic_set_by == TopicSetBy.PERSON and not ticket.topic_needs_review


@pytest.mark.parametrize(
    "path", ["topics/{pk}/rename/", "topics/{pk}/merge/", "topics/{pk}/split/"]
)
def test_foreign_topics_are_404(login, acme, globex, bob, path):
    foreign = make_topic(globex, "Payroll")
    url = "/clients/acme/helpdesk/" + path.format(pk=foreign.pk)
    assert login(bob).post(url, {"name": "x", "into": foreign.pk}).status_code == 404
