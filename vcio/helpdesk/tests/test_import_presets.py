"""Each help desk's export is recognised by its headers and imported with its own words mapped.

Every fixture is a small file in the product's export layout (see the
sources in ``importing/presets.py``); the expected values are read off the
fixture by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from vcio.core.importer import engine
from vcio.helpdesk.models import Ticket

DATA = Path(__file__).parent / "data" / "import"
UTC = dt.UTC


def imported(client, path, **kw) -> tuple[object, dict[str, Ticket]]:
    report = engine.run("tickets", client, [path], **kw)
    assert report.committed, [str(p) for p in report.problems]
    return report, {t.external_id: t for t in Ticket.objects.filter(client=client)}


# (file, preset, source recorded, {id: (priority, status, source priority, source status)})
CASES = [
    ("zammad.csv", "zammad", "zammad",
     {"31001": ("medium", "closed", "2 normal", "closed"),
      "31002": ("high", "open", "3 high", "open")}),
    ("glpi.csv", "glpi-tickets", "glpi",
     {"5012": ("medium", "closed", "Medium", "Closed"),
      "5013": ("high", "open", "Very high", "Processing (assigned)")}),
    ("jira.csv", "jira", "jira",
     {"ITSM-101": ("critical", "resolved", "Highest", "Done"),
      "ITSM-102": ("medium", "pending", "Medium", "Waiting for support")}),
    ("freshdesk.csv", "freshdesk", "freshdesk",
     {"812": ("critical", "closed", "Urgent", "Closed"),
      "813": ("low", "open", "Low", "Open")}),
    ("connectwise.csv", "connectwise", "connectwise",
     {"220451": ("critical", "closed", "Priority 1 - Emergency Response", ">Closed"),
      "220452": ("low", "new", "Priority 4 - Schedule Maintenance", "New")}),
    ("autotask.csv", "autotask", "autotask",
     {"T20240301.0001": ("critical", "resolved", "Critical", "Complete"),
      "T20240301.0002": ("medium", "open", "Medium", "In Progress")}),
    ("halopsa.csv", "halopsa", "halopsa",
     {"4711": ("high", "closed", "P2", "Closed"),
      "4712": ("low", "pending", "P4", "Waiting on Client")}),
    ("osticket_cp1252.csv", "osticket", "osticket",
     {"480211": ("high", "closed", "High", "Closed"),
      "480212": ("medium", "open", "Normal", "Open")}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "preset", "source", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_export_is_recognised_and_mapped(acme, name, preset, source, expected):
    report, got = imported(acme, DATA / name)
    assert report.preset == preset and report.counts.created == len(expected)
    for external_id, (priority, status, raw_priority, raw_status) in expected.items():
        t = got[external_id]
        assert t.source == source
        assert (t.priority, t.status) == (priority, status)
        assert (t.source_priority, t.source_status) == (raw_priority, raw_status)


def test_times_and_people_come_from_each_layout(acme):
    _, got = imported(acme, DATA / "zammad.csv")
    t = got["31001"]
    assert t.first_response_at - t.opened_at == dt.timedelta(minutes=20)
    assert t.closed_at - t.opened_at == dt.timedelta(hours=3)
    assert (t.requester, t.assignee, t.subject) == ("Ann Archer", "Tess Tech",
                                                     "Outlook fragt nach Passwort")  # fmt: skip
    _, got = imported(acme, DATA / "jira.csv")
    jira = got["ITSM-101"]
    # Jira writes "01/Mar/24 9:05 AM".
    assert jira.opened_at == dt.datetime(2024, 3, 1, 9, 5, tzinfo=UTC)
    assert (jira.satisfaction, jira.source_category) == (4, "Get IT help")
    _, got = imported(acme, DATA / "freshdesk.csv")
    fd = got["812"]
    assert fd.body == "Wifi is very slow" and fd.satisfaction == 5
    # "Initial response time" is the moment of the first reply, "Due by Time" is not imported.
    assert fd.first_response_at - fd.opened_at == dt.timedelta(minutes=15)
    assert (fd.requester, fd.requester_email, fd.source_category) == (
        "Ann Archer",
        "ann@acme.test",
        "Incident",
    )
    _, got = imported(acme, DATA / "connectwise.csv")
    cw = got["220451"]
    assert cw.opened_at == dt.datetime(2024, 3, 1, 7, 45, tzinfo=UTC)  # US month first
    assert cw.first_response_at - cw.opened_at == dt.timedelta(minutes=10)
    _, got = imported(acme, DATA / "glpi.csv")
    glpi = got["5012"]
    # GLPI's "Type" (Incident/Request) comes before "Category" and must not take its place.
    assert glpi.source_category == "Hardware > Scanner"
    assert (glpi.requester, glpi.assignee) == ("ann", "tess")
    assert glpi.satisfaction == 4 and glpi.resolved_at - glpi.opened_at == dt.timedelta(hours=30)
    _, got = imported(acme, DATA / "autotask.csv")
    at = got["T20240301.0001"]
    assert (at.subject, at.requester, at.assignee, at.source_category) == (
        "Email bounces",
        "Ann Archer",
        "Tess Tech",
        "Email",
    )
    assert at.first_response_at - at.opened_at == dt.timedelta(minutes=20)
    assert at.resolved_at - at.opened_at == dt.timedelta(hours=5)


def test_a_windows_1252_export_keeps_its_accents(acme):
    report, got = imported(acme, DATA / "osticket_cp1252.csv")
    assert got["480211"].subject == "Café printer shows “Paper jam”"
    assert got["480211"].requester == "Renée Müller" and got["480211"].reopen_count == 1
    assert got["480212"].department is None and got["480212"].source_department == "Lager"
    assert any("not UTF-8" in str(n) for n in report.notes)


def test_an_xlsx_export_imports_like_its_csv(acme, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["#", "Title", "State", "Priority", "Group", "Owner", "Customer",
                  "Created At", "Closed At", "First Response At"])  # fmt: skip
    sheet.append(["31001", "Outlook fragt nach Passwort", "closed", "2 normal", "Users",
                  "Tess Tech", "Ann Archer", dt.datetime(2024, 2, 1, 8, 0),
                  dt.datetime(2024, 2, 1, 11, 0), dt.datetime(2024, 2, 1, 8, 20)])  # fmt: skip
    path = tmp_path / "zammad.xlsx"
    book.save(path)
    report, got = imported(acme, path)
    assert report.preset == "zammad"
    t = got["31001"]
    assert (t.status, t.priority, t.source) == ("closed", "medium", "zammad")
    assert t.closed_at - t.opened_at == dt.timedelta(hours=3)


def test_a_preset_can_be_named_and_source_is_the_tools(acme):
    report, got = imported(acme, DATA / "halopsa.csv", preset="halopsa")
    assert report.preset == "halopsa" and got["4711"].first_response_at is not None


def test_older_header_spellings_are_still_recognised(acme, tmp_path):
    """Freshdesk's older export wrote "Ticket Id", "Created Time" and "Requester"; headers
    match whatever their case, and its "Customer" (the company) is not taken as the requester."""
    path = tmp_path / "freshdesk_old.csv"
    path.write_text(
        "Ticket Id,Subject,Status,Priority,Customer,Requester,Agent,Group,Created Time,"
        "Due by Time,Resolved Time\n"
        "77,Printer offline,Resolved,Medium,Acme Corp,Ann Archer,Tess Tech,IT,"
        "2024-04-01 08:00:00,2024-04-02 08:00:00,2024-04-01 10:30:00\n",
        encoding="utf-8",
    )
    report, got = imported(acme, path)
    assert report.preset == "freshdesk"
    t = got["77"]
    assert (t.requester, t.assignee, t.status) == ("Ann Archer", "Tess Tech", "resolved")
    assert t.resolved_at - t.opened_at == dt.timedelta(hours=2, minutes=30)


def test_jira_server_satisfaction_column_is_read_too(acme, tmp_path):
    """Jira Cloud writes "Satisfaction rating"; some sites export "Custom field (Satisfaction)"."""
    path = tmp_path / "jira_dc.csv"
    path.write_text(
        "Summary,Issue key,Issue id,Issue Type,Status,Priority,Created,Resolved,"
        "Custom field (Satisfaction)\n"
        "VPN down,ITSM-7,10007,Incident,Done,High,01/Mar/24 9:05 AM,01/Mar/24 11:05 AM,2\n",
        encoding="utf-8",
    )
    report, got = imported(acme, path)
    assert report.preset == "jira" and got["ITSM-7"].satisfaction == 2
