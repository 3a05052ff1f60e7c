"""In a real browser: import a Snipe-IT asset export, preview it, confirm it."""

from __future__ import annotations

from pathlib import Path

import pytest

from vcio.assets.models import Asset
from vcio.core.tests.browser import log_in

pytestmark = pytest.mark.browser
FIXTURE = Path(__file__).parent / "fixtures" / "snipeit-assets.csv"


@pytest.fixture
def consultant(transactional_db, password):
    from vcio.core.roles import Role
    from vcio.core.tests.factories import ClientFactory, make_user

    acme = ClientFactory(name="Acme Corp", slug="acme")
    return make_user("bob", Role.CONSULTANT, acme), acme


def test_upload_preview_and_confirm_an_asset_export(browser, live_server, consultant, password):
    user, acme = consultant
    page = browser.new_page()
    log_in(page, live_server.url, "bob", password)
    page.goto(f"{live_server.url}/clients/acme/assets/")
    page.click("main a[role=button]:has-text('Import')")
    page.set_input_files("input[type=file]", str(FIXTURE))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Nothing has been written yet")
    assert Asset.objects.filter(client=acme).count() == 0  # a preview writes nothing
    figures = page.locator(".figures").inner_text()
    assert "create" in figures
    page.click("main form button:has-text('Import')")
    page.wait_for_selector(".messages")
    assert Asset.objects.filter(client=acme).count() > 0
    asset = Asset.objects.get(client=acme, asset_tag="ACM-1001")
    assert asset.name == "LT-ANN" and str(asset.purchase_cost) == "2266.13"
    page.goto(f"{live_server.url}/clients/acme/assets/")
    assert "LT-ANN" in page.locator("main").inner_text()
    page.close()
