"""The availability app's models: business services, monitors and what they record, alerts."""

from vcio.availability.models.alerts import AlertChannel, AlertDelivery
from vcio.availability.models.monitors import (
    CheckResult,
    HourlyRollup,
    Monitor,
    MonitorKind,
    MonitorState,
    Outage,
)
from vcio.availability.models.services import (
    BusinessService,
    Criticality,
    MaintenanceWindow,
    SlaHours,
)

__all__ = [
    "AlertChannel",
    "AlertDelivery",
    "BusinessService",
    "CheckResult",
    "Criticality",
    "HourlyRollup",
    "MaintenanceWindow",
    "Monitor",
    "MonitorKind",
    "MonitorState",
    "Outage",
    "SlaHours",
]
