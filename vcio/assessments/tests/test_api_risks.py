"""The risk register's API: /api/risks/ (CRUD, treat) and raising a risk from an answer."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vcio.assessments.models import Answer, Risk
from vcio.assessments.tests.isolation import assessment_rows_for, small_framework
from vcio.assessments.workflow import start
from vcio.core.models import AuditEvent
from vcio.strategy.tests.factories import InitiativeFactory


def future(days: int = 90) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


@pytest.fixture
def risk(acme) -> Risk:
    return Risk.objects.create(client=acme, title="Backups never restored", likelihood=4, impact=5)


def test_the_practice_adds_a_risk(api, tess, acme):
    r = api(tess).post(
        "/api/risks/",
        {"client": "acme", "title": "Shadow IT", "likelihood": 3, "impact": 4, "owner": "COO"},
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["client"], body["score"], body["treatment"], body["review_due"]) == (
        "acme",
        12,
        "open",
        False,
    )
    assert AuditEvent.objects.filter(action="create", object_id=str(body["id"])).exists()


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"likelihood": 6}, "likelihood", "less than or equal to 5"),
        ({"impact": 0}, "impact", "greater than or equal to 1"),
        ({"title": ""}, "title", "may not be blank"),
        ({"client": "globex"}, "client", "no client with slug 'globex'"),
    ],
)
def test_a_bad_risk_is_refused_by_field(api, bob, acme, data, field, words):
    payload = {"client": "acme", "title": "x", "likelihood": 3, "impact": 3, **data}
    r = api(bob).post("/api/risks/", payload, format="json")
    assert r.status_code == 400
    assert words in r.json()[field][0]
    assert not Risk.objects.exists()


def test_client_people_read_the_register_but_do_not_write_it(api, carol, erin, dave, risk):
    for user in (carol, erin):
        rows = api(user).get("/api/risks/").json()["results"]
        assert [r["title"] for r in rows] == ["Backups never restored"]
        r = api(user).patch(f"/api/risks/{risk.pk}/", {"title": "changed"}, format="json")
        assert r.status_code == 403
        assert api(user).delete(f"/api/risks/{risk.pk}/").status_code == 403
        new = {"client": "acme", "title": "mine", "likelihood": 1, "impact": 1}
        assert api(user).post("/api/risks/", new, format="json").status_code == 403
    assert api(dave).get(f"/api/risks/{risk.pk}/").status_code == 404
    assert api(dave).get("/api/risks/").json()["results"] == []
    assert list(Risk.objects.values_list("title", flat=True)) == ["Backups never restored"]


def test_treatment_fields_change_only_through_treat(api, bob, risk):
    r = api(bob).patch(
        f"/api/risks/{risk.pk}/",
        {"treatment": "accept", "owner": "CFO", "likelihood": 2},
        format="json",
    )
    assert r.status_code == 200
    assert (r.json()["treatment"], r.json()["owner"], r.json()["score"]) == ("open", "CFO", 10)


def test_the_executive_accepts_with_a_reason_and_a_future_review(api, carol, risk):
    url = f"/api/risks/{risk.pk}/treat/"
    r = api(carol).post(url, {"treatment": "accept", "review_date": future()}, format="json")
    assert r.status_code == 400 and r.json() == {"reason": ["say why the client accepts this risk"]}
    yesterday = future(-1)
    r = api(carol).post(
        url, {"treatment": "accept", "reason": "cost", "review_date": yesterday}, format="json"
    )
    assert r.status_code == 400 and "is not in the future" in r.json()["review_date"][0]
    assert Risk.objects.get(pk=risk.pk).treatment == "open"
    r = api(carol).post(
        url,
        {"treatment": "accept", "reason": "Too costly for now", "review_date": future()},
        format="json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["treatment"], body["accepted_by"], body["accept_reason"]) == (
        "accept",
        "carol",
        "Too costly for now",
    )
    # The executive decides; mitigating and transferring are the practice's work.
    r = api(carol).post(url, {"treatment": "transfer", "transferred_to": "x"}, format="json")
    assert r.status_code == 403
    assert Risk.objects.get(pk=risk.pk).treatment == "accept"


def test_a_technician_may_not_accept(api, tess, erin, risk):
    accept = {"treatment": "accept", "reason": "x", "review_date": future()}
    assert api(tess).post(f"/api/risks/{risk.pk}/treat/", accept, format="json").status_code == 403
    assert api(erin).post(f"/api/risks/{risk.pk}/treat/", accept, format="json").status_code == 403
    assert Risk.objects.get(pk=risk.pk).treatment == "open"


def test_mitigating_needs_an_initiative_of_the_same_client(api, bob, gina, risk, acme, globex):
    url = f"/api/risks/{risk.pk}/treat/"
    r = api(bob).post(url, {"treatment": "mitigate"}, format="json")
    assert r.status_code == 400 and "initiative" in r.json()
    theirs = InitiativeFactory(client=globex)
    r = api(bob).post(url, {"treatment": "mitigate", "initiative": theirs.pk}, format="json")
    assert r.status_code == 400
    assert f"no initiative with id {theirs.pk}" in r.json()["initiative"][0]
    assert Risk.objects.get(pk=risk.pk).treatment == "open"
    mine = InitiativeFactory(client=acme, title="Restore tests")
    r = api(bob).post(
        url,
        {"treatment": "mitigate", "initiative": mine.pk, "residual_likelihood": 1},
        format="json",
    )
    assert r.status_code == 200
    assert (r.json()["initiative"], r.json()["residual_score"]) == (mine.pk, 5)
    # An owner sees every client's initiatives; the function still refuses another client's.
    r = api(gina).post(url, {"treatment": "transfer", "transferred_to": "x"}, format="json")
    assert r.status_code == 404


def test_an_owner_cannot_mitigate_with_another_clients_initiative(api, alice, risk, globex):
    theirs = InitiativeFactory(client=globex, title="Globex project")
    r = api(alice).post(
        f"/api/risks/{risk.pk}/treat/",
        {"treatment": "mitigate", "initiative": theirs.pk},
        format="json",
    )
    assert r.status_code == 400
    assert r.json() == {"initiative": ["“Globex project” is another client's initiative"]}


def test_transfer_needs_to_whom(api, bob, risk):
    r = api(bob).post(f"/api/risks/{risk.pk}/treat/", {"treatment": "transfer"}, format="json")
    assert r.status_code == 400 and r.json() == {
        "transferred_to": ["say to whom the risk is transferred"]
    }


def test_reviews_due_are_flagged_and_the_list_is_by_score(api, bob, acme):
    today = timezone.localdate()
    Risk.objects.create(client=acme, title="low", likelihood=1, impact=2)
    Risk.objects.create(
        client=acme, title="accepted", likelihood=3, impact=3, treatment="accept",
        accept_reason="x", review_date=today - datetime.timedelta(days=1),
    )  # fmt: skip
    Risk.objects.create(client=acme, title="top", likelihood=5, impact=5)
    rows = api(bob).get("/api/risks/").json()["results"]
    assert [(r["title"], r["score"], r["review_due"]) for r in rows] == [
        ("top", 25, False),
        ("accepted", 9, True),
        ("low", 2, False),
    ]
    assert [r["title"] for r in api(bob).get("/api/risks/?treatment=accept").json()["results"]] == [
        "accepted"
    ]


def test_risk_list_queries_do_not_grow_with_rows(api, bob, acme):
    def queries() -> int:
        http = api(bob)
        with CaptureQueriesContext(connection) as ctx:
            assert http.get("/api/risks/?page_size=100").status_code == 200
        return len(ctx.captured_queries)

    user = bob
    for n in range(5):
        Risk.objects.create(client=acme, title=f"r{n}", accepted_by=user, treatment="accept")
    few = queries()
    for n in range(20):
        Risk.objects.create(client=acme, title=f"s{n}", accepted_by=user, treatment="accept")
    assert queries() == few


@pytest.fixture
def not_aligned(acme, bob) -> Answer:
    assessment = start(acme, small_framework(), bob)
    answer = Answer.objects.get(assessment=assessment, item__ref="T-01")
    answer.status = "not_aligned"
    answer.save()
    return answer


def test_raising_a_risk_from_an_answer_once(api, tess, not_aligned):
    url = f"/api/assessment-answers/{not_aligned.pk}/raise-risk/"
    first = api(tess).post(url)
    assert first.status_code == 201, first.content
    assert (first.json()["item_ref"], first.json()["score"]) == ("T-01", 16)
    again = api(tess).post(url)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Risk.objects.count() == 1


def test_raising_is_refused_for_an_aligned_answer_and_for_others(
    api, bob, carol, erin, gina, not_aligned
):
    url = f"/api/assessment-answers/{not_aligned.pk}/raise-risk/"
    assert api(carol).post(url).status_code == 403
    assert api(erin).post(url).status_code == 403
    assert api(gina).post(url).status_code == 404
    Answer.objects.filter(pk=not_aligned.pk).update(status="aligned")
    r = api(bob).post(url)
    assert r.status_code == 400 and "T-01 is aligned" in r.json()["answer"][0]
    assert not Risk.objects.exists()


def test_the_isolation_rows_show_the_marker_where_a_leak_would_show(api, bob, acme):
    assessment_rows_for(acme, "MARK", bob)
    http = api(bob)
    assert "MARK risk" in http.get("/api/risks/").content.decode()
    assert "MARK assessment" in http.get("/api/assessments/").content.decode()
    assert "MARK note" in http.get("/api/assessment-answers/").content.decode()
    assert "MARK evidence" in http.get("/api/assessment-evidence/").content.decode()
