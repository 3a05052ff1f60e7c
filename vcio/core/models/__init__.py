"""Core models: clients and their people, access, audit log, tokens, jobs."""

from vcio.core.models.audit import AuditEvent
from vcio.core.models.clients import Client, Contact, Department
from vcio.core.models.imports import ImportRun
from vcio.core.models.jobs import JobRun
from vcio.core.models.membership import Membership
from vcio.core.models.tokens import ApiToken

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Client",
    "Contact",
    "Department",
    "ImportRun",
    "JobRun",
    "Membership",
]
