"""Demo strategy: goals with KPIs, promoted recommendations and a portfolio of initiatives.

For each demo client (acme, globex, initech): business goals that fit its
industry, KPIs (some bound to live asset figures, some entered by hand with a
short history), a recommendation sync with a few promoted to initiatives, and
20–40 initiatives with costs, scores, dependencies, one alternatives group,
mandatory items, goal links, statuses across the workflow, milestones and
spend on finished work.

Deterministic and idempotent: rows are upserted on natural keys ((client,
title) for goals and initiatives, (goal, name) for KPIs, (kpi, day) for
values), so loading again updates the same rows. Quarters and dates are
relative to today, in the client's fiscal calendar.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from vcio.core.fiscal import FiscalQuarter, add_months, quarter_of
from vcio.core.models import Client, Contact
from vcio.core.registry import DemoLoader, demo_loaders
from vcio.strategy.kpis import record_value, refresh_kpis
from vcio.strategy.models import (
    BusinessGoal,
    Initiative,
    InitiativeStatus,
    Kpi,
    KpiValue,
    Milestone,
    Priority,
    Recommendation,
    RecommendationStatus,
    Scenario,
    ScoringWeights,
    SpendEntry,
)
from vcio.strategy.planning import PlanSettings, apply_scenario, save_scenario
from vcio.strategy.recommend import attach, promote, sync_recommendations
from vcio.strategy.services import add_requirement, link_goal

P = Priority
S = InitiativeStatus
WARRANTY = "assets.under_warranty_pct"
SUPPORTED_OS = "assets.supported_os_pct"

# (title, owner's last name, priority, months to target date, description, KPIs)
# KPI: (name, unit, baseline, target, direction, figure key or "", past monthly values)
GOALS: dict[str, list[tuple[str, str, int, int, str, list[tuple]]]] = {
    "acme": [
        ("Reduce unplanned downtime on the plant floor", "Raman", P.CRITICAL, 12,
         "Line stoppages caused by IT (network, MES terminals, ERP) cost about $9k an hour.",
         [("Unplanned production downtime caused by IT", "hours", 38, 12, "lower", "",
           [38, 35, 31, 29, 26]),
          ("Devices under warranty", "%", 62, 85, "higher", WARRANTY, [])]),
        ("Pass the cyber-insurance questionnaire at renewal", "Okafor", P.HIGH, 8,
         "The insurer asks for MFA, EDR, tested backups and supported systems; premiums "
         "rise sharply without them.",
         [("Insurance questionnaire controls met", "%", 55, 100, "higher", "",
           [55, 60, 68, 72]),
          ("Devices on a supported operating system", "%", 80, 98, "higher", SUPPORTED_OS, [])]),
        ("Support a second plant in Toledo on shared systems", "Hale", P.HIGH, 18,
         "Toledo runs on its own file server and spreadsheets; bring it onto the ERP, network "
         "and help desk of Dayton.",
         [("Toledo staff working in the shared ERP", "%", 10, 100, "higher", "",
           [10, 15, 25])]),
        ("Keep IT spend predictable", "Okafor", P.MEDIUM, 12,
         "Fewer surprise purchases: replacements and renewals planned a year ahead.",
         [("Unbudgeted IT spend a quarter", "USD", 42000, 10000, "lower", "",
           [42000, 35500, 28000])]),
    ],
    "globex": [
        ("Reduce HIPAA risk across the clinics", "Ortega", P.CRITICAL, 9,
         "Close the high risks of the last security risk analysis before the next one.",
         [("Open high risks in the HIPAA risk analysis", "risks", 14, 2, "lower", "",
           [14, 12, 11, 9, 8]),
          ("Devices on a supported operating system", "%", 85, 100, "higher", SUPPORTED_OS, [])]),
        ("Keep the patient portal up 99.9 % in clinic hours", "Cho", P.HIGH, 6,
         "Patients book, message and pay through the portal; outages flood the front desk.",
         [("Patient portal availability in clinic hours", "%", Decimal("99.2"),
           Decimal("99.9"), "higher", "", ["99.2", "99.5", "99.4", "99.7"])]),
        ("Replace ageing front-desk PCs", "Ortega", P.MEDIUM, 12,
         "Check-in PCs are slow and out of warranty; patients wait while they reboot.",
         [("Devices under warranty", "%", 55, 90, "higher", WARRANTY, []),
          ("Average check-in time", "min", Decimal("6.5"), 3, "lower", "",
           ["6.5", "6.2", "5.9"])]),
        ("Cut claim denials caused by IT errors", "Nguyen", P.LOW, 12,
         "Eligibility checks and clean data between the EHR and billing.",
         [("Claims denied for data errors", "%", 7, 3, "lower", "", [7, 6.5, 6])]),
    ],
    "initech": [
        ("Secure remote work for fee earners", "Finch", P.CRITICAL, 6,
         "Lawyers work from home and court; client files must stay safe on any network.",
         [("Staff on MFA and managed devices", "%", 60, 100, "higher", "", [60, 70, 75, 85]),
          ("Devices on a supported operating system", "%", 80, 100, "higher", SUPPORTED_OS, [])]),
        ("Make document management reliable", "Clarke", P.HIGH, 9,
         "Sync failures and slow searches in the DMS cost fee earners billable time.",
         [("Hours lost to DMS problems a month", "hours", 22, 4, "lower", "",
           [22, 18, 15, 14])]),
        ("Achieve Cyber Essentials Plus", "Clarke", P.HIGH, 12,
         "Clients' panels and the insurer ask for it from next year.",
         [("Cyber Essentials controls met", "%", 50, 100, "higher", "", [50, 65, 70]),
          ("Devices under warranty", "%", 70, 90, "higher", WARRANTY, [])]),
    ],
}  # fmt: skip


def I(  # noqa: E743, N802 - a compact row constructor for the tables below
    title: str,
    category: str,
    capex: int,
    opex: int,
    days: int,
    benefit: int,
    risk: int,
    urgency: int,
    status: str = S.PROPOSED,
    q: int | None = None,
    pct: int = 0,
    goals: dict[int, int] | None = None,
    req: tuple[str, ...] = (),
    mandatory: bool = False,
    alt: str = "",
    quarters: int = 1,
) -> dict[str, Any]:
    """One initiative: ``q`` is the start quarter relative to today's, ``quarters`` its length."""
    return {
        "title": title, "category": category, "capex": capex, "opex": opex, "days": days,
        "benefit": benefit, "risk": risk, "urgency": urgency, "status": status, "q": q,
        "pct": pct, "goals": goals or {}, "req": req, "mandatory": mandatory, "alt": alt,
        "quarters": quarters,
    }  # fmt: skip


