"""The asset, licence and lifecycle pages: what each role sees and may do."""

from __future__ import annotations

import csv
import datetime
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from vcio.assets.lifecycle import client_today
from vcio.assets.models import Asset, Licence, LifecyclePolicy
from vcio.assets.tests.factories import AssetFactory, LicenceFactory, lifecycle_mix
from vcio.core.models import AuditEvent, Department

LIST = "/clients/acme/assets/"


@pytest.fixture
def today():
    return client_today("UTC")


@pytest.fixture
def finance(acme):
    return Department.objects.get(client=acme)


@pytest.fixture
def mix(acme, today, finance):
    """Acme's four assets, one per warranty / OS status (see ``lifecycle_mix``)."""
    return lifecycle_mix(acme, today, department=finance)


def names(response) -> list[str]:
    return [a.name for a, _ in response.context["rows"]]


def csv_rows(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


# --- who sees what -----------------------------------------------------------------


@pytest.mark.parametrize("path", ["assets/", "lifecycle/", "licences/", "assets/export.csv"])
def test_the_clients_executive_reads_every_page(login, carol, mix, path):
    assert login(carol).get(f"/clients/acme/{path}").status_code == 200


def test_the_executive_sees_no_edit_buttons_and_may_not_edit(login, carol, mix, acme):
    http = login(carol)
    page = http.get(LIST).content.decode()
    assert "New asset" not in page and "/import/assets/" not in page and "Export CSV" in page
    asset = mix["fresh-laptop"]
    assert "Edit" not in http.get(f"{LIST}{asset.pk}/").content.decode()
    for path in ("new/", f"{asset.pk}/edit/", f"{asset.pk}/delete/"):
        assert http.get(f"{LIST}{path}").status_code == 403
        assert http.post(f"{LIST}{path}", {"name": "x", "kind": "laptop"}).status_code == 403
    assert http.post("/clients/acme/lifecycle/policies/", {}).status_code == 403
    assert Asset.objects.filter(client=acme).count() == 4


def test_another_clients_people_get_a_404(login, dave, mix):
    http = login(dave)
    asset = mix["fresh-laptop"]
    for path in (LIST, f"{LIST}{asset.pk}/", "/clients/acme/lifecycle/", "/clients/acme/licences/"):
        assert http.get(path).status_code == 404


def test_the_tabs_list_the_asset_sections_in_order(login, bob, mix):
    tabs = login(bob).get(LIST).context["client_tabs"]
    labels = [t["label"] for t in tabs]
    assert labels.index("Contacts") < labels.index("Assets") < labels.index("Lifecycle")
    assert labels.index("Lifecycle") < labels.index("Licences")
    assert [t["label"] for t in tabs if t["current"]] == ["Assets"]


def test_import_buttons_lead_to_the_import_flow(login, erin, mix):
    assert 'href="/clients/acme/import/assets/"' in login(erin).get(LIST).content.decode()
    page = login(erin).get("/clients/acme/licences/").content.decode()
    assert 'href="/clients/acme/import/licences/"' in page


# --- the asset list ------------------------------------------------------------------


def test_the_list_shows_the_computed_lifecycle(login, bob, mix):
    response = login(bob).get(LIST)
    rows = {a.name: life for a, life in response.context["rows"]}
    assert (
        rows["fresh-laptop"].warranty == "active" and rows["fresh-laptop"].os.status == "supported"
    )
    assert (
        rows["ending-laptop"].warranty == "ending" and rows["ending-laptop"].os.status == "ending"
    )
    assert rows["old-server"].warranty == "expired"
    assert rows["old-server"].os.status == "unsupported"
    assert rows["old-server"].overdue
    assert rows["mystery-box"].warranty == "unknown" and rows["mystery-box"].os.status == "unknown"
    page = response.content.decode()
    assert "Showing 1–4 of 4 assets." in page
    assert "badge-bad" in page and "Unsupported" in page and "overdue" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("warranty=active", ["fresh-laptop"]),
        ("warranty=ending", ["ending-laptop"]),
        ("warranty=expired", ["old-server"]),
        ("warranty=unknown", ["mystery-box"]),
        ("os_status=supported", ["fresh-laptop"]),
        ("os_status=ending", ["ending-laptop"]),
        ("os_status=unsupported", ["old-server"]),
        ("os_status=unknown", ["mystery-box"]),
        ("kind=server", ["old-server"]),
        ("kind=laptop&warranty=ending", ["ending-laptop"]),
        ("q=nina", ["fresh-laptop"]),  # the assigned person
        ("status=spare", []),
    ],
)
def test_filters(login, bob, mix, query, expected):
    response = login(bob).get(f"{LIST}?{query}")
    assert sorted(names(response)) == expected
    if expected:
        assert "matching the filters (4 in total)" in response.content.decode()


