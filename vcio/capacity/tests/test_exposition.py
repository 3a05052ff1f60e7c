"""Reading node_exporter and windows_exporter output into the readings vcio keeps."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from vcio.capacity.exposition import ExpositionError, read_report

DATA = Path(__file__).parent / "data"
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def readings(report) -> dict[tuple[str, str], object]:
    return {
        (r.metric, r.labels): r.value if r.counter is None else r.counter for r in report.readings
    }


def test_node_exporter_output_gives_the_machine_and_its_shares():
    report = read_report((DATA / "node_fs01.prom").read_text(), NOW)
    got = readings(report)
    assert (report.hostname, report.serial, report.kind) == (
        "fs01.acme.local",
        "CZ-FS01-42",
        "node",
    )
    assert report.at == NOW
    # CPU: busy = everything but idle and iowait, summed over both CPUs.
    assert got[("cpu", "")] == (300 + 600 + 400 + 600, 10_000 + 10_000)
    assert got[("mem", "")] == pytest.approx(1 - 2 / 8)
    assert got[("fs", "mountpoint=/")] == pytest.approx(0.6)
    assert got[("fs", "mountpoint=/srv/shares")] == pytest.approx(0.85)
    assert got[("fs_size", "mountpoint=/srv/shares")] == 2e12
    # The bind mount of the same device counts once; tmpfs is not a disk; lo is not a NIC.
    assert ("fs", "mountpoint=/srv/shares/bind") not in got
    assert ("fs", "mountpoint=/run") not in got
    assert ("net_rx", "device=lo") not in got
    assert got[("net_rx", "device=eth0")] == (1e9, NOW.timestamp())
    assert got[("load1", "")] == 0.42
    assert got[("uptime", "")] == pytest.approx(1.7641e9 - 1.7640e9)


def test_windows_exporter_output_uses_its_own_names():
    report = read_report((DATA / "windows_sql01.prom").read_text(), NOW)
    got = readings(report)
    assert (report.hostname, report.kind) == ("SQL01.acme.local", "windows")
    assert got[("cpu", "")] == (9000, 10_000)
    assert got[("mem", "")] == pytest.approx(1 - 1.7179869184e9 / 3.4359738368e10)
    assert got[("fs", "mountpoint=C:")] == pytest.approx(0.6)
    assert got[("fs", "mountpoint=D:")] == pytest.approx(0.9)
    assert ("fs", "mountpoint=HarddiskVolume1") not in got
    assert got[("uptime", "")] == pytest.approx(NOW.timestamp() - 1.7640e9)


def test_a_host_name_given_by_the_sender_wins():
    report = read_report((DATA / "node_fs01.prom").read_text(), NOW, hostname="FS01")
    assert report.hostname == "FS01"


def test_a_malformed_line_is_named_by_its_number():
    text = "# TYPE node_load1 gauge\nnode_load1 0.5\nnode_load5 {oops\nnode_load15 1\n"
    with pytest.raises(ExpositionError) as caught:
        read_report(text, NOW, hostname="x")
    assert caught.value.line == 3
    assert "line 3" in str(caught.value) and "node_load5 {oops" in str(caught.value)


def test_not_a_number_is_left_out_and_said():
    text = (
        'node_uname_info{nodename="db1"} 1\n'
        'node_filesystem_size_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 100\n'
        'node_filesystem_avail_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} NaN\n'
        "node_load1 +Inf\n"
    )
    report = read_report(text, NOW)
    got = readings(report)
    assert ("fs", "mountpoint=/") not in got and ("load1", "") not in got
    assert got[("fs_size", "mountpoint=/")] == 100
    assert any("node_load1" in s or "load1" in s for s in report.skipped)
    assert any("avail" in s for s in report.skipped)


def test_sample_timestamps_in_the_text_win_over_the_time_received():
    text = 'node_uname_info{nodename="db1"} 1 1764583200000\nnode_load1 0.5 1764583200000\n'
    report = read_report(text, NOW)
    assert report.at == datetime.fromtimestamp(1764583200, tz=UTC)
