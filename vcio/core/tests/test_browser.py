"""In a real browser: a newcomer logs in and sees the practice dashboard.

Drives Debian's Chromium (/usr/bin/chromium, installed by ``make test``)
headless through Playwright; Playwright's own browser downloads are never used.
"""

from __future__ import annotations

from io import StringIO

import pytest

from vcio.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_practice(transactional_db):
    from django.core.management import call_command

    call_command("demo", "--quiet", stdout=StringIO())


def test_newcomer_logs_in_and_sees_the_dashboard(browser, live_server, demo_practice):
    page = browser.new_page()
    page.goto(live_server.url + "/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#client-table")
    assert page.locator("h1").inner_text() == "Practice dashboard"
    rows = page.locator("#client-table tbody tr").all_inner_texts()
    assert any("Acme Manufacturing" in r for r in rows)
    assert len(rows) == 3
    page.select_option("#client-switcher", "globex")
    page.wait_for_url("**/clients/globex/")
    assert "Globex Health Partners" in page.locator("h1").inner_text()
    page.close()


def test_wrong_password_is_told_in_the_browser(browser, live_server, demo_practice):
    page = browser.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")
    assert "correct username and password" in page.locator(".errorlist").inner_text()
    page.close()


def test_phone_layout_keeps_the_client_switcher(browser, live_server, demo_practice):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "bob")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#client-table")
    assert page.locator("#client-switcher").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1  # nothing forces sideways scrolling
    context.close()
