"""The practice heat-map: clients × top-level sections of one framework, coloured by band."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vcio.assessments import workflow
from vcio.assessments.frameworks import library
from vcio.assessments.tests.test_pages_assessments import framework_doc, set_statuses
from vcio.assessments.views.practice import band
from vcio.core.tests.factories import ClientFactory

URL = "/assessments/heatmap/?framework=test-fw"


def signed(client, version, user, statuses: dict[str, str], as_of: datetime.date):
    a = workflow.start(client, version, user, as_of)
    set_statuses(a, user, statuses)
    workflow.sign_off(a, user)
    return a


def test_cells_are_the_latest_signed_off_section_scores(login, alice, acme, globex):
    version = library.load(framework_doc(4))
    # Weights: T-001 2 (ID), T-002 3 (PR), T-003 1 (ID), T-004 2 (PR).
    signed(acme, version, alice, {"T-001": "not_aligned"}, datetime.date(2026, 1, 1))
    signed(
        acme, version, alice,
        {"T-001": "aligned", "T-003": "aligned", "T-002": "partly", "T-004": "not_aligned"},
        datetime.date(2026, 6, 1),
    )  # fmt: skip
    workflow.start(acme, version, alice, datetime.date(2026, 9, 1))  # a draft: not shown
    signed(
        globex, version, alice, {"T-001": "partly", "T-002": "aligned"}, datetime.date(2026, 3, 1)
    )
    page = login(alice).get(URL)
    assert reverse("assessments:heatmap") == "/assessments/heatmap/"
    assert page.status_code == 200
    assert page.context["columns"] == [("ID", "Identify"), ("PR", "Protect")]
    cells = {
        r["client"].slug: [(c["percent"], c["band"]) for c in r["cells"]]
        for r in page.context["rows"]
    }
    # Acme (June): ID 3 of 3 → 100 %; PR 1.5 of 5 → 30 %.
    assert cells["acme"] == [(100.0, "good"), (30.0, "poor")]
    # Globex: ID 1 of 3 (T-003 unknown) → 33.3 %; PR 3 of 5 → 60 %.
    assert [round(p, 1) for p, _ in cells["globex"]] == [33.3, 60.0]
    assert [b for _, b in cells["globex"]] == ["poor", "fair"]
    text = page.content.decode()
    assert "Acme Corp" in text and "Globex Health" in text and "2026-06-01" in text


def test_client_people_see_only_their_client(login, carol, alice, acme, globex):
    version = library.load(framework_doc(2))
    signed(globex, version, alice, {"T-001": "aligned"}, datetime.date(2026, 3, 1))
    text = login(carol).get(URL).content.decode()
    assert "Acme Corp" in text
    assert "Globex Health" not in text


def test_bands():
    assert [band(p) for p in (None, 0.0, 49.9, 50.0, 79.9, 80.0, 100.0)] == [
        "none", "poor", "poor", "fair", "fair", "good", "good",
    ]  # fmt: skip


def test_query_count_is_the_same_for_2_and_6_clients(login, alice, acme, globex):
    version = library.load(framework_doc(6))

    def count() -> int:
        http = login(alice)
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(URL).status_code == 200
        return len(ctx)

    for client in (acme, globex):
        signed(client, version, alice, {"T-001": "aligned"}, datetime.date(2026, 1, 1))
    two = count()
    for n in range(4):
        client = ClientFactory(name=f"Client {n}", slug=f"client-{n}")
        signed(client, version, alice, {"T-002": "partly"}, datetime.date(2026, 2, 1))
    six = count()
    page = login(alice).get(URL)
    assert len(page.context["rows"]) == 6
    assert six == two
