"""At phone width (390 px) in Debian's Chromium: nothing pushes the page sideways.

The portal is what a client executive opens on a phone: the roadmap's
Approve and Decline buttons lie on screen, tables scroll inside their own
box (or become cards), and the practice roadmap's timeline keeps readable
text by scrolling inside its figure instead of shrinking to the phone.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from vcio.core.fiscal import add_months, quarter_of

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LONG = "Replace the on-premises firewalls at both plants with a managed FortiGate HA pair"


@pytest.fixture
def roadmap(transactional_db, acme, bob, carol):
    """Acme's roadmap: proposals with long titles and large costs over the next quarters."""
    from vcio.strategy.tests.factories import InitiativeFactory

    today = datetime.date.today()
    for n in range(6):
        quarter = quarter_of(add_months(today, 3 * (n % 4)), acme.fiscal_year_start_month)
        InitiativeFactory(
            client=acme,
            title=f"{LONG} ({n})",
            description="Two firewalls in a high-availability pair per plant, with "
            "24x7 monitoring and yearly penetration tests by an outside firm. " * 3,
            status="proposed" if n % 2 == 0 else "approved",
            start_quarter=quarter.start,
            capex=Decimal("1234567.89"),
            opex_per_year=Decimal("98765.43"),
        )
    return acme


def _phone_page(browser, live_server, username: str, password: str):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return context, page


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url}: the page is {width} px wide"


def _on_screen(box: dict) -> bool:
    return box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_portal_roadmap_buttons_are_on_screen(browser, live_server, roadmap, password):
    context, page = _phone_page(browser, live_server, "carol", password)
    page.goto(f"{live_server.url}/portal/acme/roadmap/")
    _no_sideways_scroll(page)
    buttons = page.locator("form.decide-form button")
    assert buttons.count() == 6  # Approve and Decline on each of three proposals
    for i in range(buttons.count()):
        buttons.nth(i).scroll_into_view_if_needed()
        box = buttons.nth(i).bounding_box()
        assert _on_screen(box), (buttons.nth(i).inner_text(), box)
    # Each figure of a card is on screen too (a card, not a table cut at the edge).
    for cell in page.locator("td[data-label]").all():
        cell.scroll_into_view_if_needed()
        assert _on_screen(cell.bounding_box()), cell.inner_text()
    context.close()


@pytest.mark.parametrize(
    "who, path",
    [
        ("carol", "/portal/acme/"),
        ("carol", "/portal/acme/reviews/"),
        ("bob", "/clients/acme/"),
        ("bob", "/clients/acme/initiatives/"),
        ("bob", "/clients/acme/budget/"),
        ("bob", "/clients/acme/audit/"),
    ],
)
def test_pages_do_not_scroll_sideways_on_a_phone(
    browser, live_server, roadmap, password, who, path
):
    context, page = _phone_page(browser, live_server, who, password)
    page.goto(live_server.url + path)
    _no_sideways_scroll(page)
    # A table wider than the phone scrolls inside its own box, which stays on screen.
    for table in page.locator("main table").all():
        assert _on_screen(table.bounding_box()), path
    context.close()


def test_the_timeline_keeps_readable_text_and_scrolls_in_its_figure(
    browser, live_server, roadmap, password
):
    context, page = _phone_page(browser, live_server, "bob", password)
    page.goto(f"{live_server.url}/clients/acme/roadmap/")
    _no_sideways_scroll(page)
    figure = page.locator("figure.chart:has(svg.gantt)")
    assert _on_screen(figure.bounding_box())
    svg = page.locator("svg.gantt")
    view_width = float(svg.get_attribute("viewBox").split()[2])
    scale = svg.bounding_box()["width"] / view_width
    # The labels are drawn at 12 units: at least 10.5 px on screen, as on a laptop.
    assert 12 * scale >= 10.5, f"timeline text at {12 * scale:.1f} px"
    assert page.evaluate(
        "document.querySelector('figure.chart svg.gantt').parentElement.scrollWidth"
        " > document.querySelector('figure.chart svg.gantt').parentElement.clientWidth"
    )
    context.close()
