"""A client ready to be surveyed, for this app's survey tests.

Acme gets three more departments: Sales (a decision-maker and a colleague,
both with an email), Warehouse (one contact with an email, not a
decision-maker) and Workshop (a contact without an email); and two
business services, "ERP" and "Email". Globex gets a service of its own
("GLOBEX-ONLY CRM") that must never appear on Acme's pages.
"""

from __future__ import annotations

import datetime
import re

from django.core import mail
from django.utils import timezone

from vcio.availability.models import BusinessService
from vcio.core.models import Client, Contact, Department
from vcio.needs import questionnaires, sending


def surveyed_client(client: Client) -> dict:
    sales = Department.objects.create(client=client, name="Sales")
    warehouse = Department.objects.create(client=client, name="Warehouse")
    workshop = Department.objects.create(client=client, name="Workshop")
    Contact.objects.create(client=client, first_name="Sam", last_name="Colleague",
                           email="sam@acme.test", department=sales)  # fmt: skip
    Contact.objects.create(client=client, first_name="Sally", last_name="Head",
                           email="sally@acme.test", department=sales,
                           is_decision_maker=True)  # fmt: skip
    Contact.objects.create(client=client, first_name="Walt", last_name="Stock",
                           email="walt@acme.test", department=warehouse)  # fmt: skip
    Contact.objects.create(client=client, first_name="Wes", department=workshop)
    erp = BusinessService.objects.create(client=client, name="ERP")
    email = BusinessService.objects.create(client=client, name="Email")
    return {"sales": sales, "warehouse": warehouse, "workshop": workshop, "erp": erp,
            "email": email}  # fmt: skip


def globex_service(globex: Client) -> BusinessService:
    return BusinessService.objects.create(client=globex, name="GLOBEX-ONLY CRM")


def started_round(client: Client, user, recipients=None, days: int = 14):
    """The shipped survey sent to the client's default heads: ``(round, [(inv, key)])``."""
    version = questionnaires.shipped_version()
    if recipients is None:
        recipients, _ = sending.default_recipients(client)
    closes_on = sending.client_today(client) + datetime.timedelta(days=days)
    return sending.start_round(client, version, "Spring survey", closes_on, recipients, user)


LINK = re.compile(r"https?://\S+/survey/([-\w]+)/")


def keys_in_outbox() -> dict[str, str]:
    """Each emailed recipient's latest link key, by email address."""
    found = {}
    for message in mail.outbox:
        match = LINK.search(message.body)
        if match:
            found[message.to[0]] = match.group(1)
    return found


def days_ago(days: float):
    return timezone.now() - datetime.timedelta(days=days)
