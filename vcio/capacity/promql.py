"""The PromQL that reads vcio's metrics out of a Prometheus-compatible store.

Each metric of :data:`vcio.capacity.metrics.CATALOGUE` is one expression
that works on node_exporter's names ``or`` windows_exporter's, computing the
same derived quantity :mod:`vcio.capacity.exposition` computes from one
scrape (CPU busy with iowait counted as idle, 1 - MemAvailable/MemTotal,
each real filesystem's share used...), and leaving out the same pseudo
filesystems and virtual NICs. Every series carries ``instance`` (which
machine) and the metric's own label (``mountpoint`` or ``device``).

:func:`stats_query` wraps an expression so that one query returns, per
series and per window, the min, max, mean, 95th percentile, count and last
value of the expression sampled every ``step`` seconds (a subquery): the
store does the reading of raw samples, vcio receives six numbers an hour.
:class:`PromAPI` runs the queries on a connector's store, checked against
the outbound network policy (:mod:`vcio.core.netguard`) first.
"""

from __future__ import annotations

import json
import re
import socket
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from vcio.capacity.exposition import PSEUDO_FS
from vcio.core import netguard

if TYPE_CHECKING:
    from vcio.capacity.models import PromConnector

TIMEOUT_S = 10.0

# The same exclusions as exposition.PSEUDO_MOUNTS, VIRTUAL_NICS and HIDDEN_VOLUME, spelled for
# PromQL, whose regular expressions are anchored at both ends (tests check they agree).
PSEUDO_FS_RE = "|".join(re.escape(name) for name in sorted(PSEUDO_FS))
PSEUDO_MOUNTS_RE = "/(run|sys|proc|dev|snap|var/lib/docker|var/lib/kubelet)(/.*)?"
VIRTUAL_NICS_RE = "(?i)(lo|veth|docker|br-|virbr|cali|flannel|cni|vnet|tap|dummy).*"
WINDOWS_HIDDEN_NICS_RE = "(?i).*(loopback|isatap).*"
WINDOWS_HIDDEN_VOLUMES_RE = "(?i)HarddiskVolume[0-9]+"

# The statistics one window is reduced to, and the *_over_time function giving each.
STATS: dict[str, str] = {
    "min": "min_over_time({q})",
    "max": "max_over_time({q})",
    "mean": "avg_over_time({q})",
    "p95": "quantile_over_time(0.95, {q})",
    "count": "count_over_time({q})",
    "last": "last_over_time({q})",
}
STAT_LABEL = "vcio_stat"


class ConnectorError(Exception):
    """A store that could not be read; the message names the URL and what to check."""


_MATCHER = re.compile(
    r'\s*[A-Za-z_][A-Za-z0-9_]*\s*(=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"\s*(,|$)', re.DOTALL
)


@dataclass(frozen=True)
class Sampling:
    """How finely a window is sampled: the subquery's ``step`` and the ``rate_window`` of
    counters, both in seconds.

    Production reads every minute: exporters are scraped every 15-60 s, so a
    finer step would only repeat samples, and 60 points an hour make a p95
    that means something (the 3rd busiest minute). A rate over 2 minutes
    spans at least two scrapes at any interval up to a minute. Tests that
    hold a few seconds of samples pass a finer sampling.
    """

    step: int = 60
    rate_window: int = 120


MINUTELY = Sampling()


def parse_selector(text: str) -> list[str]:
    """The label matchers of a connector's selector (``job="node", env=~"prod|dr"``; braces
    optional; "" means none). Raises ValueError naming the part that is not a matcher."""
    body = text.strip()
    if body.startswith("{") and body.endswith("}"):
        body = body[1:-1]
    matchers: list[str] = []
    position = 0
    while position < len(body.rstrip()):
        found = _MATCHER.match(body, position)
        if not found:
            rest = body[position:].strip()
            shown = rest if len(rest) <= 40 else rest[:37] + "..."
            raise ValueError(
                f'selector: {shown!r} is not a label matcher like job="node" or '
                'env=~"prod|dr" (several are separated by commas)'
            )
        matchers.append(found.group(0).strip().rstrip(",").strip())
        position = found.end()
    return matchers


