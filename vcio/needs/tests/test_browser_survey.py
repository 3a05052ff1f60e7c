"""In a real browser: a department head answers the survey on a phone, without an account
and with JavaScript turned off; the consultant then reads the answer in the round's results.

The head rates IT overall 4 and the ERP 2 (the only ratings of the round), so
the results show 4.00 and 2.00, each with n=1.
Pages are screenshotted at phone width into /tmp/survey-shots/.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core import mail

from vcio.availability.models import BusinessService
from vcio.core.models import Contact, Department
from vcio.core.roles import Role
from vcio.core.tests.browser import log_in
from vcio.core.tests.factories import PASSWORD, ClientFactory, make_user
from vcio.needs import questionnaires, sending
from vcio.needs.models import Invitation, Need
from vcio.needs.tests.surveys_world import LINK

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/survey-shots")
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def sent_round(transactional_db, live_server, settings):
    settings.VCIO_BASE_URL = live_server.url
    acme = ClientFactory(name="Acme", slug="acme")
    make_user("bob", Role.CONSULTANT, acme)
    sales = Department.objects.create(client=acme, name="Sales")
    Contact.objects.create(
        client=acme, first_name="Sally", last_name="Head", email="sally@acme.test",
        department=sales, is_decision_maker=True,
    )  # fmt: skip
    BusinessService.objects.create(client=acme, name="ERP")
    BusinessService.objects.create(client=acme, name="Email")
    recipients, _ = sending.default_recipients(acme)
    closes = sending.client_today(acme) + datetime.timedelta(days=14)
    round_, _ = sending.start_round(
        acme, questionnaires.shipped_version(), "Spring survey", closes, recipients
    )
    return round_


def fits_the_phone(browser, url: str, name: str) -> None:
    """The page at 390 px: no sideways scrolling (measured with JavaScript, in its own tab)."""
    SHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(url)
    page.screenshot(path=str(SHOTS / f"{name}-phone.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name} is {overflow}px wider than a 390px screen"
    context.close()


def test_a_head_answers_on_a_phone_without_javascript(browser, live_server, sent_round):
    message = mail.outbox[0]
    assert message.to == ["sally@acme.test"]
    link = LINK.search(message.body).group(0)
    assert link.startswith(live_server.url)

    # The head opens the emailed link on a phone, no account, JavaScript off.
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, is_mobile=True)
    page = context.new_page()
    page.goto(link)
    assert page.locator("h1").inner_text() == "IT needs and satisfaction"
    assert "Sales" in page.content()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "form-phone.png"), full_page=True)

    # Submitting with nothing chosen names the required question.
    page.click("button[type=submit]")
    assert "choose a rating from 1 to 5" in page.locator("#problems").inner_text()

    # Tap the radios (their labels), type the texts.
    page.click("label[for=q-overall-4]")
    erp = BusinessService.objects.get(name="ERP")
    page.click(f"label[for=q-services-s{erp.pk}-2]")
    page.fill("textarea[name=q-pains]", "The ERP is slow every morning")
    page.fill("textarea[name=q-changes]", "Two new sales reps")
    page.check("input[name=q-changes-kind][value=hiring]")
    due = (datetime.date.today() + datetime.timedelta(days=45)).isoformat()
    page.fill("input[name=q-changes-date]", due)
    page.click("button[type=submit]")
    page.wait_for_url(f"{link}?sent=1")
    assert "Thank you, Sally Head" in page.locator("h1").inner_text()

    # Reloading shows the answers, read-only.
    page.reload()
    assert "The ERP is slow every morning" in page.content()
    assert page.locator("textarea").count() == 0 and page.locator("form").count() == 0
    context.close()
    fits_the_phone(browser, link, "answered")

    invitation = Invitation.objects.get()
    assert invitation.state() == "submitted" and invitation.opened_at is not None
    assert Need.objects.filter(answer__invitation=invitation).count() == 2

    # The consultant sees the answer in the round's results.
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server.url, "bob", PASSWORD)
    page.goto(f"{live_server.url}/clients/acme/surveys/{sent_round.pk}/")
    ratings = page.locator("#ratings").inner_text()
    assert "4.00" in ratings and "(n=1)" in ratings
    assert "2.00" in page.locator("#services").inner_text()
    assert "The ERP is slow every morning" in page.locator("#texts").inner_text()
    assert "submitted" in page.locator("#invitations").inner_text()
    context.close()
