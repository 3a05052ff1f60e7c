"""The audit log never shows the practice's internal notes to the client's own users."""

from __future__ import annotations

from vcio.core import audit

SECRET = "renewal margin is 40 %"


def test_audit_pages_hide_internal_note_changes_from_client_users(acme, bob, carol, login):
    before = audit.snapshot(acme)
    acme.internal_notes = SECRET
    acme.save()
    audit.record_update(bob, acme, before)
    for url in ("/clients/acme/audit/", "/clients/acme/"):
        page = login(carol).get(url).content.decode()
        assert SECRET not in page, url
        assert login(bob).get(url).content.decode().count(SECRET) >= 1, url