FW_ONPREM = "Replace the on-premises firewalls with a FortiGate HA pair"
FW_SASE = "Move plant and office security to SASE (cloud firewall)"
INITIATIVES: dict[str, list[dict[str, Any]]] = {
    "acme": [
        I("Network assessment of both plants", "network", 4500, 0, 6, 3, 3, 4, S.DONE, -2,
            goals={0: 20, 2: 20}),
        I("Migrate email to Microsoft 365 with MFA", "security", 7000, 0, 15, 4, 4, 3, S.DONE, -3,
            goals={1: 40}),
        I("Enforce MFA for every account", "security", 0, 0, 8, 3, 5, 5, S.IN_PROGRESS, 0, 70,
            goals={1: 60}, req=("Migrate email to Microsoft 365 with MFA",), mandatory=True),
        I("Deploy EDR to every server and PC", "security", 0, 0, 10, 3, 5, 4, S.IN_PROGRESS, 0, 45,
            goals={1: 50}),
        I("Immutable offsite backups with quarterly restore tests", "continuity", 6500, 4800, 12,
            4, 5, 4, S.SCHEDULED, 1, goals={0: 30, 1: 50}),
        I("Retire Windows 10 before the end of extended updates", "lifecycle", 42000, 0, 25, 3, 5,
            5, S.APPROVED, 1, goals={1: 40}, mandatory=True, quarters=2),
        I("Replace core switches at the Dayton plant", "network", 38000, 2400, 14, 4, 4, 4,
            S.SCHEDULED, 1, goals={0: 50}, req=("Network assessment of both plants",)),
        I("Redundant internet link at Dayton with SD-WAN failover", "network", 8500, 7200, 8, 4, 3,
            3, S.APPROVED, 2, goals={0: 40}, req=("Replace core switches at the Dayton plant",)),
        I(FW_ONPREM, "security", 24000, 5200, 10, 3, 4, 3, alt="firewall", goals={1: 30},
            req=("Network assessment of both plants",)),
        I(FW_SASE, "security", 6000, 21000, 14, 4, 4, 3, alt="firewall", goals={1: 40, 2: 30},
            req=("Network assessment of both plants",)),
        I("Segment the plant-floor OT network from the office", "security", 16000, 1200, 18, 3, 5,
            3, goals={0: 40, 1: 30}, req=("Replace core switches at the Dayton plant",)),
        I("Upgrade the ERP (Epicor Kinetic) to the current release", "applications", 55000, 9000,
            40, 4, 3, 3, goals={2: 40}),
        I("Bring the Toledo plant onto the shared ERP", "applications", 30000, 12000, 35, 5, 2, 3,
            goals={2: 80}, req=("Upgrade the ERP (Epicor Kinetic) to the current release",
            "Site-to-site network between Dayton and Toledo")),
        I("Site-to-site network between Dayton and Toledo", "network", 12000, 9600, 10, 4, 2, 3,
            goals={2: 60}),
        I("Wi-Fi survey and redesign of the plant floors", "network", 14000, 1500, 9, 3, 2, 2,
            goals={0: 30, 2: 20}),
        I("Rugged tablets for shop-floor work orders", "operations", 28000, 3000, 12, 4, 1, 2,
            goals={0: 20}),
        I("Replace the MES terminals on line 3", "lifecycle", 18000, 0, 6, 3, 3, 3, goals={0: 50}),
        I("UPS and environmental monitoring for the plant network closets", "continuity", 9000,
            600, 5, 3, 3, 3, S.APPROVED, 2, goals={0: 40}),
        I("Virtualisation host refresh (two nodes)", "lifecycle", 32000, 2800, 12, 3, 3, 3,
            goals={0: 20}),
        I("Disaster recovery plan and tabletop exercise", "continuity", 0, 0, 8, 3, 4, 3,
            goals={1: 30, 0: 20}, req=("Immutable offsite backups with quarterly restore tests",)),
        I("Security awareness training and phishing tests", "security", 0, 5000, 4, 2, 4, 3,
            S.IN_PROGRESS, 0, 30, goals={1: 30}),
        I("Privileged access management for admin accounts", "security", 4000, 6000, 10, 2, 4, 3,
            goals={1: 40}, req=("Enforce MFA for every account",)),
        I("Central log collection and 24x7 SOC monitoring", "security", 5000, 26000, 10, 3, 4, 2,
            goals={1: 50}, req=("Deploy EDR to every server and PC",)),
        I("Vulnerability scanning and monthly patch reports", "security", 0, 4200, 5, 2, 4, 3,
            S.SCHEDULED, 1, goals={1: 30}),
        I("Mobile device management for company phones", "security", 0, 3600, 6, 2, 3, 2,
            goals={1: 20}),
        I("Help desk coverage for the Toledo plant", "operations", 0, 14000, 3, 4, 1, 3,
            goals={2: 50}),
        I("Asset inventory agent on every device", "operations", 0, 1800, 4, 2, 2, 3, S.DONE, -1,
            goals={3: 40}),
        I("Twelve-month replacement budget from the lifecycle forecast", "planning", 0, 0, 3, 3, 1,
            3, goals={3: 70}, req=("Asset inventory agent on every device",)),
        I("Consolidate licences and drop unused seats", "cost", 0, 0, 3, 3, 1, 3, goals={3: 50}),
        I("Move the file server to SharePoint", "applications", 3000, 0, 15, 3, 2, 2,
            goals={2: 30}),
        I("Upgrade the CAD workstations", "lifecycle", 21000, 0, 5, 3, 1, 2, goals={}),
        I("Replace the phone system with Teams Phone", "communications", 12000, 11000, 12, 3, 1, 1,
            S.DECLINED),
        I("Badge access integration with HR onboarding", "operations", 6000, 1200, 8, 2, 2, 1,
            S.DEFERRED),
    ],
    "globex": [
        I("HIPAA security risk analysis", "compliance", 4000, 0, 8, 3, 5, 5, S.DONE, -2,
            goals={0: 60}),
        I("Remediate the high risks from the risk analysis", "compliance", 8000, 0, 20, 3, 5, 5,
            S.IN_PROGRESS, 0, 40, goals={0: 80}, req=("HIPAA security risk analysis",),
            mandatory=True, quarters=2),
        I("Encrypt every laptop and enforce screen locks", "security", 0, 0, 5, 2, 5, 4,
            S.IN_PROGRESS, 0, 60, goals={0: 50}),
        I("Business associate agreements with every vendor", "compliance", 0, 0, 4, 2, 4, 4,
            S.APPROVED, 1, goals={0: 40}),
        I("Secure email and MFA for all staff", "security", 0, 2400, 6, 3, 5, 4, S.DONE, -1,
            goals={0: 50}),
        I("Replace the front-desk check-in PCs", "lifecycle", 18000, 0, 8, 4, 3, 4, S.SCHEDULED, 1,
            goals={2: 90, 0: 20}),
        I("Label printers and scanners at each front desk", "operations", 4500, 0, 3, 3, 1, 2,
            goals={2: 30}, req=("Replace the front-desk check-in PCs",)),
        I("Monitor the patient portal with uptime alerts", "operations", 0, 1200, 2, 3, 2, 4,
            S.IN_PROGRESS, 0, 80, goals={1: 50}),
        I("Redundant internet at each clinic", "network", 4500, 6600, 6, 4, 3, 3, S.APPROVED, 1,
            goals={1: 60}),
        I("Move the clinic firewalls to a managed HA pair", "network", 9000, 3600, 6, 3, 3, 3,
            alt="clinic-network", goals={1: 40, 0: 30}),
        I("Move the clinics to SD-WAN with cloud security", "network", 3000, 9600, 8, 4, 3, 3,
            alt="clinic-network", goals={1: 50, 0: 30}, req=("Redundant internet at each clinic",)),
        I("Backups of the EHR exports with restore tests", "continuity", 2500, 1800, 5, 3, 4, 3,
            S.SCHEDULED, 2, goals={0: 40, 1: 20}),
        I("Wi-Fi refresh in the exam rooms", "network", 12000, 900, 6, 3, 2, 2, goals={2: 20}),
        I("Guest Wi-Fi separated from the clinical network", "security", 1500, 0, 3, 2, 4, 3,
            goals={0: 40}),
        I("Security awareness training with phishing tests", "security", 0, 2200, 3, 2, 4, 3,
            S.APPROVED, 1, goals={0: 30}),
        I("EDR on every workstation and server", "security", 0, 0, 4, 2, 4, 3, goals={0: 40}),
        I("Insurance eligibility checks integrated with the EHR", "applications", 6000, 3000, 10,
            4, 1, 2, goals={3: 70}),
        I("Clean up patient demographics between EHR and billing", "applications", 0, 0, 8, 3, 1,
            2, goals={3: 50}),
        I("Self check-in kiosks", "operations", 16000, 2400, 10, 4, 1, 2, goals={2: 40, 1: 10},
            req=("Replace the front-desk check-in PCs",)),
        I("Incident response plan for a ransomware event", "continuity", 0, 0, 4, 2, 4, 3,
            goals={0: 30}, req=("Backups of the EHR exports with restore tests",)),
        I("Replace the Northgate clinic server with cloud storage", "lifecycle", 4000, 1800, 6, 3,
            3, 2, goals={0: 20}),
        I("Digital fax service for referrals", "communications", 0, 1500, 2, 2, 1, 1, S.DECLINED),
        I("Telehealth carts for each clinic", "operations", 15000, 1200, 4, 3, 1, 1, S.DEFERRED),
    ],
    "initech": [
        I("Enforce MFA on Microsoft 365 and NetDocuments", "security", 0, 0, 3, 3, 5, 5, S.DONE,
            -1, goals={0: 60, 2: 30}),
        I("Manage every laptop with Intune", "security", 0, 0, 8, 3, 4, 4, S.IN_PROGRESS, 0, 50,
            goals={0: 70, 2: 40}, req=("Enforce MFA on Microsoft 365 and NetDocuments",)),
        I("Always-on VPN for fee earners", "security", 3000, 1800, 4, 3, 4, 3, alt="remote-access",
            goals={0: 50}),
        I("Zero-trust access for remote working", "security", 1000, 3600, 6, 4, 4, 3,
            alt="remote-access", goals={0: 70}, req=("Manage every laptop with Intune",)),
        I("Cyber Essentials Plus certification", "compliance", 2500, 1500, 6, 3, 4, 4, S.APPROVED,
            1, goals={2: 90}, req=("Manage every laptop with Intune",), mandatory=True),
        I("Fix NetDocuments sync with ndOffice on every laptop", "applications", 0, 0, 4, 4, 2, 4,
            S.IN_PROGRESS, 0, 60, goals={1: 70}),
        I("NetDocuments folder structure and retention rules", "applications", 0, 0, 6, 3, 2, 3,
            S.SCHEDULED, 1, goals={1: 50}),
        I("Train staff on the DMS", "applications", 0, 0, 2, 3, 1, 3, S.SCHEDULED, 1,
            goals={1: 30}, req=("NetDocuments folder structure and retention rules",)),
        I("Back up Microsoft 365 and NetDocuments", "continuity", 0, 1100, 2, 2, 4, 3, S.DONE, -2,
            goals={1: 30, 2: 20}),
        I("Replace the office firewall", "network", 1800, 450, 2, 2, 3, 3, goals={2: 30}),
        I("Refresh the paralegals' laptops", "lifecycle", 9500, 0, 4, 3, 3, 3, goals={0: 20,
            2: 30}),
        I("Retire the office file server", "lifecycle", 0, 0, 5, 3, 3, 2, goals={1: 20},
            req=("NetDocuments folder structure and retention rules",)),
        I("Phishing simulation and awareness training", "security", 0, 900, 2, 2, 4, 3, S.APPROVED,
            1, goals={0: 30, 2: 30}),
        I("Email security gateway with link scanning", "security", 0, 1400, 2, 2, 4, 3,
            goals={0: 30}),
        I("Secure client portal for sharing documents", "applications", 2000, 2400, 5, 4, 3, 2,
            goals={0: 30, 1: 20}),
        I("Meeting room video kit", "communications", 3500, 300, 2, 2, 1, 1, goals={}),
        I("Mobile device management for phones", "security", 0, 600, 2, 2, 3, 2, goals={0: 30}),
        I("Business continuity plan for the office", "continuity", 0, 0, 3, 2, 3, 2, goals={2: 20}),
        I("Replace the telephone system with Teams Phone", "communications", 1500, 2900, 4, 3, 1,
            1, S.DECLINED),
        I("Dictation software for partners", "applications", 2400, 600, 2, 2, 1, 1, S.DEFERRED),
    ],
}  # fmt: skip

