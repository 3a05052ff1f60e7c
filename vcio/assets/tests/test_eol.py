"""End-of-support table: OS strings as inventories send them, matching, shipped data."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from vcio.assets import eol
from vcio.assets.eol import OsId, RuleSet, normalise, read_shipped, sync_shipped
from vcio.assets.models import EolRule


@pytest.mark.parametrize(
    ("os_name", "os_version", "expected"),
    [
        ("Microsoft Windows 10 Pro", "10.0.19045", OsId("Windows 10", "22H2")),
        ("Microsoft Windows 10 Pro", "10.0.19045.4291", OsId("Windows 10", "22H2")),
        ("Microsoft Windows 10 Enterprise", "10.0.19044", OsId("Windows 10", "21H2", "Enterprise")),
        ("Microsoft® Windows 10 Education", "19045", OsId("Windows 10", "22H2", "Enterprise")),
        ("Windows 10 Pro", "22H2", OsId("Windows 10", "22H2")),
        ("Windows 10 Pro", "", OsId("Windows 10", "")),
        ("Windows 10 Enterprise LTSC 2021", "", OsId("Windows 10", "21H2", "Enterprise LTSC")),
        (
            "Windows 10 IoT Enterprise LTSC",
            "10.0.19044.3570",
            OsId("Windows 10", "21H2", "IoT Enterprise LTSC"),
        ),
        (
            "Windows 10 Enterprise 2016 LTSB",
            "10.0.14393",
            OsId("Windows 10", "1607", "Enterprise LTSC"),
        ),
        ("Microsoft Windows 11 Pro", "10.0.22000", OsId("Windows 11", "21H2")),
        ("Microsoft Windows 11 Pro", "10.0.22621.3447", OsId("Windows 11", "22H2")),
        ("Microsoft Windows 11 Enterprise", "10.0.22631", OsId("Windows 11", "23H2", "Enterprise")),
        ("Microsoft Windows 11 Pro Education", "10.0.26100", OsId("Windows 11", "24H2")),
        ("Windows 11 Pro", "Version 24H2 (OS Build 26100.2033)", OsId("Windows 11", "24H2")),
        ("Microsoft Windows 11 Home", "10.0.26200.6899", OsId("Windows 11", "25H2")),
        # Windows 11 keeps kernel 10.0 and some agents still call it Windows 10.
        ("Microsoft Windows 10 Pro", "10.0.22631.3880", OsId("Windows 11", "23H2")),
        ("Microsoft Windows", "10.0.26100", OsId("Windows 11", "24H2")),
        ("Windows 7 Professional", "6.1.7601", OsId("Windows 7", "")),
        ("Microsoft Windows 8.1 Pro", "6.3.9600", OsId("Windows 8.1", "")),
        ("Windows Server 2019 Standard", "", OsId("Windows Server", "2019")),
        (
            "Microsoft Windows Server 2012 R2 Datacenter",
            "6.3.9600",
            OsId("Windows Server", "2012 R2"),
        ),
        (
            "Microsoft Windows Server 2008 R2 Standard",
            "6.1.7601",
            OsId("Windows Server", "2008 R2"),
        ),
        ("Microsoft Windows Server", "10.0.20348.2527", OsId("Windows Server", "2022")),
        ("Windows Server Datacenter", "10.0.26100", OsId("Windows Server", "2025")),
        ("Ubuntu 22.04.3 LTS", "", OsId("Ubuntu", "22.04.3")),
        ("Ubuntu", "20.04.6 LTS (Focal Fossa)", OsId("Ubuntu", "20.04.6")),
        ("Ubuntu", "jammy", OsId("Ubuntu", "22.04")),
        ("Debian GNU/Linux 12 (bookworm)", "", OsId("Debian", "12")),
        ("Debian GNU/Linux", "11.9", OsId("Debian", "11.9")),
        ("Debian GNU/Linux bookworm/sid", "", OsId("Debian", "12")),
        (
            "Red Hat Enterprise Linux Server release 7.9 (Maipo)",
            "",
            OsId("Red Hat Enterprise Linux", "7.9"),
        ),
        ("Red Hat Enterprise Linux", "9.4 (Plow)", OsId("Red Hat Enterprise Linux", "9.4")),
        ("CentOS Linux 7 (Core)", "7.9.2009", OsId("CentOS", "7")),
        ("CentOS Stream", "9", OsId("CentOS Stream", "9")),
        ("macOS 14.4", "", OsId("macOS", "14.4")),
        ("macOS", "14.4.1 (23E224)", OsId("macOS", "14.4.1")),
        ("macOS Sonoma", "", OsId("macOS", "14")),
        ("Mac OS X 10.15", "", OsId("macOS", "10.15")),
        ("Mac OS X", "10.15.7", OsId("macOS", "10.15.7")),
        ("macOS Tahoe", "26.1", OsId("macOS", "26.1")),
        ("VMware ESXi", "7.0.3", OsId("VMware ESXi", "7.0.3")),
        ("VMware ESXi 8.0.2 build-22380479", "", OsId("VMware ESXi", "8.0.2")),
        ("Microsoft Office Professional Plus 2016", "16.0.4266.1001", OsId("Office", "2016")),
        ("FortiOS", "v7.2.8,build1639", OsId("FortiOS", "7.2.8")),
        ("", "", OsId("", "")),
    ],
)
def test_normalise_real_inventory_strings(os_name, os_version, expected):
    assert normalise(os_name, os_version) == expected


@pytest.fixture
def shipped() -> RuleSet:
    """The shipped file as unsaved rules: matching needs no database."""
    return RuleSet(EolRule(shipped=True, **row) for row in read_shipped())


@pytest.mark.parametrize(
    ("os_name", "os_version", "end"),
    [
        ("Microsoft Windows 10 Pro", "10.0.19045.4291", date(2025, 10, 14)),
        ("Microsoft Windows 10 Enterprise", "10.0.19045", date(2025, 10, 14)),
        ("Microsoft Windows 10 Pro", "10.0.19044", date(2023, 6, 13)),
        ("Microsoft Windows 10 Enterprise", "10.0.19044", date(2024, 6, 11)),
        ("Windows 10 Enterprise LTSC 2021", "10.0.19044", date(2027, 1, 12)),
        ("Windows 10 IoT Enterprise LTSC 2021", "10.0.19044", date(2032, 1, 13)),
        ("Windows 10 Enterprise LTSC 2019", "10.0.17763", date(2029, 1, 9)),
        ("Windows 10 Pro", "", date(2025, 10, 14)),  # every non-LTSC Windows 10 by then
        ("Microsoft Windows 10 Pro", "10.0.15063", date(2018, 10, 9)),
        ("Microsoft Windows 11 Pro", "10.0.22631", date(2025, 11, 11)),
        ("Microsoft Windows 11 Enterprise", "10.0.22631", date(2026, 11, 10)),
        ("Microsoft Windows 11 Education", "10.0.26100", date(2027, 10, 12)),
        ("Microsoft Windows 11 Pro", "10.0.26100", date(2026, 10, 13)),
        ("Microsoft Windows 11 Pro", "10.0.26200", date(2027, 10, 12)),
        ("Windows 11 Enterprise LTSC 2024", "10.0.26100", date(2029, 10, 9)),
        ("Windows Server 2012 Standard", "", date(2023, 10, 10)),
        ("Windows Server 2012 R2 Standard", "", date(2023, 10, 10)),
        ("Windows Server 2016 Standard", "10.0.14393", date(2027, 1, 12)),
        ("Windows Server 2019 Standard", "", date(2029, 1, 9)),
        ("Microsoft Windows Server 2022 Datacenter", "10.0.20348", date(2031, 10, 14)),
        ("Windows Server 2025 Standard", "", date(2034, 10, 10)),
        ("Ubuntu 22.04.3 LTS", "", date(2027, 5, 31)),
        ("Ubuntu 20.04.6 LTS", "", date(2025, 5, 31)),
        ("Debian GNU/Linux 12 (bookworm)", "", date(2028, 6, 30)),
        ("macOS", "14.4.1", date(2026, 9, 15)),
        ("Mac OS X", "10.15.7", date(2022, 10, 24)),
        ("Red Hat Enterprise Linux release 8.10 (Ootpa)", "", date(2029, 5, 31)),
        ("CentOS Linux 7 (Core)", "", date(2024, 6, 30)),
        ("VMware ESXi", "7.0.3", date(2025, 10, 2)),
    ],
)
def test_shipped_rules_match_what_inventories_send(shipped, os_name, os_version, end):
    rule = shipped.match(os_name, os_version)
    assert rule is not None, f"no rule for {os_name!r} {os_version!r}"
    assert rule.end_of_support == end


@pytest.mark.parametrize(
    ("os_name", "os_version"),
    [
        ("Windows 10 Enterprise LTSC", ""),  # an LTSC of unknown release: no guess
        ("Microsoft Windows 11 Pro", ""),  # Windows 11 versions differ by years
        ("Windows Server 2003", ""),
        ("Ubuntu 23.10", ""),  # not an LTS release: not in the table
        ("iOS", "17.5"),
        ("Android", "14"),
        ("", ""),
    ],
)
def test_no_rule_means_unknown_rather_than_a_guess(shipped, os_name, os_version):
    assert shipped.match(os_name, os_version) is None


def test_version_prefix_stops_at_a_dot():
    rules = [
        EolRule(product="Windows Server", version="2012", end_of_support=date(2023, 10, 10)),
        EolRule(product="Ubuntu", version="22.04", end_of_support=date(2027, 5, 31)),
    ]
    assert eol.match("Windows Server 2012 R2", "", rules) is None
    assert eol.match("Ubuntu", "22.04.5", rules).version == "22.04"
    assert eol.match("Ubuntu", "22.040", rules) is None


def test_a_practice_row_wins_over_a_shipped_row_and_matches_by_name():
    rules = RuleSet(
        [
            EolRule(
                product="Ubuntu", version="22.04", end_of_support=date(2027, 5, 31), shipped=True
            ),
            EolRule(product="ubuntu", version="22.04", end_of_support=date(2032, 4, 9)),
            EolRule(product="FortiOS", version="7.0", end_of_support=date(2024, 9, 30)),
        ]
    )
    assert rules.match("Ubuntu 22.04.4 LTS", "").end_of_support == date(2032, 4, 9)
    assert rules.match("Fortinet FortiOS", "7.0.15").product == "FortiOS"


def test_matching_is_remembered_per_name_and_version(shipped, monkeypatch):
    calls = []
    real = eol.normalise
    monkeypatch.setattr(eol, "normalise", lambda *a: calls.append(a) or real(*a))
    for _ in range(500):
        shipped.match("Microsoft Windows 10 Pro", "10.0.19045")
    assert len(calls) == 1


def test_shipped_file_rows_all_have_a_source_and_a_date():
    rows = read_shipped()
    assert len(rows) > 80
    assert all(r["source_url"].startswith("https://") for r in rows)
    products = {r["product"] for r in rows}
    assert {"Windows 10", "Windows 11", "Windows Server", "macOS", "Ubuntu", "Debian"} <= products
    assert {"Red Hat Enterprise Linux", "CentOS", "VMware ESXi", "Office"} <= products


def test_a_bad_shipped_file_names_the_rule(tmp_path):
    path = tmp_path / "eol.json"
    path.write_text(json.dumps({"rules": [{"product": "X", "end_of_support": "2024-02-30"}]}))
    with pytest.raises(ValueError, match="eol.json, rule 1: end_of_support '2024-02-30'"):
        read_shipped(path)


# The table in the database ----------------------------------------------------------


def test_the_migration_loaded_the_shipped_table(db):
    assert EolRule.objects.filter(shipped=True).count() == len(read_shipped())
    assert eol.load_rules().match("Windows 10 Pro", "22H2").end_of_support == date(2025, 10, 14)


def test_load_rules_is_one_query(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        rules = eol.load_rules()
    with django_assert_num_queries(0):
        rules.match("Ubuntu 22.04 LTS", "")


def test_sync_updates_shipped_rows_and_never_touches_practice_rows(db, tmp_path):
    EolRule.objects.filter(product="Windows 10", version="22H2").update(
        end_of_support=date(2020, 1, 1)
    )
    # The practice prefers Debian's regular security end to the LTS end.
    EolRule.objects.filter(product="Debian", version="12").update(
        end_of_support=date(2026, 6, 10), shipped=False
    )
    mine = EolRule.objects.get(product="Debian", version="12")
    stale = EolRule.objects.create(
        product="Gone", version="1", end_of_support=date(2020, 1, 1), shipped=True
    )
    own = EolRule.objects.create(product="FortiOS", version="7.0", end_of_support=date(2024, 9, 30))

    result = sync_shipped()

    assert result.updated == 1 and result.kept_practice == 1 and result.removed == 1
    assert EolRule.objects.get(
        product="Windows 10", version="22H2", edition=""
    ).end_of_support == date(2025, 10, 14)
    mine.refresh_from_db()
    assert mine.end_of_support == date(2026, 6, 10) and not mine.shipped
    assert not EolRule.objects.filter(pk=stale.pk).exists()
    assert EolRule.objects.filter(pk=own.pk).exists()
    again = sync_shipped()
    assert (again.created, again.updated, again.removed) == (0, 0, 0)


# vcio eol ------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command("eol", *args, stdout=out)
    return out.getvalue()


def test_eol_add_creates_a_practice_row_that_survives_sync(db):
    output = run(
        "add", "macos", "14", "2026-09-16", "--source", "https://support.apple.com/en-us/100100"
    )
    # The shipped row for macOS 14 becomes the practice's: syncs leave it alone.
    assert "Changed practice rule: macOS 14 ends 2026-09-16" in output
    rule = EolRule.objects.get(product="macOS", version="14")
    assert not rule.shipped and rule.source_url.startswith("https://support.apple.com")
    run("sync")
    rule.refresh_from_db()
    assert rule.end_of_support == date(2026, 9, 16)
    output = run("add", "FortiOS", "7.0", "2024-09-30", "--edition", "")
    assert "Added practice rule: FortiOS 7.0 ends 2024-09-30" in output


def test_eol_list_shows_status_and_origin(db):
    run("add", "FortiOS", "7.0", "2024-09-30")
    output = run("list", "--practice")
    assert "FortiOS" in output and "unsupported" in output and "practice" in output
    assert output.strip().endswith("1 rule.")
    assert "Windows 11" in run("list", "--product", "windows 11")


def test_eol_sync_reports_counts(db):
    assert "0 created, 0 updated" in run("sync")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "macOS", "14", "2026-02-30"), "DATE: '2026-02-30' is not a date"),
        (
            ("add", "macOS", "14", "2026-09-15", "--source", "apple"),
            "--source: 'apple' is not a URL",
        ),
        (("add", " ", "14", "2026-09-15"), "PRODUCT: product is empty"),
    ],
)
def test_eol_add_names_what_is_wrong(db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
