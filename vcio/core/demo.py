"""Demo data for core: a practice with three clients and users of every role.

Idempotent: running it again updates the same rows instead of adding more.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from vcio.core.models import Client, Contact, Department, Membership
from vcio.core.registry import DemoLoader, demo_loaders
from vcio.core.roles import Role

DEMO_PASSWORD = "vcio-demo"

CLIENTS = [
    {
        "slug": "acme",
        "name": "Acme Manufacturing",
        "industry": "manufacturing",
        "employee_count": 180,
        "fiscal_year_start_month": 1,
        "currency": "USD",
        "time_zone": "America/Chicago",
        "website": "https://acme.example",
        "monthly_fee": Decimal("4500.00"),
        "contract_start": datetime.date(2024, 1, 1),
        "notes": "Two plants (Dayton, Toledo) and a head office; ERP on premises.",
        "internal_notes": "Renewal talk due Q3; CFO is cost-sensitive.",
        "departments": [
            ("Finance", "FIN-100"),
            ("Operations", "OPS-200"),
            ("Production", "PRD-300"),
            ("Sales", "SAL-400"),
            ("IT", "IT-500"),
        ],
        "contacts": [
            ("Margaret", "Hale", "CEO", "Operations", True, True),
            ("Victor", "Okafor", "CFO", "Finance", False, True),
            ("Priya", "Raman", "Plant manager", "Production", False, False),
            ("Tom", "Becker", "IT coordinator", "IT", False, False),
        ],
    },
    {
        "slug": "globex",
        "name": "Globex Health Partners",
        "industry": "healthcare",
        "employee_count": 65,
        "fiscal_year_start_month": 7,
        "currency": "USD",
        "time_zone": "America/New_York",
        "website": "https://globex-health.example",
        "monthly_fee": Decimal("2800.00"),
        "contract_start": datetime.date(2023, 7, 1),
        "notes": "Three outpatient clinics; HIPAA in scope.",
        "internal_notes": "Practice manager prefers email over calls.",
        "departments": [
            ("Clinical", "CLN"),
            ("Front desk", "FRD"),
            ("Billing", "BIL"),
            ("Administration", "ADM"),
        ],
        "contacts": [
            ("Dr. Hannah", "Cho", "Managing partner", "Clinical", True, True),
            ("Luis", "Ortega", "Practice manager", "Administration", False, True),
            ("Amy", "Nguyen", "Billing lead", "Billing", False, False),
        ],
    },
    {
        "slug": "initech",
        "name": "Initech Legal LLP",
        "industry": "legal",
        "employee_count": 24,
        "fiscal_year_start_month": 4,
        "currency": "GBP",
        "time_zone": "Europe/London",
        "website": "https://initech-legal.example",
        "monthly_fee": Decimal("1200.00"),
        "contract_start": datetime.date(2025, 4, 1),
        "notes": "One office in Leeds; document management in the cloud.",
        "internal_notes": "Small budget; bundle projects where possible.",
        "departments": [("Partners", ""), ("Paralegals", ""), ("Office", "")],
        "contacts": [
            ("Edward", "Finch", "Senior partner", "Partners", True, True),
            ("Sophie", "Clarke", "Office manager", "Office", False, False),
        ],
    },
]

# username, first, last, practice role or (client slug, role) pairs
USERS: list[tuple[str, str, str, list[tuple[str | None, str]]]] = [
    ("alice", "Alice", "Moreau", [(None, Role.OWNER)]),
    ("frank", "Frank", "Adeyemi", [(None, Role.ADMIN)]),
    ("bob", "Bob", "Lindqvist", [("acme", Role.CONSULTANT), ("initech", Role.CONSULTANT)]),
    ("tess", "Tess", "Ivanova", [("globex", Role.TECHNICIAN), ("acme", Role.TECHNICIAN)]),
    ("carol", "Carol", "Hale", [("acme", Role.EXECUTIVE)]),
    ("erin", "Erin", "Becker", [("acme", Role.EDITOR)]),
    ("dave", "Dave", "Ortega", [("globex", Role.EXECUTIVE)]),
    ("gwen", "Gwen", "Finch", [("initech", Role.EXECUTIVE)]),
]

LOGINS = [
    ("alice", "practice owner: every client, admin site"),
    ("frank", "practice admin: every client"),
    ("bob", "consultant for Acme and Initech"),
    ("tess", "technician for Globex and Acme"),
    ("carol", "executive of Acme"),
    ("erin", "client editor at Acme"),
    ("dave", "executive of Globex"),
    ("gwen", "executive of Initech"),
]


def _load_clients(ctx: dict[str, Any], log: Callable[[str], None]) -> None:
    clients = {}
    for spec in CLIENTS:
        data = {k: v for k, v in spec.items() if k not in {"slug", "departments", "contacts"}}
        client, _ = Client.objects.update_or_create(slug=spec["slug"], defaults=data)
        clients[client.slug] = client
        depts = {}
        for name, cost_centre in spec["departments"]:
            depts[name], _ = Department.objects.update_or_create(
                client=client, name=name, defaults={"cost_centre": cost_centre}
            )
        for first, last, title, dept, primary, decides in spec["contacts"]:
            email = f"{first.split()[-1].lower()}.{last.lower()}@{spec['website'][8:]}"
            Contact.objects.update_or_create(
                client=client,
                first_name=first,
                last_name=last,
                defaults={
                    "title": title,
                    "email": email,
                    "department": depts[dept],
                    "is_primary": primary,
                    "is_decision_maker": decides,
                },
            )
        log(f"client {client.name}: {len(depts)} departments, {len(spec['contacts'])} contacts")
    ctx["clients"] = clients


def _load_users(ctx: dict[str, Any], log: Callable[[str], None]) -> None:
    User = get_user_model()
    clients = ctx["clients"]
    users = {}
    for username, first, last, roles in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@vcio.example"},
        )
        if created:
            # The owner role alone opens the admin: no staff or superuser flags.
            user.set_password(DEMO_PASSWORD)
            user.save()
        for slug, role in roles:
            Membership.objects.update_or_create(
                user=user, client=clients[slug] if slug else None, defaults={"role": role}
            )
        users[username] = user
    ctx["users"] = users
    log(f"{len(users)} demo users, password '{DEMO_PASSWORD}'")


def load_core(ctx: dict[str, Any], log: Callable[[str], None]) -> None:
    with transaction.atomic():
        _load_clients(ctx, log)
        _load_users(ctx, log)


def register() -> None:
    demo_loaders.register(DemoLoader("core", load_core, order=0))
