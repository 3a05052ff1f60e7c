"""The JSON push format: already-derived values of named hosts, for scripts and other agents.

One batch is a host object, or ``{"hosts": [host, ...]}``::

    {"host": "fs01.acme.local", "serial": "CZ1234",
     "samples": [{"metric": "fs", "labels": {"mountpoint": "D:"},
                  "at": "2026-12-01T10:00:00Z", "value": 0.42}]}

``at`` is ISO 8601 with a zone, or seconds since 1970 (UTC); ``value`` is in
the metric's unit (shares between 0 and 1, bytes, bytes per second).
Every problem is reported with its place (``hosts[0].samples[3].value``)
and nothing of a batch with problems is stored.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from vcio.capacity.ingest import Point, time_bounds, time_problem
from vcio.capacity.metrics import CATALOGUE, check_value, labels_text

MAX_PROBLEMS = 20


class PushError(ValueError):
    """A batch that cannot be stored; ``problems`` lists each one with its place."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def parse_batch(body: bytes, now: datetime | None = None) -> list[Point]:
    """The points of a JSON batch; raises :class:`PushError` listing what is wrong."""
    try:
        data = json.loads(body, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        raise PushError([f"not valid JSON: {exc}"]) from None
    hosts, prefix = (data.get("hosts"), "hosts") if isinstance(data, dict) else (None, "")
    if hosts is None:
        hosts, prefix = [data], ""
    if not isinstance(hosts, list):
        raise PushError(['"hosts" must be a list of host objects'])
    now = now or timezone.now()
    bounds = time_bounds(now)
    points: list[Point] = []
    problems: list[str] = []
    for i, host in enumerate(hosts):
        place = f"{prefix}[{i}]" if prefix else ""
        points += _host_points(host, place, now, bounds, problems)
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise PushError(problems[:MAX_PROBLEMS])
    return points


def _refuse_constant(name: str) -> float:
    # Python's json reads NaN and Infinity, which JSON itself does not allow.
    raise ValueError(f"{name} is not a number JSON allows")


def _host_points(host: Any, place: str, now: datetime, bounds, problems: list[str]) -> list[Point]:
    dot = f"{place}." if place else ""
    if not isinstance(host, dict):
        problems.append(f"{place or 'the batch'} must be an object with host and samples")
        return []
    name, serial = host.get("host"), host.get("serial") or ""
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{dot}host: the host name is required")
        return []
    samples = host.get("samples")
    if not isinstance(samples, list):
        problems.append(f"{dot}samples: a list of samples is required")
        return []
    points = []
    for j, sample in enumerate(samples):
        point = _point(
            sample, f"{dot}samples[{j}]", name.strip(), str(serial), now, bounds, problems
        )
        if point is not None:
            points.append(point)
    return points


def _point(sample: Any, place: str, host: str, serial: str, now: datetime, bounds, problems):
    if not isinstance(sample, dict):
        problems.append(f"{place} must be an object with metric, at and value")
        return None
    metric, value = sample.get("metric"), sample.get("value")
    if metric not in CATALOGUE:
        problems.append(
            f"{place}.metric: unknown metric {metric!r} (known: {', '.join(CATALOGUE)})"
        )
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(f"{place}.value: {value!r} is not a number")
        return None
    reason = check_value(metric, float(value))
    if reason:
        problems.append(f"{place}.value: {reason}")
        return None
    labels = _labels(sample.get("labels") or {}, metric, place, problems)
    at = _instant(sample.get("at"), f"{place}.at", now, bounds, problems)
    if labels is None or at is None:
        return None
    return Point(host, serial, metric, labels, at, float(value))


def _labels(labels: Any, metric: str, place: str, problems: list[str]) -> str | None:
    wanted = CATALOGUE[metric].label_name
    if not labels and not wanted:
        return ""
    if not isinstance(labels, dict) or any(name != wanted for name in labels):
        allowed = f'only "{wanted}"' if wanted else "none"
        problems.append(f"{place}.labels: {metric} takes {allowed}, not {labels!r}")
        return None
    value = labels.get(wanted, "") if wanted else ""
    if wanted and (not isinstance(value, str) or not value):
        problems.append(f'{place}.labels.{wanted}: required for {metric}, e.g. "/" or "C:"')
        return None
    return labels_text(wanted, value)


def _instant(raw: Any, place: str, now: datetime, bounds, problems: list[str]) -> datetime | None:
    if raw is None:
        return now
    try:
        if isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw):
            at = datetime.fromtimestamp(raw, tz=UTC)
        elif isinstance(raw, str):
            at = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            if at.tzinfo is None:
                problems.append(f"{place}: {raw!r} has no time zone (add Z for UTC)")
                return None
        else:
            raise ValueError
    except (ValueError, OverflowError, OSError):
        problems.append(f"{place}: {raw!r} is not a time (ISO 8601 or seconds since 1970)")
        return None
    reason = time_problem(at, now, bounds)
    if reason:
        problems.append(f"{place}: {reason}")
        return None
    return at
