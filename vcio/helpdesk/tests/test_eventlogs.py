"""Event logs folded into tickets: one ticket per case, times from its events.

The fixtures are small logs written in each real log's layout; the expected
times are read off them by hand.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.utils import timezone

from vcio.core.importer import engine
from vcio.helpdesk.models import Ticket

DATA = Path(__file__).parent / "data" / "import"


def local(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def folded(client, name: str) -> tuple[object, dict[str, Ticket]]:
    report = engine.run("tickets", client, [DATA / name])
    assert report.committed, [str(p) for p in report.problems]
    return report, {t.external_id: t for t in Ticket.objects.filter(client=client)}


def test_servicenow_events_become_incidents_gzip_or_not(acme):
    report, got = folded(acme, "incident_event_log_excerpt.csv.gz")
    assert report.format == "servicenow" and report.rows == 2 and set(got) == {
        "INC0000101", "INC0000102"}  # fmt: skip
    t = got["INC0000101"]
    assert t.source == "servicenow" and t.opened_at == local(2016, 3, 1, 9, 0)
    # The first event no longer New: the desk's first touch.
    assert t.first_response_at == local(2016, 3, 1, 9, 40)
    assert t.resolved_at == local(2016, 3, 4, 10, 0) and t.closed_at == local(2016, 3, 7, 12, 0)
    assert (t.reopen_count, t.status, t.priority) == (1, "closed", "medium")
    assert (t.source_priority, t.assignee, t.requester) == ("3 - Moderate", "Resolver 4",
                                                            "Caller 11")  # fmt: skip
    # The cut-off incident: one New event, imported as a new critical incident.
    cut = got["INC0000102"]
    assert (cut.status, cut.priority, cut.resolved_at, cut.first_response_at) == (
        "new", "critical", None, None)  # fmt: skip
    assert cut.subject == "Incident INC0000102"
    plain = engine.preview("tickets", acme, [DATA / "incident_event_log_excerpt.csv"])
    assert (plain.counts.created, plain.counts.unchanged) == (0, 2)  # same tickets, no change


def test_volvo_service_requests(acme):
    report, got = folded(acme, "VINST-excerpt.csv")
    assert report.format == "volvo-bpic2013" and len(got) == 2
    t = got["1-100"]
    plus2 = dt.timezone(dt.timedelta(hours=2))
    assert t.opened_at == dt.datetime(2012, 4, 2, 8, 0, tzinfo=plus2)
    assert t.first_response_at == dt.datetime(2012, 4, 2, 8, 30, tzinfo=plus2)
    assert t.resolved_at == dt.datetime(2012, 4, 5, 10, 0, tzinfo=plus2)
    assert t.closed_at == dt.datetime(2012, 4, 6, 10, 0, tzinfo=plus2)
    assert (t.reopen_count, t.status, t.priority, t.subject) == (1, "closed", "medium", "PROD424")
    waiting = got["1-200"]
    assert (waiting.status, waiting.priority, waiting.reopen_count) == ("pending", "critical", 0)


def test_italian_log_skips_repeated_events(acme):
    report, got = folded(acme, "finale_excerpt.csv")
    assert report.format == "helpdesk-eventlog" and len(got) == 2
    t = got["Case 9"]
    assert t.opened_at == local(2012, 10, 9, 14, 50, 17)
    assert t.first_response_at == local(2012, 10, 9, 14, 51, 1)
    assert t.resolved_at == local(2012, 10, 12, 15, 2, 56)
    assert t.closed_at == local(2012, 10, 20, 9, 0)
    # The "Resolve ticket" written twice is one resolution, not a reopen.
    assert (t.reopen_count, t.status, t.priority, t.source_priority) == (
        0, "closed", "medium", "medium (Value 2)")  # fmt: skip
    assert (got["Case 10"].status, got["Case 10"].priority) == ("pending", "critical")


def test_the_command_reads_a_compressed_log(acme):
    out = StringIO()
    call_command("import", "tickets", str(DATA / "incident_event_log_excerpt.csv.gz"),
                 "--client", "acme", "--dry-run", stdout=out)  # fmt: skip
    assert "2 rows would give: created 2" in out.getvalue()
    assert not Ticket.objects.exists()