def _quote(text: str) -> str:
    """A PromQL string literal (PromQL strings follow Go's escapes, which JSON's are)."""
    return json.dumps(text)


class Expressions:
    """The PromQL expression of each vcio metric, narrowed by a connector's selector."""

    def __init__(self, selector: str = "", sampling: Sampling = MINUTELY) -> None:
        self.matchers = parse_selector(selector)
        self.rate = f"{sampling.rate_window}s"

    def sel(self, name: str, *matchers: str) -> str:
        """``name{matchers..., selector...}``."""
        return f"{name}{{{', '.join([*matchers, *self.matchers])}}}"

    def cpu(self) -> str:
        """Share of CPU time busy (0-1) per instance; iowait counts as idle, as in exposition."""
        parts = []
        for name in ("node_cpu_seconds_total", "windows_cpu_time_total"):
            busy = self.sel(name, 'mode!~"idle|iowait"')
            every = self.sel(name)
            parts.append(
                f"sum by (instance) (rate({busy}[{self.rate}]))"
                f" / sum by (instance) (rate({every}[{self.rate}]))"
            )
        return _either(parts)

    def mem(self) -> str:
        """Share of memory used (0-1) per instance: 1 - available / total."""
        node_total = f"max by (instance) ({self.sel('node_memory_MemTotal_bytes')})"
        # Before Linux 3.14 there is no MemAvailable: free + buffers + page cache stands in.
        node_available = (
            f"max by (instance) ({self.sel('node_memory_MemAvailable_bytes')}) or "
            f"max by (instance) ({self.sel('node_memory_MemFree_bytes')}"
            f" + {self.sel('node_memory_Buffers_bytes')}"
            f" + {self.sel('node_memory_Cached_bytes')})"
        )
        windows = (
            f"1 - max by (instance) ({self.sel('windows_os_physical_memory_free_bytes')})"
            f" / max by (instance) ({self.sel('windows_cs_physical_memory_bytes')} > 0)"
        )
        return _either([f"1 - ({node_available}) / ({node_total} > 0)", windows])

    def mem_size(self) -> str:
        """Physical memory size in bytes per instance."""
        return _either(
            [
                f"max by (instance) ({self.sel('node_memory_MemTotal_bytes')})",
                f"max by (instance) ({self.sel('windows_cs_physical_memory_bytes')})",
            ]
        )

    def _node_fs(self, name: str) -> str:
        real = (f"fstype!~{_quote(PSEUDO_FS_RE)}", f"mountpoint!~{_quote(PSEUDO_MOUNTS_RE)}")
        return f"max by (instance, device, mountpoint) ({self.sel(name, *real)})"

    def _windows_fs(self, name: str) -> str:
        shown = f"volume!~{_quote(WINDOWS_HIDDEN_VOLUMES_RE)}"
        return f"max by (instance, volume) ({self.sel(name, shown)})"

    def fs(self) -> str:
        """Share of each real filesystem used (0-1) per instance and ``mountpoint``.

        Node series keep ``device`` so that a device mounted twice can be
        counted once (at its shortest mount point), as exposition does.
        """
        node = (
            f"1 - {self._node_fs('node_filesystem_avail_bytes')}"
            f" / ({self._node_fs('node_filesystem_size_bytes')} > 0)"
        )
        windows = (
            f"1 - {self._windows_fs('windows_logical_disk_free_bytes')}"
            f" / ({self._windows_fs('windows_logical_disk_size_bytes')} > 0)"
        )
        return _either([node, _relabel(windows, "mountpoint", "volume")])

    def fs_size(self) -> str:
        """Size in bytes of each real filesystem per instance and ``mountpoint``."""
        return _either(
            [
                self._node_fs("node_filesystem_size_bytes"),
                _relabel(
                    self._windows_fs("windows_logical_disk_size_bytes"), "mountpoint", "volume"
                ),
            ]
        )

    def _net(self, node_name: str, windows_name: str) -> str:
        node = self.sel(node_name, f"device!~{_quote(VIRTUAL_NICS_RE)}")
        windows = self.sel(windows_name, f"nic!~{_quote(WINDOWS_HIDDEN_NICS_RE)}")
        return _either(
            [
                f"sum by (instance, device) (rate({node}[{self.rate}]))",
                _relabel(f"sum by (instance, nic) (rate({windows}[{self.rate}]))", "device", "nic"),
            ]
        )

    def net_rx(self) -> str:
        """Bytes per second received per instance and physical NIC (``device``)."""
        return self._net("node_network_receive_bytes_total", "windows_net_bytes_received_total")

    def net_tx(self) -> str:
        """Bytes per second sent per instance and physical NIC (``device``)."""
        return self._net("node_network_transmit_bytes_total", "windows_net_bytes_sent_total")

    def load1(self) -> str:
        """The 1-minute load average per instance (node_exporter only: Windows has none)."""
        return f"max by (instance) ({self.sel('node_load1')})"

    def uptime(self) -> str:
        """Seconds since boot per instance, at each evaluation instant."""
        return _either(
            [
                f"max by (instance) (time() - {self.sel('node_boot_time_seconds')})",
                f"max by (instance) (time() - {self.sel('windows_system_system_up_time')})",
            ]
        )

    def for_metric(self, metric: str) -> str:
        """The expression of a catalogue metric by its key (``cpu``, ``fs``...)."""
        return getattr(self, metric)()

    def identity(self, window_s: int) -> str:
        """Who each instance is: node_uname_info (nodename), windows_cs_hostname (fqdn,
        hostname) and node_dmi_info (product_serial), their last values over the window."""
        names = ("node_uname_info", "windows_cs_hostname", "node_dmi_info")
        return " or ".join(f"last_over_time({self.sel(n)}[{window_s}s])" for n in names)