def test_search_by_serial_tag_and_model(login, bob, acme, mix):
    AssetFactory(client=acme, name="tagged", serial="XYZ-123", asset_tag="TAG-9", model="Mac mini")
    http = login(bob)
    for term in ("xyz-1", "TAG-9", "mac mini"):
        assert names(http.get(f"{LIST}?q={term}")) == ["tagged"]


def test_the_department_filter_offers_only_this_clients_departments(login, alice, mix, globex):
    response = login(alice).get(LIST)
    choices = [str(d) for d in response.context["filter"].form.fields["department"].queryset]
    assert choices == ["ACME-ONLY Finance"]
    foreign = Department.objects.get(client=globex)
    response = login(alice).get(f"{LIST}?department={foreign.pk}")
    assert "Select a valid choice" in response.content.decode()


def test_column_headers_sort_and_reverse(login, bob, mix):
    http = login(bob)
    assert names(http.get(f"{LIST}?ordering=purchase_date"))[:3] == [
        "old-server",
        "ending-laptop",
        "fresh-laptop",
    ]
    response = http.get(f"{LIST}?ordering=-purchase_date&kind=laptop")
    assert names(response) == ["fresh-laptop", "ending-laptop"]
    headers = {h.label: h for h in response.context["headers"] if h.url}
    # Newest first is youngest first: "Age" ascending; its link reverses that, keeping the filter.
    age = headers["Age"]
    assert age.direction == "asc" and "ordering=purchase_date" in age.url
    assert "kind=laptop" in age.url
    assert headers["Name"].direction is None and "ordering=name" in headers["Name"].url
    oldest_first = http.get(f"{LIST}?ordering=purchase_date").context["headers"]
    age = next(h for h in oldest_first if h.label == "Age")
    assert age.direction == "desc" and "ordering=-purchase_date" in age.url
    assert names(http.get(f"{LIST}?ordering=nonsense"))[0] == "ending-laptop"  # by name


def test_fifty_assets_a_page(login, bob, acme):
    AssetFactory.create_batch(55, client=acme)
    http = login(bob)
    assert len(http.get(LIST).context["rows"]) == 50
    second = http.get(f"{LIST}?page=2")
    assert len(second.context["rows"]) == 5
    assert "Showing 51–55 of 55 assets." in second.content.decode()


def test_csv_export_follows_the_filters_with_computed_columns(login, carol, mix, acme):
    AssetFactory(client=acme, name='=HYPERLINK("http://evil")', kind="printer", os_name="")
    response = login(carol).get(f"{LIST}export.csv?kind=laptop&ordering=-purchase_date")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="acme-assets-' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert [r["name"] for r in rows] == ["fresh-laptop", "ending-laptop"]
    ending = rows[1]
    assert ending["warranty_status"] == "ending" and ending["os_status"] == "ending"
    assert ending["department"] == "ACME-ONLY Finance"
    assert ending["replacement_due"] and ending["replacement_reason"]
    everything = csv_rows(login(carol).get(f"{LIST}export.csv"))
    assert len(everything) == 5
    # A cell a spreadsheet would run as a formula is exported as text.
    assert '\'=HYPERLINK("http://evil")' in [r["name"] for r in everything]


# --- asset detail and forms ------------------------------------------------------------


