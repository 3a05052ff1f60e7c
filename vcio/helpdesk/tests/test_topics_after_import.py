"""Imported and pushed tickets get their topics: at once for a small batch, else from the worker."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from vcio.core.importer import engine
from vcio.helpdesk.models import Ticket, TopicKind, TopicSetBy
from vcio.helpdesk.tests import topic_samples as samples
from vcio.helpdesk.topics import jobs, store
from vcio.helpdesk.topics.learned import train_and_evaluate

pytestmark = pytest.mark.django_db


def _export(path: Path) -> Path:
    """The 100 sample tickets as vcio's generic ticket CSV, without categories."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["Ticket ID", "Subject", "Body", "Created"])
        for n, (subject, body, _label) in enumerate(samples.sample_tickets()):
            out.writerow([f"S-{n}", subject, body, f"2026-09-{1 + n % 28:02d} 09:00"])
    return path


def test_an_import_without_a_model_gets_discovered_topics_at_once(acme, bob, tmp_path):
    report = engine.run("tickets", acme, [_export(tmp_path / "t.csv")], user=bob)
    assert report.counts.created == 100
    tickets = Ticket.objects.filter(client=acme)
    assert not tickets.filter(topic=None).exists()
    assert set(tickets.values_list("topic__kind", flat=True)) == {TopicKind.DISCOVERED}
    assert set(tickets.values_list("topic_set_by", flat=True)) == {TopicSetBy.DISCOVERED}


def test_an_import_with_a_model_gets_the_models_topics(acme, bob, tmp_path):
    rows = samples.sample_tickets()
    store.save_model(train_and_evaluate([f"{s} {b}" for s, b, _ in rows], [x for *_, x in rows]))
    engine.run("tickets", acme, [_export(tmp_path / "t.csv")], user=bob)
    tickets = Ticket.objects.filter(client=acme)
    assert set(tickets.values_list("topic__kind", flat=True)) == {TopicKind.LEARNED}
    assert set(tickets.values_list("topic__name", flat=True)) <= set(samples.TOPICS)
    vpn = tickets.filter(subject__icontains="vpn").values_list("topic__name", flat=True)
    assert vpn and set(vpn) == {"VPN"}


def test_a_dry_run_assigns_nothing_and_a_big_import_waits_for_the_worker(
    acme, bob, tmp_path, monkeypatch
):
    path = _export(tmp_path / "t.csv")
    engine.preview("tickets", acme, [path], user=bob, dry_run=True)
    assert not Ticket.objects.filter(client=acme).exists()
    monkeypatch.setattr(jobs, "INLINE_LIMIT", 10)
    engine.run("tickets", acme, [path], user=bob)
    assert Ticket.objects.filter(client=acme, topic=None).count() == 100
    # The worker's job gives them topics, then has nothing left to do.
    assert jobs.assign_new_tickets() == 100
    assert not Ticket.objects.filter(client=acme, topic=None).exists()
    assert jobs.assign_new_tickets() == 0
