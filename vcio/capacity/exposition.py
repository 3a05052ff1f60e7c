"""Reading node_exporter and windows_exporter output (the Prometheus text format).

The text is parsed with ``prometheus_client``'s parser; what vcio keeps is
then picked out of it (:mod:`vcio.capacity.metrics`): a :class:`HostReport`
says which machine reported, when, and its readings. Counters (CPU
seconds, bytes) are kept as counters here; :mod:`vcio.capacity.ingest`
turns two successive readings into a rate.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from prometheus_client.parser import text_string_to_metric_families

from vcio.capacity.metrics import labels_text

# Filesystems that hold no user data (memory, kernel views, container layers, media).
PSEUDO_FS = frozenset(
    [
        "tmpfs",
        "devtmpfs",
        "overlay",
        "squashfs",
        "ramfs",
        "autofs",
        "proc",
        "sysfs",
        "cgroup",
        "cgroup2",
        "nsfs",
        "rpc_pipefs",
        "tracefs",
        "debugfs",
        "securityfs",
        "pstore",
        "bpf",
        "configfs",
        "fusectl",
        "mqueue",
        "hugetlbfs",
        "devpts",
        "binfmt_misc",
        "iso9660",
        "nfsd",
        "fuse.lxcfs",
        "fuse.portal",
        "efivarfs",
        "selinuxfs",
    ]
)
PSEUDO_MOUNTS = re.compile(r"^/(run|sys|proc|dev|snap|var/lib/docker|var/lib/kubelet)(/|$)")
VIRTUAL_NICS = re.compile(r"^(lo|veth|docker|br-|virbr|cali|flannel|cni|vnet|tap|dummy)", re.I)
# windows_exporter lists volumes without a drive letter as HarddiskVolumeN: not what users see.
HIDDEN_VOLUME = re.compile(r"^HarddiskVolume\d+$", re.I)


class ExpositionError(ValueError):
    """The text is not in the Prometheus exposition format; ``line`` is 1-based (0: unknown)."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass
class Reading:
    """One value vcio keeps: a gauge (``value``) or a counter pair (``counter``).

    A counter pair is ``(amount, over)``: the rate is Δamount / Δover between
    two readings, e.g. (busy CPU seconds, all CPU seconds) or (bytes, seconds).
    """

    metric: str
    labels: str = ""
    value: float | None = None
    counter: tuple[float, float] | None = None


@dataclass
class HostReport:
    """What one exporter said about one machine at one instant."""

    hostname: str
    serial: str
    at: datetime
    kind: str  # "node", "windows" or "" when neither was recognised
    readings: list[Reading] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


Samples = dict[str, list[tuple[dict[str, str], float]]]


def parse(text: str) -> tuple[Samples, float | None]:
    """Every sample in ``text`` by name, and the newest timestamp any sample carried (s).

    Raises :class:`ExpositionError` naming the first malformed line.
    """
    by_name: Samples = defaultdict(list)
    newest: float | None = None
    try:
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                by_name[sample.name].append((sample.labels, float(sample.value)))
                if sample.timestamp is not None:
                    stamp = float(sample.timestamp)
                    newest = stamp if newest is None else max(newest, stamp)
    except (ValueError, TypeError, IndexError) as exc:
        raise _locate(text, exc) from None
    return by_name, newest


