"""Client pages: what each role sees, forms and their messages, the audit log."""

from __future__ import annotations

import pytest
from django.core import mail

from conftest import ACME_MARKER
from vcio.core.models import AuditEvent, Client, Contact, Department, Membership
from vcio.core.roles import Role

VALID = {
    "name": "Initech",
    "slug": "initech",
    "industry": "legal",
    "employee_count": "25",
    "fiscal_year_start_month": "4",
    "currency": "gbp",
    "time_zone": "Europe/London",
    "monthly_fee": "1200.00",
    "contract_start": "2025-04-01",
    "is_active": "on",
}


def test_dashboard_lists_the_clients_the_user_may_see(login, alice, bob, acme, globex):
    page = login(alice).get("/").content.decode()
    assert "Acme Corp" in page and "Globex Health" in page
    page = login(bob).get("/").content.decode()
    assert "Acme Corp" in page and "Globex Health" not in page


def test_dashboard_shows_the_summary_figures_apps_registered(login, alice, acme):
    page = login(alice).get("/").content.decode()
    assert "Users with access" in page  # core's summary figure
    assert "Devices under warranty" in page  # an app's, through the registry
    assert "Departments" not in page  # detail figures stay on the client overview


def test_figures_are_formatted_by_unit(db):
    from vcio.core.registry import MONEY
    from vcio.core.templatetags.vcio_figures import format_figure

    assert format_figure(46.8, "%") == "46.8 %"
    assert format_figure(50, "%") == "50 %"
    assert format_figure(154600, MONEY, "USD") == "USD 154,600"
    assert format_figure(322, "") == "322"
    assert format_figure(None, "%") == ""


def test_client_users_do_not_see_the_practices_fee_total(login, alice, carol, acme):
    acme.monthly_fee = 4500
    acme.save()
    assert "monthly fees" in login(alice).get("/").content.decode()
    assert "monthly fees" not in login(carol).get("/").content.decode()


def test_monthly_fees_add_up_per_currency_never_across(login, alice, acme, globex):
    """$4,500 + $1,000.50 and £2,800: two totals, each with its symbol, never 8,300.50."""
    from vcio.core.tests.factories import ClientFactory

    acme.monthly_fee = 4500
    acme.save()
    ClientFactory(name="Umbrella", slug="umbrella", currency="USD", monthly_fee="1000.50")
    globex.currency, globex.monthly_fee = "GBP", 2800
    globex.save()
    page = login(alice).get("/").content.decode()
    assert 'monthly fees, per currency: <span id="monthly-fees">$5,500.50, £2,800</span>' in page
    assert "8,300" not in page


def test_overview_shows_figures_contacts_members_and_recent_changes(login, bob, carol, acme):
    client = login(bob)
    client.post("/clients/acme/departments/new/", {"name": "Logistics"})
    page = client.get("/clients/acme/").content.decode()
    assert "Departments" in page
    assert "Carol" in page  # a member
    assert "created" in page.lower() and "Logistics" in page  # the audit trail


def test_internal_notes_are_for_the_practice_only(login, bob, carol, erin, acme):
    assert "internal practice note" in login(bob).get("/clients/acme/").content.decode()
    for user in (carol, erin):
        page = login(user).get("/clients/acme/").content.decode()
        assert "internal practice note" not in page
        assert "client note" in page


def test_owner_creates_a_client(login, alice):
    r = login(alice).post("/clients/new/", VALID)
    assert r.status_code == 302
    client = Client.objects.get(slug="initech")
    assert client.currency == "GBP" and client.fiscal_year_start_month == 4
    event = AuditEvent.objects.get(client=client)
    assert event.action == "create" and event.actor_name == "alice"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("slug", "acme", "A client with this slug already exists."),
        ("monthly_fee", "-5", "greater than or equal to 0"),
        ("monthly_fee", "lots", "Enter a number."),
        ("fiscal_year_start_month", "13", "Select a valid choice. 13 is not one of"),
        ("name", "x" * 201, "at most 200 characters"),
        ("currency", "12a", "12A is not an ISO 4217 currency code"),
        ("time_zone", "Mars/Base", "Mars/Base is not a time zone name"),
        ("slug", "not a slug!", "Enter a valid “slug”"),
    ],
)
def test_bad_client_input_gets_a_field_message(login, alice, acme, field, value, message):
    r = login(alice).post("/clients/new/", {**VALID, field: value})
    assert r.status_code == 200
    assert message in r.content.decode()
    assert field in r.context["form"].errors
    assert not Client.objects.filter(name="Initech").exists()


def test_consultant_edits_the_client_but_may_not_create_or_delete(login, bob, acme):
    client = login(bob)
    r = client.post("/clients/acme/edit/", {**VALID, "name": "Acme Corporation", "slug": "acme"})
    assert r.status_code == 302
    acme.refresh_from_db()
    assert acme.name == "Acme Corporation"
    change = AuditEvent.objects.get(client=acme, action="update")
    assert change.changes["name"] == ["Acme Corp", "Acme Corporation"]
    assert client.post("/clients/new/", VALID).status_code == 403
    assert client.post("/clients/acme/delete/").status_code == 403