def _either(expressions: list[str]) -> str:
    """Whichever of the expressions has series: node_exporter's ``or`` windows_exporter's."""
    return " or ".join(f"({e})" for e in expressions)


def _relabel(expression: str, new: str, old: str) -> str:
    """``expression`` with label ``old`` copied to ``new`` (windows names, vcio's labels)."""
    return f'label_replace({expression}, "{new}", "$1", "{old}", "(.*)")'


def window_text(seconds: int) -> str:
    """A subquery range of ``seconds`` that holds exactly seconds/step points.

    Prometheus 2 includes both ends of a range, so ``[1h:1m]`` evaluated on
    the hour holds 61 points, the first of them the previous hour's last;
    one millisecond less holds the 60 that belong to this hour (and is what
    Prometheus 3's left-open ranges do anyway).
    """
    return f"{seconds * 1000 - 1}ms"


def stats_query(expression: str, window_s: int, step_s: int, stats: tuple[str, ...] = ()) -> str:
    """One query returning :data:`STATS` (or those named) of ``expression`` over the
    ``window_s`` seconds before each evaluation instant, sampled every ``step_s`` seconds.

    Each result series carries ``vcio_stat`` = the statistic's name; values are in
    the expression's own unit (count: how many sampled instants had a value).
    """
    subquery = f"({expression})[{window_text(window_s)}:{step_s}s]"
    chosen = stats or tuple(STATS)
    return " or ".join(
        f'label_replace({STATS[name].format(q=subquery)}, "{STAT_LABEL}", "{name}", "", "")'
        for name in chosen
    )


# The HTTP API that runs them ---------------------------------------------------------------------


def _hint_for_auth(connector: PromConnector) -> str:
    if connector.bearer_token:
        return "check the bearer token"
    if connector.username:
        return "check the username and password"
    return "it needs a bearer token or a username and password"