# title: [(milestone, months from today, done)]
MILESTONES: dict[str, list[tuple[str, int, bool]]] = {
    "Enforce MFA for every account": [
        ("Register every office user", -1, True),
        ("Enforce for plant kiosk accounts", 1, False),
    ],
    "Retire Windows 10 before the end of extended updates": [
        ("Order replacement PCs", 2, False),
        ("Office PCs upgraded", 4, False),
        ("Plant PCs upgraded", 6, False),
    ],
    "Remediate the high risks from the risk analysis": [
        ("Access reviews for the EHR", -1, True),
        ("Audit logging on file shares", 1, False),
        ("Risk register signed off", 4, False),
    ],
    "Manage every laptop with Intune": [
        ("Partners' laptops enrolled", -1, True),
        ("Compliance policies enforced", 1, False),
    ],
}  # fmt: skip

# title: [(months before today, amount, kind, note)]
SPEND: dict[str, list[tuple[int, int, str, str]]] = {
    "Network assessment of both plants": [(5, 4800, "capex", "Assessment, Dayton and Toledo")],
    "Asset inventory agent on every device": [(2, 450, "opex", "Agent subscription, a quarter")],
    "Migrate email to Microsoft 365 with MFA": [
        (8, 6200, "capex", "Migration project"),
        (7, 1450, "capex", "Cut-over weekend"),
    ],
    "HIPAA security risk analysis": [(5, 3900, "capex", "Risk analysis by assessor")],
    "Secure email and MFA for all staff": [(3, 200, "opex", "Secure email, first month")],
    "Back up Microsoft 365 and NetDocuments": [
        (5, 90, "opex", "Backup service, first month"),
        (4, 90, "opex", "Backup service, second month"),
    ],
}  # fmt: skip

