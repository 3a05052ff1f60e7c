"""The permission matrix: every role of a client against every page and API action.

The walker enumerates the routes itself and takes each one's required
permission from the view's declaration, so a new view is held to the matrix
without anybody adding it here. The README's table is rendered from the same
matrix and must match it.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from vcio.core.roles import Role, matrix_markdown
from vcio.core.tests.matrix_walker import Member, walk_matrix
from vcio.core.tests.test_isolation import isolation_world  # noqa: F401 (a fixture)
from vcio.strategy.tests.factories import InitiativeFactory

README = Path(__file__).resolve().parents[3] / "README.md"


def test_every_role_gets_what_the_matrix_says_on_every_route(
    isolation_world,  # noqa: F811
    alice,
    frank,
    bob,
    tess,
    carol,
    erin,
):
    members = [
        Member(Role.OWNER, alice),
        Member(Role.ADMIN, frank),
        Member(Role.CONSULTANT, bob),
        Member(Role.TECHNICIAN, tess),
        Member(Role.EXECUTIVE, carol),
        Member(Role.EDITOR, erin),
    ]
    walked = []
    findings = walk_matrix(isolation_world, members, on_route=walked.append)
    assert "\n".join(str(f) for f in findings) == ""
    names = {r.name for r in walked}
    # Pages, portal and API alike were walked.
    assert {"strategy:roadmap_optimise", "core:client_audit", "portal:decide"} <= names
    assert any(r.is_api and "{pk}" in r.template for r in walked)


def test_the_walker_catches_a_view_that_does_not_enforce_what_it_declares(
    isolation_world,  # noqa: F811
    alice,
    tess,
    carol,
    erin,
    settings,
):
    # Switched after the world is built: its rows link to the real pages.
    settings.ROOT_URLCONF = "vcio.core.tests.lax_urls"
    members = [Member(Role.TECHNICIAN, tess), Member(Role.EXECUTIVE, carol)]
    members.append(Member(Role.EDITOR, erin))
    findings = walk_matrix(isolation_world, members)
    assert sorted((f.route, f.actor, f.method) for f in findings) == [
        ("/lax/acme/", "editor (erin)", "get"),
        ("/lax/acme/", "executive (carol)", "get"),
        ("/lax/acme/", "technician (tess)", "get"),
    ]


def test_readme_shows_the_matrix_the_code_enforces():
    assert matrix_markdown() in README.read_text(encoding="utf-8")


def test_a_technician_neither_plans_nor_decides(login, api, tess, bob, acme):
    item = InitiativeFactory(client=acme)
    http = login(tess)
    optimise = {"name": "Tess's plan"}
    assert http.post("/clients/acme/roadmap/optimise/", optimise).status_code == 403
    via_api = api(tess).post("/api/scenarios/", {"client": "acme", "name": "x"}, format="json")
    assert via_api.status_code == 403
    review = {"kind": "monthly", "period_start": "2026-01-01", "period_end": "2026-01-31"}
    assert http.post("/clients/acme/reviews/new/", review).status_code == 403
    decline = {"status": "declined"}
    page = http.post(f"/clients/acme/initiatives/{item.pk}/status/", decline)
    assert page.status_code == 403
    call = api(tess).post(f"/api/initiatives/{item.pk}/transition/", decline, format="json")
    assert call.status_code == 403
    item.refresh_from_db()
    assert item.status == "proposed"
    # The consultant may withdraw it.
    withdraw = api(bob).post(f"/api/initiatives/{item.pk}/transition/", decline, format="json")
    assert withdraw.status_code == 200, withdraw.content


def test_fee_and_internal_notes_only_for_roles_that_may_see_them(
    login, tess, erin, bob, carol, acme
):
    acme.monthly_fee = Decimal("4321.00")
    acme.save()
    for user in (tess, erin):
        page = login(user).get("/clients/acme/").content.decode()
        assert "4321" not in page, user
        assert "internal practice note" not in page, user
    consultant = login(bob).get("/clients/acme/").content.decode()
    assert "4321" in consultant and "internal practice note" in consultant
    executive = login(carol).get("/clients/acme/").content.decode()
    assert "4321" in executive  # the client's own contract
    assert "internal practice note" not in executive


def test_client_executives_see_no_members_nor_audit_log(login, carol, bob, acme):
    http = login(carol)
    assert http.get("/clients/acme/members/").status_code == 403
    assert http.get("/clients/acme/audit/").status_code == 403
    page = http.get("/clients/acme/").content.decode()
    assert "Members" not in page and "audit log" not in page.lower()
    assert login(bob).get("/clients/acme/audit/").status_code == 200


def test_the_api_and_the_budget_leave_the_fee_out_for_those_without_commercial_terms(
    api, login, tess, erin, bob, carol, acme
):
    acme.monthly_fee = Decimal("4321.00")
    acme.save()
    for user in (tess, erin):
        body = api(user).get("/api/clients/acme/").json()
        assert "monthly_fee" not in body and "contract_start" not in body
        assert "internal_notes" not in body
        budget = api(user).get("/api/budget/acme/").json()
        assert "fee" not in budget["total"]
        # The fee leaves the totals too: nothing to subtract it back from.
        assert Decimal(budget["total"]["total_opex"]) == Decimal(
            budget["total"]["initiative_opex"]
        ) + Decimal(budget["total"]["committed"])
        page = login(user).get("/clients/acme/budget/").content.decode()
        assert "Practice fee" not in page and "4,321" not in page
        # The exports leave the column out rather than print a column of zeros.
        csv_text = login(user).get("/clients/acme/budget.csv").content.decode()
        assert "Practice fee" not in csv_text.splitlines()[0]
        sheet = load_workbook(io.BytesIO(login(user).get("/clients/acme/budget.xlsx").getvalue()))
        assert "Practice fee" not in [c.value for c in sheet.active[2]]
    assert "Practice fee" in login(bob).get("/clients/acme/budget.csv").content.decode()
    assert api(carol).get("/api/clients/acme/").json()["monthly_fee"] == "4321.00"
    total = api(bob).get("/api/budget/acme/").json()["total"]
    assert Decimal(total["fee"]) == Decimal("4321.00") * 3 * 4 * 2  # two fiscal years
    assert "Practice fee" in login(bob).get("/clients/acme/budget/").content.decode()


def test_the_dashboard_sums_only_fees_the_user_may_see(login, alice, tess, acme, globex):
    acme.monthly_fee = Decimal("4321.00")
    acme.save()
    globex.monthly_fee = Decimal("1000.00")
    globex.save()
    assert 'monthly fees, per currency: <span id="monthly-fees">$5,321</span>' in (
        login(alice).get("/").content.decode()
    )
    page = login(tess).get("/").content.decode()
    assert "monthly fees" not in page and "4,321" not in page
    assert "Dashboard" in page  # still practice staff: the practice's pages, not the portal


def test_clients_are_ordered_by_fee_only_for_those_who_may_see_every_fee(api, tess, bob, acme):
    refused = api(tess).get("/api/clients/?ordering=-monthly_fee")
    assert refused.status_code == 400
    assert "monthly_fee" in refused.json()["ordering"][0]
    assert api(tess).get("/api/clients/?ordering=name").status_code == 200
    assert api(bob).get("/api/clients/?ordering=-monthly_fee").status_code == 200
