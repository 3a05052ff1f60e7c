"""A real ``vcio worker`` scrapes a real node_exporter, and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal

from vcio.assets.models import Asset
from vcio.availability.tests.test_reliability import shared_db, start_worker, wait_for
from vcio.capacity.models import Sample, ScrapeTarget, Series
from vcio.capacity.tests import agents
from vcio.core.registry import periodic_jobs, worker_services

node_exporter = agents.node_exporter
__all__ = ["shared_db"]  # a fixture: imported for pytest to find


def test_the_worker_scrapes_targets_every_interval_until_sigterm(
    acme, shared_db, node_exporter, tmp_path
):
    target = ScrapeTarget.objects.create(
        client=acme, name="this machine", url=node_exporter, interval=15
    )
    log = tmp_path / "worker.log"
    proc = start_worker(shared_db, log)
    try:
        wait_for(
            lambda: Series.objects.filter(metric="mem", last_value__isnull=False).exists(),
            60,
            "the worker's first scrape",
        )
        target.refresh_from_db()
        assert target.last_error == "" and target.asset_id is not None
        assert Asset.objects.filter(pk=target.asset_id, client=acme).exists()
        # Due again 2 s later (forms ask for 15 s at least): the second scrape gives the
        # CPU share, a rate between two readings.
        wait_for(
            lambda: Sample.objects.filter(series__metric="cpu").exists(), 60, "a second scrape"
        )
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, log.read_text()
    finally:
        proc.kill()
    target.refresh_from_db()
    assert target.claimed_by == ""  # nothing left claimed by the stopped worker


def test_the_worker_runs_the_scraper_and_the_rollups():
    assert "capacity.scraper" in worker_services
    assert "capacity.rollups" in periodic_jobs and "capacity.connectors" in periodic_jobs