# The caps of each demo client's base plan: (capex a quarter, opex a fiscal year, person-days a
# quarter); Acme also gets a "budget +20 %" variant to compare with.
ROADMAP_CAPS: dict[str, tuple[int, int, int]] = {
    "acme": (50000, 25000, 40),
    "globex": (30000, 15000, 30),
    "initech": (20000, 10000, 20),
}
BASE_PLAN = "Base plan"

# Demo initiatives funded by the recommendations they take in: (key prefix, how many quarters
# from next quarter the recommendations' due dates may fall in, or None for any).
FUNDED_BY: dict[str, tuple[str, int | None]] = {
    # The next four quarters of the replacement forecast (the optimiser then decides whether
    # the lump fits under the client's caps, and says why not when it does not).
    "Twelve-month replacement budget from the lifecycle forecast": ("assets.replace.", 4),
    # Every licence renewing soon with unused seats: a saving, i.e. a negative recurring cost.
    "Consolidate licences and drop unused seats": ("assets.licence_waste.", None),
}

# How many recommendations to promote per client, and the goal (index) each category serves.
PROMOTE: dict[str, tuple[int, dict[str, int]]] = {
    "acme": (3, {"security": 1, "capacity": 0, "lifecycle": 0, "cost": 3}),
    "globex": (2, {"security": 0, "capacity": 1, "lifecycle": 2, "cost": 0}),
    "initech": (2, {"security": 0, "capacity": 1, "lifecycle": 2, "cost": 1}),
}
# A full disk or a saturated server stops the business sooner than an old laptop does.
CATEGORY_ORDER = ["security", "capacity", "lifecycle", "cost"]
# Demo users: who promotes recommendations (the consultant) and who approves (the executive).
PEOPLE = {"acme": ("bob", "carol"), "globex": ("alice", "dave"), "initech": ("bob", "gwen")}
USERNAMES = sorted({name for pair in PEOPLE.values() for name in pair})


