"""In a real browser: a consultant adds a service and an HTTP monitor, and sees its first result.

The monitor aims at a web server on 127.0.0.1 started by the test; "Check
now" asks the worker, the test runs the worker's checker pass, and the page
(polling) shows the monitor up, with its response time.
"""

from __future__ import annotations

import http.server
import re
import threading

import pytest

from vcio.availability import engine
from vcio.availability.models import BusinessService, Monitor
from vcio.core.roles import Role
from vcio.core.tests.browser import log_in
from vcio.core.tests.factories import PASSWORD, ClientFactory, make_user

pytestmark = pytest.mark.browser


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 — the name http.server calls
        body = b"<h1>Payroll is fine</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass  # keep the test output quiet


@pytest.fixture
def target():
    """A local web server answering 200; yields its URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/health"
    server.shutdown()
    server.server_close()


@pytest.fixture
def consultant(transactional_db):
    client = ClientFactory(name="Initech", slug="initech")
    make_user("bob", Role.CONSULTANT, client)
    return client


def test_a_consultant_adds_a_monitor_and_sees_its_first_result(
    browser, live_server, consultant, target
):
    base = f"{live_server.url}/clients/initech"
    page = browser.new_page()
    log_in(page, live_server.url, "bob", PASSWORD)

    # 1. A business service, from the status board.
    page.goto(f"{base}/availability/")
    page.click("main a[role=button]:has-text('New service')")
    page.fill("#id_name", "Payroll")
    page.select_option("#id_criticality", label="Business critical")
    page.fill("#id_sla_target", "99.9")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/services/\d+/$"))
    assert page.locator("#service-state").inner_text() == "Unknown"
    service = BusinessService.objects.get(name="Payroll")

    # 2. An HTTP monitor aimed at the local server.
    page.click("main a[role=button]:has-text('New monitor')")
    page.fill("#id_name", "Payroll web")
    page.select_option("#id_kind", value="http")
    page.fill("#id_target", target)
    page.fill("#id_interval_s", "60")
    page.click("main button[type=submit]")
    page.wait_for_selector("#monitors")
    monitor = Monitor.objects.get(service=service)
    assert "not checked yet" in page.locator(f"#monitor-{monitor.pk}").inner_text()

    # 3. Check now: the first result, up with its response time.
    page.click(f"#monitor-{monitor.pk} button:has-text('Check now')")
    page.wait_for_selector(".messages")
    message = page.locator(".messages").inner_text()
    assert "Check of “Payroll web” requested" in message
    assert "waiting for the worker" in page.locator(f"#monitor-{monitor.pk}").inner_text()
    # What vcio worker's checker does within a second (a thread: Playwright owns this loop).
    worker = threading.Thread(target=engine.check_due, args=("test-worker",))
    worker.start()
    worker.join()
    # The page polls every 2 s and shows the result without a reload.
    page.wait_for_selector(f"#monitor-{monitor.pk} .last-result:has-text('OK in')", timeout=15000)
    row = page.locator(f"#monitor-{monitor.pk}").inner_text()
    assert re.search(r"OK in \d+ ms", row), row
    assert monitor.results.get().ok