def test_executive_reads_but_may_not_edit(login, carol, acme):
    client = login(carol)
    assert client.get("/clients/acme/departments/").status_code == 200
    assert client.get("/clients/acme/departments/new/").status_code == 403
    dept = Department.objects.get(client=acme)
    assert client.post(f"/clients/acme/departments/{dept.pk}/delete/").status_code == 403
    assert Department.objects.filter(pk=dept.pk).exists()


def test_editor_manages_departments_and_contacts(login, erin, acme):
    client = login(erin)
    r = client.post("/clients/acme/departments/new/", {"name": "Warehouse", "cost_centre": "W1"})
    assert r.status_code == 302
    dept = Department.objects.get(client=acme, name="Warehouse")
    r = client.post(
        "/clients/acme/contacts/new/",
        {"first_name": "Zoe", "last_name": "Park", "email": "zoe@acme.test", "department": dept.pk},
    )
    assert r.status_code == 302
    assert Contact.objects.get(first_name="Zoe").department == dept
    r = client.post(f"/clients/acme/departments/{dept.pk}/edit/", {"name": "Warehouse East"})
    assert r.status_code == 302
    r = client.post(f"/clients/acme/departments/{dept.pk}/delete/")
    assert r.status_code == 302
    actions = list(
        AuditEvent.objects.filter(client=acme, object_repr__startswith="Warehouse")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete"]
    assert client.get("/clients/acme/edit/").status_code == 403  # not the client itself


def test_duplicate_department_name_is_refused_with_a_message(login, bob, acme):
    r = login(bob).post("/clients/acme/departments/new/", {"name": f"{ACME_MARKER} finance"})
    assert r.status_code == 400
    assert "already has a department" in r.content.decode()


def test_a_contact_cannot_point_at_another_clients_department(login, bob, acme, globex):
    foreign = Department.objects.get(client=globex)
    r = login(bob).post(
        "/clients/acme/contacts/new/", {"first_name": "Eve", "department": foreign.pk}
    )
    assert r.status_code == 400
    assert "Select a valid choice" in r.content.decode()
    assert not Contact.objects.filter(first_name="Eve").exists()


def test_bad_contact_email_is_named(login, bob, acme):
    r = login(bob).post("/clients/acme/contacts/new/", {"first_name": "Al", "email": "not-mail"})
    assert "Enter a valid email address." in r.content.decode()


def test_owner_adds_a_new_member_who_gets_a_set_password_email(login, alice, acme):
    r = login(alice).post(
        "/clients/acme/members/new/",
        {"email": "new.cfo@acme.test", "first_name": "Nia", "role": Role.EXECUTIVE},
    )
    assert r.status_code == 302
    membership = Membership.objects.get(user__email="new.cfo@acme.test")
    assert membership.client == acme and membership.role == Role.EXECUTIVE
    assert len(mail.outbox) == 1 and "new.cfo@acme.test" in mail.outbox[0].to
    assert "/accounts/reset/" in mail.outbox[0].body  # a link to set a password


def test_members_cannot_be_added_twice_or_by_consultants(login, alice, bob, carol, acme):
    r = login(alice).post("/clients/acme/members/new/", {"email": carol.email, "role": Role.EDITOR})
    assert "already a member" in r.content.decode()
    assert login(bob).get("/clients/acme/members/new/").status_code == 403


def test_client_switcher_goes_to_the_chosen_client_only_when_allowed(login, bob, acme, globex):
    client = login(bob)
    assert client.get("/switch/?client=acme")["Location"] == "/clients/acme/"
    assert client.get("/switch/?client=globex")["Location"] == "/"


def test_client_list_filters_by_search_and_industry(login, alice, acme, globex):
    client = login(alice)

    def listed(query: str) -> list[str]:
        return [row["client"].name for row in client.get(f"/clients/?{query}").context["rows"]]

    assert listed("q=glob") == ["Globex Health"]
    assert listed("industry=manufacturing") == ["Acme Corp"]


def test_deleting_a_client_keeps_its_audit_trail(login, alice, acme):
    r = login(alice).post("/clients/acme/delete/")
    assert r.status_code == 302
    assert not Client.objects.filter(slug="acme").exists()
    event = AuditEvent.objects.get(action="delete", object_repr="Acme Corp")
    assert event.client_name == "Acme Corp" and event.actor_name == "alice"


def test_password_change_page_works(login, bob, password):
    client = login(bob)
    r = client.post(
        "/accounts/password/",
        {
            "old_password": password,
            "new_password1": "a-Long-new-pass-42",
            "new_password2": "a-Long-new-pass-42",
        },
    )
    assert r.status_code == 302
    bob.refresh_from_db()
    assert bob.check_password("a-Long-new-pass-42")


def test_login_page_and_wrong_password_message(client, bob):
    r = client.post("/accounts/login/", {"username": "bob", "password": "nope"})
    assert r.status_code == 200
    assert "Please enter a correct username and password" in r.content.decode()
