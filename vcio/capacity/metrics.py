"""The metrics vcio keeps for a machine, whatever agent reported them.

node_exporter and windows_exporter name things differently and report
counters (CPU seconds, bytes sent); vcio keeps a small set of derived
quantities that a CIO reasons about, the same for every source: the share
of CPU busy, of memory used, of each filesystem used, and so on.
"""

from __future__ import annotations

from dataclasses import dataclass

RATIO = "ratio"  # a share between 0 and 1, shown as a percentage


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str  # RATIO, "bytes", "bytes/s", "s" or "" (a plain number)
    # The label that tells one series of this metric from another on one machine.
    label_name: str = ""
    # Whether pages forecast when it runs out (a disk, memory): only bounded shares do.
    forecast: bool = False


CATALOGUE: dict[str, Metric] = {
    m.key: m
    for m in (
        Metric("cpu", "CPU busy", RATIO),
        Metric("mem", "Memory used", RATIO, forecast=True),
        Metric("fs", "Disk used", RATIO, "mountpoint", forecast=True),
        Metric("fs_size", "Disk size", "bytes", "mountpoint"),
        Metric("mem_size", "Memory size", "bytes"),
        Metric("net_rx", "Network received", "bytes/s", "device"),
        Metric("net_tx", "Network sent", "bytes/s", "device"),
        Metric("load1", "Load (1 min)", ""),
        Metric("uptime", "Uptime", "s"),
    )
}


def labels_text(label_name: str, value: str) -> str:
    """The canonical label string a series is keyed by: ``mountpoint=/var``, or ""."""
    return f"{label_name}={value}" if label_name and value else ""


def check_value(metric: str, value: float) -> str | None:
    """Why ``value`` cannot be a value of ``metric``, or None when it can."""
    if metric not in CATALOGUE:
        known = ", ".join(CATALOGUE)
        return f"unknown metric {metric!r} (known: {known})"
    if value != value or value in (float("inf"), float("-inf")):
        return f"{value} is not a finite number"
    if value < 0:
        return f"{value} is negative"
    if CATALOGUE[metric].unit == RATIO and value > 1.0001:
        return f"{value} is above 1 (a share is between 0 and 1, not a percentage)"
    return None
