"""The practice pages: who may open which, what each sees, and the time entry form."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vcio.core.models import Membership
from vcio.core.roles import Role
from vcio.core.tests.factories import ClientFactory
from vcio.practice.models import FeeChange, PersonRate, Targets, TimeEntry
from vcio.practice.tests.builders import entry, rate

PAGES = ["/practice/", "/practice/time/", "/practice/time/import/", "/practice/fees/",
         "/practice/people/", "/practice/targets/"]  # fmt: skip
YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture
def world(acme, globex, alice, bob, tess):
    acme.monthly_fee = Decimal("4000")
    acme.save()
    globex.monthly_fee = Decimal("2500")
    globex.save()
    rate(bob, "80")
    rate(tess, "50")
    entry(acme, bob, YESTERDAY, 3, note="bob's acme review")
    entry(acme, tess, YESTERDAY, 2, note="tess's acme fix")
    return acme, globex


# What each user gets on each page: 200, 302 (to time entry), 403, 404.
EXPECTED = {
    "alice": [200, 200, 200, 200, 200, 200],
    "frank": [200, 200, 200, 200, 200, 200],
    "bob": [200, 200, 200, 200, 403, 403],
    "tess": [302, 200, 403, 403, 403, 403],
    "carol": [404] * 6,
    "erin": [404] * 6,
    "dave": [404] * 6,
}


@pytest.mark.parametrize("name", EXPECTED)
def test_who_may_open_which_practice_page(world, everyone, client, name):
    client.force_login(everyone[name])
    got = [client.get(url).status_code for url in PAGES]
    assert got == EXPECTED[name]


def test_anonymous_users_are_sent_to_log_in(world, client):
    for url in PAGES:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/"), url


def test_the_owner_sees_every_client_with_margins(world, login, alice):
    page = login(alice).get("/practice/").content.decode()
    assert "Acme Corp" in page and "Globex Health" in page
    assert "Margin %" in page and "Cost" in page
    assert 'class="mrr-now">$6,500' in page  # 4,000 + 2,500 USD, by hand
    assert "<svg" in page  # the MRR trend


def test_a_consultant_sees_own_clients_without_margins_or_costs(world, login, bob):
    page = login(bob).get("/practice/").content.decode()
    assert "Acme Corp" in page and "Globex" not in page
    assert "Margin" not in page and "Cost" not in page and "$80" not in page
    assert "Effective rate" in page
    # Asking to sort by margin sorts by name instead: the order would tell the margins.
    assert login(bob).get("/practice/?sort=margin").context["sort"] == "name"


def test_the_nav_links_the_practice_for_its_people_only(world, login, alice, carol, tess):
    assert 'href="/practice/"' in login(alice).get("/").content.decode()
    assert 'href="/practice/"' in login(tess).get("/").content.decode()
    assert 'href="/practice/"' not in login(carol).get("/portal/").content.decode()


def test_a_technician_sees_only_their_own_time(world, login, tess):
    page = login(tess).get("/practice/time/").content.decode()
    assert "tess&#x27;s acme fix" in page and "bob&#x27;s acme review" not in page


def test_a_time_entry_comes_back_ready_for_the_next(world, login, bob, acme):
    http = login(bob)
    form = {"client": "acme", "date": YESTERDAY.isoformat(), "hours": "1.5",
            "activity": "review", "note": "<script>alert(1)</script>"}  # fmt: skip
    r = http.post("/practice/time/", form)
    assert r.status_code == 302
    assert r["Location"] == f"/practice/time/?client=acme&date={YESTERDAY.isoformat()}"
    page = http.get(r["Location"]).content.decode()
    assert f'value="{YESTERDAY.isoformat()}"' in page
    assert '<option value="acme" selected>' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert TimeEntry.objects.filter(person=bob, hours=Decimal("1.5")).exists()


def test_a_time_entry_over_a_day_is_refused_on_the_page(world, login, bob):
    r = login(bob).post("/practice/time/", {"client": "acme", "date": YESTERDAY.isoformat(),
                                            "hours": "22", "activity": "ad_hoc"})  # fmt: skip
    assert r.status_code == 400
    assert "already has 3 h on" in r.content.decode()
    assert TimeEntry.objects.filter(person=bob).count() == 1


def test_a_technician_may_not_enter_time_for_a_client_of_others(world, login, tess):
    r = login(tess).post("/practice/time/", {"client": "globex", "date": YESTERDAY.isoformat(),
                                             "hours": "1", "activity": "ad_hoc"})  # fmt: skip
    assert r.status_code == 400
    assert not TimeEntry.objects.filter(client__slug="globex").exists()


def test_deleting_an_entry_needs_seeing_it(world, login, tess, bob):
    bobs = TimeEntry.objects.get(person=bob)
    assert login(tess).post(f"/practice/time/{bobs.pk}/delete/").status_code == 404
    assert login(bob).post(f"/practice/time/{bobs.pk}/delete/").status_code == 302
    assert not TimeEntry.objects.filter(pk=bobs.pk).exists()


def test_the_import_page_lists_errors_by_row(world, login, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = b"client,person,date,hours\nacme,bob,2020-01-01,30\n"
    upload = SimpleUploadedFile("time.csv", data, content_type="text/csv")
    r = login(alice).post("/practice/time/import/", {"file": upload})
    assert r.status_code == 400
    assert "Row 2, column `hours`: &#x27;30&#x27; 30 h: a day has at most 24 hours." in (
        r.content.decode()
    )
    assert TimeEntry.objects.count() == 2


def test_fees_page_records_a_change_and_escapes_notes(world, login, bob, acme):
    http = login(bob)
    r = http.post("/practice/fees/", {"client": "acme", "monthly_fee": "4200",
                                      "starts_on": YESTERDAY.isoformat(),
                                      "note": "<b>raise</b>"})  # fmt: skip
    assert r.status_code == 302
    acme.refresh_from_db()
    assert acme.monthly_fee == Decimal("4200")
    page = http.get("/practice/fees/").content.decode()
    assert "&lt;b&gt;raise&lt;/b&gt;" in page and "Globex" not in page


def test_people_and_targets_are_edited_by_owners(world, login, alice, bob):
    http = login(alice)
    r = http.post("/practice/people/", {"user": bob.pk, f"p{bob.pk}-cost_rate": "95",
                                        f"p{bob.pk}-capacity_hours": "100"})  # fmt: skip
    assert r.status_code == 302
    assert PersonRate.objects.get(user=bob).cost_rate == Decimal("95")
    bad = http.post("/practice/people/", {"user": bob.pk, f"p{bob.pk}-cost_rate": "-1",
                                          f"p{bob.pk}-capacity_hours": "100"})  # fmt: skip
    assert bad.status_code == 400
    r = http.post("/practice/targets/", {"margin_percent": "35", "hourly_rate": "120"})
    assert r.status_code == 302
    assert Targets.current().margin_percent == Decimal("35")
    assert login(bob).post("/practice/targets/", {"margin_percent": "1"}).status_code == 403


def page_queries(login, alice, n: int, bob) -> int:
    for _ in range(n):
        c = ClientFactory(monthly_fee=Decimal("1000"))
        Membership.objects.create(user=bob, client=c, role=Role.CONSULTANT)
        FeeChange.objects.create(client=c, monthly_fee=Decimal("900"),
                                 starts_on=datetime.date(2025, 1, 1))  # fmt: skip
        entry(c, bob, YESTERDAY, 1)
    http = login(alice)
    with CaptureQueriesContext(connection) as ctx:
        assert http.get("/practice/").status_code == 200
    return len(ctx.captured_queries)


def test_the_practice_page_runs_the_same_queries_for_3_or_30_clients(db, login, alice, bob):
    rate(bob, "80")
    assert page_queries(login, alice, 3, bob) == page_queries(login, alice, 30, bob)


def queries_of(http, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/practice/fees/", "/practice/time/", "/api/practice-economics/"])
def test_other_practice_lists_run_the_same_queries_for_3_or_30_clients(db, login, bob, url):
    def grow(n: int) -> int:
        for _ in range(n):
            c = ClientFactory(monthly_fee=Decimal("1000"))
            Membership.objects.create(user=bob, client=c, role=Role.CONSULTANT)
            FeeChange.objects.create(client=c, monthly_fee=Decimal("900"),
                                     starts_on=datetime.date(2025, 1, 1))  # fmt: skip
            entry(c, bob, YESTERDAY - datetime.timedelta(days=n), 0.5)
        return queries_of(login(bob), url)

    assert grow(3) == grow(30)


def test_client_roles_and_strangers_cannot_delete_time(world, everyone, client):
    target = TimeEntry.objects.get(note="tess's acme fix")
    for name in ("carol", "erin", "dave", "gina"):
        client.force_login(everyone[name])
        assert client.post(f"/practice/time/{target.pk}/delete/").status_code == 404, name
    client.force_login(everyone["tess"])
    assert client.get(f"/practice/time/{target.pk}/delete/").status_code == 405
    assert client.post(f"/practice/time/{target.pk}/delete/").status_code == 302
    assert not TimeEntry.objects.filter(pk=target.pk).exists()