def _owners(client: Client) -> dict[str, Contact]:
    return {c.last_name: c for c in Contact.objects.filter(client=client)}


def _load_goals(client: Client, today: datetime.date) -> list[BusinessGoal]:
    owners = _owners(client)
    first_of_month = today.replace(day=1)
    goals = []
    for title, owner, priority, months, description, kpis in GOALS[client.slug]:
        contact = owners.get(owner)
        goal, _ = BusinessGoal.objects.update_or_create(
            client=client,
            title=title,
            defaults={
                "owner": contact,
                # The goal belongs to its owner's department: the coverage matrix counts it there.
                "department": contact.department if contact else None,
                "priority": priority,
                "target_date": add_months(first_of_month, months),
                "description": description,
            },
        )
        goals.append(goal)
        for name, unit, baseline, target, direction, key, history in kpis:
            kpi, _ = Kpi.objects.update_or_create(
                goal=goal,
                name=name,
                defaults={
                    "unit": unit,
                    "baseline": Decimal(str(baseline)),
                    "target": Decimal(str(target)),
                    "direction": direction,
                    "figure_key": key,
                },
            )
            for back, value in enumerate(reversed(history), start=1):
                record_value(kpi, Decimal(str(value)), add_months(first_of_month, -back))
    return goals


def _promote(client: Client, goals: list[BusinessGoal], user: Any) -> int:
    """Promote the first open recommendation of each category in turn, up to the client's count.

    Security first, then lifecycle (the earliest quarter), then cost; ties by key.
    """
    wanted, goal_for = PROMOTE[client.slug]
    recs = Recommendation.objects.filter(client=client)
    have = recs.filter(status=RecommendationStatus.PROMOTED).count()
    open_recs = list(recs.filter(status=RecommendationStatus.OPEN).order_by("key"))
    rank = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    open_recs.sort(key=lambda r: rank.get(r.category, len(rank)))
    by_category: dict[str, list[Recommendation]] = {}
    for rec in open_recs:
        by_category.setdefault(rec.category, []).append(rec)
    queue = []  # round robin over the categories, so the promoted ones differ in kind
    while any(by_category.values()):
        for pending in by_category.values():
            if pending:
                queue.append(pending.pop(0))
    for rec in queue[: max(0, wanted - have)]:
        initiative = promote(rec, user)
        link_goal(initiative, goals[goal_for.get(rec.category, 0)], 40)
    return recs.filter(status=RecommendationStatus.PROMOTED).count()