def test_detail_shows_every_field_the_lifecycle_and_the_history(login, erin, mix, finance):
    http = login(erin)
    asset = mix["old-server"]
    response = http.post(
        f"{LIST}{asset.pk}/edit/",
        {"name": "old-server", "kind": "server", "status": "in_use", "serial": "NEW-SERIAL",
         "os_name": "TestOS", "os_version": "1", "department": finance.pk,
         "purchase_date": asset.purchase_date.isoformat(), "location": "Basement"},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == f"{LIST}{asset.pk}/"
    page = http.get(f"{LIST}{asset.pk}/").content.decode()
    for text in ("NEW-SERIAL", "Basement", "ACME-ONLY Finance", "Unsupported", "overdue"):
        assert text in page
    assert "6-year policy for servers reached" in page  # the reason, from the policy
    # The history lists this asset's change, with the changed field.
    events = http.get(f"{LIST}{asset.pk}/").context["events"]
    assert [e.action for e in events] == ["update"] and "serial" in events[0].changes


def test_detail_history_shows_only_this_asset(login, erin, mix):
    http = login(erin)
    ct = ContentType.objects.get_for_model(Asset)
    other = mix["fresh-laptop"]
    AuditEvent.objects.create(
        client=other.client, action="update", content_type=ct, object_id=str(other.pk),
        object_repr="fresh-laptop", actor_name="bob",
    )  # fmt: skip
    assert list(http.get(f"{LIST}{mix['old-server'].pk}/").context["events"]) == []


def test_the_editor_creates_an_asset_with_an_audit_event(login, erin, acme, finance):
    response = login(erin).post(
        f"{LIST}new/",
        {"name": "NEW-PC", "kind": "workstation", "status": "in_use", "department": finance.pk,
         "purchase_date": "2024-05-02", "purchase_cost": "1200.50", "warranty_end": "2027-05-02"},
    )  # fmt: skip
    asset = Asset.objects.get(client=acme, name="NEW-PC")
    assert response["Location"] == f"{LIST}{asset.pk}/"
    assert asset.purchase_cost == Decimal("1200.50") and asset.department == finance
    assert AuditEvent.objects.filter(object_id=str(asset.pk), action="create").exists()


def test_the_editor_deletes_an_asset(login, erin, mix, acme):
    asset = mix["mystery-box"]
    response = login(erin).post(f"{LIST}{asset.pk}/delete/")
    assert response.status_code == 302 and not Asset.objects.filter(pk=asset.pk).exists()
    assert AuditEvent.objects.filter(object_id=str(asset.pk), action="delete").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("purchase_cost", "-5", "Purchase cost cannot be negative."),
        ("purchase_date", "2024-02-31", "“2024-02-31” is not a date: use YYYY-MM-DD."),
        ("ram_gb", "lots", "“lots” is not a number, e.g. 1234.50."),
        ("warranty_end", "2020-01-01", "The warranty cannot end (2020-01-01) before"),
    ],
)
def test_asset_form_errors_name_the_field(login, erin, acme, field, value, message):
    data = {"name": "X", "kind": "laptop", "status": "in_use", "purchase_date": "2023-01-01"}
    response = login(erin).post(f"{LIST}new/", {**data, field: value})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field] and errors[field][0].startswith(message)
    assert not Asset.objects.filter(client=acme).exists()


def test_a_department_of_another_client_is_refused(login, alice, acme, globex):
    foreign = Department.objects.get(client=globex)
    response = login(alice).post(
        f"{LIST}new/", {"name": "X", "kind": "laptop", "status": "in_use", "department": foreign.pk}
    )
    assert response.context["form"].errors["department"] == [
        "Choose one of Acme Corp's departments."
    ]
    assert "Globex Clinic" not in response.content.decode()
    assert not Asset.objects.filter(client=acme).exists()


def test_licence_form_errors_name_the_field(login, erin, acme, globex):
    foreign = Department.objects.get(client=globex)
    data = {"kind": "subscription", "vendor": "Zoom", "product": "Pro", "seats_owned": "-1",
            "seats_used": "2", "unit_cost": "-3", "billing_period": "monthly",
            "renewal_date": "2025-13-01", "department": foreign.pk}  # fmt: skip
    errors = login(erin).post("/clients/acme/licences/new/", data).context["form"].errors
    assert errors["seats_owned"] == ["Seats owned cannot be negative."]
    assert errors["unit_cost"] == ["Unit cost cannot be negative."]
    assert errors["renewal_date"] == ["“2025-13-01” is not a date: use YYYY-MM-DD."]
    assert errors["department"] == ["Choose one of Acme Corp's departments."]
    assert not Licence.objects.exists()


