"""In a real browser: the CIO starts an assessment, the engineer answers it from the keyboard,
the CIO signs it off and makes a gap an initiative, and the executive reads the score.

The framework has three items weighing 3, 2 and 1; the engineer answers
aligned, not aligned and partly: (3 + 1/2) / 6 = 58.3 % aligned, by hand.
Pages are screenshotted at desktop and phone widths into /tmp/assessments-shots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vcio.assessments.frameworks import library
from vcio.core.roles import Role
from vcio.core.tests.browser import log_in
from vcio.core.tests.factories import PASSWORD, ClientFactory, make_user
from vcio.strategy.models import Initiative

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/assessments-shots")


@pytest.fixture
def practice(transactional_db):
    acme = ClientFactory(name="Acme", slug="acme")
    make_user("bob", Role.CONSULTANT, acme)
    make_user("tess", Role.TECHNICIAN, acme)
    make_user("carol", Role.EXECUTIVE, acme)
    library.load(
        {
            "framework": {"key": "office", "name": "Office basics", "licence": "CC BY 4.0",
                          "attribution": "Written by the vcio test suite."},  # fmt: skip
            "version": "1",
            "sections": [{"ref": "PR", "title": "Protect"}, {"ref": "RC", "title": "Recover"}],
            "items": [
                {"ref": "OB-1", "section": "PR", "text": "MFA on every mailbox", "weight": 3},
                {"ref": "OB-2", "section": "RC", "text": "Backups restored in a test each quarter",
                 "weight": 2, "remediation": "Quarterly restore test", "one_time_cost": 400,
                 "effort_days": 1, "risk": "high"},
                {"ref": "OB-3", "section": "PR", "text": "Laptops encrypted", "weight": 1},
            ],
        }
    )  # fmt: skip
    return acme


def shoot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for label, width in {"desktop": 1280, "phone": 390}.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} is {overflow}px wider than a {width}px screen"
    page.set_viewport_size({"width": 1280, "height": 900})


def as_user(browser, base: str, username: str):
    context = browser.new_context()
    page = context.new_page()
    if username == "carol":  # a client's executive lands in the portal, not on the dashboard
        page.goto(base + "/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("main button[type=submit]")
    else:
        log_in(page, base, username, PASSWORD)
    return context, page


def test_answer_sign_off_plan_and_read_the_score(browser, live_server, practice):
    base = live_server.url
    assessments = f"{base}/clients/acme/assessments/"

    # The CIO starts it.
    ctx, page = as_user(browser, base, "bob")
    page.goto(assessments)
    page.select_option("select[name=version]", label="Office basics 1")
    page.click("button:has-text('Start assessment')")
    page.wait_for_selector("#work-through")
    detail_url = page.url
    ctx.close()

    # The engineer works through the three items from the keyboard.
    ctx, page = as_user(browser, base, "tess")
    page.goto(detail_url)
    page.click("#work-through")
    for key in ("1", "3", "2"):  # aligned, not aligned, partly
        page.wait_for_selector("#answer-form")
        page.wait_for_load_state("load")  # the keys script is deferred: let it listen first
        page.keyboard.press(key)
        if key == "3":  # a note for the practice only, then the button
            page.fill("#id_note", "INTERNAL: the NAS vendor's restore tool is unlicensed")
            with page.expect_navigation():
                page.click("#save-next")
            continue
        with page.expect_navigation():
            page.keyboard.press("Enter")
    page.goto(detail_url)
    shoot(page, "assessment-answered")
    text = page.inner_text("main")
    assert "58.3 %" in text
    page.click("button:has-text('Submit for sign-off')")
    page.wait_for_load_state()
    ctx.close()

    # The CIO signs off; the gap is a recommendation at once and becomes an initiative.
    ctx, page = as_user(browser, base, "bob")
    page.goto(detail_url)
    page.fill("#sign-off textarea", "Backups are never restored in a test: fix this quarter.")
    page.click("#sign-off button:has-text('Sign off')")
    page.wait_for_load_state()
    assert "Signed off" in page.inner_text("main")
    page.goto(f"{base}/clients/acme/recommendations/")
    card = page.locator("article", has_text="Quarterly restore test")
    with page.expect_navigation():
        card.locator("button:has-text('Make initiative')").click()
    initiative = Initiative.objects.get(client=practice, title="Quarterly restore test")
    assert initiative.capex == 400 and initiative.effort_days == 1
    ctx.close()

    # The executive reads the finished result in the portal, without the practice's notes.
    ctx, page = as_user(browser, base, "carol")
    page.goto(f"{base}/portal/acme/standards/")
    text = page.inner_text("main")
    assert "58 % aligned" in text.replace("\n", " ")
    assert "Backups restored in a test each quarter" in text
    assert "Written by the vcio test suite." in text
    assert "INTERNAL" not in page.content()
    shoot(page, "portal-standards")
    ctx.close()