def _fund_from_recommendations(
    client: Client, made: dict[str, Initiative], today: datetime.date
) -> None:
    """Fold the matching recommendations into the initiatives of ``FUNDED_BY``.

    Idempotent: the rows were just reset to their table's costs, so those
    already folded in on an earlier load are added back before the new ones.
    """
    first = quarter_of(today, client.fiscal_year_start_month).shift(1)
    for title, (prefix, quarters) in FUNDED_BY.items():
        initiative = made.get(title)
        if initiative is None:
            continue
        recs = Recommendation.objects.filter(client=client, key__startswith=prefix)
        if quarters is not None:
            recs = recs.filter(due_date__gte=first.start, due_date__lt=first.shift(quarters).start)
        folded = list(recs.filter(initiative=initiative))
        initiative.capex += sum((r.one_time_cost for r in folded), Decimal(0))
        initiative.opex_per_year += sum((r.recurring_cost_per_year for r in folded), Decimal(0))
        initiative.save(update_fields=["capex", "opex_per_year", "updated_at"])
        for rec in recs.filter(status=RecommendationStatus.OPEN).order_by("key"):
            attach(rec, initiative)


def _approved_at(start: FiscalQuarter, today: datetime.date) -> datetime.datetime:
    """Approved in the quarter before work starts, and never in the future."""
    day = min(start.shift(-1).start, today)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


