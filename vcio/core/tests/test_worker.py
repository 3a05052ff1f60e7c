"""``vcio worker``: registered jobs run once per interval, on one worker only."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from vcio.core.models import JobRun
from vcio.core.registry import PeriodicJob, periodic_jobs
from vcio.core.worker import claim, ensure_job_rows, run_due_jobs

RUNS: list[str] = []


@pytest.fixture
def counting_job(db):
    job = PeriodicJob("test.count", lambda: RUNS.append("ran"), interval=3600)
    periodic_jobs.register(job)
    RUNS.clear()
    yield job
    periodic_jobs.unregister(job.name)


@pytest.fixture
def failing_job(db):
    def boom():
        raise RuntimeError("the vendor API is down")

    job = PeriodicJob("test.fail", boom, interval=60)
    periodic_jobs.register(job)
    yield job
    periodic_jobs.unregister(job.name)


def test_a_due_job_runs_once_then_waits_for_its_interval(counting_job):
    ensure_job_rows()
    assert "test.count" in run_due_jobs("w1")
    assert "test.count" not in run_due_jobs("w1")
    assert RUNS == ["ran"]
    row = JobRun.objects.get(name="test.count")
    assert row.last_status == "ok" and row.run_count == 1
    assert row.next_run_at > timezone.now() + timedelta(minutes=59)


def test_two_workers_never_claim_the_same_job(counting_job):
    ensure_job_rows()
    assert claim(counting_job, "w1") is True
    assert claim(counting_job, "w2") is False


def test_a_crashed_workers_lease_expires(counting_job):
    ensure_job_rows()
    assert claim(counting_job, "w1")
    JobRun.objects.filter(name="test.count").update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert claim(counting_job, "w2")


def test_a_failing_job_is_recorded_and_does_not_stop_the_others(failing_job, counting_job):
    ensure_job_rows()
    ran = run_due_jobs("w1")
    assert {"test.fail", "test.count"} <= set(ran)
    row = JobRun.objects.get(name="test.fail")
    assert row.last_status == "error" and "the vendor API is down" in row.last_error


def test_core_registers_its_session_cleanup(db):
    assert "core.purge_expired_sessions" in periodic_jobs


@pytest.mark.django_db(transaction=True)
def test_worker_process_exits_cleanly_on_sigterm(tmp_path: Path):
    env = {
        **os.environ,
        "VCIO_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/w.db",
    }
    vcio = [sys.executable, "-m", "vcio.cli"]
    subprocess.run([*vcio, "migrate", "-v0"], env=env, check=True, timeout=120)
    proc = subprocess.Popen(
        [*vcio, "worker", "--tick", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        output = ""
        while "started" not in output and time.monotonic() < deadline:
            output += proc.stdout.readline()
        assert "started" in output, output
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert "stopped" in output + out
