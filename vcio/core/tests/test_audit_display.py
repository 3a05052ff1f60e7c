"""The overview's "Recent changes" and the audit log read as sentences, not stored values.

A finalised review stores its whole snapshot and its report (HTML with SVG
charts); an approval stores the approver's id. People see labels, names and
"snapshot stored", never a Python dict, markup or a raw id.
"""

from __future__ import annotations

import datetime
import re

import pytest

from vcio.core import audit
from vcio.reviews import services
from vcio.strategy.tests.factories import InitiativeFactory


@pytest.fixture
def history(acme, bob, carol):
    """Acme's finalised QBR, and an initiative carol approved and bob marked locked."""
    review = services.create_review(
        acme, "qbr", datetime.date(2026, 4, 1), datetime.date(2026, 6, 30), bob
    )
    services.finalise(review, bob, today=datetime.date(2026, 7, 15))
    initiative = InitiativeFactory(client=acme, title="Move mail to the cloud")
    before = audit.snapshot(initiative)
    initiative.status = "approved"
    initiative.approved_by = carol
    initiative.locked = True
    initiative.save()
    audit.record_update(bob, initiative, before)
    return review, initiative


def _changes_column(page: str) -> list[str]:
    """The text of each row's last cell (the changes) in the audit table."""
    rows = re.findall(r"<tr>(.*?)</tr>", page, flags=re.S)
    cells = [re.findall(r"<td>(.*?)</td>", row, flags=re.S) for row in rows]
    return [re.sub(r"<[^>]+>", "", c[-1].replace("</div>", "\n")) for c in cells if len(c) == 4]


@pytest.mark.parametrize("url", ["/clients/acme/", "/clients/acme/audit/"])
def test_changes_show_labels_names_and_stored_snapshots(login, bob, history, url):
    page = login(bob).get(url).content.decode()
    changes = "\n".join(_changes_column(page))
    # The review's finalisation: the snapshot and the report are summarised.
    assert "Snapshot: — → snapshot stored" in changes
    assert "Report HTML: — → document stored" in changes
    assert "Finalised by: — → Bob" in changes
    assert "Status: Draft → Finalised" in changes
    # The approval: the approver by name, the choice by its label, a yes/no.
    assert "Approved by: — → Carol" in changes
    assert "Status: Proposed → Approved" in changes
    assert "Locked: no → yes" in changes
    # Never the stored values themselves.
    assert "&lt;svg" not in changes and "<svg" not in changes
    assert "{&#x27;" not in changes and "{'" not in changes
    assert not re.search(r"→ \d+\s*$", changes, flags=re.M)  # no raw id
    assert "Updated at" not in changes  # Django's own bookkeeping
    # Every change line is short: the page no longer holds whole reports.
    assert max(len(line) for line in changes.splitlines()) < 200


def test_a_deleted_approver_shows_as_deleted_not_as_an_id(login, bob, carol, history):
    carol_id = carol.pk
    carol.delete()
    changes = "\n".join(_changes_column(login(bob).get("/clients/acme/audit/").content.decode()))
    assert "Approved by: — → a deleted user" in changes
    assert not re.search(rf"→ {carol_id}\s*$", changes, flags=re.M)
