"""The topics API: list, rename, merge, split; model versions; the review queue; scoping."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcio.helpdesk.models import Ticket, Topic, TopicKind, TopicModel, TopicSetBy
from vcio.helpdesk.tests import topic_samples as samples
from vcio.helpdesk.tests.factories import make_ticket, make_topic
from vcio.helpdesk.topics import store
from vcio.helpdesk.topics.learned import train_and_evaluate
from vcio.helpdesk.topics.runs import discover_for_client
from vcio.helpdesk.topics.text import ticket_text

URL = "/api/helpdesk/topics/"


def _names(response) -> list[str]:
    return sorted(row["name"] for row in response.json()["results"])


def test_list_is_scoped_to_the_users_clients(api, acme, globex, bob, dave, alice):
    make_topic(acme, "Printing")
    make_topic(globex, "Payroll")
    assert _names(api(bob).get(URL)) == ["Printing"]
    assert _names(api(dave).get(URL)) == ["Payroll"]
    assert _names(api(alice).get(URL + "?client=acme")) == ["Printing"]
    assert api(dave).get(URL + "?client=acme").status_code == 400  # not a client dave sees


def test_list_counts_tickets_in_a_constant_number_of_queries(api, acme, alice):
    printing = make_topic(acme, "Printing")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api(alice).get(URL).status_code == 200
        return len(ctx.captured_queries)

    make_ticket(acme, topic=printing)
    few = queries()
    for i in range(20):
        make_ticket(acme, topic=make_topic(acme, f"T{i}"))
    assert queries() == few
    row = next(
        r
        for r in api(alice).get(URL + "?page_size=100").json()["results"]
        if r["name"] == "Printing"
    )
    assert row["ticket_count"] == 1


def test_rename_keeps_the_persons_name_and_refuses_an_empty_one(api, acme, bob, carol):
    topic = make_topic(acme, "d1", kind=TopicKind.DISCOVERED)
    assert api(carol).patch(f"{URL}{topic.pk}/", {"name": "X"}, format="json").status_code == 403
    bad = api(bob).patch(f"{URL}{topic.pk}/", {"name": "  "}, format="json")
    assert bad.status_code == 400 and "name" in bad.json()
    ok = api(bob).patch(f"{URL}{topic.pk}/", {"name": "Printers"}, format="json")
    assert ok.status_code == 200 and ok.json()["name"] == "Printers"
    topic.refresh_from_db()
    assert topic.named_by_person


def test_merge_moves_tickets_and_refuses_foreign_or_unknown_targets(api, acme, globex, bob):
    a, b = make_topic(acme, "Toner"), make_topic(acme, "Printing")
    foreign = make_topic(globex, "Printing")
    ticket = make_ticket(acme, topic=a)
    unknown = api(bob).post(f"{URL}{a.pk}/merge/", {"into": 999999}, format="json")
    assert unknown.status_code == 400 and "into" in unknown.json()
    cross = api(bob).post(f"{URL}{a.pk}/merge/", {"into": foreign.pk}, format="json")
    assert cross.status_code == 400 and "into" in cross.json()
    assert (
        api(bob).post(f"{URL}{foreign.pk}/merge/", {"into": a.pk}, format="json").status_code == 404
    )
    ok = api(bob).post(f"{URL}{a.pk}/merge/", {"into": b.pk}, format="json")
    assert ok.status_code == 200 and ok.json()["name"] == "Printing"
    ticket.refresh_from_db()
    assert ticket.topic == b


def test_split_of_a_discovered_topic_returns_its_parts(api, acme, bob):
    samples.load_tickets(acme, with_categories=False)
    discover_for_client(acme, k=5)
    topic = Topic.objects.filter(client=acme, kind=TopicKind.DISCOVERED).first()
    response = api(bob).post(f"{URL}{topic.pk}/split/", {}, format="json")
    assert response.status_code == 200
    assert len(response.json()) == 2
    learned = make_topic(acme, "Printing")
    refused = api(bob).post(f"{URL}{learned.pk}/split/", {}, format="json")
    assert refused.status_code == 400 and "learned topic" in str(refused.json())
    bad = api(bob).post(f"{URL}{topic.pk}/split/", {"parts": "many"}, format="json")
    assert bad.status_code == 400 and "parts" in bad.json()


def test_models_are_read_only_with_metrics_and_practice_models_hidden_from_clients(
    api, acme, alice, carol
):
    rows = samples.sample_tickets()
    result = train_and_evaluate([ticket_text(s, b) for s, b, _ in rows], [r[2] for r in rows])
    store.save_model(result)
    own = store.save_model(result, client=acme)
    listing = api(alice).get("/api/helpdesk/topic-models/").json()["results"]
    assert len(listing) == 2 and "blob" not in listing[0]
    assert listing[0]["metrics"]["macro_f1"] == result.metrics["macro_f1"]
    mine = api(carol).get("/api/helpdesk/topic-models/").json()["results"]
    assert [m["id"] for m in mine] == [own.pk]
    assert api(alice).post("/api/helpdesk/topic-models/", {}, format="json").status_code == 405


def test_review_queue_lists_unsure_tickets_and_a_persons_choice_clears_them(
    api, acme, globex, bob, carol, dave, gina
):
    printing, laptop = make_topic(acme, "Printing"), make_topic(acme, "Laptop")
    unsure = make_ticket(acme, topic=printing, topic_confidence=0.3, topic_needs_review=True,
                         topic_set_by=TopicSetBy.MODEL)  # fmt: skip
    make_ticket(acme, topic=printing, topic_confidence=0.9, topic_set_by=TopicSetBy.MODEL)
    url = "/api/helpdesk/topic-review/"
    assert [r["id"] for r in api(bob).get(url).json()["results"]] == [unsure.pk]
    assert api(dave).get(url).json()["results"] == []
    body = {"ticket": unsure.pk, "topic": laptop.pk}
    assert api(carol).post(url, body, format="json").status_code == 403
    assert api(dave).post(url, body, format="json").status_code == 403  # may edit nowhere
    refused = api(gina).post(url, body, format="json")  # edits Globex, cannot see Acme's rows
    assert refused.status_code == 400 and "ticket" in refused.json()
    foreign = make_topic(globex, "Laptop")
    cross = api(bob).post(url, {"ticket": unsure.pk, "topic": foreign.pk}, format="json")
    assert cross.status_code == 400 and "topic" in cross.json()
    ok = api(bob).post(url, body, format="json")
    assert ok.status_code == 200 and ok.json()["topic_name"] == "Laptop"
    unsure.refresh_from_db()
    assert (unsure.topic, unsure.topic_set_by, unsure.topic_needs_review) == (
        laptop, TopicSetBy.PERSON, False
    )  # fmt: skip
    assert api(bob).get(url).json()["results"] == []
    assert not Ticket.objects.filter(client=globex).exists()
    assert TopicModel.objects.count() == 0
