"""One row of every capacity model for a client, for core's isolation and no-500 walkers."""

from __future__ import annotations

import datetime

from django.utils import timezone

from vcio.assets.models import Asset
from vcio.capacity.models import (
    AgentContact,
    DailyRollup,
    HourlyRollup,
    IngestToken,
    PromConnector,
    Sample,
    ScrapeTarget,
    Series,
)
from vcio.core.models import Client


def capacity_rows_for(client: Client, marker: str) -> Series:
    """A machine's memory series (a sample, an hourly and a daily rollup), a scrape target and a
    connector aimed at a closed port of 127.0.0.1, an ingest token and an agent contact, each
    carrying ``marker``. Returns the series."""
    now = timezone.now().replace(microsecond=0)
    asset = Asset.objects.create(client=client, name=f"{marker} capacity box")
    series = Series.objects.create(
        client=client, asset=asset, metric="mem", last_value=0.5, last_at=now
    )
    Sample.objects.create(series=series, at=now, value=0.5)
    hour = now.replace(minute=0, second=0)
    HourlyRollup.objects.create(series=series, hour=hour, min=0.4, max=0.6, mean=0.5, p95=0.6,
                                count=60)  # fmt: skip
    DailyRollup.objects.create(series=series, day=now.date() - datetime.timedelta(days=1),
                               min=0.4, max=0.6, mean=0.5, p95=0.6, count=1440)  # fmt: skip
    ScrapeTarget.objects.create(
        client=client, name=f"{marker} exporter", url="http://127.0.0.1:9/metrics", asset=asset
    )
    PromConnector.objects.create(
        client=client, name=f"{marker} prometheus", base_url="http://127.0.0.1:9",
        bearer_token=f"{marker}-bearer", password=f"{marker}-password",
    )  # fmt: skip
    IngestToken.issue(client, f"{marker} agent token")
    AgentContact.objects.create(client=client, asset=asset, device_id=f"{marker}-device")
    return series