# --- lifecycle page and policies ---------------------------------------------------------


def test_the_lifecycle_page_explains_its_figures(login, carol, mix):
    response = login(carol).get("/clients/acme/lifecycle/")
    ctx = response.context
    assert ctx["summary"].total == 4
    cards = {c.label: c for c in ctx["warranty_cards"] + ctx["os_cards"]}
    assert cards["Out of warranty"].value == 1 and cards["Unsupported OS"].value == 1
    assert cards["Under warranty"].sentence.startswith("25 % of devices")
    assert cards["Unsupported OS"].url == f"{LIST}?os_status=unsupported"
    page = response.content.decode()
    assert "an open door for attackers" in page
    # Two charts, both valid SVG; the forecast has three years of quarters.
    for chart in (ctx["histogram"], ctx["forecast_chart"]):
        assert ET.fromstring(str(chart)).get("role") == "img"
    assert len(ctx["forecast"]) == 12
    assert ctx["overdue"] == 1 and ctx["forecast"][0].overdue == 1
    assert [a.name for a, _ in ctx["warranty_ending"]] == ["ending-laptop"]
    assert [a.name for a, _ in ctx["os_ending"]] == ["ending-laptop"]
    # Executives see the policies but no form to change them.
    assert "policy_formset" not in ctx and "Save policies" not in page


def test_a_client_without_assets_gets_sentences_not_empty_charts(login, bob, acme):
    page = login(bob).get("/clients/acme/lifecycle/").content.decode()
    assert "<svg" not in page
    assert "No devices recorded yet" in page and "Nothing is due for replacement" in page
    assert "No assets recorded yet." in login(bob).get(LIST).content.decode()


def test_the_consultant_changes_a_policy_and_the_forecast_follows(login, bob, acme, mix):
    http = login(bob)
    formset = http.get("/clients/acme/lifecycle/").context["policy_formset"]
    data = {"policy-TOTAL_FORMS": len(formset.forms), "policy-INITIAL_FORMS": len(formset.forms)}
    for i, form in enumerate(formset.forms):
        data[f"policy-{i}-kind"] = form["kind"].value()
    server = next(i for i, f in enumerate(formset.forms) if f["kind"].value() == "server")
    data[f"policy-{server}-replace_after_years"] = "10"
    data[f"policy-{server}-replacement_cost"] = "20000"
    response = http.post("/clients/acme/lifecycle/policies/", data)
    assert response.status_code == 302
    policy = LifecyclePolicy.objects.get(client=acme, kind="server")
    assert policy.replace_after_years == 10 and policy.replacement_cost == 20000
    assert AuditEvent.objects.filter(object_id=str(policy.pk), action="create").exists()
    # The old server (7 years) is no longer due under a 10-year policy... but its OS is.
    ctx = http.get("/clients/acme/lifecycle/").context
    assert ctx["overdue"] == 0
    # Emptying the row goes back to vcio's default.
    data[f"policy-{server}-replace_after_years"] = data[f"policy-{server}-replacement_cost"] = ""
    http.post("/clients/acme/lifecycle/policies/", data)
    assert not LifecyclePolicy.objects.filter(client=acme, kind="server").exists()