def _approver_name(contact: Contact | None) -> str:
    """How the client's decision maker is named on what they approved: "Ann Lee (CEO)"."""
    if contact is None:
        return ""
    return f"{contact} ({contact.title})" if contact.title else str(contact)


def _load_initiatives(
    client: Client, goals: list[BusinessGoal], today: datetime.date, approver: Any
) -> dict[str, Initiative]:
    start_month = client.fiscal_year_start_month
    now = quarter_of(today, start_month)
    owner = Contact.objects.filter(client=client, is_decision_maker=True).order_by("pk").first()
    rows = INITIATIVES[client.slug]
    made: dict[str, Initiative] = {}
    for row in rows:
        status = row["status"]
        start = now.shift(row["q"]) if row["q"] is not None else None
        end = start.shift(row["quarters"] - 1) if start else None
        pct = {S.DONE: 100, S.IN_PROGRESS: row["pct"]}.get(status, 0)
        decided = status not in (S.PROPOSED, S.DECLINED, S.DEFERRED)
        initiative, _ = Initiative.objects.update_or_create(
            client=client,
            title=row["title"],
            defaults={
                "category": row["category"],
                "capex": Decimal(row["capex"]),
                "opex_per_year": Decimal(row["opex"]),
                "effort_days": Decimal(row["days"]),
                "benefit": row["benefit"],
                "risk_reduction": row["risk"],
                "urgency": row["urgency"],
                "mandatory": row["mandatory"],
                "alternative_group": row["alt"],
                "status": status,
                "start_quarter": start.start if start else None,
                "end_quarter": end.start if end else None,
                "locked": status in (S.IN_PROGRESS, S.DONE),
                "percent_complete": pct,
                "owner": owner if decided else None,
                "approved_by": approver if decided else None,
                "approved_by_name": _approver_name(owner) if decided else "",
                "approved_at": _approved_at(start, today) if decided and start else None,
            },
        )
        made[row["title"]] = initiative
    for row in rows:
        initiative = made[row["title"]]
        for index, contribution in row["goals"].items():
            link_goal(initiative, goals[index], contribution)
        for title in row["req"]:
            add_requirement(initiative, made[title])
    first_of_month = today.replace(day=1)
    for title, steps in MILESTONES.items():
        if title in made:
            for name, months, done in steps:
                Milestone.objects.update_or_create(
                    initiative=made[title],
                    title=name,
                    defaults={"due": add_months(first_of_month, months), "done": done},
                )
    for title, entries in SPEND.items():
        if title in made:
            for months, amount, kind, note in entries:
                SpendEntry.objects.update_or_create(
                    initiative=made[title],
                    note=note,
                    defaults={
                        "date": add_months(first_of_month, -months),
                        "amount": Decimal(amount),
                        "kind": kind,
                    },
                )
    return made


