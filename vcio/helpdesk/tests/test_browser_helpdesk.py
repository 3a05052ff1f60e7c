"""In a real browser: a consultant imports a Zammad ticket export and finds its topics chart.

The export is written in Zammad's own XLSX/CSV report layout (the columns of
``lib/excel_sheet/ticket.rb``), dated this week so the overview's default
period (the current fiscal quarter) holds it. No model is trained, so the
import discovers topics from the text before it answers. The pages are
screenshotted at desktop and phone widths into /tmp/helpdesk-shots/.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from vcio.core.roles import Role
from vcio.core.tests.browser import log_in
from vcio.core.tests.factories import PASSWORD, ClientFactory, make_user
from vcio.helpdesk.models import Ticket, Topic

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/helpdesk-shots")
HEADER = ["#", "Title", "State", "Priority", "Group", "Owner", "Customer", "Organization",
          "Create Channel", "Sender", "Tags", "Time Units Total", "Created At", "Updated At",
          "Closed At", "First Response At"]  # fmt: skip
SUBJECTS = [
    "Printer PRN-2 jams again on the second floor",
    "printer out of toner, prints faded pages",
    "Cannot print to the office printer",
    "Password expired, locked out of my account",
    "Forgot my password for Outlook, please reset",
    "Account locked after too many password attempts",
    "VPN disconnects every few minutes from home",
    "vpn will not connect from the hotel wifi",
]


@pytest.fixture
def consultant(transactional_db):
    client = ClientFactory(name="Initech", slug="initech")
    make_user("bob", Role.CONSULTANT, client)
    return client


def zammad_export(path: Path) -> Path:
    """40 tickets over the last days, in Zammad's report columns."""
    now = timezone.now().replace(microsecond=0)
    stamp = "%Y-%m-%d %H:%M:%S"
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for n in range(40):
            opened = now - dt.timedelta(hours=3 * n + 2)
            answered = opened + dt.timedelta(minutes=25)
            closed = opened + dt.timedelta(hours=2) if n % 3 else None
            out.writerow([
                50000 + n, SUBJECTS[n % len(SUBJECTS)], "closed" if closed else "open",
                "2 normal", "Users", "Tess Tech", f"User {n % 7}", "Initech", "email",
                "Customer", "", "0.5", opened.strftime(stamp), answered.strftime(stamp),
                closed.strftime(stamp) if closed else "", answered.strftime(stamp),
            ])  # fmt: skip
    return path


def shoot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for label, width in {"desktop": 1280, "phone": 390}.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
        # Nothing may stick out of a phone's screen: wide tables scroll in their own box.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} is {overflow}px wider than a {width}px screen"


def test_import_a_zammad_export_and_find_its_topics_chart(
    browser, live_server, consultant, tmp_path
):
    export = zammad_export(tmp_path / "zammad-tickets.csv")
    page = browser.new_page()
    log_in(page, live_server.url, "bob", PASSWORD)
    page.goto(f"{live_server.url}/clients/initech/helpdesk/tickets/")
    assert "No tickets recorded yet" in page.locator("main").inner_text()
    page.click("#import-tickets")
    page.set_input_files("input[type=file]", str(export))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Nothing has been written yet")
    assert not Ticket.objects.filter(client=consultant).exists()  # a preview writes nothing
    page.click("main form button:has-text('Import')")
    page.wait_for_selector(".messages")
    assert Ticket.objects.filter(client=consultant).count() == 40
    assert set(Ticket.objects.filter(client=consultant).values_list("source", flat=True)) == {
        "zammad"
    }

    page.goto(f"{live_server.url}/clients/initech/helpdesk/")
    chart = page.locator("#topics-chart svg")
    chart.wait_for()
    names = set(
        Topic.objects.filter(client=consultant, retired=False).values_list("name", flat=True)
    )
    assert len(names) >= 2
    table = page.locator("#topics-table").inner_text()
    assert all(name in table for name in names), (names, table)
    shoot(page, "overview")

    # Drill down: the first topic's link lists exactly its tickets.
    first = page.locator("#topics-table tbody tr").first
    count = int(first.locator("td.num").first.inner_text())
    first.locator("a").click()
    page.wait_for_selector("#count-line")
    assert f"of {count} ticket" in page.locator("#count-line").inner_text() or (
        count <= 50 and page.locator("table.tickets tbody tr").count() == count
    )
    shoot(page, "tickets")
    page.goto(f"{live_server.url}/clients/initech/helpdesk/topics/")
    assert all(name in page.locator("main").inner_text() for name in names)
    shoot(page, "topics")
    page.close()
