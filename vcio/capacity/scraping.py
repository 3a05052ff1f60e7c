"""Scraping node_exporter and windows_exporter: the ``capacity.scraper`` worker service.

Each ``vcio worker`` claims due scrape targets with a conditional UPDATE
(like the availability checker claims monitors), so several workers never
scrape one target at once, and a crashed worker's claim lapses with its
lease. Fetches run on a small thread pool (they wait on the network); the
readings are stored on the service's own thread, one transaction per
target: a failed scrape writes nothing but its error.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.db import close_old_connections
from django.db.models import F, Q
from django.utils import timezone

from vcio.capacity.exposition import ExpositionError, read_report
from vcio.capacity.ingest import store_reports
from vcio.capacity.models import ScrapeTarget
from vcio.core import netguard
from vcio.core.registry import WorkerService, worker_services

log = logging.getLogger(__name__)

TIMEOUT_S = 10.0
LEASE = timedelta(seconds=60)
MAX_BYTES = 20 * 1024 * 1024  # a node_exporter page is ~100 KB; this is a runaway, not data


class ScrapeError(Exception):
    """Why a target could not be scraped, in words for its page."""


@dataclass
class Scraped:
    text: str
    at: datetime


def fetch(url: str) -> Scraped:
    """The exporter's text at ``url``, taken now; ScrapeError saying what went wrong."""
    try:
        netguard.check_url(url)
    except ValueError as exc:  # AddressRefused is a ValueError too
        raise ScrapeError(str(exc)) from None
    headers = {"Accept": "text/plain;version=0.0.4", "User-Agent": "vcio-scraper"}
    try:
        with httpx.stream("GET", url, timeout=TIMEOUT_S, headers=headers) as response:
            at = timezone.now()
            if response.status_code != 200:
                raise ScrapeError(f"{url} answered {response.status_code} {response.reason_phrase}")
            if "html" in response.headers.get("content-type", ""):
                raise ScrapeError(
                    f"{url} answered a web page, not metrics: is this the exporter's /metrics URL?"
                )
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_BYTES:
                    raise ScrapeError(f"{url} answered more than {MAX_BYTES // 2**20} MB")
    except httpx.TimeoutException:
        raise ScrapeError(f"{url} did not answer within {TIMEOUT_S:.0f} s") from None
    except httpx.HTTPError as exc:
        raise ScrapeError(f"cannot connect to {url}: {exc}") from None
    return Scraped(body.decode("utf-8", errors="replace"), at)


def record(target: ScrapeTarget, scraped: Scraped | ScrapeError) -> tuple[bool, str]:
    """Store a scrape's readings (or its error) on ``target``: (whether it worked, what
    happened, in a line for its page)."""
    now = timezone.now()
    fields = {"last_run_at": now, "lease_until": None, "claimed_by": ""}
    fields["next_run_at"] = now + timedelta(seconds=target.interval)
    message = ""
    if isinstance(scraped, Scraped):
        try:
            report = read_report(scraped.text, scraped.at)
            # An exporter that does not name its machine is named by the address scraped.
            report.hostname = report.hostname or (httpx.URL(target.url).host or "")
            if not report.readings:
                raise ScrapeError(
                    "the page has none of node_exporter's or windows_exporter's metrics"
                )
            result = store_reports(target.client_id, [report], asset_id=target.asset_id)
            fields.update(last_ok_at=now, last_error="", last_samples=result.samples)
            if target.asset_id is None:
                fields["asset_id"] = next(iter(result.asset_ids))
            message = f"{len(report.readings)} readings from {report.hostname or target.url}"
        except (ExpositionError, ScrapeError) as exc:
            scraped = ScrapeError(str(exc))
    if isinstance(scraped, ScrapeError):
        fields.update(last_error=str(scraped)[:500], last_samples=0)
        message = str(scraped)
    ScrapeTarget.objects.filter(pk=target.pk).update(**fields)
    return not isinstance(scraped, ScrapeError), message


def scrape_now(target: ScrapeTarget) -> tuple[bool, str]:
    """Scrape ``target`` at once ("test now"): (whether it worked, what happened)."""
    try:
        scraped: Scraped | ScrapeError = fetch(target.url)
    except ScrapeError as exc:
        scraped = exc
    return record(target, scraped)


def _claimable(now: datetime):
    return ScrapeTarget.objects.filter(enabled=True).filter(
        Q(next_run_at__isnull=True) | Q(next_run_at__lte=now),
        Q(lease_until__isnull=True) | Q(lease_until__lt=now),
    )


def claim_due(owner: str, limit: int, now: datetime | None = None) -> list[ScrapeTarget]:
    """Due targets claimed for ``owner`` (at most ``limit``); none is claimed twice."""
    now = now or timezone.now()
    order = (F("next_run_at").asc(nulls_first=True), "pk")
    ids = list(_claimable(now).order_by(*order).values_list("pk", flat=True)[:limit])
    if not ids:
        return []
    until = now + LEASE
    # The same conditions again in the UPDATE: a target another worker took meanwhile is skipped.
    _claimable(now).filter(pk__in=ids).update(lease_until=until, claimed_by=owner)
    return list(ScrapeTarget.objects.filter(pk__in=ids, claimed_by=owner, lease_until=until))


def scrape_due(owner: str, pool: ThreadPoolExecutor, limit: int) -> int:
    """One pass: claim what is due, fetch it in parallel, store each; returns targets done."""
    targets = claim_due(owner, limit)
    futures = {t.pk: pool.submit(_fetch_or_error, t.url) for t in targets}
    for target in targets:
        try:
            record(target, futures[target.pk].result())
        except Exception:  # one bad target must not stop the others
            log.exception("could not store the scrape of target %s", target.pk)
    return len(targets)


def _fetch_or_error(url: str) -> Scraped | ScrapeError:
    try:
        return fetch(url)
    except ScrapeError as exc:
        return exc


def serve(stop: threading.Event) -> None:
    """The scraper service: scrape due targets until ``stop`` is set."""
    from vcio.core.worker import worker_id

    owner = worker_id()
    workers = settings.VCIO_SCRAPE_CONCURRENCY
    with ThreadPoolExecutor(workers, thread_name_prefix="scrape") as pool:
        while not stop.is_set():
            done = 0
            try:
                close_old_connections()
                done = scrape_due(owner, pool, workers * 4)
            except Exception:
                log.exception("scrape pass failed")
            if not done:
                stop.wait(1.0)


def register() -> None:
    worker_services.register(
        WorkerService(
            "capacity.scraper",
            serve,
            "Scrapes due exporter targets (node, windows), VCIO_SCRAPE_CONCURRENCY at once.",
        )
    )