def test_bad_policy_values_are_explained(login, bob, acme):
    data = {"policy-TOTAL_FORMS": "1", "policy-INITIAL_FORMS": "1", "policy-0-kind": "laptop",
            "policy-0-replace_after_years": "0", "policy-0-replacement_cost": "-1"}  # fmt: skip
    response = login(bob).post("/clients/acme/lifecycle/policies/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Replace after at least 0.5 years." in page and "A cost cannot be negative." in page
    data["policy-0-replacement_cost"] = ""
    data["policy-0-replace_after_years"] = "4"
    response = login(bob).post("/clients/acme/lifecycle/policies/", data)
    assert "Give both the age and the cost" in response.content.decode()
    assert not LifecyclePolicy.objects.exists()


def test_the_editor_may_not_change_policies(login, erin, acme):
    http = login(erin)
    assert "policy_formset" not in http.get("/clients/acme/lifecycle/").context
    assert http.get("/clients/acme/lifecycle/policies/").status_code == 403


# --- licences ------------------------------------------------------------------------------


@pytest.fixture
def licences(acme, today, finance):
    return {
        "m365": LicenceFactory(client=acme, vendor="Microsoft", product="M365", seats_owned=10,
                               seats_used=8, unit_cost=Decimal("20"), billing_period="monthly",
                               renewal_date=today + datetime.timedelta(days=30),
                               department=finance),
        "acrobat": LicenceFactory(client=acme, vendor="Adobe", product="Acrobat", seats_owned=5,
                                  seats_used=5, unit_cost=Decimal("200"), billing_period="annual",
                                  renewal_date=today + datetime.timedelta(days=200)),
        "veeam": LicenceFactory(client=acme, vendor="Veeam", product="Backup", seats_owned=1,
                                seats_used=0, unit_cost=Decimal("2400"),
                                billing_period="perpetual"),
    }  # fmt: skip


def test_licences_show_yearly_cost_waste_and_renewals(login, carol, licences):
    response = login(carol).get("/clients/acme/licences/")
    totals = response.context["totals"]
    # 10 × 20 × 12 + 5 × 200; the perpetual licence is not a recurring cost.
    assert totals["annual"] == Decimal("3400") and totals["waste"] == Decimal("480")
    assert totals["unused"] == 3 and totals["renewing"] == 1
    soon = {lic.product: flag for lic, flag in response.context["rows"]}
    assert soon == {"M365": True, "Acrobat": False, "Backup": False}
    page = response.content.decode()
    assert "$3,400" in page and "$480" in page and "within 90 days" in page and "one-time" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("vendor=microsoft", ["M365"]),
        ("kind=subscription", ["Acrobat", "Backup", "M365"]),
        ("renewing=true", ["M365"]),
        ("renewing=false", ["Acrobat", "Backup"]),
        ("billing_period=annual", ["Acrobat"]),
        ("q=backup", ["Backup"]),
        ("ordering=-annual_cost", ["M365", "Acrobat", "Backup"]),
    ],
)
def test_licence_filters(login, bob, licences, finance, query, expected):
    rows = login(bob).get(f"/clients/acme/licences/?{query}").context["rows"]
    products = [lic.product for lic, _ in rows]
    assert (products if "ordering" in query else sorted(products)) == expected


def test_licence_department_filter_and_totals_follow_it(login, bob, licences, finance):
    response = login(bob).get(f"/clients/acme/licences/?department={finance.pk}")
    assert [lic.product for lic, _ in response.context["rows"]] == ["M365"]
    assert response.context["totals"]["annual"] == Decimal("2400")


def test_licence_csv_export(login, carol, licences):
    rows = csv_rows(login(carol).get("/clients/acme/licences/export.csv?vendor=Microsoft"))
    assert len(rows) == 1
    row = rows[0]
    assert row["product"] == "M365" and row["annual_cost"] == "2400.00"
    assert row["unused_seats"] == "2" and row["waste_cost"] == "480.00"
    assert row["renews_within_90_days"] == "yes" and row["department"] == "ACME-ONLY Finance"


def test_the_editor_adds_a_licence(login, erin, acme):
    data = {"kind": "subscription", "vendor": "Slack", "product": "Pro", "seats_owned": "12",
            "seats_used": "15", "unit_cost": "8.75", "billing_period": "monthly"}  # fmt: skip
    response = login(erin).post("/clients/acme/licences/new/", data)
    assert response.status_code == 302
    licence = Licence.objects.get(client=acme, vendor="Slack")
    assert licence.seats_used == 15  # more used than owned is allowed, and shown
    page = login(erin).get("/clients/acme/licences/").content.decode()
    assert "3 over" in page


@pytest.mark.parametrize(("page", "target"), [("assets", "assets"), ("licences", "licences")])
def test_an_export_imports_back_unchanged(login, bob, mix, licences, page, target):
    """The export's columns are the importer's field names: a round trip changes nothing."""
    from vcio.core.importer import engine

    body = b"".join(login(bob).get(f"/clients/acme/{page}/export.csv").streaming_content)
    report = engine.preview(target, mix["fresh-laptop"].client, [("export.csv", io.BytesIO(body))])
    assert report.problems == []
    assert (report.counts.created, report.counts.updated) == (0, 0)
    assert report.counts.unchanged == report.rows > 0