def load_strategy(ctx: dict[str, Any], log: Callable[[str], None]) -> None:
    today = timezone.localdate()
    users = {u.username: u for u in get_user_model().objects.filter(username__in=USERNAMES)}
    for client in Client.objects.filter(slug__in=list(GOALS)).order_by("name"):
        promoter, approver = (users.get(name) for name in PEOPLE[client.slug])
        with transaction.atomic():
            goals = _load_goals(client, today)
            refresh_kpis([client.pk], today)
            sync_recommendations([client.pk])
            promoted = _promote(client, goals, promoter)
            made = _load_initiatives(client, goals, today, approver)
            _fund_from_recommendations(client, made, today)
            ScoringWeights.objects.get_or_create(client=client)
        planned = _load_roadmap(client, promoter, today)
        kpis = Kpi.objects.filter(goal__client=client).count()
        values = KpiValue.objects.filter(kpi__goal__client=client).count()
        total = Initiative.objects.filter(client=client).count()
        log(
            f"{client.name}: {len(goals)} goals, {kpis} KPIs ({values} values), "
            f"{promoted} recommendations promoted, {total} initiatives "
            f"({len(made)} planned by hand); {planned}"
        )


def _load_roadmap(client: Client, user: Any, today: datetime.date) -> str:
    """An optimised base plan applied to the roadmap (and, for Acme, a +20 % variant)."""
    if Scenario.objects.filter(client=client, name=BASE_PLAN).exists():
        return "roadmap already generated"
    capex, opex, effort = ROADMAP_CAPS[client.slug]
    settings = PlanSettings(
        horizon=8,
        capex_per_quarter=Decimal(capex),
        opex_per_year=Decimal(opex),
        effort_per_quarter=Decimal(effort),
    )
    base = save_scenario(client, BASE_PLAN, settings, user, today)
    # The demo's first plan is the one agreed with the client: agreed work follows it.
    apply_scenario(base, user, move_agreed=True)
    if client.slug == "acme":
        save_scenario(
            client, f"{BASE_PLAN} (budget +20 %)", settings.scaled(Decimal("1.2")), user, today
        )
    chosen = sum(1 for row in base.plan["items"] if row["quarter"] is not None)
    return f"roadmap: {chosen} initiatives in the optimised base plan"


def register() -> None:
    demo_loaders.register(DemoLoader("strategy", load_strategy, order=40))
