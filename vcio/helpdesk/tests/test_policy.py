"""Help-desk settings: business hours and SLA targets, on the page and through the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from vcio.core.models import AuditEvent
from vcio.helpdesk.models import HelpdeskPolicy, SlaTarget

pytestmark = pytest.mark.django_db

PRIORITIES = ("critical", "high", "medium", "low")


def settings_url(client) -> str:
    return reverse("helpdesk:settings", kwargs={"client": client.slug})


def form_data(**overrides) -> dict:
    data = {
        "business_days": "12345",
        "business_start": "07:30",
        "business_end": "17:00",
        "recurring_count": "3",
        "recurring_days": "30",
    }
    for n, priority in enumerate(PRIORITIES, start=1):
        data[f"sla-{priority}-first_response_hours"] = str(n)
        data[f"sla-{priority}-resolve_hours"] = str(n * 8)
    data.update(overrides)
    return data


def test_the_page_shows_the_defaults_before_anything_is_saved(login, carol, acme):
    page = login(carol).get(settings_url(acme)).content.decode()
    assert "Help-desk settings" in page
    # vcio's default targets (critical: respond within 1 h, resolve within 4 h).
    assert 'name="sla-critical-first_response_hours"' in page and 'value="1"' in page
    assert "Save settings" not in page  # carol reads, she does not edit


def test_an_editor_saves_hours_and_targets_with_audit_records(login, erin, acme):
    response = login(erin).post(settings_url(acme), form_data())
    assert response.status_code == 302
    policy = HelpdeskPolicy.objects.get(client=acme)
    assert (policy.business_start, policy.business_end) == (dt.time(7, 30), dt.time(17))
    targets = {t.priority: (t.first_response_hours, t.resolve_hours)
               for t in SlaTarget.objects.filter(client=acme)}  # fmt: skip
    assert targets["low"] == (Decimal("4"), Decimal("32"))
    assert AuditEvent.objects.filter(client=acme, action="create").count() == 5
    # Saving the same again changes nothing and records nothing new.
    login(erin).post(settings_url(acme), form_data())
    assert AuditEvent.objects.filter(client=acme).count() == 5


def test_hours_ending_before_they_start_are_refused_on_the_field(login, erin, acme):
    response = login(erin).post(settings_url(acme), form_data(business_end="06:00"))
    assert response.status_code == 400
    form = response.context["policy_form"]
    assert "Business hours must end after they start" in form.errors["business_end"][0]
    assert "Business hours must end after they start" in response.content.decode()
    assert not HelpdeskPolicy.objects.filter(client=acme).exists()
    assert not SlaTarget.objects.exists()  # nothing half-written


def test_holidays_are_saved_and_a_bad_date_is_named(login, erin, acme):
    bad = login(erin).post(settings_url(acme), form_data(holidays="2026-12-25, 26/12/2026"))
    assert bad.status_code == 400
    assert bad.context["policy_form"].errors["holidays"] == [
        "'26/12/2026' is not a date written YYYY-MM-DD"
    ]
    assert not HelpdeskPolicy.objects.exists() and not SlaTarget.objects.exists()
    ok = login(erin).post(settings_url(acme), form_data(holidays="2026-12-25\n2026-12-26"))
    assert ok.status_code == 302
    assert HelpdeskPolicy.objects.get(client=acme).holidays == "2026-12-25\n2026-12-26"


def test_a_target_of_zero_hours_is_refused_naming_the_priority(login, erin, acme):
    response = login(erin).post(settings_url(acme), form_data(**{"sla-high-resolve_hours": "0"}))
    assert response.status_code == 400
    high = next(f for f in response.context["sla_forms"] if f.priority == "high")
    assert high.errors["resolve_hours"] == ["Give a number of hours above 0."]
    assert not HelpdeskPolicy.objects.exists() and not SlaTarget.objects.exists()


def test_carol_may_not_change_the_settings_and_dave_does_not_see_them(login, carol, dave, acme):
    assert login(carol).post(settings_url(acme), form_data()).status_code == 403
    assert login(dave).get(settings_url(acme)).status_code == 404
    assert not HelpdeskPolicy.objects.exists()


def test_api_policy_validation_names_the_field(api, bob, acme):
    http = api(bob)
    url = "/api/helpdesk/policies/"
    bad = http.post(url, {"client": "acme", "business_start": "18:00", "business_end": "08:00"})
    assert bad.status_code == 400 and "business_end" in bad.json()
    ok = http.post(url, {"client": "acme", "business_start": "08:00", "business_end": "17:00"})
    assert ok.status_code == 201, ok.json()
    again = http.post(url, {"client": "acme"})
    assert (
        again.status_code == 400 and "already has a help-desk policy" in again.json()["client"][0]
    )
    holiday = http.patch(f"{url}{ok.json()['id']}/", {"holidays": "2026-02-30"}, format="json")
    assert holiday.json() == {"holidays": ["'2026-02-30' is not a date written YYYY-MM-DD"]}
    patch = http.patch(f"{url}{ok.json()['id']}/", {"business_end": "07:00"}, format="json")
    assert patch.status_code == 400 and "business_end" in patch.json()
    assert HelpdeskPolicy.objects.get(client=acme).business_end == dt.time(17)


def test_api_sla_targets_one_per_priority_and_positive_hours(api, bob, carol, acme):
    http = api(bob)
    url = "/api/helpdesk/sla-targets/"
    row = {"client": "acme", "priority": "high", "first_response_hours": "2", "resolve_hours": "8"}
    assert http.post(url, row).status_code == 201
    again = http.post(url, row)
    assert again.status_code == 400 and "already has a high target" in again.json()["priority"][0]
    zero = http.post(url, {**row, "priority": "low", "resolve_hours": "0"})
    assert zero.status_code == 400 and "resolve_hours" in zero.json()
    assert SlaTarget.objects.filter(client=acme).count() == 1
    assert api(carol).get(url).json()["count"] == 1
    assert api(carol).post(url, {**row, "priority": "low"}).status_code == 403
