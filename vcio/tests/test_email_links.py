"""Every link in an e-mail is a full address, built from VCIO_BASE_URL (or the trial fallback).

An e-mail is read away from vcio: a path such as "/clients/initech/reviews/"
leads nowhere. With VCIO_BASE_URL set every e-mail links to it; unset, links
point at http://localhost:8000 and `vcio check --deploy` warns.
"""

from __future__ import annotations

import datetime
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from vcio.availability.alerts import deliver_due, queue_alerts
from vcio.availability.models import BusinessService, Monitor, Outage
from vcio.availability.models.alerts import AlertChannel
from vcio.core.roles import Role
from vcio.reviews.models import ReviewCadence
from vcio.reviews.reminders import send_due_reminders

BASE = "https://vcio.example.test"
# A path that starts a line or follows a space or a colon: a link that is not a full address.
RELATIVE = re.compile(r"(?:^|[\s:(])(/(?:clients|accounts|portal|api)/\S*)", re.M)


def _links(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


def _every_email(acme, alice, login) -> list[str]:
    """The bodies of every kind of e-mail vcio sends: reminder, alert, invitation, reset."""
    cadence = ReviewCadence.objects.create(
        client=acme, monthly_day=10, qbr_enabled=False, reminder_days=7
    )
    cadence.attendees.add(acme.contacts.get(email="ann@acme.test"))
    send_due_reminders(datetime.date(2026, 8, 5))
    service = BusinessService.objects.create(client=acme, name="ERP", sla_target="99.9")
    monitor = Monitor.objects.create(service=service, name="ERP", target="https://erp.acme.test/")
    outage = Outage.objects.create(monitor=monitor, service=service, started_at=timezone.now())
    AlertChannel.objects.create(service=service, kind="email", target="it@acme.test")
    queue_alerts(outage, "down")
    deliver_due()
    http = login(alice)
    http.post(
        "/clients/acme/members/new/",
        {"email": "new.cfo@acme.test", "first_name": "Nia", "role": Role.EXECUTIVE},
    )
    http.logout()
    http.post("/accounts/reset/", {"email": "alice@example.test"})
    return [m.body for m in mail.outbox]


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_with_a_base_url_every_email_links_to_it(settings, acme, alice, login):
    settings.VCIO_BASE_URL = BASE
    bodies = _every_email(acme, alice, login)
    assert len(bodies) == 4, [b[:60] for b in bodies]
    for body in bodies:
        assert not RELATIVE.findall(body), body
        assert _links(body) and all(link.startswith(BASE + "/") for link in _links(body)), body
    assert f"{BASE}/clients/acme/reviews/" in bodies[0]


def test_without_a_base_url_links_point_at_the_trial_address(settings, acme, alice, login):
    settings.VCIO_BASE_URL = ""
    reminder, alert, *_ = _every_email(acme, alice, login)
    assert "http://localhost:8000/clients/acme/reviews/" in reminder
    assert not RELATIVE.findall(alert)
    assert "http://localhost:8000/clients/acme/services/" in alert


def test_check_deploy_warns_when_the_base_url_is_unset(settings):
    settings.VCIO_BASE_URL = ""
    err = StringIO()
    call_command("check", "--deploy", stdout=StringIO(), stderr=err)
    assert "vcio.W001" in err.getvalue() and "VCIO_BASE_URL is not set" in err.getvalue()
    settings.VCIO_BASE_URL = BASE
    err = StringIO()
    call_command("check", "--deploy", stdout=StringIO(), stderr=err)
    assert "vcio.W001" not in err.getvalue()


@pytest.mark.parametrize("value", ["vcio.example.com", "ftp://vcio.example.com", "https://"])
def test_a_base_url_that_is_not_an_address_is_refused_naming_it(value):
    from vcio.conf import ConfigError, env_url

    with pytest.raises(ConfigError) as err:
        env_url("VCIO_BASE_URL", environ={"VCIO_BASE_URL": value})
    assert f"VCIO_BASE_URL={value!r} is not an http(s) address" in str(err.value)


def test_a_base_url_keeps_its_path_and_drops_the_trailing_slash():
    from vcio.conf import env_url

    found = env_url("VCIO_BASE_URL", environ={"VCIO_BASE_URL": "https://example.com/vcio/"})
    assert found == "https://example.com/vcio"
