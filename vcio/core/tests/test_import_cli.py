"""``vcio import``: counts, every problem, and the exit status."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from vcio.core.models import AuditEvent, Contact, ImportRun

FIXTURES = Path(__file__).parent / "fixtures"


def vcio_import(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fails(*args: str) -> tuple[CommandError, str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import", *args, stdout=out, stderr=err)
    return exc.value, out.getvalue(), err.getvalue()


def test_an_import_prints_its_counts(acme):
    out, _ = vcio_import("contacts", str(FIXTURES / "contacts.csv"), "--client", "acme")
    assert "Imported 3 rows: created 3, updated 0, unchanged 0, failed 0." in out
    assert "Note: column `Supplier` is not imported" in out
    run = ImportRun.objects.get(client=acme)
    assert run.status == "committed" and run.user_name == "system"
    assert AuditEvent.objects.get(object_id=str(run.pk)).actor_name == "system"


def test_running_it_again_changes_nothing_and_still_succeeds(acme):
    vcio_import("contacts", str(FIXTURES / "contacts.csv"), "--client", "acme")
    out, _ = vcio_import("contacts", str(FIXTURES / "contacts.csv"), "--client", "acme")
    assert "created 0, updated 0, unchanged 3" in out


def test_problems_are_printed_and_the_exit_status_is_1(acme):
    before = Contact.objects.count()
    exc, out, err = fails("contacts", str(FIXTURES / "contacts_duplicates.csv"), "--client", "acme")
    assert exc.returncode == 1
    assert (
        "Row 4, column `Email`: 'ann@example.test' is also on row 2: each contact may appear once"
        in err
    )
    assert "use --no-atomic" in err
    assert Contact.objects.count() == before


def test_no_atomic_imports_the_good_rows(acme):
    out, err = vcio_import(
        "contacts", str(FIXTURES / "contacts_duplicates.csv"), "--client", "acme", "--no-atomic"
    )
    assert "created 2" in out and "Row 4" in err


def test_a_dry_run_writes_nothing(acme):
    before = Contact.objects.count()
    out, _ = vcio_import(
        "contacts", str(FIXTURES / "contacts.csv"), "--client", "acme", "--dry-run"
    )
    assert "Dry run, nothing written. 3 rows would give: created 3" in out
    assert Contact.objects.count() == before


def test_an_empty_file_fails(acme):
    exc, _, err = fails("contacts", str(FIXTURES / "empty.csv"), "--client", "acme")
    assert exc.returncode == 1 and "empty.csv: the file is empty" in err


def test_sheet_and_preset_options(acme):
    out, _ = vcio_import(
        "contacts",
        str(FIXTURES / "snipeit_users.csv"),
        "--client",
        "acme",
        "--format",
        "snipeit",
    )
    assert "created 2" in out
    assert ImportRun.objects.get(client=acme).preset == "snipeit-users"


@pytest.mark.parametrize(
    "args, message",
    [
        (["nothing", "x.csv", "--client", "acme"], "No import target 'nothing'"),
        (["contacts", "x.csv", "--client", "nope"], "No client with slug 'nope'"),
        (["contacts", "missing.csv", "--client", "acme"], "missing.csv: no such file"),
        (
            ["contacts", "c.csv", "--client", "acme", "--format", "zzz"],
            "unknown format `zzz`; choose one of: csv",
        ),
        (["contacts", "c.csv", "--client", "acme", "--user", "carol"], "carol may not edit acme"),
    ],
)
def test_mistakes_on_the_command_line(acme, carol, args, message):
    exc, _, _ = fails(*args)
    assert message in str(exc)


def test_the_importer_can_be_named(acme, bob):
    vcio_import("contacts", str(FIXTURES / "contacts.csv"), "--client", "acme", "--user", "bob")
    assert ImportRun.objects.get(client=acme).user == bob


def test_the_console_script_exits_with_1_when_nothing_was_imported(tmp_path: Path):
    # The real console script in its own process and database: Django's command
    # runner closes every connection when it ends, which a test's own can't survive.
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)},
        "VCIO_DATA_DIR": str(tmp_path),
    }
    vcio = [sys.executable, "-m", "vcio.cli"]

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*vcio, *args], env=env, capture_output=True, text=True, timeout=120)

    assert run("migrate", "-v0").returncode == 0
    make = "from vcio.core.models import Client; Client.objects.create(name='Acme', slug='acme')"
    assert run("shell", "-c", make).returncode == 0
    bad = run(
        "import", "contacts", str(FIXTURES / "contacts_missing_required.csv"), "--client", "acme"
    )
    assert bad.returncode == 1
    assert "the required field First name has no column" in bad.stderr + bad.stdout
    good = run("import", "contacts", str(FIXTURES / "contacts.csv"), "--client", "acme")
    assert good.returncode == 0, good.stderr
    assert "created" in good.stdout
