"""In a real browser: a consultant adds a node_exporter target, tests it, and sees its readings.

The exporter is Debian's real ``prometheus-node-exporter`` on 127.0.0.1
(:mod:`vcio.capacity.tests.agents`). The test also screenshots the
overview, a machine's page and the sources page at desktop and phone
widths into /tmp/capacity-shots/ for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vcio.capacity.models import ScrapeTarget, Series
from vcio.capacity.tests import agents
from vcio.capacity.tests.test_pages import machine
from vcio.core.roles import Role
from vcio.core.tests.browser import log_in
from vcio.core.tests.factories import PASSWORD, ClientFactory, make_user

pytestmark = pytest.mark.browser
node_exporter = agents.node_exporter
SHOTS = Path("/tmp/capacity-shots")
WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture
def consultant(transactional_db):
    client = ClientFactory(name="Initech", slug="initech")
    make_user("bob", Role.CONSULTANT, client)
    return client


def shoot(browser, base_url: str, path: str, name: str) -> None:
    """Full-page screenshots of ``path`` at each width; fails on a page wider than the screen."""
    SHOTS.mkdir(exist_ok=True)
    for label, width in WIDTHS.items():
        page = browser.new_page(viewport={"width": width, "height": 900})
        log_in(page, base_url, "bob", PASSWORD)
        page.goto(base_url + path)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{path} is {scroll} px wide at {width} px"
        assert "{%" not in page.content() and "{{" not in page.inner_text("main")
        page.close()


def test_a_consultant_adds_a_node_exporter_and_sees_its_readings(
    browser, live_server, consultant, node_exporter
):
    base = f"{live_server.url}/clients/initech"
    page = browser.new_page()
    log_in(page, live_server.url, "bob", PASSWORD)

    # 1. The capacity tab, empty, points to the sources.
    page.goto(f"{base}/capacity/")
    assert "No machine of Initech reports metrics yet" in page.inner_text("main")
    page.click("main a[role=button]:has-text('Sources and agents')")
    page.wait_for_url(re.compile(r".*/capacity/sources/$"))

    # 2. A scrape target aimed at the real node_exporter.
    page.click("main a[role=button]:has-text('New scrape target')")
    page.fill("#id_name", "Build box")
    page.fill("#id_url", node_exporter)
    page.select_option("#id_kind", value="node")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/capacity/sources/$"))
    target = ScrapeTarget.objects.get(name="Build box")
    assert "not scraped yet" in page.locator(f"#target-{target.pk}").inner_text()

    # 3. Test now: the first readings, and the machine they belong to.
    page.click(f"#target-{target.pk} button:has-text('Test now')")
    page.wait_for_selector(".messages")
    message = page.locator(".messages").inner_text()
    assert re.search(r"“Build box”: \d+ readings from \S+", message), message
    row = page.locator(f"#target-{target.pk}").inner_text()
    assert re.search(r"OK, \d+ samples", row), row
    target.refresh_from_db()
    mem = Series.objects.get(asset=target.asset, metric="mem")
    assert 0 < mem.last_value < 1

    # 4. The machine's page is one click away (no daily rollups yet: it says so).
    page.click(f"#target-{target.pk} a:has-text('{target.asset.name}')")
    page.wait_for_url(re.compile(rf".*/capacity/assets/{target.asset.pk}/$"))
    assert "No daily figures in the last 90 days" in page.inner_text("main")

    # 5. Screenshots with a few machines that have 90 days of rollups.
    machine(consultant, "APP01", cpu=0.05, mem=0.2)
    db = machine(consultant, "DB01-with-a-long-name", cpu=0.93, mem=0.7, disk_grow=0.004)
    machine(consultant, "FS01", cpu=0.4, mem=0.62)
    shoot(browser, live_server.url, "/clients/initech/capacity/", "overview")
    shoot(browser, live_server.url, f"/clients/initech/capacity/assets/{db.pk}/", "machine")
    shoot(browser, live_server.url, "/clients/initech/capacity/sources/", "sources")