def _locate(text: str, exc: Exception) -> ExpositionError:
    """The error for the first line that does not parse on its own (the parser does not say)."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            list(text_string_to_metric_families(stripped + "\n"))
        except (ValueError, TypeError, IndexError):
            shown = stripped if len(stripped) <= 80 else stripped[:77] + "..."
            return ExpositionError(number, f"not a metric line: {shown!r}")
    return ExpositionError(0, f"not in the Prometheus text format ({exc})")


def read_report(text: str, received_at: datetime, hostname: str = "") -> HostReport:
    """The machine and readings in an exporter's output, taken at ``received_at``.

    ``hostname`` (e.g. from a push URL) wins over the name the exporter
    reports. Samples' own timestamps (milliseconds in the text) win over
    ``received_at``.
    """
    samples, newest = parse(text)
    at = datetime.fromtimestamp(newest, tz=UTC) if newest is not None else received_at
    if "windows_cpu_time_total" in samples or "windows_cs_hostname" in samples:
        report = HostReport(hostname or _windows_name(samples), "", at, "windows")
        _windows(samples, report)
    else:
        node_name, serial = _node_identity(samples)
        report = HostReport(hostname or node_name, serial, at, "node" if node_name else "")
        _node(samples, report)
    return report


def _first_label(samples: Samples, name: str, label: str) -> str:
    for labels, _ in samples.get(name, ()):
        if labels.get(label):
            return labels[label]
    return ""


def _one(samples: Samples, name: str) -> float | None:
    values = samples.get(name)
    return values[0][1] if values else None


def _node_identity(samples: Samples) -> tuple[str, str]:
    return (
        _first_label(samples, "node_uname_info", "nodename"),
        _first_label(samples, "node_dmi_info", "product_serial"),
    )


def _windows_name(samples: Samples) -> str:
    return _first_label(samples, "windows_cs_hostname", "fqdn") or _first_label(
        samples, "windows_cs_hostname", "hostname"
    )


def _add(report: HostReport, metric: str, value: float | None, labels: str = "", what: str = ""):
    """Keep a gauge unless it is missing or not finite (then say why it was left out)."""
    if value is None:
        return
    if not math.isfinite(value):
        report.skipped.append(f"{what or metric}{{{labels}}} is {value}")
        return
    report.readings.append(Reading(metric, labels, value=value))


def _add_counter(report: HostReport, metric: str, amount: float, over: float, labels: str = ""):
    if math.isfinite(amount) and math.isfinite(over):
        report.readings.append(Reading(metric, labels, counter=(amount, over)))
    else:
        report.skipped.append(f"{metric}{{{labels}}} counter is not finite")


def _cpu(report: HostReport, rows: list[tuple[dict[str, str], float]]) -> None:
    """CPU busy as a counter pair: iowait counts as idle (the CPU could run something else)."""
    if not rows:
        return
    total = sum(v for _, v in rows)
    idle = sum(v for labels, v in rows if labels.get("mode") in ("idle", "iowait"))
    _add_counter(report, "cpu", total - idle, total)


def _share_used(report: HostReport, metric: str, size, free, labels: str = "", what: str = ""):
    if size is None or free is None or not size or size <= 0:
        return
    _add(report, metric, min(max(1 - free / size, 0.0), 1.0), labels, what)


def _node(samples: Samples, report: HostReport) -> None:
    stamp = report.at.timestamp()
    _cpu(report, samples.get("node_cpu_seconds_total", []))
    total = _one(samples, "node_memory_MemTotal_bytes")
    _share_used(report, "mem", total, _node_available_memory(samples))
    _add(report, "mem_size", total)
    _node_filesystems(samples, report)
    for name, metric in (
        ("node_network_receive_bytes_total", "net_rx"),
        ("node_network_transmit_bytes_total", "net_tx"),
    ):
        for labels, value in samples.get(name, []):
            device = labels.get("device", "")
            if device and not VIRTUAL_NICS.match(device):
                _add_counter(report, metric, value, stamp, labels_text("device", device))
    _add(report, "load1", _one(samples, "node_load1"))
    boot = _one(samples, "node_boot_time_seconds")
    now = _one(samples, "node_time_seconds") or stamp
    if boot:
        _add(report, "uptime", max(now - boot, 0.0))


def _node_available_memory(samples: Samples) -> float | None:
    """MemAvailable; before Linux 3.14 there is none, and free + buffers + page cache is the
    usual stand-in (what ``free`` showed as available then)."""
    available = _one(samples, "node_memory_MemAvailable_bytes")
    if available is not None:
        return available
    parts = [
        _one(samples, f"node_memory_{name}_bytes")
        for name in ("MemFree", "Buffers", "Cached", "SReclaimable")
    ]
    return sum(p for p in parts if p is not None) if parts[0] is not None else None


def _node_filesystems(samples: Samples, report: HostReport) -> None:
    """Each real filesystem once (a device mounted twice counts at its shortest mount point)."""
    free = {
        labels.get("mountpoint"): value
        for labels, value in samples.get("node_filesystem_avail_bytes", [])
    }
    chosen: dict[str, tuple[str, float]] = {}
    for labels, size in samples.get("node_filesystem_size_bytes", []):
        mount, device = labels.get("mountpoint", ""), labels.get("device", "")
        if labels.get("fstype") in PSEUDO_FS or PSEUDO_MOUNTS.match(mount) or not size:
            continue
        if device not in chosen or len(mount) < len(chosen[device][0]):
            chosen[device] = (mount, size)
    for mount, size in chosen.values():
        label = labels_text("mountpoint", mount)
        _share_used(report, "fs", size, free.get(mount), label, "node_filesystem_avail_bytes")
        _add(report, "fs_size", size, label)


def _windows(samples: Samples, report: HostReport) -> None:
    stamp = report.at.timestamp()
    _cpu(report, samples.get("windows_cpu_time_total", []))
    total = _one(samples, "windows_cs_physical_memory_bytes") or _one(
        samples, "windows_memory_physical_total_bytes"
    )
    free = _one(samples, "windows_os_physical_memory_free_bytes")
    if free is None:
        free = _one(samples, "windows_memory_available_bytes")
    _share_used(report, "mem", total, free)
    _add(report, "mem_size", total)
    free_by_volume = {
        labels.get("volume"): value
        for labels, value in samples.get("windows_logical_disk_free_bytes", [])
    }
    for labels, size in samples.get("windows_logical_disk_size_bytes", []):
        volume = labels.get("volume", "")
        if volume and not HIDDEN_VOLUME.match(volume) and size:
            label = labels_text("mountpoint", volume)
            _share_used(report, "fs", size, free_by_volume.get(volume), label)
            _add(report, "fs_size", size, label)
    for name, metric in (
        ("windows_net_bytes_received_total", "net_rx"),
        ("windows_net_bytes_sent_total", "net_tx"),
    ):
        for labels, value in samples.get(name, []):
            nic = labels.get("nic", "")
            if nic and "loopback" not in nic.lower() and "isatap" not in nic.lower():
                _add_counter(report, metric, value, stamp, labels_text("device", nic))
    boot = _one(samples, "windows_system_boot_time_timestamp_seconds") or _one(
        samples, "windows_system_system_up_time"
    )
    if boot:
        _add(report, "uptime", max(stamp - boot, 0.0))