def check_url_allowed(base_url: str) -> None:
    """Raise ConnectorError unless every address ``base_url``'s host resolves to may be
    reached on a user's behalf (:mod:`vcio.core.netguard`)."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConnectorError(f"{base_url!r} is not an http:// or https:// URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ConnectorError(f"{base_url}: {parts.hostname} does not resolve ({exc})") from exc
    for info in infos:
        try:
            netguard.check_address(info[4][0], parts.hostname, port)
        except netguard.AddressRefused as exc:
            raise ConnectorError(f"{base_url}: {exc}") from exc


class PromAPI:
    """A few calls of the Prometheus HTTP API on one connector's store, with its credentials.

    Queries are POSTed form-encoded, as the API allows: vcio's expressions
    run to several kilobytes, more than some proxies take in a URL.
    """

    def __init__(self, connector: PromConnector, timeout: float | None = None) -> None:
        self.connector = connector
        self.base = connector.base_url.rstrip("/")
        headers = {"Accept": "application/json"}
        auth = None
        if connector.bearer_token:
            headers["Authorization"] = f"Bearer {connector.bearer_token}"
        elif connector.username:
            auth = httpx.BasicAuth(connector.username, connector.password)
        self.timeout = timeout or TIMEOUT_S
        self.http = httpx.Client(headers=headers, auth=auth, timeout=self.timeout)

    def close(self) -> None:
        self.http.close()

    def call(self, path: str, form: dict[str, Any], what: str) -> dict:
        """The ``data`` of a successful API answer; ConnectorError naming ``what`` if not."""
        url = f"{self.base}{path}"
        try:
            answer = self.http.post(url, data=form)
        except httpx.TimeoutException:
            raise ConnectorError(
                f"{self.base} did not answer within {self.timeout:g} s ({what})"
            ) from None
        except httpx.HTTPError as exc:
            raise ConnectorError(f"{self.base} could not be reached: {exc}") from None
        return self._data(answer, what)

    def _data(self, answer: httpx.Response, what: str) -> dict:
        status = f"{answer.status_code} {answer.reason_phrase}".strip()
        if answer.status_code in (401, 403):
            raise ConnectorError(f"{self.base} answered {status}: {_hint_for_auth(self.connector)}")
        if answer.is_redirect:
            raise ConnectorError(
                f"{self.base} answered {status} to {answer.headers.get('location', '?')}: "
                "give the store's own URL (redirects are not followed)"
            )
        kind = answer.headers.get("content-type", "").split(";")[0].strip() or "no content type"
        try:
            body = answer.json()
        except ValueError:
            if "json" in kind:
                raise ConnectorError(f"{self.base} answered malformed JSON ({what})") from None
            raise ConnectorError(
                f"{self.base} answered {status} with {kind}, not the Prometheus API's JSON: "
                "is the base URL the store itself (e.g. http://prometheus:9090)?"
            ) from None
        if not isinstance(body, dict) or "status" not in body:
            raise ConnectorError(f"{self.base} answered JSON that is not a Prometheus API answer")
        if body["status"] != "success":
            error = body.get("error") or "no reason given"
            kind = body.get("errorType") or status
            raise ConnectorError(f"{self.base} refused the {what} query ({kind}): {error}")
        if not isinstance(body.get("data"), dict):
            raise ConnectorError(f"{self.base} answered a success without data ({what})")
        return body["data"]

    def instant(self, query: str, at: datetime, what: str) -> list[dict]:
        """The series of an instant query evaluated at ``at``."""
        data = self.call("/api/v1/query", {"query": query, "time": at.timestamp()}, what)
        return _series_of(data, self.base, what)

    def range(
        self, query: str, start: datetime, end: datetime, step_s: int, what: str
    ) -> list[dict]:
        """The series of a range query from ``start`` to ``end`` every ``step_s`` seconds."""
        form = {"query": query, "start": start.timestamp(), "end": end.timestamp(), "step": step_s}
        return _series_of(self.call("/api/v1/query_range", form, what), self.base, what)


def _series_of(data: dict, base: str, what: str) -> list[dict]:
    """Result series as ``{"metric": labels, "values": [(unix s, value), ...]}``."""
    kind, result = data.get("resultType"), data.get("result")
    if kind not in ("vector", "matrix") or not isinstance(result, list):
        raise ConnectorError(f"{base} answered a {kind!r} result to the {what} query")
    out = []
    try:
        for item in result:
            points = item["values"] if kind == "matrix" else [item["value"]]
            out.append(
                {"metric": item["metric"], "values": [(float(t), float(v)) for t, v in points]}
            )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConnectorError(f"{base} answered a malformed {what} result ({exc})") from None
    return out
