"""In a real browser: a consultant enters two days' time with the keyboard only.

The client field has the focus; Tab moves on, Enter saves, and the form
comes back with the client and date kept, ready for the next entry.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from vcio.core.roles import Role
from vcio.core.tests.browser import log_in
from vcio.core.tests.factories import PASSWORD, ClientFactory, make_user
from vcio.practice.models import TimeEntry

pytestmark = pytest.mark.browser


@pytest.fixture
def practice(transactional_db):
    acme = ClientFactory(name="Acme Corp", slug="acme")
    make_user("bob", Role.CONSULTANT, acme)
    return acme


def test_two_entries_from_the_keyboard(browser, live_server, practice):
    page = browser.new_page()
    try:
        log_in(page, live_server.url, "bob", PASSWORD)
        page.goto(live_server.url + "/practice/time/")
        yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
        keys = page.keyboard
        # Focus starts on the client: pick it by typing, then date, hours, activity, note.
        keys.type("Acme")
        keys.press("Tab")
        keys.press("Control+A")
        keys.type(yesterday)
        keys.press("Tab")
        keys.type("1.5")
        keys.press("Tab")
        keys.type("Review")
        keys.press("Tab")
        keys.type("Monthly review prep")
        keys.press("Enter")
        page.wait_for_url("**/practice/time/?client=acme*")
        # Back with Acme and the same date: straight to the hours.
        keys.press("Tab")
        keys.press("Tab")
        keys.type("2")
        keys.press("Tab")
        keys.type("Project")
        keys.press("Tab")
        keys.type("Laptop refresh")
        keys.press("Enter")
        page.wait_for_selector("text=Saved 2 h on Acme Corp")
        listed = page.inner_text("#entries")
        assert "Monthly review prep" in listed and "Laptop refresh" in listed
        assert "Review" in listed and "Project" in listed
    finally:
        page.close()
    saved = sorted(TimeEntry.objects.values_list("date", "hours", "activity"))
    day = datetime.date.fromisoformat(yesterday)
    assert [(d, str(h), a) for d, h, a in saved] == [
        (day, "1.50", "review"),
        (day, "2.00", "project"),
    ]
