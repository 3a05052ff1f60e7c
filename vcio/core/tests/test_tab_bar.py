"""The client tab bar fits one line on a laptop, every section stays reachable; no 404 icon.

Sixteen sections side by side wrapped to two lines. Related sections now
share one entry of the bar (a menu); the current group repeats its sections
in a second row. Checked in Debian's Chromium by where the entries land.
"""

from __future__ import annotations

import pytest

from vcio.core.registry import client_tabs
from vcio.core.tests.browser import log_in


def test_favicon_is_served_to_anybody(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200
    assert r["Content-Type"] == "image/x-icon"
    assert r.content[:4] == b"\x00\x00\x01\x00"  # the ICO file signature


def test_every_registered_section_is_one_link_of_the_bar(login, bob, acme):
    page = login(bob).get("/clients/acme/").content.decode()
    nav = page[
        page.index('<nav class="client-tabs"') : page.index("</nav>", page.index("client-tabs"))
    ]
    for tab in client_tabs:
        assert f">{tab.label}</a>" in nav, tab.label
    # Fewer entries than sections: the groups share one place each.
    assert nav.count("<summary") >= 3
    top = (
        nav.count('<li class="tab-group">')
        + nav.count("<li><a")
        - sum(1 for t in client_tabs if t.group)
    )
    assert top <= 8


def test_the_current_group_lists_its_sections_in_a_second_row(login, bob, acme):
    page = login(bob).get("/clients/acme/roadmap/").content.decode()
    row = page[page.index('<nav class="client-subtabs"') :]
    row = row[: row.index("</nav>")]
    labels = ["Goals", "Recommendations", "Initiatives", "Roadmap", "Budget"]
    assert [label for label in labels if f">{label}</a>" in row] == labels
    assert 'aria-current="page">Roadmap</a>' in row


@pytest.fixture
def consultant(transactional_db):
    from vcio.core.roles import Role
    from vcio.core.tests.factories import ClientFactory, make_user

    acme = ClientFactory(name="Acme Corp", slug="acme")
    return make_user("bob", Role.CONSULTANT, acme)


@pytest.mark.browser
def test_the_bar_fits_one_line_on_a_laptop_and_its_menus_open(
    browser, live_server, consultant, password
):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    log_in(page, live_server.url, "bob", password)
    page.goto(f"{live_server.url}/clients/acme/roadmap/")
    entries = page.locator("nav.client-tabs > ul > li")
    boxes = [entries.nth(i).bounding_box() for i in range(entries.count())]
    assert len(boxes) == 8  # Overview, 5 groups (Standards the newest), Reviews, Records
    # One line: every entry's middle lies within the shortest entry's height of the others'.
    middles = [b["y"] + b["height"] / 2 for b in boxes]
    assert max(middles) - min(middles) < min(b["height"] for b in boxes) / 2, boxes
    # A group's menu opens and leads to its section.
    page.click("nav.client-tabs summary:has-text('Inventory')")
    page.click("nav.client-tabs a:has-text('Lifecycle')")
    page.wait_for_url("**/clients/acme/lifecycle/")
    assert page.locator("nav.client-subtabs a[aria-current=page]").inner_text() == "Lifecycle"
    context.close()
