"""The capacity app's models: metric sources, ingest tokens, series, samples and rollups."""

from vcio.capacity.models.agents import AgentContact
from vcio.capacity.models.metrics import DailyRollup, HourlyRollup, Sample, Series
from vcio.capacity.models.sources import ExporterKind, PromConnector, ScrapeTarget
from vcio.capacity.models.tokens import IngestToken

__all__ = [
    "AgentContact",
    "DailyRollup",
    "ExporterKind",
    "HourlyRollup",
    "IngestToken",
    "PromConnector",
    "Sample",
    "ScrapeTarget",
    "Series",
]
